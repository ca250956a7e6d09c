// Event retention wired into the services: a planning replica following an
// assessment replica (both real servers on loopback ports, real RocksDB)
// registers its feed consumer with the assessment replica for every
// partition it follows (service::FollowUpstream starts the registration
// beside the follower), and the assessment replica lists it.
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "homeward/v1/events.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/planning/planning_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/planning_server.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

constexpr uint32_t kPartitions = 4;
// Generous: the machine is small and shared.
constexpr absl::Duration kTimeout = absl::Seconds(60);

TEST(EventRetentionServicesTest, AFollowingServiceRegistersItsConsumer) {
  testing::TempDir dir;
  auto assessment_config =
      testing::LoopbackServiceConfig(dir.path() + "/assessment");
  assessment_config.set_partition_count(kPartitions);
  auto assessment = assessment::AssessmentServer::Start(
      testing::WithShippedProgrammeData(assessment_config),
      testing::kTestSecret);
  ASSERT_TRUE(assessment.ok()) << assessment.status();

  auto planning_config =
      testing::LoopbackServiceConfig(dir.path() + "/planning");
  planning_config.set_partition_count(kPartitions);
  testing::AddShareRoute(planning_config.mutable_upstream(), "assessment",
                         kPartitions, {(*assessment)->port()});
  auto planning = planning::PlanningServer::Start(
      testing::WithShippedPlanningData(planning_config), testing::kTestSecret);
  ASSERT_TRUE(planning.ok()) << planning.status();

  auto feed = homeward::v1::EventFeedService::NewStub(
      testing::LoopbackChannel((*assessment)->port()));
  const absl::Time deadline = absl::Now() + kTimeout;
  homeward::v1::ListConsumersResponse list;
  while (true) {
    grpc::ClientContext context;
    testing::SignAs(
        testing::MakePrincipal("operator", homeward::v1::ROLE_SERVICE, {}),
        &context);
    list.Clear();
    const grpc::Status status = feed->ListConsumers(
        &context, homeward::v1::ListConsumersRequest(), &list);
    ASSERT_TRUE(status.ok()) << status.error_message();
    if (list.consumers_size() > 0 &&
        list.consumers(0).partitions_size() == kPartitions) {
      break;
    }
    ASSERT_LT(absl::Now(), deadline) << list.DebugString();
    absl::SleepFor(absl::Milliseconds(100));
  }
  for (const auto& consumer : list.consumers()) {
    EXPECT_FALSE(consumer.consumer().empty());
    for (const auto& p : consumer.partitions()) {
      EXPECT_EQ(p.applied_sequence(), 0u) << consumer.consumer();
      EXPECT_FALSE(p.behind()) << consumer.consumer();
    }
  }
  (*planning)->Shutdown(absl::Seconds(1));
  (*assessment)->Shutdown(absl::Seconds(1));
}

}  // namespace
}  // namespace homeward
