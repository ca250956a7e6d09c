// The gateway's method table and routing, checked against recording fake
// replicas: each fake is a generic gRPC server on a loopback port that
// answers every method, verifies the signed principal and notes what reached
// it. That isolates what the gateway decides (who may call, which replica,
// broadcast, fail-over, refusals at the edge) from what the services do, so
// these tests hold whatever the services answer. End-to-end checks against
// real assessment replicas are in gateway_services_test.cc.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/auth/principal_token.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "homeward/v1/audit.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "homeward/v1/counselling.grpc.pb.h"
#include "homeward/v1/instruments.grpc.pb.h"
#include "homeward/v1/needs.grpc.pb.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "httplib.h"
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

using ::homeward::testing::CheckHealth;
using ::homeward::testing::ClosedPort;
using ::homeward::testing::HealthOf;
using ::homeward::testing::IsOk;
using ::homeward::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

namespace v1 = ::homeward::v1;

constexpr char kSecret[] = "gateway-routing-test-secret-0123456789abcdef";
constexpr char kManagerKey[] = "hw_routing_case_manager_key";
constexpr char kAdminKey[] = "hw_routing_administrator_key";
constexpr char kMonitorKey[] = "hw_routing_monitoring_officer_key";
constexpr char kAgencyKey[] = "hw_routing_partner_agency_key";
constexpr uint32_t kPartitions = 64;

using ::homeward::testing::Received;

// The shared fake (tests/fixtures/fake_replica.h), verifying this test's
// principals.
class FakeReplica : public homeward::testing::FakeReplica {
 public:
  FakeReplica() : homeward::testing::FakeReplica(kSecret) {}
};

homeward::internal::v1::Principal As(const std::string& user, v1::Role role) {
  homeward::internal::v1::Principal p;
  p.set_user_id(user);
  p.set_role(role);
  p.add_office_ids("office-dakar");
  return p;
}

homeward::internal::v1::Principal PartnerAgency(const std::string& user,
                                                const std::string& agency) {
  homeward::internal::v1::Principal p;
  p.set_user_id(user);
  p.set_role(v1::ROLE_PARTNER_AGENCY);
  p.set_agency_id(agency);
  return p;
}

// A case id in partition [first, last] of kPartitions.
std::string CaseIdIn(uint32_t first, uint32_t last) {
  return testing::CaseIdInPartitions(first, last, kPartitions, "routing-");
}

// Adds a route for `backend` to `replicas`; with `split`, replica 0 owns
// partitions 0..31 and replica 1 32..63.
void AddRoute(homeward::internal::v1::GatewayConfig& config,
              const std::string& backend,
              const std::vector<std::string>& replicas, bool split) {
  auto* route = config.add_routes();
  route->set_service(backend);
  for (size_t r = 0; r < replicas.size(); ++r) {
    auto* replica = route->add_replicas();
    replica->set_address(replicas[r]);
    if (split) {
      auto* range = replica->add_partitions();
      range->set_first(r == 0 ? 0 : kPartitions / 2);
      range->set_last(r == 0 ? kPartitions / 2 - 1 : kPartitions - 1);
    }
  }
}

// A gateway in front of `replicas` for every backend; with `split`, replica 0
// owns partitions 0..31 and replica 1 32..63. `planning` replaces the
// replicas of the planning backend; empty: no route for it (a deployment
// without the planning service).
std::unique_ptr<GatewayServer> StartGateway(
    const std::vector<std::string>& replicas, bool split = false,
    std::optional<std::vector<std::string>> planning = std::nullopt) {
  GatewayServer::Options options;
  options.config.set_grpc_listen_address("127.0.0.1:0");
  options.config.set_http_listen_address("127.0.0.1:0");
  options.config.set_partition_count(kPartitions);
  options.config.set_forward_deadline_ms(3000);
  AddRoute(options.config, kAssessmentService, replicas, split);
  const std::vector<std::string> planners = planning.value_or(replicas);
  if (!planners.empty()) {
    AddRoute(options.config, kPlanningService, planners, split);
  }
  AddRoute(options.config, kReferralService, replicas, split);
  options.principal_secret = kSecret;
  *options.api_keys.add_keys() =
      MakeApiKey("cm", kManagerKey, As("cm-1", v1::ROLE_CASE_MANAGER));
  *options.api_keys.add_keys() =
      MakeApiKey("admin", kAdminKey, As("admin-1", v1::ROLE_ADMINISTRATOR));
  *options.api_keys.add_keys() = MakeApiKey(
      "monitor", kMonitorKey, As("mo-1", v1::ROLE_MONITORING_OFFICER));
  *options.api_keys.add_keys() =
      MakeApiKey("agency", kAgencyKey, PartnerAgency("pa-1", "agency-health"));
  auto gateway = GatewayServer::Start(std::move(options));
  EXPECT_THAT(gateway, IsOk());
  return gateway.ok() ? *std::move(gateway) : nullptr;
}

