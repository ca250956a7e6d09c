// The subject-access export (services/gateway/subject_access.h): its verdict
// over the parts' outcomes table-driven, then the composed call end to end:
// one real replica each of the assessment, planning, referral and follow-up
// services in-process on loopback ports behind a real gateway, a case taken
// through a need, consent, a plan, a referral and a follow-up contact, and
// its export read on both faces, with at least one field of each service's
// part checked; who may export (every role, the other office), each
// service's own check of the caller, the export in the audit trail, a
// service down (UNAVAILABLE) and a service not deployed (listed).

#include "services/gateway/subject_access.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/api/field_checks.h"
#include "common/cases/subject_access.h"
#include "common/status/errors.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/case_records_parts.grpc.pb.h"
#include "homeward/v1/audit.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "homeward/v1/directory.grpc.pb.h"
#include "homeward/v1/follow_up.grpc.pb.h"
#include "homeward/v1/needs.grpc.pb.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "homeward/v1/referral.grpc.pb.h"
#include "homeward/v1/subject_access.grpc.pb.h"
#include "httplib.h"
#include "services/assessment/assessment_server.h"
#include "services/follow_up/follow_up_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/method_table.h"
#include "services/planning/planning_server.h"
#include "services/referral/referral_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/follow_up_server.h"
#include "tests/fixtures/planning_server.h"
#include "tests/fixtures/referral_server.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::gateway {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

namespace v1 = ::homeward::v1;

// ---------------------------------------------------------------------------
// The verdict

CaseRecordsPartOutcome Part(const std::string& backend, absl::Status status,
                            bool deployed = true) {
  return {backend, deployed, std::move(status)};
}

TEST(ExportVerdictTest, EveryPartOrAClearRefusal) {
  const absl::Status ok = absl::OkStatus();
  const absl::Status absent = errors::NotFound("case", "C1");
  const absl::Status denied = errors::PermissionDenied("not yours");
  const absl::Status down = errors::Unavailable("down");
  const absl::Status slow = absl::DeadlineExceededError("slow");
  const absl::Status too_large = cases::TooManyToExport("contacts", 10);
  struct Case {
    std::string name;
    std::vector<CaseRecordsPartOutcome> parts;
    absl::StatusCode code;
    std::vector<std::string> named;  // words the message must hold
  };
  const std::vector<Case> cases = {
      {"every part",
       {Part("assessment", ok), Part("planning", ok), Part("referral", ok),
        Part("follow_up", ok)},
       absl::StatusCode::kOk,
       {}},
      {"services that hold nothing yet are empty parts",
       {Part("assessment", ok), Part("planning", absent),
        Part("referral", absent), Part("follow_up", absent)},
       absl::StatusCode::kOk,
       {}},
      {"services not deployed are listed, not failed",
       {Part("assessment", ok), Part("planning", down, false),
        Part("referral", down, false), Part("follow_up", down, false)},
       absl::StatusCode::kOk,
       {}},
      {"no such case",
       {Part("assessment", absent), Part("planning", absent),
        Part("referral", absent), Part("follow_up", absent)},
       absl::StatusCode::kNotFound,
       {"case 'C1' was not found"}},
      {"another office's case reads as none, whatever the others said",
       {Part("assessment", denied), Part("planning", down),
        Part("referral", denied), Part("follow_up", ok)},
       absl::StatusCode::kNotFound,
       {"case 'C1' was not found"}},
      {"a service down fails the export, naming it",
       {Part("assessment", ok), Part("planning", ok), Part("referral", down),
        Part("follow_up", ok)},
       absl::StatusCode::kUnavailable,
       {"referral service (UNAVAILABLE)"}},
      {"every unanswered service is named",
       {Part("assessment", ok), Part("planning", slow), Part("referral", ok),
        Part("follow_up", absl::UnimplementedError("no method"))},
       absl::StatusCode::kUnavailable,
       {"planning service (DEADLINE_EXCEEDED)",
        "follow_up service (UNIMPLEMENTED)"}},
      {"the assessment service down",
       {Part("assessment", down), Part("planning", ok), Part("referral", ok),
        Part("follow_up", ok)},
       absl::StatusCode::kUnavailable,
       {"assessment service"}},
      {"a list past the cap fails as the service said",
       {Part("assessment", ok), Part("planning", ok), Part("referral", ok),
        Part("follow_up", too_large)},
       absl::StatusCode::kFailedPrecondition,
       {"contacts"}},
      {"a refusal by another service is not hidden",
       {Part("assessment", ok), Part("planning", denied), Part("referral", ok),
        Part("follow_up", ok)},
       absl::StatusCode::kPermissionDenied,
       {"not yours"}},
  };
  for (const Case& c : cases) {
    const absl::Status verdict = ExportVerdict("C1", c.parts);
    EXPECT_EQ(verdict.code(), c.code) << c.name << ": " << verdict;
    for (const std::string& word : c.named) {
      EXPECT_THAT(std::string(verdict.message()), HasSubstr(word)) << c.name;
    }
  }
}

