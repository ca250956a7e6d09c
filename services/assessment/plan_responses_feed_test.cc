// The wiring of PlanResponses in the assessment server: a stand-in planning
// producer (a service host named "planning" with nothing but its event feed,
// on a real RocksDB and a loopback port) and an assessment server whose
// config routes "planning" upstream. A PlanApproved event appended to the
// producer's outbox makes the need it answers BEING_ADDRESSED, read back
// through NeedService.
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/service/service_host.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/needs.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/assessment/plan_responses.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::assessment {
namespace {

using ::homeward::testing::kTestSecret;
using ::homeward::testing::SignAs;

// Generous: the machine is small and shared.
constexpr absl::Duration kFollowTimeout = absl::Seconds(60);

const homeward::internal::v1::Principal kManager = testing::MakePrincipal(
    "cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"});

TEST(PlanResponsesFeedTest, AnApprovedPlanOnThePlanningFeedAddressesItsNeed) {
  testing::TempDir dir;
  storage::Store* planning_store = nullptr;
  const service::ServiceDefinition planning{
      .name = "planning", .build = [&](service::ServiceParts& parts) {
        planning_store = parts.store();
        return absl::OkStatus();
      }};
  auto producer = service::ServiceHost::Start(
      planning, testing::LoopbackServiceConfig(dir.path() + "/planning"),
      kTestSecret);
  ASSERT_TRUE(producer.ok()) << producer.status();

  homeward::internal::v1::ServiceConfig service =
      testing::LoopbackServiceConfig(dir.path() + "/assessment");
  testing::AddShareRoute(service.mutable_upstream(), "planning", 64,
                         {(*producer)->port()});
  auto server = AssessmentServer::Start(
      testing::WithShippedProgrammeData(service), kTestSecret);
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = testing::LoopbackChannel((*server)->port());
  auto cases = homeward::v1::CaseService::NewStub(channel);
  auto needs = homeward::v1::NeedService::NewStub(channel);

  homeward::v1::Case registered;
  {
    auto registration = testing::ValidRegistration("feed-1");
    registration.mutable_case_()->set_programme_id("sn_reintegration");
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    grpc::Status status = cases->RegisterCase(&ctx, registration, &registered);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  homeward::v1::Need need;
  {
    homeward::v1::AddNeedRequest req;
    req.set_request_id("need-1");
    req.set_case_id(registered.case_id());
    req.mutable_need()->set_dimension(homeward::v1::DIMENSION_SOCIAL);
    req.mutable_need()->set_category("housing");
    req.mutable_need()->set_description("Rent support");
    req.mutable_need()->set_priority(homeward::v1::NEED_PRIORITY_HIGH);
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    grpc::Status status = needs->AddNeed(&ctx, req, &need);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  homeward::v1::Event approved;
  approved.set_partition(registered.partition());
  approved.set_subject_id(registered.case_id());
  approved.set_actor_user_id("sup-1");
  homeward::v1::Plan* plan = approved.mutable_plan_approved()->mutable_plan();
  plan->set_plan_id("PL1");
  plan->set_case_id(registered.case_id());
  plan->set_version(1);
  plan->set_status(homeward::v1::PLAN_STATUS_APPROVED);
  homeward::v1::PlanActivity* activity = plan->add_activities();
  activity->set_activity_id("AC1");
  activity->add_need_ids(need.need_id());
  storage::WriteSet set;
  set.AppendEvent(approved);
  ASSERT_TRUE(planning_store->Commit(std::move(set)).ok());

  const absl::Time deadline = absl::Now() + kFollowTimeout;
  homeward::v1::Need read;
  do {
    homeward::v1::GetNeedRequest req;
    req.set_case_id(registered.case_id());
    req.set_need_id(need.need_id());
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    grpc::Status status = needs->GetNeed(&ctx, req, &read);
    ASSERT_TRUE(status.ok()) << status.error_message();
    if (read.status() == homeward::v1::NEED_STATUS_BEING_ADDRESSED) break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < deadline);
  ASSERT_EQ(read.status(), homeward::v1::NEED_STATUS_BEING_ADDRESSED);
  ASSERT_EQ(read.addressed_by_size(), 1);
  EXPECT_EQ(read.addressed_by(0).id(), "PL1/AC1");
}

}  // namespace
}  // namespace homeward::assessment