// The shared client (tests/fixtures/gateway_client.h) of one gateway.
class Client : public homeward::testing::GatewayClient {
 public:
  explicit Client(const GatewayServer& gateway)
      : GatewayClient(gateway.grpc_port(), gateway.http_port()) {}
};

std::vector<errors::FieldViolation> ViolationsOf(const grpc::Status& status) {
  return errors::FieldViolationsOf(FromGrpcStatus(status));
}

MATCHER_P(ViolationOn, field, absl::StrCat("a field violation on ", field)) {
  return arg.field == field;
}

MATCHER_P(ReceivedCall, method, absl::StrCat("a call of ", method)) {
  return arg.method == absl::StrCat("/", method);
}

constexpr char kRecordConsent[] = "homeward.v1.ConsentService/RecordConsent";
constexpr char kRecordSession[] =
    "homeward.v1.CounsellingService/RecordCounsellingSession";
constexpr char kPublish[] = "homeward.v1.InstrumentService/PublishInstrument";
constexpr char kGetInstrument[] = "homeward.v1.InstrumentService/GetInstrument";
constexpr char kListInstruments[] =
    "homeward.v1.InstrumentService/ListInstruments";
constexpr char kCreatePlan[] = "homeward.v1.PlanService/CreatePlan";
constexpr char kGetPlan[] = "homeward.v1.PlanService/GetPlan";
constexpr char kUpdatePlan[] = "homeward.v1.PlanService/UpdatePlan";
constexpr char kApprovePlan[] = "homeward.v1.PlanService/ApprovePlan";
constexpr char kListOverduePlans[] = "homeward.v1.PlanService/ListOverduePlans";
constexpr char kListOverdueActivities[] =
    "homeward.v1.PlanService/ListOverdueActivities";

v1::InstrumentDefinition FromReplica(int replica) {
  v1::InstrumentDefinition d;
  d.set_instrument_id("rss");
  d.set_version(1);
  d.set_provenance(absl::StrCat("replica ", replica));
  return d;
}

// ---------------------------------------------------------------------------
// The table

