// The gateway in front of real assessment replicas for the services beyond
// case intake (InstrumentService, AssessmentService, CounsellingService,
// ConsentService): two AssessmentServers on loopback ports, each owning half
// of the partitions, behind one GatewayServer, called through the public
// gRPC and JSON faces with the generated stubs. What is asserted is the
// gateway's part: which replica a call reaches (a replica refuses a case it
// does not own with FAILED_PRECONDITION), refusals at the edge (empty case
// ids, roles), broadcast of instrument publications and fail-over of
// instrument reads. The services' own rules are their tests' business.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "common/storage/ids.h"
#include "common/storage/partitions.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "homeward/v1/assessments.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "homeward/v1/counselling.grpc.pb.h"
#include "homeward/v1/instruments.grpc.pb.h"
#include "homeward/v1/taxonomy.grpc.pb.h"
#include "httplib.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/closed_port.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::gateway {
namespace {

using ::homeward::testing::ClosedPort;

using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::testing::ValidRegistration;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

namespace v1 = ::homeward::v1;

constexpr uint32_t kPartitions = 64;
constexpr char kManagerKey[] = "hw_services_case_manager_key";
constexpr char kAdminKey[] = "hw_services_administrator_key";
constexpr char kMonitorKey[] = "hw_services_monitoring_officer_key";

const homeward::internal::v1::Principal kManager =
    MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"});
const homeward::internal::v1::Principal kAdmin =
    MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR, {});
const homeward::internal::v1::Principal kMonitor =
    MakePrincipal("mo-1", v1::ROLE_MONITORING_OFFICER, {});

v1::Date DaysAgo(int days) {
  const absl::CivilDay day = absl::ToCivilDay(
      absl::Now() - absl::Hours(24 * days), absl::UTCTimeZone());
  v1::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

void AddOption(v1::Item* item, const std::string& id, double value) {
  auto* option = item->add_options();
  option->set_id(id);
  (*option->mutable_label())["en"] = id;
  option->set_value(value);
}

// The smallest instrument the service accepts: one scored question.
v1::InstrumentDefinition Probe(int version) {
  v1::InstrumentDefinition d;
  d.set_instrument_id("gw_probe");
  d.set_version(version);
  d.set_kind(v1::INSTRUMENT_KIND_RSS);
  (*d.mutable_title())["en"] = "Gateway probe";
  d.set_provenance("Test instrument for the gateway tests.");
  auto* item = d.add_items();
  item->set_id("e1");
  (*item->mutable_question())["en"] = "Economic situation?";
  item->set_answer_type(v1::ANSWER_TYPE_SINGLE_CHOICE);
  item->set_required(true);
  item->set_dimension(v1::DIMENSION_ECONOMIC);
  AddOption(item, "poor", 0);
  AddOption(item, "good", 1);
  auto* economic = d.add_dimension_weights();
  economic->set_dimension(v1::DIMENSION_ECONOMIC);
  auto* weight = economic->add_weights();
  weight->set_item_id("e1");
  weight->set_weight(1);
  *d.add_composite_weights() = *weight;
  return d;
}

v1::PublishInstrumentRequest Publish(int version) {
  v1::PublishInstrumentRequest r;
  *r.mutable_instrument() = Probe(version);
  return r;
}

v1::RecordConsentRequest Consent(const std::string& case_id,
                                 const std::string& request_id) {
  v1::RecordConsentRequest r;
  r.set_request_id(request_id);
  auto* c = r.mutable_consent();
  c->set_case_id(case_id);
  c->set_purpose(v1::CONSENT_PURPOSE_REFERRAL);
  c->set_recipient_agency_id("agency-health");
  c->set_granted(true);
  *c->mutable_decision_date() = DaysAgo(2);
  c->set_method(v1::CONSENT_METHOD_WRITTEN);
  return r;
}

v1::RecordCounsellingSessionRequest Session(const std::string& case_id,
                                            const std::string& request_id) {
  v1::RecordCounsellingSessionRequest r;
  r.set_request_id(request_id);
  auto* s = r.mutable_session();
  s->set_case_id(case_id);
  *s->mutable_session_date() = DaysAgo(2);
  s->set_mode(v1::CONTACT_MODE_PHONE);
  s->add_participants("returnee");
  s->add_topics("housing");
  s->set_observations("settling in");
  return r;
}

v1::SubmitAssessmentRequest Submission(const std::string& case_id,
                                       const std::string& request_id) {
  v1::SubmitAssessmentRequest r;
  r.set_request_id(request_id);
  r.set_case_id(case_id);
  r.set_instrument_id("gw_probe");
  r.set_instrument_version(1);
  r.set_occasion(v1::ASSESSMENT_OCCASION_BASELINE);
  r.set_assessor_role(v1::ASSESSOR_ROLE_CASE_MANAGER);
  r.set_mode(v1::CONTACT_MODE_IN_PERSON);
  *r.mutable_assessment_date() = DaysAgo(1);
  auto* answer = r.add_answers();
  answer->set_item_id("e1");
  answer->set_option_id("good");
  return r;
}

std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  return fields;
}

