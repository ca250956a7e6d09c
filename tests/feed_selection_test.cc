// Event selection on a feed subscription (SubscribeRequest.selection): the
// producer sends a subscriber only the payloads it asked for, and in place
// of the others a bare progress event (partition, sequence, time; no
// payload) so that the subscriber's cursor moves past them and nothing is
// sent again. Against a real EventFeedService over a real RocksDB store on
// a loopback gRPC server, with events committed straight into the
// producer's outbox, and a real FeedFollower whose consumer (the recording
// projection, over its own RocksDB) declares a selection.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/principal_token.h"
#include "common/feeds/event_feed_service.h"
#include "common/feeds/feed_follower.h"
#include "common/routing/route_table.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "common/storage/write_set.h"
#include "gmock/gmock.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "homeward/v1/events.grpc.pb.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/recording_projection.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::IsOkAndHolds;
using ::homeward::testing::StatusIs;
using ::homeward::v1::Event;
using ::homeward::v1::EventSelection;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint32_t kPartitions = 4;
// Generous: the machine is small and shared.
constexpr absl::Duration kCatchUpTimeout = absl::Seconds(60);

// What a test event carries: a plan step, or an activity moved to a status.
Event PlanApproved(uint32_t partition) {
  Event e;
  e.set_partition(partition);
  e.set_subject_id("case-1");
  e.mutable_plan_approved()->mutable_plan()->set_case_id("case-1");
  return e;
}
Event PlanCancelled(uint32_t partition) {
  Event e;
  e.set_partition(partition);
  e.set_subject_id("case-1");
  e.mutable_plan_cancelled()->mutable_plan()->set_case_id("case-1");
  return e;
}
Event ActivityMoved(uint32_t partition, homeward::v1::ActivityStatus status) {
  Event e;
  e.set_partition(partition);
  e.set_subject_id("case-1");
  auto* changed = e.mutable_activity_status_changed();
  changed->set_case_id("case-1");
  changed->mutable_activity()->set_activity_id("a-1");
  changed->mutable_activity()->set_status(status);
  return e;
}

// What the consumers below want: cancellations, and activities dropped.
EventSelection DroppedAndCancelled() {
  EventSelection selection;
  selection.add_payloads(Event::kActivityStatusChanged);
  selection.add_payloads(Event::kPlanCancelled);
  selection.add_activity_statuses(homeward::v1::ACTIVITY_STATUS_DROPPED);
  return selection;
}

// A producer: a store and its EventFeedService on a loopback port.
class Producer {
 public:
  explicit Producer(const std::string& path)
      : verifier_(testing::kTestSecret, absl::Minutes(5)) {
    auto store =
        storage::Store::Open({.path = path, .partition_count = kPartitions});
    EXPECT_THAT(store, IsOk());
    store_ = *std::move(store);
    feed_ = std::make_unique<feeds::EventFeedService>(store_.get(), &owned_,
                                                      &verifier_);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(feed_.get());
    server_ = builder.BuildAndStart();
  }
  ~Producer() { server_->Shutdown(absl::ToChronoTime(absl::Now())); }

  // Commits `events` (each in its own partition's outbox), in order.
  void Append(std::vector<Event> events) {
    storage::WriteSet set;
    for (Event& e : events) set.AppendEvent(std::move(e));
    EXPECT_THAT(store_->Commit(std::move(set)), IsOk());
  }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  std::shared_ptr<grpc::Channel> channel() const {
    return server_->InProcessChannel(grpc::ChannelArguments());
  }
  storage::Store* store() { return store_.get(); }