TEST(MethodTableTest, PublicTableIsCompleteAndResolves) {
  absl::StatusOr<MethodTable> table = PublicMethodTable();
  ASSERT_THAT(table, IsOk());
  // Every method of every public contract, and nothing else.
  const char* services[] = {
      "homeward.v1.CaseService",           "homeward.v1.InstrumentService",
      "homeward.v1.AssessmentService",     "homeward.v1.CounsellingService",
      "homeward.v1.ConsentService",        "homeward.v1.AuditService",
      "homeward.v1.NeedService",           "homeward.v1.ProgrammeService",
      "homeward.v1.PlanService",           "homeward.v1.DirectoryService",
      "homeward.v1.ReferralService",       "homeward.v1.PartnerReferralService",
      "homeward.v1.FollowUpService",       "homeward.v1.CaseClosureService",
      "homeward.v1.CaseOverviewService",   "homeward.v1.RetentionService",
      "homeward.v1.FeasibilityGridService"};
  size_t methods = 0;
  for (const char* name : services) {
    const auto* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i, ++methods) {
      EXPECT_NE(
          table->Find(absl::StrCat(name, "/", service->method(i)->name())),
          nullptr);
    }
  }
  EXPECT_THAT(table->methods(), SizeIs(methods));
  // The case overview: composed by the gateway itself, for case workers.
  const MethodRoute* overview =
      table->FindPublic("homeward.v1.CaseOverviewService/GetCaseOverview");
  ASSERT_NE(overview, nullptr);
  EXPECT_EQ(overview->route.kind, Routing::kComposed);
  EXPECT_EQ(overview->backend, kGatewayItself);
  EXPECT_TRUE(overview->callers.Allows(v1::ROLE_CASE_MANAGER) &&
              overview->callers.Allows(v1::ROLE_SUPERVISOR) &&
              !overview->callers.Allows(v1::ROLE_MONITORING_OFFICER) &&
              !overview->callers.Allows(v1::ROLE_PARTNER_AGENCY));
  EXPECT_THAT(table->backends(),
              ElementsAre(kAssessmentService, kFollowUpService,
                          kPlanningService, kReferralService));
  const MethodRoute* consent = table->Find(kRecordConsent);
  ASSERT_NE(consent, nullptr);
  EXPECT_EQ(consent->route.kind, Routing::kByCaseId);
  EXPECT_EQ(consent->path, absl::StrCat("/", kRecordConsent));
  EXPECT_THAT(consent->case_id_path, SizeIs(2));
  // Plans: by the case id, in the plan for the calls that carry one; the
  // overdue queues fan out over the planning replicas. Grids: broadcast to
  // every planning replica, by administrators only.
  const MethodRoute* grid =
      table->Find("homeward.v1.FeasibilityGridService/PublishFeasibilityGrid");
  ASSERT_NE(grid, nullptr);
  EXPECT_EQ(grid->backend, kPlanningService);
  EXPECT_EQ(grid->route.kind, Routing::kBroadcast);
  EXPECT_TRUE(grid->callers.Allows(v1::ROLE_ADMINISTRATOR) &&
              !grid->callers.Allows(v1::ROLE_SUPERVISOR) &&
              !grid->callers.Allows(v1::ROLE_CASE_MANAGER));
  for (const MethodRoute& method : table->methods()) {
    if (method.backend != kPlanningService || &method == grid) continue;
    EXPECT_EQ(method.full_name.rfind("homeward.v1.PlanService/", 0), 0u)
        << method.full_name;
    EXPECT_TRUE(method.callers.Allows(v1::ROLE_CASE_MANAGER) &&
                method.callers.Allows(v1::ROLE_SUPERVISOR) &&
                !method.callers.Allows(v1::ROLE_ADMINISTRATOR) &&
                !method.callers.Allows(v1::ROLE_MONITORING_OFFICER))
        << method.full_name;
  }
  for (const char* name : {kCreatePlan, kUpdatePlan}) {
    const MethodRoute* method = table->Find(name);
    ASSERT_NE(method, nullptr) << name;
    EXPECT_EQ(method->route.kind, Routing::kByCaseId);
    EXPECT_EQ(method->route.field, "plan.case_id");
  }
  const MethodRoute* overdue = table->Find(kListOverduePlans);
  ASSERT_NE(overdue, nullptr);
  EXPECT_EQ(overdue->route.kind, Routing::kFanOut);
  EXPECT_EQ(overdue->items_field->name(), "plans");
  const MethodRoute* late = table->Find(kListOverdueActivities);
  ASSERT_NE(late, nullptr);
  EXPECT_EQ(late->route.kind, Routing::kFanOut);
  EXPECT_EQ(late->items_field->name(), "activities");
  // Follow-up: by the case id (in the contact or closure for the calls that
  // carry one); the due lists fan out over the follow-up replicas.
  for (const MethodRoute& method : table->methods()) {
    if (method.backend != kFollowUpService) continue;
    EXPECT_TRUE(method.callers.Allows(v1::ROLE_CASE_MANAGER) &&
                method.callers.Allows(v1::ROLE_SUPERVISOR) &&
                !method.callers.Allows(v1::ROLE_PARTNER_AGENCY) &&
                !method.callers.Allows(v1::ROLE_MONITORING_OFFICER))
        << method.full_name;
    const bool due_list =
        absl::StrContains(method.full_name, "/ListDueContacts") ||
        absl::StrContains(method.full_name, "/ListOverdueContacts");
    EXPECT_EQ(method.route.kind,
              due_list ? Routing::kFanOut : Routing::kByCaseId)
        << method.full_name;
    if (due_list) {
      EXPECT_EQ(method.items_field->name(), "contacts");
    }
  }
  for (const auto& [name, field] :
       std::vector<std::pair<std::string, std::string>>{
           {"homeward.v1.FollowUpService/RecordContact", "contact.case_id"},
           {"homeward.v1.CaseClosureService/CloseCase", "closure.case_id"}}) {
    const MethodRoute* method = table->Find(name);
    ASSERT_NE(method, nullptr) << name;
    EXPECT_EQ(method->route.field, field);
  }
  // The directory: every referral replica keeps all of it, so writes go to
  // every replica and reads to any; partner agencies use only their side of
  // referrals, case workers only theirs.
  for (const MethodRoute& method : table->methods()) {
    if (method.backend != kReferralService) continue;
    const std::string service =
        method.full_name.substr(0, method.full_name.find('/'));
    if (service == "homeward.v1.DirectoryService") {
      const bool read = absl::StrContains(method.full_name, "/Get") ||
                        absl::StrContains(method.full_name, "/List") ||
                        absl::StrContains(method.full_name, "/Search") ||
                        absl::StrContains(method.full_name, "/Export");
      EXPECT_EQ(method.route.kind,
                read ? Routing::kAnyReplica : Routing::kBroadcast)
          << method.full_name;
      EXPECT_EQ(method.callers.Allows(v1::ROLE_MONITORING_OFFICER), read)
          << method.full_name;
    } else {
      const bool partner = service == "homeward.v1.PartnerReferralService";
      EXPECT_EQ(method.callers.Allows(v1::ROLE_PARTNER_AGENCY), partner)
          << method.full_name;
      EXPECT_EQ(method.callers.Allows(v1::ROLE_CASE_MANAGER), !partner)
          << method.full_name;
    }
  }
}