// A client context with an API key and a deadline.
std::unique_ptr<grpc::ClientContext> WithKey(const std::string& key) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", absl::StrCat("Bearer ", key));
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  return context;
}

// A client context signed as the gateway would sign `principal`, for calls
// straight to a replica.
std::unique_ptr<grpc::ClientContext> SignedAs(
    const homeward::internal::v1::Principal& principal) {
  auto context = std::make_unique<grpc::ClientContext>();
  SignAs(principal, context.get());
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  return context;
}

// Stubs of every public service over one channel.
struct Stubs {
  explicit Stubs(const std::string& address) {
    auto channel =
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    cases = v1::CaseService::NewStub(channel);
    instruments = v1::InstrumentService::NewStub(channel);
    assessments = v1::AssessmentService::NewStub(channel);
    counselling = v1::CounsellingService::NewStub(channel);
    consent = v1::ConsentService::NewStub(channel);
  }
  std::unique_ptr<v1::CaseService::Stub> cases;
  std::unique_ptr<v1::InstrumentService::Stub> instruments;
  std::unique_ptr<v1::AssessmentService::Stub> assessments;
  std::unique_ptr<v1::CounsellingService::Stub> counselling;
  std::unique_ptr<v1::ConsentService::Stub> consent;
};

class GatewayServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int r = 0; r < 2; ++r) {
      homeward::internal::v1::ServiceConfig config =
          testing::LoopbackServiceConfig(
              absl::StrCat(dir_.path(), "/replica", r));
      config.set_partition_count(kPartitions);
      *config.add_owned_partitions() = Half(r);
      auto server = assessment::AssessmentServer::Start(
          testing::WithShippedProgrammeData(config), testing::kTestSecret);
      ASSERT_THAT(server, IsOk());
      replicas_[r] = *std::move(server);
      direct_[r] = std::make_unique<Stubs>(Address(r));
    }
    gateway_ = StartGateway({Address(0), Address(1)}, /*split=*/true);
    ASSERT_NE(gateway_, nullptr);
    via_gateway_ = std::make_unique<Stubs>(
        absl::StrCat("127.0.0.1:", gateway_->grpc_port()));
    http_ =
        std::make_unique<httplib::Client>("127.0.0.1", gateway_->http_port());
    http_->set_read_timeout(10, 0);
  }

  void TearDown() override {
    if (gateway_ != nullptr) gateway_->Shutdown(absl::Seconds(1));
    for (auto& replica : replicas_) {
      if (replica != nullptr) replica->Shutdown(absl::Seconds(1));
    }
  }

  static homeward::internal::v1::PartitionRange Half(int replica) {
    return testing::ShareOf(replica, 2, kPartitions);
  }

  std::string Address(int replica) const {
    return absl::StrCat("127.0.0.1:", replicas_[replica]->port());
  }

  // A gateway in front of `addresses`; with `split`, they own the halves
  // the replicas own.
  static std::unique_ptr<GatewayServer> StartGateway(
      const std::vector<std::string>& addresses, bool split) {
    GatewayServer::Options options;
    options.config.set_grpc_listen_address("127.0.0.1:0");
    options.config.set_http_listen_address("127.0.0.1:0");
    options.config.set_partition_count(kPartitions);
    options.config.set_forward_deadline_ms(3000);
    auto* route = options.config.add_routes();
    route->set_service("assessment");
    for (size_t r = 0; r < addresses.size(); ++r) {
      auto* replica = route->add_replicas();
      replica->set_address(addresses[r]);
      if (split) *replica->add_partitions() = Half(static_cast<int>(r));
    }
    options.principal_secret = testing::kTestSecret;
    *options.api_keys.add_keys() = MakeApiKey("cm", kManagerKey, kManager);
    *options.api_keys.add_keys() = MakeApiKey("admin", kAdminKey, kAdmin);
    *options.api_keys.add_keys() = MakeApiKey("mo", kMonitorKey, kMonitor);
    auto gateway = GatewayServer::Start(std::move(options));
    EXPECT_THAT(gateway, IsOk());
    return gateway.ok() ? *std::move(gateway) : nullptr;
  }

  // Registers, through the gateway, a case whose partition `replica` owns.
  std::string RegisterCaseOn(int replica) {
    for (int i = 0;; ++i) {
      const std::string request_id = absl::StrCat("gw-services-", i);
      const uint32_t partition = storage::PartitionOf(
          storage::CaseIdForRequest("office-dakar", request_id), kPartitions);
      if ((partition >= kPartitions / 2) != (replica == 1)) continue;
      v1::Case created;
      grpc::Status status = via_gateway_->cases->RegisterCase(
          WithKey(kManagerKey).get(), ValidRegistration(request_id), &created);
      EXPECT_THAT(status, IsOk());
      return created.case_id();
    }
  }

  httplib::Result PostJson(const std::string& method,
                           const google::protobuf::Message& request,
                           const std::string& key) {
    std::string body;
    EXPECT_TRUE(
        google::protobuf::util::MessageToJsonString(request, &body).ok());
    return http_->Post(absl::StrCat("/", method).c_str(),
                       {{"Authorization", absl::StrCat("Bearer ", key)}}, body,
                       "application/json");
  }

  TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> replicas_[2];
  std::unique_ptr<Stubs> direct_[2];
  std::unique_ptr<GatewayServer> gateway_;
  std::unique_ptr<Stubs> via_gateway_;
  std::unique_ptr<httplib::Client> http_;
};