TEST(SubjectAccessMethodsTest, SupervisorsOnlyAndThePartsAreInternal) {
  std::vector<MethodRoute> methods = PublicMethods();
  for (MethodRoute& m : SubjectAccessMethods()) methods.push_back(std::move(m));
  absl::StatusOr<MethodTable> table = MethodTable::Create(std::move(methods));
  ASSERT_THAT(table, IsOk());
  const MethodRoute* exported = table->FindPublic(kExportCaseRecords);
  ASSERT_NE(exported, nullptr);
  EXPECT_EQ(exported->route.kind, Routing::kComposed);
  for (v1::Role role :
       {v1::ROLE_CASE_MANAGER, v1::ROLE_MONITORING_OFFICER,
        v1::ROLE_ADMINISTRATOR, v1::ROLE_PARTNER_AGENCY, v1::ROLE_SERVICE}) {
    EXPECT_FALSE(exported->callers.Allows(role)) << v1::Role_Name(role);
  }
  EXPECT_TRUE(exported->callers.Allows(v1::ROLE_SUPERVISOR));
  for (const CaseRecordsSource& source : CaseRecordsSources()) {
    const MethodRoute* part = table->Find(source.method);
    ASSERT_NE(part, nullptr) << source.method;
    EXPECT_EQ(table->FindPublic(source.method), nullptr) << source.method;
    EXPECT_EQ(part->backend, source.backend);
    EXPECT_EQ(part->route.kind, Routing::kByCaseId);
  }
}

// ---------------------------------------------------------------------------
// End to end

const std::string kSupervisorKey = "hw_export_supervisor_dakar_key_012345";
const std::string kManagerKey = "hw_export_case_manager_dakar_key_01234";
const std::string kOtherOfficeKey = "hw_export_supervisor_thies_key_012345";
const std::string kMonitorKey = "hw_export_monitoring_officer_key_01234";
const std::string kPartnerKey = "hw_export_partner_agency_key_01234567";
const std::string kAdminKey = "hw_export_administrator_key_012345678";
constexpr char kOffice[] = "office-dakar";
constexpr char kPartner[] = "org-atelier-pikine";