  // A replay of `partitions` with `selection`: the events sent, or the
  // stream's status when it fails.
  absl::StatusOr<std::vector<Event>> Replay(
      const std::vector<uint32_t>& partitions,
      const EventSelection* selection) {
    auto feed = homeward::v1::EventFeedService::NewStub(channel());
    grpc::ClientContext context;
    testing::SignAs(
        testing::MakePrincipal("test-consumer", homeward::v1::ROLE_SERVICE, {}),
        &context);
    homeward::v1::SubscribeRequest request;
    request.set_replay_only(true);
    for (uint32_t p : partitions) request.add_cursors()->set_partition(p);
    if (selection != nullptr) *request.mutable_selection() = *selection;
    auto reader = feed->Subscribe(&context, request);
    std::vector<Event> events;
    Event e;
    while (reader->Read(&e)) events.push_back(e);
    const grpc::Status status = reader->Finish();
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    }
    return events;
  }

 private:
  storage::PartitionSet owned_ = storage::PartitionSet::All(kPartitions);
  auth::PrincipalVerifier verifier_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<feeds::EventFeedService> feed_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// "sequence:payload" of each event, payload by field number (0: none).
std::vector<std::string> Summary(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) {
    out.push_back(absl::StrCat(e.partition(), "/", e.sequence(), ":",
                               static_cast<int>(e.payload_case())));
  }
  return out;
}

TEST(FeedSelectionTest, ProducerSendsOnlySelectedPayloadsAndMarksTheRest) {
  testing::TempDir dir;
  Producer producer(dir.path() + "/producer");
  // Partition 0: approved (1), done (2), dropped (3), cancelled (4),
  // in progress (5). Partition 1: nothing selected (1, 2).
  producer.Append({PlanApproved(0),
                   ActivityMoved(0, homeward::v1::ACTIVITY_STATUS_DONE),
                   ActivityMoved(0, homeward::v1::ACTIVITY_STATUS_DROPPED),
                   PlanCancelled(0),
                   ActivityMoved(0, homeward::v1::ACTIVITY_STATUS_IN_PROGRESS),
                   PlanApproved(1), PlanApproved(1)});

  // Without a selection, everything, as before.
  auto all_or = producer.Replay({0, 1}, nullptr);
  ASSERT_THAT(all_or, IsOk());
  std::vector<Event> all = *std::move(all_or);
  EXPECT_EQ(all.size(), 7u);

  const EventSelection selection = DroppedAndCancelled();
  auto some_or = producer.Replay({0, 1}, &selection);
  ASSERT_THAT(some_or, IsOk());
  std::vector<Event> some = *std::move(some_or);
  // The dropped activity and the cancellation with their payloads; the
  // skipped tail of each partition as one bare event at its last sequence
  // (each partition in order; partitions interleave as they are read).
  std::map<uint32_t, std::vector<Event>> by_partition;
  for (const Event& e : some) by_partition[e.partition()].push_back(e);
  EXPECT_THAT(Summary(by_partition[0]),
              ElementsAre("0/3:21", "0/4:23", "0/5:0"));
  EXPECT_THAT(Summary(by_partition[1]), ElementsAre("1/2:0"));
  EXPECT_EQ(by_partition[0][0].activity_status_changed().activity().status(),
            homeward::v1::ACTIVITY_STATUS_DROPPED);
  // A progress event carries its skipped event's commit time (for lag).
  EXPECT_TRUE(by_partition[0][2].has_time());
  EXPECT_EQ(by_partition[0][2].time().seconds(), all[4].time().seconds());
  EXPECT_TRUE(by_partition[0][2].subject_id().empty());

  // Payloads alone, every activity status.
  EventSelection kinds;
  kinds.add_payloads(Event::kActivityStatusChanged);
  auto activities_or = producer.Replay({0}, &kinds);
  ASSERT_THAT(activities_or, IsOk());
  std::vector<Event> activities = *std::move(activities_or);
  EXPECT_THAT(Summary(activities), ElementsAre("0/2:21", "0/3:21", "0/5:21"));
}

TEST(FeedSelectionTest, ProducerRefusesAPayloadThatIsNoEventPayload) {
  testing::TempDir dir;
  Producer producer(dir.path() + "/producer");
  EventSelection selection;
  selection.add_payloads(Event::kPlanApproved);
  selection.add_payloads(3);  // Event.time: a field, but not a payload
  EXPECT_THAT(producer.Replay({0}, &selection),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("selection.payloads[1]")));
}