// (1) Calls routed by a case id nested in the request reach the replica that
// owns the case; the other replica would have refused them.
TEST_F(GatewayServicesTest, NestedCaseIdsReachTheOwningReplica) {
  const std::string case_id = RegisterCaseOn(1);
  v1::InstrumentDefinition published;
  ASSERT_THAT(via_gateway_->instruments->PublishInstrument(
                  WithKey(kAdminKey).get(), Publish(1), &published),
              IsOk());

  v1::ConsentRecord consent;
  ASSERT_THAT(
      via_gateway_->consent->RecordConsent(
          WithKey(kManagerKey).get(), Consent(case_id, "consent-1"), &consent),
      IsOk());
  EXPECT_EQ(consent.case_id(), case_id);
  v1::CounsellingSession session;
  ASSERT_THAT(
      via_gateway_->counselling->RecordCounsellingSession(
          WithKey(kManagerKey).get(), Session(case_id, "session-1"), &session),
      IsOk());
  v1::Assessment assessment;
  ASSERT_THAT(via_gateway_->assessments->SubmitAssessment(
                  WithKey(kManagerKey).get(),
                  Submission(case_id, "assessment-1"), &assessment),
              IsOk());

  // Replica 0 does not hold the case: had the gateway sent the calls there,
  // they would have failed.
  EXPECT_THAT(
      direct_[0]->consent->RecordConsent(
          SignedAs(kManager).get(), Consent(case_id, "consent-2"), &consent),
      StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(
      direct_[0]->counselling->RecordCounsellingSession(
          SignedAs(kManager).get(), Session(case_id, "session-2"), &session),
      StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(direct_[0]->assessments->SubmitAssessment(
                  SignedAs(kManager).get(), Submission(case_id, "assessment-2"),
                  &assessment),
              StatusIs(absl::StatusCode::kFailedPrecondition));

  // Replica 1 holds each record once.
  v1::ListConsentsRequest list_consents;
  list_consents.set_case_id(case_id);
  v1::ListConsentsResponse consents;
  ASSERT_THAT(direct_[1]->consent->ListConsents(SignedAs(kManager).get(),
                                                list_consents, &consents),
              IsOk());
  EXPECT_THAT(consents.consents(), SizeIs(1));
  v1::ListCounsellingSessionsRequest list_sessions;
  list_sessions.set_case_id(case_id);
  v1::ListCounsellingSessionsResponse sessions;
  ASSERT_THAT(direct_[1]->counselling->ListCounsellingSessions(
                  SignedAs(kManager).get(), list_sessions, &sessions),
              IsOk());
  EXPECT_THAT(sessions.sessions(), SizeIs(1));

  // And the gateway reads them back from there, on both faces.
  v1::ListAssessmentsRequest list_assessments;
  list_assessments.set_case_id(case_id);
  v1::ListAssessmentsResponse assessments;
  ASSERT_THAT(via_gateway_->assessments->ListAssessments(
                  WithKey(kManagerKey).get(), list_assessments, &assessments),
              IsOk());
  EXPECT_THAT(assessments.assessments(), SizeIs(1));
  v1::CheckConsentRequest check;
  check.set_case_id(case_id);
  check.set_agency_id("agency-health");
  check.set_purpose(v1::CONSENT_PURPOSE_REFERRAL);
  auto res =
      PostJson("homeward.v1.ConsentService/CheckConsent", check, kManagerKey);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  v1::CheckConsentResponse decision;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(res->body, &decision).ok());
  EXPECT_TRUE(decision.allowed());
}

// (2) A case-scoped call without its case id cannot be routed: refused at
// the gateway, naming the exact field, on both faces.
TEST_F(GatewayServicesTest, EmptyCaseIdIsInvalidArgumentNamingTheField) {
  v1::ConsentRecord consent;
  grpc::Status status = via_gateway_->consent->RecordConsent(
      WithKey(kManagerKey).get(), Consent("", "consent-x"), &consent);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldsOf(status), ElementsAre("consent.case_id"));
  v1::CounsellingSession session;
  status = via_gateway_->counselling->RecordCounsellingSession(
      WithKey(kManagerKey).get(), Session("", "session-x"), &session);
  EXPECT_THAT(FieldsOf(status), ElementsAre("session.case_id"));
  v1::Assessment assessment;
  status = via_gateway_->assessments->SubmitAssessment(
      WithKey(kManagerKey).get(), Submission("", "assessment-x"), &assessment);
  EXPECT_THAT(FieldsOf(status), ElementsAre("case_id"));

  struct JsonCase {
    const char* method;
    std::unique_ptr<google::protobuf::Message> request;
    const char* field;
  };
  JsonCase cases[] = {
      {"homeward.v1.ConsentService/RecordConsent",
       std::make_unique<v1::RecordConsentRequest>(Consent("", "c")),
       "consent.case_id"},
      {"homeward.v1.CounsellingService/RecordCounsellingSession",
       std::make_unique<v1::RecordCounsellingSessionRequest>(Session("", "s")),
       "session.case_id"},
      {"homeward.v1.AssessmentService/SubmitAssessment",
       std::make_unique<v1::SubmitAssessmentRequest>(Submission("", "a")),
       "case_id"},
  };
  for (const JsonCase& c : cases) {
    auto res = PostJson(c.method, *c.request, kManagerKey);
    ASSERT_TRUE(res) << c.method;
    EXPECT_EQ(res->status, 400) << c.method;
    EXPECT_THAT(res->body, HasSubstr(R"("code":"invalid_argument")"));
    EXPECT_THAT(res->body,
                HasSubstr(absl::StrCat(R"("field":")", c.field, R"(")")))
        << c.method << ": " << res->body;
  }
}