v1::Date DaysFromToday(int days) { return api::ToDate(api::TodayUtc() + days); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class SubjectAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto assessment = assessment::AssessmentServer::Start(
        testing::WithShippedProgrammeData(Config("assessment"),
                                          /*instruments=*/true),
        testing::kTestSecret);
    ASSERT_TRUE(assessment.ok()) << assessment.status();
    assessment_ = *std::move(assessment);

    auto planning_config = Config("planning");
    Upstream(planning_config, kAssessmentService, assessment_->port());
    auto planning = planning::PlanningServer::Start(
        testing::WithShippedPlanningData(planning_config),
        testing::kTestSecret);
    ASSERT_TRUE(planning.ok()) << planning.status();
    planning_ = *std::move(planning);

    auto referral_config = Config("referral");
    Upstream(referral_config, kAssessmentService, assessment_->port());
    Upstream(referral_config, kPlanningService, planning_->port());
    auto referral = referral::ReferralServer::Start(
        testing::WithShippedReferralData(referral_config),
        testing::kTestSecret);
    ASSERT_TRUE(referral.ok()) << referral.status();
    referral_ = *std::move(referral);

    auto follow_up_config = Config("follow_up");
    Upstream(follow_up_config, kAssessmentService, assessment_->port());
    Upstream(follow_up_config, kPlanningService, planning_->port());
    auto follow_up = follow_up::FollowUpServer::Start(
        testing::WithShippedFollowUpData(follow_up_config),
        testing::kTestSecret);
    ASSERT_TRUE(follow_up.ok()) << follow_up.status();
    follow_up_ = *std::move(follow_up);

    gateway_ = StartGateway(/*with_follow_up=*/true);
    ASSERT_NE(gateway_, nullptr);
    Connect(*gateway_);
  }

  homeward::internal::v1::ServiceConfig Config(const std::string& service) {
    return testing::LoopbackServiceConfig(
        absl::StrCat(dir_.path(), "/", service));
  }
  static void Upstream(homeward::internal::v1::ServiceConfig& config,
                       const std::string& service, int port) {
    testing::AddShareRoute(config.mutable_upstream(), service, 64, {port});
  }

  // A gateway in front of the services; without a route for the follow-up
  // service unless `with_follow_up` (a deployment that leaves it out).
  std::unique_ptr<GatewayServer> StartGateway(bool with_follow_up) {
    GatewayServer::Options options;
    options.config.set_grpc_listen_address("127.0.0.1:0");
    options.config.set_http_listen_address("127.0.0.1:0");
    options.config.set_forward_deadline_ms(10000);
    testing::RouteShares(options.config, 64, {assessment_->port()});
    testing::AddShareRoute(options.config.mutable_routes(), kPlanningService,
                           64, {planning_->port()});
    testing::AddShareRoute(options.config.mutable_routes(), kReferralService,
                           64, {referral_->port()});
    if (with_follow_up) {
      testing::AddShareRoute(options.config.mutable_routes(), kFollowUpService,
                             64, {follow_up_->port()});
    }
    options.principal_secret = testing::kTestSecret;
    auto key = [&](const std::string& id, const std::string& secret,
                   homeward::internal::v1::Principal principal) {
      *options.api_keys.add_keys() = MakeApiKey(id, secret, principal);
    };
    key("sup", kSupervisorKey,
        MakePrincipal("sup-1", v1::ROLE_SUPERVISOR, {kOffice}));
    key("cm", kManagerKey,
        MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {kOffice}));
    key("other", kOtherOfficeKey,
        MakePrincipal("sup-2", v1::ROLE_SUPERVISOR, {"office-thies"}));
    key("monitor", kMonitorKey,
        MakePrincipal("mo-1", v1::ROLE_MONITORING_OFFICER, {kOffice}));
    key("admin", kAdminKey,
        MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR, {kOffice}));
    homeward::internal::v1::Principal partner;
    partner.set_user_id("pa-1");
    partner.set_role(v1::ROLE_PARTNER_AGENCY);
    partner.set_agency_id(kPartner);
    key("partner", kPartnerKey, partner);
    auto gateway = GatewayServer::Start(std::move(options));
    EXPECT_THAT(gateway, IsOk());
    return gateway.ok() ? *std::move(gateway) : nullptr;
  }

  void Connect(const GatewayServer& gateway) {
    channel_ = testing::LoopbackChannel(gateway.grpc_port());
    http_port_ = gateway.http_port();
  }

  template <typename Stub, typename Request, typename Response>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                 const Request&, Response*),
                    const Request& request, Response* response,
                    const std::string& key = kManagerKey) {
    auto stub = std::make_unique<Stub>(channel_);
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", key));
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    return (stub.get()->*method)(&context, request, response);
  }

  // The call repeated while it answers NOT_FOUND (a service that has not
  // applied the case's events yet) or `also` accepts it, for up to a minute.
  grpc::Status UntilFound(
      const std::function<grpc::Status()>& call,
      const std::function<bool(const grpc::Status&)>& also = nullptr) {
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    grpc::Status status;
    do {
      status = call();
      if (status.error_code() != grpc::StatusCode::NOT_FOUND &&
          (also == nullptr || !also(status))) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < give_up);
    return status;
  }

  static bool Eventually(const std::function<bool()>& done) {
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (!done()) {
      if (absl::Now() > give_up) return false;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return true;
  }

  std::string Register(const std::string& request_id) {
    v1::RegisterCaseRequest registration =
        testing::ValidRegistration(request_id, kOffice, "cm-1");
    *registration.mutable_case_()
         ->mutable_return_info()
         ->mutable_return_date() = DaysFromToday(-20);
    v1::Case registered;
    const grpc::Status status =
        Call(&v1::CaseService::Stub::RegisterCase, registration, &registered);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return registered.case_id();
  }

  grpc::Status Export(const std::string& case_id,
                      v1::ExportCaseRecordsResponse* records,
                      const std::string& key = kSupervisorKey) {
    v1::ExportCaseRecordsRequest request;
    request.set_case_id(case_id);
    return Call(&v1::SubjectAccessService::Stub::ExportCaseRecords, request,
                records, key);
  }

  httplib::Result JsonExport(const std::string& case_id,
                             const std::string& key = kSupervisorKey) {
    httplib::Client client("127.0.0.1", http_port_);
    client.set_read_timeout(30, 0);
    return client.Post(absl::StrCat("/", kExportCaseRecords).c_str(),
                       {{"Authorization", absl::StrCat("Bearer ", key)}},
                       absl::StrCat(R"({"caseId":")", case_id, R"("})"),
                       "application/json");
  }

  // Waits until every service other than the assessment service knows the
  // case (its export part is then that service's own, not an empty one).
  void UntilEveryServiceKnows(const std::string& case_id) {
    v1::ListCaseReferralsRequest referrals;
    referrals.set_case_id(case_id);
    ASSERT_THAT(UntilFound([&] {
                  v1::ListCaseReferralsResponse listed;
                  return Call(&v1::ReferralService::Stub::ListCaseReferrals,
                              referrals, &listed);
                }),
                IsOk());
    v1::ListContactsRequest contacts;
    contacts.set_case_id(case_id);
    ASSERT_THAT(UntilFound([&] {
                  v1::ListContactsResponse listed;
                  return Call(&v1::FollowUpService::Stub::ListContacts,
                              contacts, &listed);
                }),
                IsOk());
    // The planning service has no public read of a case without a plan:
    // its export part, asked directly as the case's supervisor.
    homeward::internal::v1::CaseRecordsPartRequest part;
    part.set_case_id(case_id);
    ASSERT_THAT(
        UntilFound([&] {
          auto stub = homeward::internal::v1::PlanningCaseRecordsPart::NewStub(
              testing::LoopbackChannel(planning_->port()));
          grpc::ClientContext context;
          testing::SignAs(
              MakePrincipal("sup-1", v1::ROLE_SUPERVISOR, {kOffice}), &context);
          v1::PlanningCaseRecords records;
          return stub->GetCaseRecordsPart(&context, part, &records);
        }),
        IsOk());
  }

  TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> assessment_;
  std::unique_ptr<planning::PlanningServer> planning_;
  std::unique_ptr<referral::ReferralServer> referral_;
  std::unique_ptr<follow_up::FollowUpServer> follow_up_;
  std::unique_ptr<GatewayServer> gateway_;
  std::shared_ptr<grpc::Channel> channel_;
  int http_port_ = 0;
};