TEST(MethodTableTest, RefusesWrongDeclarations) {
  // Wrong request type, a case id path that is not a string, a method that
  // does not exist, and (because of the first) a method left without a route.
  auto table = MethodTable::Create({
      Unary<v1::ListConsentsRequest, v1::ConsentRecord>(
          kAssessmentService, kRecordConsent, ByCaseId("consent.case_id"),
          CaseWorkers()),
      Unary<v1::ListConsentsRequest, v1::ListConsentsResponse>(
          kAssessmentService, "homeward.v1.ConsentService/ListConsents",
          ByCaseId("page"), CaseWorkers()),
      Unary<v1::CheckConsentRequest, v1::CheckConsentResponse>(
          kAssessmentService, "homeward.v1.ConsentService/CheckConsentNow",
          ByCaseId("case_id"), CaseWorkers()),
  });
  ASSERT_THAT(table, StatusIs(absl::StatusCode::kInternal));
  const std::string message(table.status().message());
  EXPECT_THAT(message, HasSubstr("RecordConsent takes "
                                 "homeward.v1.RecordConsentRequest"));
  EXPECT_THAT(message, HasSubstr("no singular string field 'page'"));
  EXPECT_THAT(message, HasSubstr("CheckConsentNow' is not a method"));
  EXPECT_THAT(
      message,
      HasSubstr("homeward.v1.ConsentService/CheckConsent has no route"));
}

TEST(MethodTableTest, GatherNeedsAResponseOfOnlyItsItems) {
  // ListCaseAuditEntriesResponse also has next_page_token, which one
  // replica's answer could not fill in for all of them.
  auto table = MethodTable::Create({
      Unary<v1::ListCaseAuditEntriesRequest, v1::ListCaseAuditEntriesResponse>(
          kAssessmentService, "homeward.v1.AuditService/ListCaseAuditEntries",
          Gather("entries"), AuditReaders()),
      Unary<v1::VerifyAuditTrailRequest, v1::VerifyAuditTrailResponse>(
          kAssessmentService, "homeward.v1.AuditService/VerifyAuditTrail",
          Gather("reports"), Administrators()),
  });
  ASSERT_THAT(table, StatusIs(absl::StatusCode::kInternal));
  const std::string message(table.status().message());
  EXPECT_THAT(message, HasSubstr("a gathered response must hold only "
                                 "'entries'"));
  EXPECT_THAT(message, HasSubstr("has no repeated message field 'reports'"));
}

TEST(MethodTableTest, CaseIdOfReadsNestedFields) {
  auto table = PublicMethodTable();
  ASSERT_THAT(table, IsOk());
  const MethodRoute& consent = *table->Find(kRecordConsent);
  v1::RecordConsentRequest request;
  EXPECT_THAT(errors::FieldViolationsOf(CaseIdOf(consent, request).status()),
              ElementsAre(ViolationOn("consent.case_id")));
  request.mutable_consent()->set_case_id("C42");
  EXPECT_THAT(CaseIdOf(consent, request), IsOk());
  EXPECT_EQ(*CaseIdOf(consent, request), "C42");
}

// ---------------------------------------------------------------------------
// Both faces serve every method of the table