// Out-of-range enum numbers and control characters are refused, over the
// JSON face and over gRPC, each naming its field; nothing is stored.
TEST_F(GatewayServicesTest, UndefinedEnumsAndControlCharactersAreRefused) {
  v1::RegisterCaseRequest request = ValidRegistration("gw-hostile-1");
  auto* returnee = request.mutable_case_()->mutable_returnee();
  returnee->set_sex(static_cast<v1::Sex>(99));
  returnee->set_given_name(std::string("Awa\0x", 5));
  returnee->set_family_name("\x1b[31mNdiaye");
  request.mutable_case_()->mutable_return_info()->set_return_type(
      static_cast<v1::ReturnType>(42));
  const std::vector<std::string> expected = {
      "case.returnee.given_name", "case.returnee.family_name",
      "case.returnee.sex", "case.return_info.return_type"};

  v1::Case created;
  grpc::Status status = via_gateway_->cases->RegisterCase(
      WithKey(kManagerKey).get(), request, &created);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldsOf(status), ::testing::UnorderedElementsAreArray(expected));

  auto res =
      PostJson("homeward.v1.CaseService/RegisterCase", request, kManagerKey);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  for (const std::string& field : expected) {
    EXPECT_THAT(res->body,
                HasSubstr(absl::StrCat(R"("field":")", field, R"(")")))
        << res->body;
  }
  EXPECT_THAT(res->body, HasSubstr("99 is not a defined value"));

  v1::GetCaseRequest get;
  get.set_case_id(storage::CaseIdForRequest("office-dakar", "gw-hostile-1"));
  EXPECT_THAT(
      via_gateway_->cases->GetCase(WithKey(kManagerKey).get(), get, &created),
      StatusIs(absl::StatusCode::kNotFound));
}

