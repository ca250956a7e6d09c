// Two assessment replicas, each owning half of the partitions, behind one
// gateway over real loopback sockets: every case lands on the replica that
// owns its partition and only there, and a list through the gateway returns
// every case from both replicas, page by page, with no duplicates or gaps.
// With two planning replicas beside them (the same halves, following both
// assessment replicas' feeds), a plan lands on the planning replica owning
// its case's partition, and the other refuses it.
#include <set>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "common/storage/ids.h"
#include "common/storage/partitions.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/method_table.h"
#include "services/planning/planning_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/planning_server.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::testing::ValidRegistration;
using ::homeward::v1::CaseService;
using ::homeward::v1::PlanService;
using ::testing::HasSubstr;

// The gateway cannot include the planning service's header (services share
// no headers), so it names the backend itself: the two must agree.
static_assert(std::string_view(gateway::kPlanningService) ==
                  std::string_view(planning::kPlanningBackend),
              "the gateway's planning backend is not the planning service's");

constexpr uint32_t kPartitions = 64;
const auto kManager =
    MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"});
const auto kThiesManager =
    MakePrincipal("cm-9", homeward::v1::ROLE_CASE_MANAGER, {"office-thies"});

class TwoReplicaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int r = 0; r < 2; ++r) {
      homeward::internal::v1::ServiceConfig config =
          testing::LoopbackServiceConfig(
              absl::StrCat(dir_.path(), "/replica", r));
      config.set_partition_count(kPartitions);
      *config.add_owned_partitions() = testing::ShareOf(r, 2, kPartitions);
      auto server = assessment::AssessmentServer::Start(
          testing::WithShippedProgrammeData(config), testing::kTestSecret);
      ASSERT_TRUE(server.ok()) << server.status();
      replicas_[r] = std::move(server).value();
      direct_[r] =
          CaseService::NewStub(testing::LoopbackChannel(replicas_[r]->port()));
    }
    const std::vector<int> assessment_ports = {replicas_[0]->port(),
                                               replicas_[1]->port()};
    if (with_planning_) {
      for (int r = 0; r < 2; ++r) {
        homeward::internal::v1::ServiceConfig config =
            testing::LoopbackServiceConfig(
                absl::StrCat(dir_.path(), "/planning", r));
        config.set_partition_count(kPartitions);
        *config.add_owned_partitions() = testing::ShareOf(r, 2, kPartitions);
        testing::AddShareRoute(config.mutable_upstream(),
                               gateway::kAssessmentService, kPartitions,
                               assessment_ports);
        auto server = planning::PlanningServer::Start(
            testing::WithShippedPlanningData(config), testing::kTestSecret);
        ASSERT_TRUE(server.ok()) << server.status();
        planners_[r] = std::move(server).value();
        direct_plans_[r] = PlanService::NewStub(
            testing::LoopbackChannel(planners_[r]->port()));
      }
    }
    gateway::GatewayServer::Options options;
    options.config.set_grpc_listen_address("127.0.0.1:0");
    testing::RouteShares(options.config, kPartitions, assessment_ports);
    if (with_planning_) {
      testing::AddShareRoute(options.config.mutable_routes(),
                             gateway::kPlanningService, kPartitions,
                             {planners_[0]->port(), planners_[1]->port()});
    }
    options.principal_secret = testing::kTestSecret;
    *options.api_keys.add_keys() = gateway::MakeApiKey("k", kKey, kManager);
    *options.api_keys.add_keys() =
        gateway::MakeApiKey("t", kThiesKey, kThiesManager);
    auto gw = gateway::GatewayServer::Start(std::move(options));
    ASSERT_TRUE(gw.ok()) << gw.status();
    gateway_ = std::move(gw).value();
    stub_ =
        CaseService::NewStub(testing::LoopbackChannel(gateway_->grpc_port()));
    plans_ =
        PlanService::NewStub(testing::LoopbackChannel(gateway_->grpc_port()));
  }

  void Authorize(
      grpc::ClientContext* ctx,
      const std::string& key = "hw_test_key_for_two_replicas_0123456789") {
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", key));
  }

  static int ReplicaOf(const std::string& case_id) {
    return storage::PartitionOf(case_id, kPartitions) < kPartitions / 2 ? 0 : 1;
  }

  const std::string kKey = "hw_test_key_for_two_replicas_0123456789";
  const std::string kThiesKey = "hw_test_key_for_thies_office_0123456789";
  // Set by a test fixture that also runs two planning replicas.
  bool with_planning_ = false;
  TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> replicas_[2];
  std::unique_ptr<CaseService::Stub> direct_[2];
  std::unique_ptr<planning::PlanningServer> planners_[2];
  std::unique_ptr<PlanService::Stub> direct_plans_[2];
  std::unique_ptr<gateway::GatewayServer> gateway_;
  std::unique_ptr<CaseService::Stub> stub_;
  std::unique_ptr<PlanService::Stub> plans_;
};

