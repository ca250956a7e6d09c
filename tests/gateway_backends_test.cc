// The gateway routes per backend: each method names the backend service that
// serves it, and the gateway keeps one route table and one channel set per
// backend. Two backends with two replicas each (fake replicas on loopback,
// tests/fixtures/fake_replica.h): the public methods' "assessment" backend,
// and a "probe" backend serving the AuditService, moved there for the test
// (GatewayServer::Options::methods). Calls on both faces must reach the
// replica of the right backend that owns the case's partition; the start is
// refused for a route of an unknown backend, a backend without a route and a
// partition without an owner; errors name the backend.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "homeward/v1/audit.pb.h"
#include "homeward/v1/cases.pb.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/method_table.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_in_partitions.h"
#include "tests/fixtures/closed_port.h"
#include "tests/fixtures/fake_replica.h"
#include "tests/fixtures/gateway_client.h"
#include "tests/fixtures/health_probe.h"

namespace homeward::gateway {
namespace {

using ::grpc::health::v1::HealthCheckResponse;
using ::homeward::testing::ClosedPort;
using ::homeward::testing::FakeReplica;
using ::homeward::testing::GatewayClient;
using ::homeward::testing::HealthBecomes;
using ::homeward::testing::HealthOf;
using ::homeward::testing::IsOk;
using ::homeward::testing::Received;
using ::homeward::testing::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

namespace v1 = ::homeward::v1;

constexpr char kSecret[] = "gateway-backends-test-secret-0123456789abcdef";
constexpr char kManagerKey[] = "hw_backends_case_manager_key";
constexpr char kAdminKey[] = "hw_backends_administrator_key";
constexpr char kProbe[] = "probe";
constexpr uint32_t kPartitions = 64;
constexpr char kGetCase[] = "homeward.v1.CaseService/GetCase";
constexpr char kListCases[] = "homeward.v1.CaseService/ListCases";
constexpr char kListAudit[] = "homeward.v1.AuditService/ListCaseAuditEntries";
constexpr char kVerifyAudit[] = "homeward.v1.AuditService/VerifyAuditTrail";

// The public methods, with the AuditService served by the "probe" backend.
std::vector<MethodRoute> MethodsWithProbe() {
  std::vector<MethodRoute> methods = PublicMethods();
  for (MethodRoute& method : methods) {
    if (absl::StartsWith(method.full_name, "homeward.v1.AuditService/")) {
      method.backend = kProbe;
    }
  }
  return methods;
}

// A route for `backend`: replica r at addresses[r] owns ranges[r].
void AddRoute(homeward::internal::v1::GatewayConfig& config,
              const std::string& backend,
              const std::vector<std::string>& addresses,
              const std::vector<std::pair<uint32_t, uint32_t>>& ranges) {
  auto* route = config.add_routes();
  route->set_service(backend);
  for (size_t r = 0; r < addresses.size(); ++r) {
    auto* replica = route->add_replicas();
    replica->set_address(addresses[r]);
    auto* range = replica->add_partitions();
    range->set_first(ranges[r].first);
    range->set_last(ranges[r].second);
  }
}

// The assessment backend: replica 0 owns the low half, replica 1 the high
// half. The probe backend the other way round, so that a call routed by the
// wrong backend's table reaches the wrong replica.
const std::vector<std::pair<uint32_t, uint32_t>> kLowHigh = {{0, 31}, {32, 63}};
const std::vector<std::pair<uint32_t, uint32_t>> kHighLow = {{32, 63}, {0, 31}};

GatewayServer::Options OptionsFor(const std::vector<std::string>& assessment,
                                  const std::vector<std::string>& probe) {
  GatewayServer::Options options;
  options.config.set_grpc_listen_address("127.0.0.1:0");
  options.config.set_http_listen_address("127.0.0.1:0");
  options.config.set_partition_count(kPartitions);
  options.config.set_forward_deadline_ms(3000);
  AddRoute(options.config, kAssessmentService, assessment, kLowHigh);
  AddRoute(options.config, kProbe, probe, kHighLow);
  options.methods = MethodsWithProbe();
  options.principal_secret = kSecret;
  homeward::internal::v1::Principal manager;
  manager.set_user_id("sup-1");
  manager.set_role(v1::ROLE_SUPERVISOR);
  manager.add_office_ids("office-dakar");
  *options.api_keys.add_keys() = MakeApiKey("sup", kManagerKey, manager);
  homeward::internal::v1::Principal admin;
  admin.set_user_id("admin-1");
  admin.set_role(v1::ROLE_ADMINISTRATOR);
  *options.api_keys.add_keys() = MakeApiKey("admin", kAdminKey, admin);
  return options;
}

// A case id whose partition is in [first, last].
std::string CaseIdIn(uint32_t first, uint32_t last) {
  return testing::CaseIdInPartitions(first, last, kPartitions, "backends-");
}

MATCHER_P(ReceivedCall, method, absl::StrCat("a call of ", method)) {
  return arg.method == absl::StrCat("/", method);
}

// How many calls of `method` each fake received.
std::vector<size_t> CallsOf(const std::vector<FakeReplica*>& fakes,
                            const std::string& method) {
  std::vector<size_t> counts;
  for (FakeReplica* fake : fakes) {
    size_t n = 0;
    for (const Received& got : fake->received()) {
      if (got.method == absl::StrCat("/", method)) ++n;
    }
    counts.push_back(n);
  }
  return counts;
}

class GatewayBackendsTest : public ::testing::Test {
 protected:
  GatewayBackendsTest()
      : a0_(kSecret), a1_(kSecret), p0_(kSecret), p1_(kSecret) {}