// (3) The gateway's first-line role check.
TEST_F(GatewayServicesTest, RoleGates) {
  v1::InstrumentDefinition published;
  EXPECT_THAT(via_gateway_->instruments->PublishInstrument(
                  WithKey(kManagerKey).get(), Publish(1), &published),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       AllOf(HasSubstr("ROLE_CASE_MANAGER"),
                             HasSubstr("administrators"))));
  const std::string case_id = RegisterCaseOn(0);
  v1::ConsentRecord consent;
  EXPECT_THAT(via_gateway_->consent->RecordConsent(
                  WithKey(kAdminKey).get(), Consent(case_id, "consent-admin"),
                  &consent),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       AllOf(HasSubstr("ROLE_ADMINISTRATOR"),
                             HasSubstr("case managers and supervisors"))));
  auto res = PostJson("homeward.v1.ConsentService/RecordConsent",
                      Consent(case_id, "consent-admin"), kAdminKey);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);

  ASSERT_THAT(via_gateway_->instruments->PublishInstrument(
                  WithKey(kAdminKey).get(), Publish(1), &published),
              IsOk());
  v1::ListInstrumentsResponse list;
  ASSERT_THAT(
      via_gateway_->instruments->ListInstruments(
          WithKey(kMonitorKey).get(), v1::ListInstrumentsRequest(), &list),
      IsOk());
  EXPECT_THAT(list.instruments(), Not(IsEmpty()));
}