TEST(GatewayRoutingTest, EveryMethodIsServedOnBothFaces) {
  FakeReplica replica;
  auto gateway = StartGateway({replica.address()});
  ASSERT_NE(gateway, nullptr);
  Client client(*gateway);
  auto table = PublicMethodTable();
  ASSERT_THAT(table, IsOk());
  // A partner agency may read reference data and work on its referrals, so
  // every method either reaches the fake or is refused by the gateway's role
  // check: neither would happen for a method a face does not serve. A method
  // routed by case id gets one, so that the call can be routed. (Composed
  // methods are open to case workers only, so they are refused too; internal
  // methods are not served at all: composed_method_test.)
  for (const MethodRoute& method : table->methods()) {
    if (method.internal) continue;
    std::unique_ptr<google::protobuf::Message> request(
        method.request_prototype->New());
    if (method.route.kind == Routing::kByCaseId) {
      google::protobuf::Message* holder = request.get();
      for (size_t i = 0; i + 1 < method.case_id_path.size(); ++i) {
        holder = holder->GetReflection()->MutableMessage(
            holder, method.case_id_path[i]);
      }
      holder->GetReflection()->SetString(holder, method.case_id_path.back(),
                                         "C42");
    }
    std::unique_ptr<google::protobuf::Message> response(
        method.response_prototype->New());
    const bool open = method.callers.Allows(v1::ROLE_PARTNER_AGENCY);
    const grpc::Status status =
        client.Call(method.full_name, *request, response.get(), kAgencyKey);
    EXPECT_EQ(status.error_code(),
              open ? grpc::StatusCode::OK : grpc::StatusCode::PERMISSION_DENIED)
        << method.full_name << ": " << status.error_message();
    auto res = client.Json(method.full_name, *request, kAgencyKey);
    ASSERT_TRUE(res) << method.full_name;
    EXPECT_EQ(res->status, open ? 200 : 403)
        << method.full_name << ": " << res->body;
  }
}

// ---------------------------------------------------------------------------
// Routing by a case id inside the request

TEST(GatewayRoutingTest, NestedCaseIdsRouteToTheOwningReplica) {
  FakeReplica low, high;
  auto gateway = StartGateway({low.address(), high.address()}, /*split=*/true);
  ASSERT_NE(gateway, nullptr);
  Client client(*gateway);
  const std::string on_high = CaseIdIn(32, 63);
  const std::string on_low = CaseIdIn(0, 31);

  v1::RecordConsentRequest consent;
  consent.mutable_consent()->set_case_id(on_high);
  v1::ConsentRecord record;
  ASSERT_THAT(
      client.Call(kRecordConsent, consent, &record, kManagerKey, "trace-7"),
      IsOk());
  v1::RecordCounsellingSessionRequest session;
  session.mutable_session()->set_case_id(on_low);
  v1::CounsellingSession recorded;
  ASSERT_THAT(client.Call(kRecordSession, session, &recorded, kManagerKey),
              IsOk());
  auto res = client.Json(kRecordConsent, consent, kManagerKey);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;

  EXPECT_THAT(high.received(), ElementsAre(ReceivedCall(kRecordConsent),
                                           ReceivedCall(kRecordConsent)));
  EXPECT_THAT(low.received(), ElementsAre(ReceivedCall(kRecordSession)));
  // The request reaches the replica unchanged, with the caller's signed
  // principal and request id.
  const Received first = high.received()[0];
  v1::RecordConsentRequest forwarded;
  ASSERT_TRUE(forwarded.ParseFromString(first.bytes));
  EXPECT_EQ(forwarded.consent().case_id(), on_high);
  EXPECT_EQ(first.user_id, "cm-1");
  EXPECT_EQ(first.request_id, "trace-7");
}

TEST(GatewayRoutingTest, EmptyNestedCaseIdIsRefusedAtTheEdge) {
  FakeReplica replica;
  auto gateway = StartGateway({replica.address()});
  ASSERT_NE(gateway, nullptr);
  Client client(*gateway);
  v1::RecordConsentRequest consent;
  consent.set_request_id("r-1");
  v1::ConsentRecord record;
  const grpc::Status status =
      client.Call(kRecordConsent, consent, &record, kManagerKey);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ViolationsOf(status),
              ElementsAre(ViolationOn("consent.case_id")));
  auto res = client.Json(kRecordSession, v1::RecordCounsellingSessionRequest(),
                         kManagerKey);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr(R"("field":"session.case_id")"));
  EXPECT_THAT(replica.received(), IsEmpty());
}

// ---------------------------------------------------------------------------
// Plans: the planning backend