  void SetUp() override {
    auto gateway = GatewayServer::Start(OptionsFor(
        {a0_.address(), a1_.address()}, {p0_.address(), p1_.address()}));
    ASSERT_THAT(gateway, IsOk());
    gateway_ = *std::move(gateway);
    client_ = std::make_unique<GatewayClient>(gateway_->grpc_port(),
                                              gateway_->http_port());
  }

  // Calls `method` with `request` on both faces, then says how many calls of
  // it each replica received: assessment 0, 1, then probe 0, 1.
  std::vector<size_t> CallBothFaces(const std::string& method,
                                    const google::protobuf::Message& request,
                                    google::protobuf::Message* response,
                                    const std::string& key = kManagerKey) {
    grpc::Status status = client_->Call(method, request, response, key);
    EXPECT_TRUE(status.ok()) << method << ": " << status.error_message();
    httplib::Result res = client_->Json(method, request, key);
    EXPECT_TRUE(res) << method;
    if (res) {
      EXPECT_EQ(res->status, 200) << method << ": " << res->body;
    }
    return CallsOf({&a0_, &a1_, &p0_, &p1_}, method);
  }

  FakeReplica a0_, a1_, p0_, p1_;
  std::unique_ptr<GatewayServer> gateway_;
  std::unique_ptr<GatewayClient> client_;
};

TEST_F(GatewayBackendsTest, CaseCallsReachTheOwningReplicaOfTheirBackend) {
  const std::string low = CaseIdIn(0, 31);
  const std::string high = CaseIdIn(32, 63);
  v1::Case answer;
  v1::GetCaseRequest get;
  get.set_case_id(low);
  EXPECT_THAT(CallBothFaces(kGetCase, get, &answer), ElementsAre(2, 0, 0, 0));
  get.set_case_id(high);
  EXPECT_THAT(CallBothFaces(kGetCase, get, &answer), ElementsAre(2, 2, 0, 0));

  // The probe backend's table maps the low half to its replica 1.
  v1::ListCaseAuditEntriesRequest audit;
  v1::ListCaseAuditEntriesResponse entries;
  audit.set_case_id(low);
  EXPECT_THAT(CallBothFaces(kListAudit, audit, &entries),
              ElementsAre(0, 0, 0, 2));
  audit.set_case_id(high);
  EXPECT_THAT(CallBothFaces(kListAudit, audit, &entries),
              ElementsAre(0, 0, 2, 2));
  // Nothing of either backend went to the other.
  EXPECT_THAT(CallsOf({&p0_, &p1_}, kGetCase), ElementsAre(0, 0));
  EXPECT_THAT(CallsOf({&a0_, &a1_}, kListAudit), ElementsAre(0, 0));
}

TEST_F(GatewayBackendsTest, FanOutAndGatherCoverOnlyTheirBackendsReplicas) {
  v1::ListCasesRequest list;
  v1::ListCasesResponse cases;
  EXPECT_THAT(CallBothFaces(kListCases, list, &cases), ElementsAre(2, 2, 0, 0));

  // Each probe replica answers one chain report; the gathered answer holds
  // both, in replica order, and the assessment replicas are not asked.
  v1::VerifyAuditTrailResponse from_p0, from_p1;
  from_p0.add_chains()->set_replica("probe 0");
  from_p1.add_chains()->set_replica("probe 1");
  p0_.Answer(absl::StrCat("/", kVerifyAudit), from_p0);
  p1_.Answer(absl::StrCat("/", kVerifyAudit), from_p1);
  v1::VerifyAuditTrailRequest verify;
  v1::VerifyAuditTrailResponse report;
  EXPECT_THAT(CallBothFaces(kVerifyAudit, verify, &report, kAdminKey),
              ElementsAre(0, 0, 2, 2));
  ASSERT_THAT(report.chains(), SizeIs(2));
  EXPECT_EQ(report.chains(0).replica(), "probe 0");
  EXPECT_EQ(report.chains(1).replica(), "probe 1");
}

TEST_F(GatewayBackendsTest, ListPageTokensResumeAtTheBackendsReplica) {
  // Assessment replica 0 has more: the gateway's token resumes there.
  v1::ListCasesResponse more;
  more.add_cases()->set_case_id("C-first");
  more.set_next_page_token("a0-page-2");
  a0_.Answer(absl::StrCat("/", kListCases), more);
  v1::ListCasesRequest list;
  v1::ListCasesResponse page;
  grpc::Status status = client_->Call(kListCases, list, &page, kManagerKey);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_FALSE(page.next_page_token().empty());

  a0_.Answer(absl::StrCat("/", kListCases), v1::ListCasesResponse());
  list.mutable_page()->set_page_token(page.next_page_token());
  status = client_->Call(kListCases, list, &page, kManagerKey);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::vector<Received> got = a0_.received();
  ASSERT_THAT(got, SizeIs(2));
  v1::ListCasesRequest resumed;
  ASSERT_TRUE(resumed.ParseFromString(got[1].bytes));
  EXPECT_EQ(resumed.page().page_token(), "a0-page-2");
  EXPECT_THAT(CallsOf({&a1_}, kListCases), ElementsAre(1));
}

TEST_F(GatewayBackendsTest, HealthOfEachPublicServiceFollowsItsBackend) {
  constexpr const char* kHealthCheck = FakeReplica::kHealthCheck;
  HealthCheckResponse serving, not_serving;
  serving.set_status(HealthCheckResponse::SERVING);
  not_serving.set_status(HealthCheckResponse::NOT_SERVING);
  for (FakeReplica* fake : {&a0_, &a1_, &p0_, &p1_}) {
    fake->Answer(kHealthCheck, serving);
  }
  const int port = gateway_->grpc_port();
  ASSERT_TRUE(HealthBecomes(port, "", HealthCheckResponse::SERVING));
  ASSERT_TRUE(HealthBecomes(port, "homeward.v1.AuditService",
                            HealthCheckResponse::SERVING));

  // A probe replica going down takes the probe backend's service down and
  // leaves the assessment backend's services serving.
  p1_.Answer(kHealthCheck, not_serving);
  EXPECT_TRUE(HealthBecomes(port, "homeward.v1.AuditService",
                            HealthCheckResponse::NOT_SERVING));
  EXPECT_EQ(HealthOf(port, "homeward.v1.CaseService"),
            HealthCheckResponse::SERVING);
  EXPECT_EQ(HealthOf(port, ""), HealthCheckResponse::NOT_SERVING);
  EXPECT_FALSE(gateway_->Ready());

  // And the other way round.
  p1_.Answer(kHealthCheck, serving);
  a0_.Answer(kHealthCheck, not_serving);
  EXPECT_TRUE(HealthBecomes(port, "homeward.v1.CaseService",
                            HealthCheckResponse::NOT_SERVING));
  EXPECT_TRUE(HealthBecomes(port, "homeward.v1.AuditService",
                            HealthCheckResponse::SERVING));
}

// ---------------------------------------------------------------------------
// Errors name the backend

TEST(GatewayBackendsErrorTest, UnreachableReplicaIsNamedByItsBackend) {
  FakeReplica a0(kSecret), a1(kSecret), p0(kSecret);
  const std::string down = absl::StrCat("127.0.0.1:", ClosedPort());
  auto gateway = GatewayServer::Start(
      OptionsFor({a0.address(), a1.address()}, {p0.address(), down}));
  ASSERT_THAT(gateway, IsOk());
  GatewayClient client((*gateway)->grpc_port(), (*gateway)->http_port());

  // Probe replica 1 owns the low half.
  v1::ListCaseAuditEntriesRequest audit;
  audit.set_case_id(CaseIdIn(0, 31));
  v1::ListCaseAuditEntriesResponse entries;
  const grpc::Status status =
      client.Call(kListAudit, audit, &entries, kManagerKey);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(),
              HasSubstr("the probe service (replica 1) cannot be reached"));
  EXPECT_THAT(status.error_message(), ::testing::Not(HasSubstr("127.0.0.1")));
  httplib::Result res = client.Json(kListAudit, audit, kManagerKey);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_THAT(res->body,
              HasSubstr("the probe service (replica 1) cannot be reached"));