homeward::v1::Date Day(int year, int month, int day) {
  homeward::v1::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

// The type of the google.rpc.PreconditionFailure a refusal carries.
std::string PreconditionTypeOf(const grpc::Status& status) {
  const auto payload =
      FromGrpcStatus(status).GetPayload(errors::kPreconditionFailureTypeUrl);
  google::rpc::PreconditionFailure failure;
  if (!payload.has_value() || !failure.ParseFromString(std::string(*payload)) ||
      failure.violations_size() != 1) {
    return "";
  }
  return failure.violations(0).type();
}

class TwoReplicaPlanningTest : public TwoReplicaTest {
 protected:
  TwoReplicaPlanningTest() { with_planning_ = true; }
};

TEST_F(TwoReplicaTest,
       CasesLiveOnTheirOwnersAndListsMergeWithoutGapsOrDuplicates) {
  std::set<std::string> registered;
  std::set<std::string> on_replica[2];
  for (int i = 0; i < 60; ++i) {
    grpc::ClientContext ctx;
    Authorize(&ctx);
    homeward::v1::Case c;
    ASSERT_TRUE(
        stub_
            ->RegisterCase(&ctx, ValidRegistration(absl::StrCat("two-", i)), &c)
            .ok());
    registered.insert(c.case_id());
    int owner = storage::PartitionOf(c.case_id(), kPartitions) < kPartitions / 2
                    ? 0
                    : 1;
    on_replica[owner].insert(c.case_id());
  }
  // Both replicas received cases, so the test exercises the routing.
  ASSERT_FALSE(on_replica[0].empty());
  ASSERT_FALSE(on_replica[1].empty());

  // Stored on the owner, and only there: each replica's own list holds
  // exactly its cases, and the other replica refuses the id.
  for (int r = 0; r < 2; ++r) {
    std::set<std::string> stored;
    homeward::v1::ListCasesRequest req;
    req.mutable_page()->set_page_size(500);
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    homeward::v1::ListCasesResponse resp;
    ASSERT_TRUE(direct_[r]->ListCases(&ctx, req, &resp).ok());
    for (const auto& c : resp.cases()) stored.insert(c.case_id());
    EXPECT_EQ(stored, on_replica[r]) << "replica " << r;
    for (const auto& id : on_replica[1 - r]) {
      grpc::ClientContext get_ctx;
      SignAs(kManager, &get_ctx);
      homeward::v1::GetCaseRequest get;
      get.set_case_id(id);
      homeward::v1::Case out;
      EXPECT_THAT(direct_[r]->GetCase(&get_ctx, get, &out),
                  StatusIs(absl::StatusCode::kFailedPrecondition));
    }
  }

  // Through the gateway: every case, page by page, once.
  for (int page_size : {1, 7, 25, 500}) {
    std::multiset<std::string> seen;
    homeward::v1::ListCasesRequest req;
    req.mutable_page()->set_page_size(page_size);
    int pages = 0;
    do {
      grpc::ClientContext ctx;
      Authorize(&ctx);
      homeward::v1::ListCasesResponse resp;
      ASSERT_TRUE(stub_->ListCases(&ctx, req, &resp).ok());
      EXPECT_LE(resp.cases_size(), page_size);
      for (const auto& c : resp.cases()) seen.insert(c.case_id());
      req.mutable_page()->set_page_token(resp.next_page_token());
      ++pages;
    } while (!req.page().page_token().empty() && pages < 1000);
    EXPECT_EQ(seen.size(), registered.size()) << "page size " << page_size;
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), registered)
        << "page size " << page_size;
  }

  // Gets through the gateway reach whichever replica owns the case.
  for (const auto& id : registered) {
    grpc::ClientContext ctx;
    Authorize(&ctx);
    homeward::v1::GetCaseRequest get;
    get.set_case_id(id);
    homeward::v1::Case out;
    ASSERT_TRUE(stub_->GetCase(&ctx, get, &out).ok()) << id;
    EXPECT_EQ(out.case_id(), id);
  }
}