// Plan calls go to the planning backend's replica owning the case, never to
// an assessment replica; the overdue queues to every planning replica.
TEST(GatewayRoutingTest, PlanCallsReachThePlanningReplicaOwningTheCase) {
  FakeReplica assessment_low, assessment_high, low, high;
  auto gateway = StartGateway(
      {assessment_low.address(), assessment_high.address()}, /*split=*/true,
      std::vector<std::string>{low.address(), high.address()});
  ASSERT_NE(gateway, nullptr);
  Client client(*gateway);
  const std::string on_high = CaseIdIn(32, 63);
  const std::string on_low = CaseIdIn(0, 31);

  v1::CreatePlanRequest create;
  create.set_request_id("plan-1");
  create.mutable_plan()->set_case_id(on_high);
  v1::Plan plan;
  ASSERT_THAT(client.Call(kCreatePlan, create, &plan, kManagerKey), IsOk());
  v1::GetPlanRequest get;
  get.set_case_id(on_low);
  ASSERT_THAT(client.Call(kGetPlan, get, &plan, kManagerKey), IsOk());
  v1::PlanStepRequest approve;
  approve.set_case_id(on_high);
  auto res = client.Json(kApprovePlan, approve, kManagerKey);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  v1::ListOverduePlansResponse overdue;
  ASSERT_THAT(client.Call(kListOverduePlans, v1::ListOverduePlansRequest(),
                          &overdue, kManagerKey),
              IsOk());

  EXPECT_THAT(high.received(),
              ElementsAre(ReceivedCall(kCreatePlan), ReceivedCall(kApprovePlan),
                          ReceivedCall(kListOverduePlans)));
  EXPECT_THAT(low.received(), ElementsAre(ReceivedCall(kGetPlan),
                                          ReceivedCall(kListOverduePlans)));
  EXPECT_THAT(assessment_low.received(), IsEmpty());
  EXPECT_THAT(assessment_high.received(), IsEmpty());
  v1::CreatePlanRequest forwarded;
  ASSERT_TRUE(forwarded.ParseFromString(high.received()[0].bytes));
  EXPECT_EQ(forwarded.plan().case_id(), on_high);

  // The case id is required to route.
  v1::CreatePlanRequest no_case;
  no_case.set_request_id("plan-2");
  EXPECT_THAT(
      ViolationsOf(client.Call(kCreatePlan, no_case, &plan, kManagerKey)),
      ElementsAre(ViolationOn("plan.case_id")));
}

// A deployment without the planning service: the gateway starts without a
// route for it, serves the other backends and is ready, and answers plan
// calls UNIMPLEMENTED naming the backend on both faces, without reaching any
// replica.
TEST(GatewayRoutingTest, WithoutAPlanningRoutePlanCallsAreUnimplemented) {
  FakeReplica replica;
  grpc::health::v1::HealthCheckResponse serving;
  serving.set_status(grpc::health::v1::HealthCheckResponse::SERVING);
  replica.Answer(FakeReplica::kHealthCheck, serving);
  auto gateway = StartGateway({replica.address()}, /*split=*/false,
                              std::vector<std::string>{});
  ASSERT_NE(gateway, nullptr);
  Client client(*gateway);

  v1::GetPlanRequest get;
  get.set_case_id(CaseIdIn(0, 63));
  v1::Plan plan;
  EXPECT_THAT(client.Call(kGetPlan, get, &plan, kManagerKey),
              StatusIs(absl::StatusCode::kUnimplemented,
                       AllOf(HasSubstr(kGetPlan),
                             HasSubstr("no route for backend 'planning'"))));
  auto res = client.Json(kListOverduePlans, v1::ListOverduePlansRequest(),
                         kManagerKey);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 501) << res->body;
  EXPECT_THAT(res->body, HasSubstr("no route for backend 'planning'"));
  // The role check still comes first: a caller who may not call the method
  // learns nothing about the deployment.
  EXPECT_THAT(client.Call(kGetPlan, get, &plan, kAdminKey),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(replica.received(), IsEmpty());

  // The assessment backend serves as usual, and the gateway is ready: it
  // does not wait for a service it does not offer, whose health it does not
  // publish.
  v1::RecordConsentRequest consent;
  consent.mutable_consent()->set_case_id(CaseIdIn(0, 63));
  v1::ConsentRecord record;
  EXPECT_THAT(client.Call(kRecordConsent, consent, &record, kManagerKey),
              IsOk());
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!gateway->Ready() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(gateway->Ready());
  EXPECT_EQ(HealthOf(gateway->grpc_port(), "homeward.v1.CaseService"),
            grpc::health::v1::HealthCheckResponse::SERVING);
  grpc::health::v1::HealthCheckResponse plan_health;
  EXPECT_EQ(
      CheckHealth(gateway->grpc_port(), "homeward.v1.PlanService", &plan_health)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------------------
// Roles

TEST(GatewayRoutingTest, RoleGatesNameTheRoleAndWhoMayCall) {
  FakeReplica replica;
  auto gateway = StartGateway({replica.address()});
  ASSERT_NE(gateway, nullptr);
  Client client(*gateway);
  v1::InstrumentDefinition out;
  v1::PublishInstrumentRequest publish;
  EXPECT_THAT(client.Call(kPublish, publish, &out, kManagerKey),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       AllOf(HasSubstr("ROLE_CASE_MANAGER"),
                             HasSubstr("administrators"))));
  v1::RecordConsentRequest consent;
  consent.mutable_consent()->set_case_id("C1");
  v1::ConsentRecord record;
  EXPECT_THAT(client.Call(kRecordConsent, consent, &record, kAdminKey),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       AllOf(HasSubstr("ROLE_ADMINISTRATOR"),
                             HasSubstr("case managers and supervisors"))));
  EXPECT_THAT(replica.received(), IsEmpty());
  v1::ListInstrumentsResponse list;
  EXPECT_THAT(client.Call(kListInstruments, v1::ListInstrumentsRequest(), &list,
                          kMonitorKey),
              IsOk());
  EXPECT_THAT(replica.received(), ElementsAre(ReceivedCall(kListInstruments)));
}

