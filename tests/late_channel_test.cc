// A feed follower given a LateChannel (common/feeds/producer_channel.h) for
// a producer of its own process that does not exist yet, as the all-in-one
// does for the planning service: the follower starts, waits while the slot
// is empty, and follows as soon as the producer's in-process channel is set,
// without a restart. The producer is a real assessment server (in-process
// only) and the consumer the recording projection over a real RocksDB.
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/feeds/feed_follower.h"
#include "common/feeds/producer_channel.h"
#include "common/routing/route_table.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/recording_projection.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::IsOk;

constexpr uint32_t kPartitions = 8;
constexpr char kProducerAddress[] = "in-process:assessment";
// Generous: the machine is small and shared.
constexpr absl::Duration kCatchUpTimeout = absl::Seconds(60);

TEST(LateChannelTest, FollowerWaitsForTheChannelThenFollows) {
  testing::TempDir dir;
  auto store = storage::Store::Open(
      {.path = dir.path() + "/consumer", .partition_count = kPartitions});
  ASSERT_THAT(store, IsOk());
  testing::RecordingProjection projection;

  google::protobuf::RepeatedPtrField<homeward::internal::v1::ServiceRoute>
      routes;
  auto* route = routes.Add();
  route->set_service("assessment");
  route->add_replicas()->set_address(kProducerAddress);
  auto producer_routes =
      routing::RouteTable::Create(routes, kPartitions, "assessment");
  ASSERT_THAT(producer_routes, IsOk());
  auto late = std::make_shared<feeds::LateChannel>();
  feeds::FeedFollower::Options options;
  options.producer = *std::move(producer_routes);
  options.partitions = storage::PartitionSet::All(kPartitions);
  options.store = store->get();
  options.consumer = &projection;
  options.principal_secret = testing::kTestSecret;
  options.channels = {{kProducerAddress, late}};
  options.backoff = {absl::Milliseconds(20), absl::Milliseconds(200)};
  // The producer does not exist yet: not an error at start.
  auto follower = feeds::FeedFollower::Start(std::move(options));
  ASSERT_THAT(follower, IsOk());

  // The producer starts (in-process only) and commits an event.
  homeward::internal::v1::ServiceConfig config =
      testing::LoopbackServiceConfig(dir.path() + "/producer");
  config.clear_listen_address();
  config.set_partition_count(kPartitions);
  auto producer = assessment::AssessmentServer::Start(
      testing::WithShippedProgrammeData(config), testing::kTestSecret);
  ASSERT_THAT(producer, IsOk());
  auto cases = v1::CaseService::NewStub((*producer)->InProcessChannel());
  grpc::ClientContext context;
  testing::SignAs(
      testing::MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"}),
      &context);
  v1::Case registered;
  ASSERT_TRUE(cases
                  ->RegisterCase(&context, testing::ValidRegistration("late-1"),
                                 &registered)
                  .ok());
  const uint32_t partition =
      storage::PartitionOf(registered.case_id(), kPartitions);

  // While the slot is empty the follower cannot know of it.
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ((*follower)->AppliedSequence(partition), 0u);

  // Once the channel is set, the follower (retrying with its backoff) opens
  // the stream and applies the event.
  late->Set((*producer)->InProcessChannel());
  EXPECT_THAT((*follower)->WaitUntilApplied({{partition, 1}}, kCatchUpTimeout),
              IsOk());
  EXPECT_EQ((*follower)->refused_count(), 0u);
  (*follower)->Stop();
  (*producer)->Shutdown(absl::Seconds(1));
}

}  // namespace
}  // namespace homeward