// Registration request ids are scoped by office, and the gateway derives the
// same case id as the service before the case exists: two offices using one
// simple id get two cases, each on the replica owning its partition.
TEST_F(TwoReplicaTest, ScopedRegistrationsAreRoutedToTheReplicaThatOwnsThem) {
  // An id whose two scoped cases fall on different replicas.
  std::string request_id;
  for (int i = 0; i < 1000 && request_id.empty(); ++i) {
    const std::string id = absl::StrCat("demo-", i);
    if (ReplicaOf(storage::CaseIdForRequest("office-dakar", id)) !=
        ReplicaOf(storage::CaseIdForRequest("office-thies", id))) {
      request_id = id;
    }
  }
  ASSERT_FALSE(request_id.empty())
      << "the office does not change the case id a request id derives";
  struct Office {
    std::string office;
    std::string manager;
    std::string key;
    homeward::internal::v1::Principal principal;
  };
  const Office offices[] = {
      {"office-dakar", "cm-1", kKey, kManager},
      {"office-thies", "cm-9", kThiesKey, kThiesManager},
  };
  std::set<std::string> ids;
  for (const Office& o : offices) {
    const std::string expected =
        storage::CaseIdForRequest(o.office, request_id);
    for (int attempt = 0; attempt < 2; ++attempt) {  // the replay too
      grpc::ClientContext ctx;
      Authorize(&ctx, o.key);
      homeward::v1::Case created;
      grpc::Status status = stub_->RegisterCase(
          &ctx, ValidRegistration(request_id, o.office, o.manager), &created);
      ASSERT_TRUE(status.ok()) << o.office << ": " << status.error_message();
      EXPECT_EQ(created.case_id(), expected) << o.office;
      EXPECT_EQ(created.office_id(), o.office);
      ids.insert(created.case_id());
    }
    // Stored on the owning replica, and only there.
    const int owner = ReplicaOf(expected);
    for (int r = 0; r < 2; ++r) {
      grpc::ClientContext ctx;
      SignAs(o.principal, &ctx);
      homeward::v1::GetCaseRequest get;
      get.set_case_id(expected);
      homeward::v1::Case out;
      grpc::Status status = direct_[r]->GetCase(&ctx, get, &out);
      if (r == owner) {
        EXPECT_TRUE(status.ok()) << status.error_message();
      } else {
        EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition));
      }
    }
  }
  EXPECT_EQ(ids.size(), 2u);
}