TEST_F(SubjectAccessTest, ExportHoldsEveryServicesPartOnBothFaces) {
  const std::string case_id = Register("export-journey");
  ASSERT_FALSE(case_id.empty());

  // A need, which the plan answers.
  v1::AddNeedRequest add;
  add.set_case_id(case_id);
  add.mutable_need()->set_dimension(v1::DIMENSION_ECONOMIC);
  add.mutable_need()->set_category("employment");
  add.mutable_need()->set_description("paid work");
  add.mutable_need()->set_priority(v1::NEED_PRIORITY_HIGH);
  v1::Need employment;
  ASSERT_THAT(Call(&v1::NeedService::Stub::AddNeed, add, &employment), IsOk());

  // A plan, agreed, submitted and approved: the follow-up service
  // schedules the case's contacts.
  v1::CreatePlanRequest create;
  create.set_request_id("export-plan");
  create.mutable_plan()->set_case_id(case_id);
  create.mutable_plan()->set_returnee_objectives("Open a tailoring shop");
  v1::PlanActivity* activity = create.mutable_plan()->add_activities();
  activity->set_dimension(v1::DIMENSION_ECONOMIC);
  activity->set_component("employment");
  activity->set_level(v1::ASSISTANCE_LEVEL_INDIVIDUAL);
  activity->set_description("job placement");
  activity->set_delivery(v1::ACTIVITY_DELIVERY_DIRECT);
  activity->set_responsible_party("programme");
  *activity->mutable_start_date() = DaysFromToday(0);
  *activity->mutable_due_date() = DaysFromToday(90);
  activity->add_need_ids(employment.need_id());
  v1::Plan plan;
  ASSERT_THAT(
      UntilFound(
          [&] {
            return Call(&v1::PlanService::Stub::CreatePlan, create, &plan);
          },
          [](const grpc::Status& s) {
            return s.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
                   s.error_code() == grpc::StatusCode::FAILED_PRECONDITION;
          }),
      IsOk());
  for (auto step :
       {&v1::PlanService::Stub::AgreePlan, &v1::PlanService::Stub::SubmitPlan,
        &v1::PlanService::Stub::ApprovePlan}) {
    v1::PlanStepRequest request;
    request.set_case_id(case_id);
    request.set_etag(plan.etag());
    if (step == &v1::PlanService::Stub::AgreePlan) {
      *request.mutable_agreement()->mutable_agreed_date() = DaysFromToday(0);
      request.mutable_agreement()->set_method(v1::AGREEMENT_METHOD_SIGNED);
    }
    const grpc::Status status =
        Call(step, request, &plan,
             step == &v1::PlanService::Stub::ApprovePlan ? kSupervisorKey
                                                         : kManagerKey);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  ASSERT_EQ(plan.status(), v1::PLAN_STATUS_APPROVED);
  v1::ListContactsRequest list_contacts;
  list_contacts.set_case_id(case_id);
  ASSERT_TRUE(Eventually([&] {
    v1::ListContactsResponse contacts;
    return Call(&v1::FollowUpService::Stub::ListContacts, list_contacts,
                &contacts)
               .ok() &&
           contacts.contacts_size() > 0;
  }));

  // Consent to refer, and a referral sharing a summary.
  v1::ImportHsdsRequest import;
  import.set_request_id("export-directory");
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  ReadFile(std::string(HOMEWARD_SOURCE_DIR) +
                           "/deploy/directory/example_directory.json"),
                  import.mutable_document())
                  .ok());
  v1::ImportHsdsResponse imported;
  ASSERT_THAT(Call(&v1::DirectoryService::Stub::ImportHsds, import, &imported,
                   kAdminKey),
              IsOk());
  v1::RecordConsentRequest consent;
  consent.set_request_id("export-consent");
  consent.mutable_consent()->set_case_id(case_id);
  consent.mutable_consent()->set_purpose(v1::CONSENT_PURPOSE_REFERRAL);
  consent.mutable_consent()->set_recipient_agency_id(kPartner);
  consent.mutable_consent()->set_granted(true);
  *consent.mutable_consent()->mutable_decision_date() = DaysFromToday(0);
  consent.mutable_consent()->set_method(v1::CONSENT_METHOD_WRITTEN);
  v1::ConsentRecord recorded;
  ASSERT_THAT(
      Call(&v1::ConsentService::Stub::RecordConsent, consent, &recorded),
      IsOk());
  v1::CreateReferralRequest refer;
  refer.set_request_id("export-referral");
  refer.set_send(true);
  v1::Referral* r = refer.mutable_referral();
  r->set_case_id(case_id);
  r->set_need_id(employment.need_id());
  r->set_service_id("svc-atelier-emploi");
  r->set_purpose("job placement");
  r->set_urgency(v1::REFERRAL_URGENCY_ROUTINE);
  r->mutable_summary()->set_area("Pikine");
  *r->mutable_expected_response_date() = DaysFromToday(30);
  *r->mutable_expected_completion_date() = DaysFromToday(120);
  v1::Referral referral;
  ASSERT_THAT(UntilFound([&] {
                return Call(&v1::ReferralService::Stub::CreateReferral, refer,
                            &referral);
              }),
              IsOk());

  // A follow-up contact recorded today.
  v1::RecordContactRequest contact;
  contact.set_request_id("export-contact");
  v1::FollowUpContact* c = contact.mutable_contact();
  c->set_case_id(case_id);
  *c->mutable_contact_date() = DaysFromToday(0);
  c->set_mode(v1::FOLLOW_UP_MODE_PHONE);
  c->add_participants()->set_kind(v1::PARTICIPANT_KIND_RETURNEE);
  c->set_w_phase(v1::W_PHASE_REENTRY_SHOCK);
  c->set_wellbeing(2);
  c->set_satisfaction(3);
  v1::ActivityProgress* progress = c->add_activity_progress();
  progress->set_activity_id(plan.activities(0).activity_id());
  progress->set_rating(v1::ACTIVITY_PROGRESS_RATING_ON_TRACK);
  v1::FollowUpContact recorded_contact;
  {
    const grpc::Status status = Call(&v1::FollowUpService::Stub::RecordContact,
                                     contact, &recorded_contact);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // The export, by a supervisor of the case's office.
  v1::ExportCaseRecordsResponse records;
  ASSERT_THAT(Export(case_id, &records), IsOk());
  EXPECT_EQ(records.case_id(), case_id);
  EXPECT_TRUE(records.has_export_time());
  EXPECT_THAT(records.not_deployed(), IsEmpty());
  // Assessment: the case with its returnee, the need, the consent and the
  // case's audit trail (its registration at least).
  ASSERT_TRUE(records.has_assessment());
  const v1::AssessmentCaseRecords& assessment = records.assessment();
  EXPECT_EQ(assessment.case_().case_id(), case_id);
  EXPECT_FALSE(assessment.case_().returnee().given_name().empty());
  ASSERT_EQ(assessment.needs_size(), 1);
  EXPECT_EQ(assessment.needs(0).need_id(), employment.need_id());
  ASSERT_EQ(assessment.consents_size(), 1);
  EXPECT_EQ(assessment.consents(0).consent_id(), recorded.consent_id());
  ASSERT_FALSE(assessment.audit_entries().empty());
  EXPECT_EQ(assessment.audit_entries(0).method(),
            "homeward.v1.CaseService/RegisterCase");
  // Planning: every version, the last approved.
  ASSERT_TRUE(records.has_planning());
  ASSERT_FALSE(records.planning().plan_versions().empty());
  const v1::Plan& latest = *records.planning().plan_versions().rbegin();
  EXPECT_EQ(latest.status(), v1::PLAN_STATUS_APPROVED);
  EXPECT_EQ(latest.returnee_objectives(), "Open a tailoring shop");
  EXPECT_FALSE(records.planning().audit_entries().empty());
  // Referral: the referral with its shared summary and status history.
  ASSERT_TRUE(records.has_referral());
  ASSERT_EQ(records.referral().referrals_size(), 1);
  const v1::Referral& exported_referral = records.referral().referrals(0);
  EXPECT_EQ(exported_referral.referral_id(), referral.referral_id());
  EXPECT_EQ(exported_referral.summary().area(), "Pikine");
  EXPECT_FALSE(exported_referral.history().empty());
  // Follow-up: the schedule with the contact recorded, and the trajectory.
  ASSERT_TRUE(records.has_follow_up());
  bool found_contact = false;
  for (const v1::FollowUpContact& each : records.follow_up().contacts()) {
    if (each.contact_id() == recorded_contact.contact_id()) {
      found_contact = true;
      EXPECT_EQ(each.wellbeing(), 2);
    }
  }
  EXPECT_TRUE(found_contact);
  EXPECT_GT(records.follow_up().contacts_size(), 1);  // the schedule too
  EXPECT_EQ(records.follow_up().trajectory().case_id(), case_id);
  EXPECT_FALSE(records.follow_up().trajectory().contacts().empty());

  // The export is in each service's audit trail, saying what it was.
  v1::ListCaseAuditEntriesRequest audit;
  audit.set_case_id(case_id);
  audit.mutable_page()->set_page_size(500);
  ASSERT_TRUE(Eventually([&] {
    v1::ListCaseAuditEntriesResponse entries;
    if (!Call(&v1::AuditService::Stub::ListCaseAuditEntries, audit, &entries,
              kSupervisorKey)
             .ok()) {
      return false;
    }
    for (const v1::AuditTrailEntry& entry : entries.entries()) {
      if (entry.reason() == cases::kSubjectAccessReason &&
          entry.user_id() == "sup-1" &&
          entry.method() ==
              "homeward.internal.v1.AssessmentCaseRecordsPart/"
              "GetCaseRecordsPart") {
        return true;
      }
    }
    return false;
  }));
  // A second export shows the first in every service's trail.
  ASSERT_TRUE(Eventually([&] {
    v1::ExportCaseRecordsResponse again;
    if (!Export(case_id, &again).ok()) return false;
    auto exported = [](const auto& entries) {
      for (const v1::AuditTrailEntry& entry : entries) {
        if (entry.reason() == cases::kSubjectAccessReason) return true;
      }
      return false;
    };
    return exported(again.assessment().audit_entries()) &&
           exported(again.planning().audit_entries()) &&
           exported(again.referral().audit_entries()) &&
           exported(again.follow_up().audit_entries());
  }));

  // The JSON face prints it as one JSON document with one key per part.
  httplib::Result json = JsonExport(case_id);
  ASSERT_TRUE(json);
  ASSERT_EQ(json->status, 200) << json->status;
  google::protobuf::Struct document;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json->body, &document).ok());
  std::set<std::string> keys;
  for (const auto& [key, value] : document.fields()) keys.insert(key);
  EXPECT_EQ(keys, (std::set<std::string>{"caseId", "exportTime", "assessment",
                                         "planning", "referral", "followUp"}));
  v1::ExportCaseRecordsResponse from_json;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json->body, &from_json).ok());
  EXPECT_EQ(from_json.referral().referrals(0).summary().area(), "Pikine");
  EXPECT_EQ(from_json.assessment().case_().case_id(), case_id);
  if (const char* path = std::getenv("HOMEWARD_EXPORT_EXAMPLE")) {
    std::ofstream(path) << json->body;  // docs/SUBJECT_ACCESS.md's example
  }
}