// The recording projection, asking for dropped activities and
// cancellations only.
class SelectiveProjection : public testing::RecordingProjection {
 public:
  EventSelection Selection() const override { return DroppedAndCancelled(); }
};

feeds::FeedFollower::Options FollowerOptions(const Producer& producer,
                                             storage::Store* store,
                                             feeds::EventConsumer* consumer) {
  google::protobuf::RepeatedPtrField<homeward::internal::v1::ServiceRoute>
      routes;
  auto* route = routes.Add();
  route->set_service("planning");
  route->add_replicas()->set_address(producer.address());
  auto producer_routes =
      routing::RouteTable::Create(routes, kPartitions, "planning");
  EXPECT_THAT(producer_routes, IsOk());
  feeds::FeedFollower::Options options;
  options.producer = *std::move(producer_routes);
  options.partitions = storage::PartitionSet::All(kPartitions);
  options.store = store;
  options.consumer = consumer;
  options.principal_secret = testing::kTestSecret;
  options.backoff = {absl::Milliseconds(20), absl::Milliseconds(200)};
  return options;
}

TEST(FeedSelectionTest, FollowerAppliesTheSelectionAndItsCursorPassesTheRest) {
  testing::TempDir dir;
  Producer producer(dir.path() + "/producer");
  auto store = storage::Store::Open(
      {.path = dir.path() + "/consumer", .partition_count = kPartitions});
  ASSERT_THAT(store, IsOk());
  SelectiveProjection projection;
  std::vector<uint64_t> seen;  // on_applied: events with a payload only
  absl::Mutex seen_mu;

  producer.Append(
      {PlanApproved(0), ActivityMoved(0, homeward::v1::ACTIVITY_STATUS_DROPPED),
       ActivityMoved(0, homeward::v1::ACTIVITY_STATUS_DONE), PlanApproved(2)});
  {
    auto options = FollowerOptions(producer, store->get(), &projection);
    options.on_applied = [&](const Event& e, absl::Time) {
      absl::MutexLock lock(&seen_mu);
      seen.push_back(e.sequence());
    };
    auto follower_or = feeds::FeedFollower::Start(std::move(options));
    ASSERT_THAT(follower_or, IsOk());
    auto follower = *std::move(follower_or);
    // The cursors reach the skipped tails: nothing waits.
    EXPECT_THAT(follower->WaitUntilApplied({{0, 3}, {2, 1}}, kCatchUpTimeout),
                IsOk());
    EXPECT_EQ(follower->refused_count(), 0u);
    follower->Stop();
  }
  EXPECT_THAT(store->get()->GetCursor(projection.name(), 0), IsOkAndHolds(3u));
  EXPECT_THAT(store->get()->GetCursor(projection.name(), 2), IsOkAndHolds(1u));
  {
    absl::MutexLock lock(&seen_mu);
    EXPECT_THAT(seen, ElementsAre(2u));
  }

  // More events while the follower is down; a new follower resumes past the
  // skipped ones (a second application of an event would fail the
  // projection's precondition and stall the partition).
  producer.Append({ActivityMoved(0, homeward::v1::ACTIVITY_STATUS_IN_PROGRESS),
                   PlanCancelled(0), PlanApproved(0)});
  {
    auto follower_or = feeds::FeedFollower::Start(
        FollowerOptions(producer, store->get(), &projection));
    ASSERT_THAT(follower_or, IsOk());
    auto follower = *std::move(follower_or);
    EXPECT_THAT(follower->WaitUntilApplied({{0, 6}}, kCatchUpTimeout), IsOk());
    EXPECT_EQ(follower->refused_count(), 0u);
    follower->Stop();
  }
  auto recorded_or = testing::ReadRecordedEvents(**store, {0, 1, 2, 3});
  ASSERT_THAT(recorded_or, IsOk());
  auto recorded = *std::move(recorded_or);
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_THAT(Summary(recorded[0]), ElementsAre("0/2:21", "0/5:23"));
  EXPECT_THAT(store->get()->GetCursor(projection.name(), 0), IsOkAndHolds(6u));
}

}  // namespace
}  // namespace homeward
