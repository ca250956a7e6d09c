// A feed follower given a LateChannel (common/feeds/producer_channel.h) for
// a producer of its own process, as the all-in-one does for its two
// services: the follower starts before the producer exists, waits while the
// slot is empty, and follows as soon as the producer's in-process channel is
// set, without a restart; once the channel is revoked, the producer can go
// while the follower runs on. The producer is a real assessment server
// (in-process only) and the consumer the recording projection over a real
// RocksDB.
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
namespace v1 = ::homeward::v1;

constexpr uint32_t kPartitions = 8;
constexpr char kProducerAddress[] = "in-process:assessment";
// Generous: the machine is small and shared.
constexpr absl::Duration kCatchUpTimeout = absl::Seconds(60);

// Options following the one in-process assessment replica over `channel`.
feeds::FeedFollower::Options FollowerOptions(
    storage::Store* store, feeds::EventConsumer* consumer,
    std::shared_ptr<feeds::LateChannel> channel) {
  google::protobuf::RepeatedPtrField<homeward::internal::v1::ServiceRoute>
      routes;
  auto* route = routes.Add();
  route->set_service("assessment");
  route->add_replicas()->set_address(kProducerAddress);
  auto producer_routes =
      routing::RouteTable::Create(routes, kPartitions, "assessment");
  EXPECT_THAT(producer_routes, IsOk());
  feeds::FeedFollower::Options options;
  options.producer = *std::move(producer_routes);
  options.partitions = storage::PartitionSet::All(kPartitions);
  options.store = store;
  options.consumer = consumer;
  options.principal_secret = testing::kTestSecret;
  options.channels = {{kProducerAddress, std::move(channel)}};
  options.backoff = {absl::Milliseconds(20), absl::Milliseconds(200)};
  return options;
}

// An assessment replica serving in-process only, with the shipped programme
// data.
std::unique_ptr<assessment::AssessmentServer> StartProducer(
    const std::string& data_dir) {
  homeward::internal::v1::ServiceConfig config =
      testing::LoopbackServiceConfig(data_dir);
  config.clear_listen_address();
  config.set_partition_count(kPartitions);
  auto producer = assessment::AssessmentServer::Start(
      testing::WithShippedProgrammeData(config), testing::kTestSecret);
  EXPECT_THAT(producer, IsOk());
  return producer.ok() ? *std::move(producer) : nullptr;
}

// Registers a case on `producer` (one event); its partition.
uint32_t RegisterCase(assessment::AssessmentServer& producer,
                      const std::string& request_id) {
  auto cases = v1::CaseService::NewStub(producer.InProcessChannel());
  grpc::ClientContext context;
  testing::SignAs(
      testing::MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"}),
      &context);
  v1::Case registered;
  const grpc::Status status = cases->RegisterCase(
      &context, testing::ValidRegistration(request_id), &registered);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return storage::PartitionOf(registered.case_id(), kPartitions);
}

TEST(LateChannelTest, FollowerWaitsForTheChannelThenFollows) {
  testing::TempDir dir;
  auto store = storage::Store::Open(
      {.path = dir.path() + "/consumer", .partition_count = kPartitions});
  ASSERT_THAT(store, IsOk());
  testing::RecordingProjection projection;
  auto late = std::make_shared<feeds::LateChannel>();
  // The producer does not exist yet: not an error at start.
  auto follower = feeds::FeedFollower::Start(
      FollowerOptions(store->get(), &projection, late));
  ASSERT_THAT(follower, IsOk());

  // The producer starts and commits an event.
  auto producer = StartProducer(dir.path() + "/producer");
  ASSERT_NE(producer, nullptr);
  const uint32_t partition = RegisterCase(*producer, "late-1");

  // While the slot is empty the follower cannot know of it.
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ((*follower)->AppliedSequence(partition), 0u);

  // Once the channel is set, the follower (retrying with its backoff) opens
  // the stream and applies the event.
  late->Set(producer->InProcessChannel());
  EXPECT_THAT((*follower)->WaitUntilApplied({{partition, 1}}, kCatchUpTimeout),
              IsOk());
  EXPECT_EQ((*follower)->refused_count(), 0u);
  late->Revoke();
  (*follower)->Stop();
  producer->Shutdown(absl::Seconds(1));
}

// gRPC crashes when a call is started over the in-process channel of a
// server that is gone. A revoked channel is never called again, so the
// producer can stop and go while its follower keeps reconnecting; and a
// channel set again (the producer restarted) is followed from where it was.
TEST(LateChannelTest, RevokedChannelLetsTheProducerGoWhileTheFollowerRuns) {
  testing::TempDir dir;
  auto store = storage::Store::Open(
      {.path = dir.path() + "/consumer", .partition_count = kPartitions});
  ASSERT_THAT(store, IsOk());
  testing::RecordingProjection projection;
  auto late = std::make_shared<feeds::LateChannel>();
  auto producer = StartProducer(dir.path() + "/producer");
  ASSERT_NE(producer, nullptr);
  late->Set(producer->InProcessChannel());
  auto follower = feeds::FeedFollower::Start(
      FollowerOptions(store->get(), &projection, late));
  ASSERT_THAT(follower, IsOk());
  const uint32_t first = RegisterCase(*producer, "revoke-1");
  ASSERT_THAT((*follower)->WaitUntilApplied({{first, 1}}, kCatchUpTimeout),
              IsOk());

  late->Revoke();
  producer->Shutdown(absl::Seconds(1));
  producer.reset();
  // The stream ended with the server; the follower retries every 20..200
  // ms meanwhile, and must not start a call on the channel.
  absl::SleepFor(absl::Seconds(1));

  producer = StartProducer(dir.path() + "/producer");
  ASSERT_NE(producer, nullptr);
  const uint32_t second = RegisterCase(*producer, "revoke-2");
  late->Set(producer->InProcessChannel());
  const uint64_t expected = second == first ? 2 : 1;
  EXPECT_THAT(
      (*follower)->WaitUntilApplied({{second, expected}}, kCatchUpTimeout),
      IsOk());
  EXPECT_EQ((*follower)->refused_count(), 0u);
  late->Revoke();
  (*follower)->Stop();
  producer->Shutdown(absl::Seconds(1));
}

}  // namespace
}  // namespace homeward