// ---------------------------------------------------------------------------
// Broadcast

TEST(GatewayRoutingTest, BroadcastReachesEveryReplicaAndAnswersWithTheFirst) {
  FakeReplica r0, r1;
  r0.Answer(absl::StrCat("/", kPublish), FromReplica(0));
  r1.Answer(absl::StrCat("/", kPublish), FromReplica(1));
  auto gateway = StartGateway({r0.address(), r1.address()});
  ASSERT_NE(gateway, nullptr);
  Client client(*gateway);
  v1::PublishInstrumentRequest publish;
  publish.mutable_instrument()->set_instrument_id("rss");
  v1::InstrumentDefinition out;
  ASSERT_THAT(client.Call(kPublish, publish, &out, kAdminKey), IsOk());
  EXPECT_EQ(out.provenance(), "replica 0");
  EXPECT_THAT(r0.received(), ElementsAre(ReceivedCall(kPublish)));
  EXPECT_THAT(r1.received(), ElementsAre(ReceivedCall(kPublish)));

  auto res = client.Json(kPublish, publish, kAdminKey);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->body, HasSubstr("replica 0"));
}

TEST(GatewayRoutingTest, BroadcastFailsWhenAnyReplicaRefusesOrIsDown) {
  FakeReplica r0, r1;
  auto gateway = StartGateway(
      {r0.address(), r1.address(), absl::StrCat("127.0.0.1:", ClosedPort())});
  ASSERT_NE(gateway, nullptr);
  Client client(*gateway);
  v1::PublishInstrumentRequest publish;
  v1::InstrumentDefinition out;
  // Replica 2 is down: UNAVAILABLE, saying how far the call got.
  grpc::Status status = client.Call(kPublish, publish, &out, kAdminKey);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable,
                               AllOf(HasSubstr("replica 2"),
                                     HasSubstr("2 of 3 replicas"))));
  EXPECT_THAT(status.error_message(), Not(HasSubstr("127.0.0.1")));
  // A replica's own refusal is what the client must act on: it wins over the
  // unreachable one, details and all.
  r1.Refuse(absl::StrCat("/", kPublish),
            errors::InvalidField("instrument.version", "must be at least 1"));
  status = client.Call(kPublish, publish, &out, kAdminKey);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ViolationsOf(status),
              ElementsAre(ViolationOn("instrument.version")));
}

// ---------------------------------------------------------------------------
// Gather

constexpr char kVerifyAudit[] = "homeward.v1.AuditService/VerifyAuditTrail";

v1::VerifyAuditTrailResponse ChainsOf(std::vector<std::string> replicas) {
  v1::VerifyAuditTrailResponse response;
  for (const std::string& replica : replicas) {
    response.add_chains()->set_replica(replica);
  }
  return response;
}

std::vector<std::string> ReplicasOf(const v1::VerifyAuditTrailResponse& r) {
  std::vector<std::string> replicas;
  for (const auto& chain : r.chains()) replicas.push_back(chain.replica());
  return replicas;
}