  // A gathered call says which backend fell short.
  v1::VerifyAuditTrailResponse report;
  const grpc::Status gather = client.Call(
      kVerifyAudit, v1::VerifyAuditTrailRequest(), &report, kAdminKey);
  EXPECT_EQ(gather.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(gather.error_message(), HasSubstr("the probe service"));

  // The assessment backend is not affected.
  v1::GetCaseRequest get;
  get.set_case_id(CaseIdIn(0, 31));
  v1::Case found;
  EXPECT_TRUE(client.Call(kGetCase, get, &found, kManagerKey).ok());
}

// ---------------------------------------------------------------------------
// Refused at start

std::vector<errors::FieldViolation> StartViolations(
    GatewayServer::Options options) {
  auto gateway = GatewayServer::Start(std::move(options));
  EXPECT_THAT(gateway, StatusIs(absl::StatusCode::kInvalidArgument));
  return errors::FieldViolationsOf(gateway.status());
}

MATCHER_P2(Violation, field, text,
           absl::StrCat("a violation on ", field, " saying ", text)) {
  return arg.field == field && arg.description.find(text) != std::string::npos;
}

TEST(GatewayBackendsStartTest, RouteOfAnUnknownBackendIsRefused) {
  GatewayServer::Options options = OptionsFor({"127.0.0.1:1", "127.0.0.1:2"},
                                              {"127.0.0.1:3", "127.0.0.1:4"});
  AddRoute(options.config, "planing", {"127.0.0.1:5"}, {{0, 63}});
  EXPECT_THAT(
      StartViolations(std::move(options)),
      ElementsAre(Violation("routes[2].service",
                            "'planing' is not a backend this gateway routes to "
                            "(known: assessment, follow_up, planning, probe, "
                            "referral)")));
}

TEST(GatewayBackendsStartTest, BackendWithoutARouteIsRefused) {
  GatewayServer::Options options = OptionsFor({"127.0.0.1:1", "127.0.0.1:2"},
                                              {"127.0.0.1:3", "127.0.0.1:4"});
  options.config.mutable_routes()->RemoveLast();  // the probe's
  EXPECT_THAT(
      StartViolations(std::move(options)),
      ElementsAre(Violation(
          "routes",
          absl::StrCat("must include a route for backend 'probe', which "
                       "serves ",
                       kListAudit))));
}

TEST(GatewayBackendsStartTest, PartitionWithoutAnOwnerIsRefusedPerBackend) {
  GatewayServer::Options options = OptionsFor({"127.0.0.1:1", "127.0.0.1:2"},
                                              {"127.0.0.1:3", "127.0.0.1:4"});
  // The probe's replica 1 gives up partitions 0..9.
  options.config.mutable_routes(1)
      ->mutable_replicas(1)
      ->mutable_partitions(0)
      ->set_first(10);
  const std::vector<errors::FieldViolation> violations =
      StartViolations(std::move(options));
  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_THAT(violations[0].field, HasSubstr("routes[1]"));
  EXPECT_THAT(violations[0].description,
              HasSubstr("partitions 0..9 are owned by no replica"));
}

TEST(GatewayBackendsStartTest, SharedPartitionCountProblemIsSaidOnce) {
  GatewayServer::Options options = OptionsFor({"127.0.0.1:1", "127.0.0.1:2"},
                                              {"127.0.0.1:3", "127.0.0.1:4"});
  options.config.set_partition_count(1 << 20);
  const std::vector<errors::FieldViolation> violations =
      StartViolations(std::move(options));
  EXPECT_THAT(violations, ElementsAre(Field(&errors::FieldViolation::field,
                                            "partition_count")));
}

// ---------------------------------------------------------------------------
// The method table names backends

TEST(MethodTableBackendsTest, EachServiceNamesItsBackend) {
  auto table = PublicMethodTable();
  ASSERT_THAT(table, IsOk());
  EXPECT_THAT(table->backends(),
              ElementsAre(kAssessmentService, kFollowUpService,
                          kPlanningService, kReferralService));
  for (const MethodRoute& method : table->methods()) {
    // Answered by the gateway itself (the case overview).
    if (method.route.kind == Routing::kComposed) {
      EXPECT_EQ(method.backend, kGatewayItself) << method.full_name;
      continue;
    }
    const bool referral =
        absl::StartsWith(method.full_name, "homeward.v1.DirectoryService/") ||
        absl::StartsWith(method.full_name, "homeward.v1.ReferralService/") ||
        absl::StartsWith(method.full_name,
                         "homeward.v1.PartnerReferralService/");
    const bool follow_up =
        absl::StartsWith(method.full_name, "homeward.v1.FollowUpService/") ||
        absl::StartsWith(method.full_name, "homeward.v1.CaseClosureService/");
    EXPECT_EQ(method.backend,
              absl::StartsWith(method.full_name, "homeward.v1.PlanService/") ||
                      absl::StartsWith(method.full_name,
                                       "homeward.v1.FeasibilityGridService/")
                  ? kPlanningService
                  : (referral    ? kReferralService
                     : follow_up ? kFollowUpService
                                 : kAssessmentService))
        << method.full_name;
  }
  // Only the planning, referral and follow-up services may be left out of a
  // deployment.
  EXPECT_TRUE(IsOptionalBackend(kPlanningService));
  EXPECT_TRUE(IsOptionalBackend(kReferralService));
  EXPECT_TRUE(IsOptionalBackend(kFollowUpService));
  EXPECT_FALSE(IsOptionalBackend(kAssessmentService));
  EXPECT_FALSE(IsOptionalBackend(kProbe));
  auto with_probe = MethodTable::Create(MethodsWithProbe());
  ASSERT_THAT(with_probe, IsOk());
  EXPECT_THAT(with_probe->backends(),
              ElementsAre(kAssessmentService, kFollowUpService,
                          kPlanningService, kProbe, kReferralService));
}

TEST(MethodTableBackendsTest, AServiceLivesInOneBackend) {
  std::vector<MethodRoute> methods = MethodsWithProbe();
  for (MethodRoute& method : methods) {
    if (method.full_name == kVerifyAudit) method.backend = kAssessmentService;
    if (method.full_name == kGetCase) method.backend = "";
  }
  auto table = MethodTable::Create(std::move(methods));
  ASSERT_THAT(table, StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(table.status().message(),
              HasSubstr(absl::StrCat(kVerifyAudit,
                                     " names backend 'assessment' but other "
                                     "methods of homeward.v1.AuditService "
                                     "name 'probe'")));
  EXPECT_THAT(table.status().message(),
              HasSubstr(absl::StrCat(kGetCase, " names no backend service")));
}

TEST(MethodTableBackendsTest, ExtraMethodsAreCheckedWithTheTable) {
  // Declaring a public method again is a gateway bug, refused at start.
  GatewayServer::Options options = OptionsFor({"127.0.0.1:1", "127.0.0.1:2"},
                                              {"127.0.0.1:3", "127.0.0.1:4"});
  options.extra_methods.push_back(Unary<v1::GetCaseRequest, v1::Case>(
      kProbe, kGetCase, ByCaseId("case_id"), CaseWorkers()));
  auto gateway = GatewayServer::Start(std::move(options));
  EXPECT_THAT(
      gateway,
      StatusIs(absl::StatusCode::kInternal,
               HasSubstr(absl::StrCat(kGetCase, " is declared twice"))));
}

// ---------------------------------------------------------------------------
// Partner agencies

TEST(CallersTest, PartnerAgenciesAreTheirOwnCallers) {
  EXPECT_TRUE(PartnerAgencies().Allows(v1::ROLE_PARTNER_AGENCY));
  EXPECT_FALSE(PartnerAgencies().Allows(v1::ROLE_CASE_MANAGER));
  EXPECT_FALSE(CaseWorkers().Allows(v1::ROLE_PARTNER_AGENCY));
  const Callers both = AnyOf({CaseWorkers(), PartnerAgencies()});
  EXPECT_TRUE(both.Allows(v1::ROLE_PARTNER_AGENCY));
  EXPECT_TRUE(both.Allows(v1::ROLE_SUPERVISOR));
  EXPECT_FALSE(both.Allows(v1::ROLE_ADMINISTRATOR));
  EXPECT_EQ(both.who, "case managers and supervisors and partner agencies");
  // Partner agencies reach only the referral backend's methods beyond the
  // reference data any role reads: case records stay closed to them.
  auto table = PublicMethodTable();
  ASSERT_THAT(table, IsOk());
  for (const MethodRoute& method : table->methods()) {
    if (method.callers.any_role) continue;
    EXPECT_EQ(
        method.callers.Allows(v1::ROLE_PARTNER_AGENCY),
        method.backend == kReferralService &&
            method.full_name !=
                "homeward.v1.DirectoryService/"
                "CreateOrganization" &&
            !absl::StartsWith(method.full_name, "homeward.v1.ReferralService/"))
        << method.full_name;
  }
}

TEST(CallersTest, PartnerAgencyKeyMustNameItsAgency) {
  homeward::internal::v1::Principal agency;
  agency.set_user_id("pa-1");
  agency.set_role(v1::ROLE_PARTNER_AGENCY);
  homeward::internal::v1::ApiKeyFile file;
  *file.add_keys() = MakeApiKey("agency", "hw_backends_agency_key", agency);
  auto refused = ApiKeyAuthenticator::Create(file);
  ASSERT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(errors::FieldViolationsOf(refused.status()),
              ElementsAre(Field(&errors::FieldViolation::field,
                                "keys[0].principal.agency_id")));

  file.mutable_keys(0)->mutable_principal()->set_agency_id("agency-health");
  auto accepted = ApiKeyAuthenticator::Create(file);
  ASSERT_THAT(accepted, IsOk());
  auto caller = accepted->Authenticate("hw_backends_agency_key");
  ASSERT_THAT(caller, IsOk());
  EXPECT_EQ(caller->principal.agency_id(), "agency-health");
}

}  // namespace
}  // namespace homeward::gateway