// Two planning replicas behind the gateway, each owning the half of the
// partitions its assessment twin owns and following both assessment
// replicas: a plan for a case of either half is created and read through
// the gateway, and it lives on the planning replica owning the case's
// partition only; the other replica refuses the case, also a CreatePlan sent
// to it directly; the overdue queue lists the cases of both.
TEST_F(TwoReplicaPlanningTest, PlansLiveOnThePlanningReplicaOwningTheCase) {
  // One registered case per half.
  std::string case_of[2];
  for (int i = 0; i < 200 && (case_of[0].empty() || case_of[1].empty()); ++i) {
    grpc::ClientContext ctx;
    Authorize(&ctx);
    homeward::v1::Case c;
    ASSERT_TRUE(stub_
                    ->RegisterCase(
                        &ctx, ValidRegistration(absl::StrCat("plan-", i)), &c)
                    .ok());
    std::string& slot = case_of[ReplicaOf(c.case_id())];
    if (slot.empty()) slot = c.case_id();
  }
  ASSERT_FALSE(case_of[0].empty());
  ASSERT_FALSE(case_of[1].empty());

  for (int owner = 0; owner < 2; ++owner) {
    const std::string& case_id = case_of[owner];
    homeward::v1::CreatePlanRequest create;
    create.set_request_id(absl::StrCat("create-", owner));
    create.mutable_plan()->set_case_id(case_id);
    create.mutable_plan()->set_returnee_objectives("Restart the family shop");
    // NOT_FOUND until the owner has applied the case's registration event.
    // Generous: the machine is loaded.
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    grpc::Status status;
    homeward::v1::Plan created;
    do {
      grpc::ClientContext ctx;
      Authorize(&ctx);
      status = plans_->CreatePlan(&ctx, create, &created);
      if (status.error_code() != grpc::StatusCode::NOT_FOUND) break;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    ASSERT_TRUE(status.ok()) << case_id << ": " << status.error_message();
    EXPECT_EQ(created.case_id(), case_id);
    EXPECT_EQ(created.version(), 1);

    {
      grpc::ClientContext ctx;
      Authorize(&ctx);
      homeward::v1::GetPlanRequest get;
      get.set_case_id(case_id);
      homeward::v1::Plan read;
      ASSERT_TRUE(plans_->GetPlan(&ctx, get, &read).ok()) << case_id;
      EXPECT_EQ(read.plan_id(), created.plan_id());
    }

    // Stored on the owner, and only there.
    for (int r = 0; r < 2; ++r) {
      grpc::ClientContext ctx;
      SignAs(kManager, &ctx);
      homeward::v1::GetPlanRequest get;
      get.set_case_id(case_id);
      homeward::v1::Plan read;
      const grpc::Status direct = direct_plans_[r]->GetPlan(&ctx, get, &read);
      if (r == owner) {
        EXPECT_TRUE(direct.ok()) << direct.error_message();
        EXPECT_EQ(read.plan_id(), created.plan_id());
      } else {
        EXPECT_THAT(direct, StatusIs(absl::StatusCode::kFailedPrecondition,
                                     HasSubstr("does not own")));
      }
    }

    // A plan for the case sent to the other replica directly is refused
    // there, and nothing is created on it.
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    homeward::v1::CreatePlanRequest elsewhere = create;
    elsewhere.set_request_id(absl::StrCat("elsewhere-", owner));
    homeward::v1::Plan refused;
    const grpc::Status not_owned =
        direct_plans_[1 - owner]->CreatePlan(&ctx, elsewhere, &refused);
    EXPECT_THAT(not_owned, StatusIs(absl::StatusCode::kFailedPrecondition,
                                    HasSubstr("does not own")));
    EXPECT_EQ(PreconditionTypeOf(not_owned), "PARTITION_NOT_OWNED");
  }

  // The overdue-plan queue fans out over both planning replicas: every case
  // registered (returned 2025-10-01, its plan not approved) is overdue by
  // 2026-06-01, whichever replica holds it, once.
  std::multiset<std::string> overdue;
  homeward::v1::ListOverduePlansRequest list;
  *list.mutable_as_of() = Day(2026, 6, 1);
  list.mutable_page()->set_page_size(2);
  int pages = 0;
  do {
    grpc::ClientContext ctx;
    Authorize(&ctx);
    homeward::v1::ListOverduePlansResponse page;
    const grpc::Status listed = plans_->ListOverduePlans(&ctx, list, &page);
    ASSERT_TRUE(listed.ok()) << listed.error_message();
    for (const auto& plan : page.plans()) overdue.insert(plan.case_id());
    list.mutable_page()->set_page_token(page.next_page_token());
  } while (!list.page().page_token().empty() && ++pages < 1000);
  EXPECT_EQ(overdue.count(case_of[0]), 1u);
  EXPECT_EQ(overdue.count(case_of[1]), 1u);
}

}  // namespace
}  // namespace homeward