TEST(GatewayRoutingTest, GatherConcatenatesEveryReplicasItemsInOrder) {
  FakeReplica r0, r1, r2;
  r0.Answer(absl::StrCat("/", kVerifyAudit), ChainsOf({"a"}));
  r1.Answer(absl::StrCat("/", kVerifyAudit), ChainsOf({"b", "c"}));
  r2.Answer(absl::StrCat("/", kVerifyAudit), ChainsOf({"d"}));
  auto gateway = StartGateway({r0.address(), r1.address(), r2.address()});
  ASSERT_NE(gateway, nullptr);
  Client client(*gateway);
  v1::VerifyAuditTrailResponse out;
  ASSERT_THAT(
      client.Call(kVerifyAudit, v1::VerifyAuditTrailRequest(), &out, kAdminKey),
      IsOk());
  EXPECT_THAT(ReplicasOf(out), ElementsAre("a", "b", "c", "d"));
  for (FakeReplica* r : {&r0, &r1, &r2}) {
    EXPECT_THAT(r->received(), ElementsAre(ReceivedCall(kVerifyAudit)));
  }

  auto res =
      client.Json(kVerifyAudit, v1::VerifyAuditTrailRequest(), kAdminKey);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  v1::VerifyAuditTrailResponse json;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(res->body, &json).ok());
  EXPECT_THAT(ReplicasOf(json), ElementsAre("a", "b", "c", "d"));
}

TEST(GatewayRoutingTest, GatherFailsWhenAnyReplicaRefusesOrIsDown) {
  FakeReplica r0, r1;
  auto gateway = StartGateway(
      {r0.address(), r1.address(), absl::StrCat("127.0.0.1:", ClosedPort())});
  ASSERT_NE(gateway, nullptr);
  Client client(*gateway);
  v1::VerifyAuditTrailResponse out;
  grpc::Status status =
      client.Call(kVerifyAudit, v1::VerifyAuditTrailRequest(), &out, kAdminKey);
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("replica 2"), HasSubstr("2 of 3"),
                             HasSubstr("must cover every replica"))));
  r1.Refuse(absl::StrCat("/", kVerifyAudit),
            errors::PermissionDenied("administrators only"));
  status =
      client.Call(kVerifyAudit, v1::VerifyAuditTrailRequest(), &out, kAdminKey);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied,
                               HasSubstr("administrators only")));
}

// ---------------------------------------------------------------------------
// Any one replica

TEST(GatewayRoutingTest, ReadsUseReplicaZeroAndFallOverWhenItIsDown) {
  FakeReplica r0, r1;
  r0.Answer(absl::StrCat("/", kGetInstrument), FromReplica(0));
  r1.Answer(absl::StrCat("/", kGetInstrument), FromReplica(1));
  const std::string down = absl::StrCat("127.0.0.1:", ClosedPort());
  v1::GetInstrumentRequest get;
  get.set_instrument_id("rss");
  v1::InstrumentDefinition out;
  {
    auto gateway = StartGateway({r0.address(), r1.address()});
    ASSERT_NE(gateway, nullptr);
    Client client(*gateway);
    ASSERT_THAT(client.Call(kGetInstrument, get, &out, kMonitorKey), IsOk());
    EXPECT_EQ(out.provenance(), "replica 0");
    EXPECT_THAT(r1.received(), IsEmpty());
  }
  {
    auto gateway = StartGateway({down, r1.address()});
    ASSERT_NE(gateway, nullptr);
    Client client(*gateway);
    for (int attempt = 0; attempt < 2; ++attempt) {  // cold, then warm
      ASSERT_THAT(client.Call(kGetInstrument, get, &out, kMonitorKey), IsOk());
      EXPECT_EQ(out.provenance(), "replica 1");
    }
    auto res = client.Json(kGetInstrument, get, kMonitorKey);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_THAT(res->body, HasSubstr("replica 1"));
  }
  {
    auto gateway =
        StartGateway({down, absl::StrCat("127.0.0.1:", ClosedPort())});
    ASSERT_NE(gateway, nullptr);
    Client client(*gateway);
    EXPECT_THAT(client.Call(kGetInstrument, get, &out, kMonitorKey),
                StatusIs(absl::StatusCode::kUnavailable,
                         HasSubstr("no replica of the assessment service")));
  }
}

// A refusal from replica 0 is an answer, not a reason to ask another.
TEST(GatewayRoutingTest, ReadsDoNotFallOverOnARefusal) {
  FakeReplica r0, r1;
  r0.Refuse(absl::StrCat("/", kGetInstrument),
            errors::NotFound("instrument", "rss"));
  auto gateway = StartGateway({r0.address(), r1.address()});
  ASSERT_NE(gateway, nullptr);
  Client client(*gateway);
  v1::GetInstrumentRequest get;
  get.set_instrument_id("rss");
  v1::InstrumentDefinition out;
  EXPECT_THAT(client.Call(kGetInstrument, get, &out, kMonitorKey),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(r1.received(), IsEmpty());
}

}  // namespace
}  // namespace homeward::gateway