// Programme data (issue 11) is read through the gateway by any role, over
// gRPC and over the JSON face, from whichever replica answers: every replica
// published the same files at start.
TEST_F(GatewayServicesTest, ProgrammeDataIsReadableOverGrpcAndJson) {
  v1::GetTaxonomyRequest get_taxonomy;
  get_taxonomy.set_taxonomy_id("reintegration");
  v1::Taxonomy taxonomy;
  auto programmes = v1::ProgrammeService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", gateway_->grpc_port()),
                          grpc::InsecureChannelCredentials()));
  ASSERT_THAT(programmes->GetTaxonomy(WithKey(kMonitorKey).get(), get_taxonomy,
                                      &taxonomy),
              IsOk());
  EXPECT_EQ(taxonomy.version(), 1);

  auto res = PostJson("homeward.v1.ProgrammeService/GetTaxonomy", get_taxonomy,
                      kManagerKey);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->body, HasSubstr(R"("componentId":"counter_trafficking")"));
  EXPECT_THAT(res->body, HasSubstr(R"("dimension":"DIMENSION_PROTECTION")"));

  v1::GetProgrammeRequest get_programme;
  get_programme.set_programme_id("sn_reintegration");
  res = PostJson("homeward.v1.ProgrammeService/GetProgramme", get_programme,
                 kMonitorKey);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->body, HasSubstr(R"("currencyCode":"XOF")"));
  EXPECT_THAT(res->body, HasSubstr(R"("rssAtMonths":[3,12])"));

  res = PostJson("homeward.v1.ProgrammeService/ListProgrammes",
                 v1::ListProgrammesRequest(), kMonitorKey);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->body, HasSubstr(R"("programmeId":"sn_reintegration")"));

  get_programme.set_programme_id("nowhere");
  res = PostJson("homeward.v1.ProgrammeService/GetProgramme", get_programme,
                 kMonitorKey);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404) << res->body;
}

// (4) A publication reaches every replica, and fails while one is down.
TEST_F(GatewayServicesTest, PublishInstrumentIsBroadcastToEveryReplica) {
  v1::InstrumentDefinition published;
  ASSERT_THAT(via_gateway_->instruments->PublishInstrument(
                  WithKey(kAdminKey).get(), Publish(1), &published),
              IsOk());
  EXPECT_EQ(published.instrument_id(), "gw_probe");
  for (int r = 0; r < 2; ++r) {
    v1::GetInstrumentRequest get;
    get.set_instrument_id("gw_probe");
    get.set_version(1);
    v1::InstrumentDefinition found;
    ASSERT_THAT(direct_[r]->instruments->GetInstrument(SignedAs(kMonitor).get(),
                                                       get, &found),
                IsOk())
        << "replica " << r;
    EXPECT_EQ(found.content_sha256(), published.content_sha256());
  }
  // Publishing the same content again is a no-op success: what makes a
  // broadcast safe to retry.
  ASSERT_THAT(via_gateway_->instruments->PublishInstrument(
                  WithKey(kAdminKey).get(), Publish(1), &published),
              IsOk());

  auto half_down = StartGateway(
      {Address(0), absl::StrCat("127.0.0.1:", ClosedPort())}, false);
  ASSERT_NE(half_down, nullptr);
  Stubs stubs(absl::StrCat("127.0.0.1:", half_down->grpc_port()));
  EXPECT_THAT(
      stubs.instruments->PublishInstrument(WithKey(kAdminKey).get(), Publish(2),
                                           &published),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("1 of 2 replicas")));
  half_down->Shutdown(absl::Seconds(1));
}

// (5) Instrument reads fall over to the next replica while replica 0 is down.
TEST_F(GatewayServicesTest, GetInstrumentFallsOverWhenReplicaZeroIsDown) {
  v1::InstrumentDefinition published;
  ASSERT_THAT(via_gateway_->instruments->PublishInstrument(
                  WithKey(kAdminKey).get(), Publish(1), &published),
              IsOk());
  auto first_down = StartGateway(
      {absl::StrCat("127.0.0.1:", ClosedPort()), Address(1)}, false);
  ASSERT_NE(first_down, nullptr);
  Stubs stubs(absl::StrCat("127.0.0.1:", first_down->grpc_port()));
  v1::GetInstrumentRequest get;
  get.set_instrument_id("gw_probe");
  v1::InstrumentDefinition found;
  EXPECT_THAT(
      stubs.instruments->GetInstrument(WithKey(kMonitorKey).get(), get, &found),
      IsOk());
  EXPECT_EQ(found.content_sha256(), published.content_sha256());
  first_down->Shutdown(absl::Seconds(1));
}

}  // namespace
}  // namespace homeward::gateway