TEST_F(SubjectAccessTest, OnlySupervisorsOfTheCasesOfficeExport) {
  const std::string case_id = Register("export-roles");
  ASSERT_FALSE(case_id.empty());
  UntilEveryServiceKnows(case_id);
  v1::ExportCaseRecordsResponse records;
  ASSERT_THAT(Export(case_id, &records), IsOk());
  // A new case: every part is there, the services other than the
  // assessment service with nothing in them but their audit entries.
  EXPECT_EQ(records.assessment().case_().case_id(), case_id);
  EXPECT_TRUE(records.has_planning() && records.has_referral() &&
              records.has_follow_up());
  EXPECT_THAT(records.planning().plan_versions(), IsEmpty());
  EXPECT_THAT(records.referral().referrals(), IsEmpty());

  // Every other role is refused, on both faces.
  for (const std::string& key :
       {kManagerKey, kMonitorKey, kPartnerKey, kAdminKey}) {
    const grpc::Status refused = Export(case_id, &records, key);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << refused.error_message();
    httplib::Result json = JsonExport(case_id, key);
    ASSERT_TRUE(json);
    EXPECT_EQ(json->status, 403) << json->body;
  }
  // A supervisor of another office is told the case does not exist, in the
  // same words as for a case that does not.
  const grpc::Status other = Export(case_id, &records, kOtherOfficeKey);
  EXPECT_EQ(other.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(other.error_message(),
            absl::StrCat("case '", case_id, "' was not found"));
  const std::string missing_id = case_id.substr(0, case_id.size() - 4) + "zzzz";
  const grpc::Status unknown = Export(missing_id, &records);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  httplib::Result json = JsonExport(case_id, kOtherOfficeKey);
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 404) << json->body;
  // No case id.
  EXPECT_EQ(Export("", &records).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// Each service checks the caller itself, whoever reaches its internal
// method: the gateway's check is the first line, not the only one.
TEST_F(SubjectAccessTest, EachServiceRefusesAnyoneButTheCasesSupervisor) {
  const std::string case_id = Register("export-direct");
  ASSERT_FALSE(case_id.empty());
  UntilEveryServiceKnows(case_id);
  homeward::internal::v1::CaseRecordsPartRequest request;
  request.set_case_id(case_id);
  struct Caller {
    homeward::internal::v1::Principal principal;
    grpc::StatusCode code;
  };
  const std::vector<Caller> callers = {
      {MakePrincipal("sup-1", v1::ROLE_SUPERVISOR, {kOffice}),
       grpc::StatusCode::OK},
      {MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {kOffice}),
       grpc::StatusCode::PERMISSION_DENIED},
      {MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR, {kOffice}),
       grpc::StatusCode::PERMISSION_DENIED},
      {MakePrincipal("sup-2", v1::ROLE_SUPERVISOR, {"office-thies"}),
       grpc::StatusCode::PERMISSION_DENIED},
  };
  auto call = [&](auto stub_of, int port, auto result,
                  const homeward::internal::v1::Principal& principal) {
    auto stub = stub_of(testing::LoopbackChannel(port), grpc::StubOptions());
    grpc::ClientContext context;
    testing::SignAs(principal, &context);
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    return stub->GetCaseRecordsPart(&context, request, &result);
  };
  for (const Caller& caller : callers) {
    const std::string who = caller.principal.user_id();
    EXPECT_EQ(
        call(&homeward::internal::v1::AssessmentCaseRecordsPart::NewStub,
             assessment_->port(), v1::AssessmentCaseRecords(), caller.principal)
            .error_code(),
        caller.code)
        << who;
    EXPECT_EQ(
        call(&homeward::internal::v1::PlanningCaseRecordsPart::NewStub,
             planning_->port(), v1::PlanningCaseRecords(), caller.principal)
            .error_code(),
        caller.code)
        << who;
    EXPECT_EQ(
        call(&homeward::internal::v1::ReferralCaseRecordsPart::NewStub,
             referral_->port(), v1::ReferralCaseRecords(), caller.principal)
            .error_code(),
        caller.code)
        << who;
    EXPECT_EQ(
        call(&homeward::internal::v1::FollowUpCaseRecordsPart::NewStub,
             follow_up_->port(), v1::FollowUpCaseRecords(), caller.principal)
            .error_code(),
        caller.code)
        << who;
  }
}

TEST_F(SubjectAccessTest, AServiceDownFailsTheExportNamingIt) {
  const std::string case_id = Register("export-down");
  ASSERT_FALSE(case_id.empty());
  UntilEveryServiceKnows(case_id);
  referral_.reset();
  v1::ExportCaseRecordsResponse records;
  const grpc::Status status = Export(case_id, &records);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("would be incomplete"));
  EXPECT_THAT(status.error_message(), HasSubstr("referral service"));
  EXPECT_THAT(status.error_message(), Not(HasSubstr("planning")));
  httplib::Result json = JsonExport(case_id);
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 503) << json->body;
  // A case outside the caller's offices is still NOT_FOUND, not a hint
  // that a service is down.
  EXPECT_EQ(Export(case_id, &records, kOtherOfficeKey).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(SubjectAccessTest, AServiceNotDeployedIsListed) {
  const std::string case_id = Register("export-not-deployed");
  ASSERT_FALSE(case_id.empty());
  UntilEveryServiceKnows(case_id);
  auto gateway = StartGateway(/*with_follow_up=*/false);
  ASSERT_NE(gateway, nullptr);
  Connect(*gateway);
  v1::ExportCaseRecordsResponse records;
  ASSERT_THAT(Export(case_id, &records), IsOk());
  EXPECT_THAT(records.not_deployed(), ElementsAre(kFollowUpService));
  EXPECT_FALSE(records.has_follow_up());
  EXPECT_TRUE(records.has_assessment() && records.has_planning() &&
              records.has_referral());
}

}  // namespace
}  // namespace homeward::gateway
