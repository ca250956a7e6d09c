// The replica side of moving partitions (PartitionMoveService,
// common/service/partition_move_service.h) between real replicas: service
// hosts on loopback port 0 with RocksDB in temporary directories, called
// over gRPC as the moves tool calls them. A producer's partition moves and
// its follower switches producer replica through the upstream route file;
// a follower's own partition moves and the new owner continues from the
// imported cursor; imports are refused over data; ownership is kept in the
// store across restarts.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/feeds/feed_follower.h"
#include "common/routing/route_map_file.h"
#include "common/service/service_host.h"
#include "common/service/upstream_feed.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/operations.grpc.pb.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/recording_projection.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::internal::v1::PartitionChunk;
using ::homeward::internal::v1::PartitionMoveService;
using ::homeward::internal::v1::PartitionsRequest;
using ::homeward::internal::v1::PartitionState;
using ::homeward::internal::v1::RouteMap;
using ::homeward::internal::v1::ServiceConfig;
using ::homeward::testing::IsOkAndHolds;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::v1::Event;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr uint32_t kPartitions = 8;
// Generous: the machine is small and shared.
constexpr absl::Duration kCatchUp = absl::Seconds(60);

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

// One service replica on a host: a producer (events appended straight to
// its store) or a follower of the "assessment" producer recording every
// event it applies.
struct Replica {
  std::string name;
  ServiceConfig config;
  bool follows = false;
  std::unique_ptr<service::ServiceHost> host;
  storage::Store* store = nullptr;
  feeds::FeedFollower* follower = nullptr;
  std::unique_ptr<PartitionMoveService::Stub> stub;

  absl::Status Start() {
    service::ServiceDefinition definition{
        .name = follows ? "planning" : "assessment",
        .build = [this](service::ServiceParts& parts) -> absl::Status {
          store = parts.store();
          if (!follows) return absl::OkStatus();
          auto* projection =
              parts.Own(std::make_unique<testing::RecordingProjection>());
          absl::StatusOr<feeds::FeedFollower*> started =
              service::FollowUpstream(parts, "assessment", projection);
          if (!started.ok()) return started.status();
          follower = *started;
          return absl::OkStatus();
        }};
    absl::StatusOr<std::unique_ptr<service::ServiceHost>> started =
        service::ServiceHost::Start(definition, config, testing::kTestSecret);
    if (!started.ok()) return started.status();
    host = *std::move(started);
    // Same port on a restart: the route file names it.
    config.set_listen_address(absl::StrCat("127.0.0.1:", host->port()));
    stub =
        PartitionMoveService::NewStub(testing::LoopbackChannel(host->port()));
    return absl::OkStatus();
  }
  void Stop() {
    host.reset();
    store = nullptr;
    follower = nullptr;
  }
  std::string address() const { return config.listen_address(); }

  void Sign(grpc::ClientContext* context,
            homeward::v1::Role role = homeward::v1::ROLE_ADMINISTRATOR) {
    testing::SignAs(testing::MakePrincipal("operator", role, {}), context);
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  }
  using Step = grpc::Status (PartitionMoveService::Stub::*)(
      grpc::ClientContext*, const PartitionsRequest&, PartitionState*);
  absl::StatusOr<PartitionState> Call(Step step,
                                      const std::vector<uint32_t>& partitions) {
    grpc::ClientContext context;
    Sign(&context);
    PartitionsRequest request;
    for (uint32_t p : partitions) request.add_partitions(p);
    PartitionState state;
    grpc::Status s = (stub.get()->*step)(&context, request, &state);
    if (!s.ok()) return FromGrpc(s);
    return state;
  }
  absl::StatusOr<PartitionState> State() {
    grpc::ClientContext context;
    Sign(&context);
    PartitionState state;
    grpc::Status s = stub->GetPartitionState(&context, {}, &state);
    if (!s.ok()) return FromGrpc(s);
    return state;
  }
  // The chunks of an export of `partitions`.
  absl::StatusOr<std::vector<PartitionChunk>> Export(
      const std::vector<uint32_t>& partitions) {
    grpc::ClientContext context;
    Sign(&context);
    PartitionsRequest request;
    for (uint32_t p : partitions) request.add_partitions(p);
    auto reader = stub->ExportPartitions(&context, request);
    std::vector<PartitionChunk> chunks;
    PartitionChunk chunk;
    while (reader->Read(&chunk)) chunks.push_back(chunk);
    grpc::Status s = reader->Finish();
    if (!s.ok()) return FromGrpc(s);
    return chunks;
  }
  absl::StatusOr<PartitionState> Import(
      const std::vector<PartitionChunk>& chunks) {
    grpc::ClientContext context;
    Sign(&context);
    PartitionState state;
    auto writer = stub->ImportPartitions(&context, &state);
    for (const PartitionChunk& chunk : chunks) {
      if (!writer->Write(chunk)) break;
    }
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    if (!s.ok()) return FromGrpc(s);
    return state;
  }
};

std::vector<uint32_t> Owned(const PartitionState& state) {
  std::vector<uint32_t> out;
  for (const auto& range : state.owned()) {
    for (uint32_t p = range.first(); p <= range.last(); ++p) out.push_back(p);
  }
  return out;
}

// Appends `n` events to `partition` of a producer's store, subject ids
// "<prefix>-<i>".
void AppendEvents(storage::Store& store, uint32_t partition,
                  const std::string& prefix, int n) {
  for (int i = 0; i < n; ++i) {
    Event event;
    event.set_partition(partition);
    event.set_subject_id(absl::StrCat(prefix, "-", i));
    // A payload: an event without one is a progress event to a follower.
    event.mutable_case_registered()->mutable_case_()->set_case_id(
        event.subject_id());
    storage::WriteSet set;
    set.AppendEvent(event);
    ASSERT_OK(store.Commit(std::move(set)).status());
  }
}

class PartitionHandoverTest : public ::testing::Test {
 protected:
  Replica MakeReplica(const std::string& name, bool follows,
                      bool without_partitions = false) {
    Replica r;
    r.name = name;
    r.follows = follows;
    r.config = testing::LoopbackServiceConfig(dir_.path() + "/" + name);
    r.config.set_partition_count(kPartitions);
    r.config.set_start_without_partitions(without_partitions);
    if (follows) r.config.set_upstream_routes_file(routes_path());
    return r;
  }
  std::string routes_path() const { return dir_.path() + "/routes.textproto"; }
  // The producer route: replica address -> partitions it owns.
  void WriteRoutes(
      const std::vector<std::pair<std::string, std::vector<uint32_t>>>&
          owners) {
    RouteMap map;
    map.set_generation(++generation_);
    auto* route = map.add_routes();
    route->set_service("assessment");
    for (const auto& [address, partitions] : owners) {
      auto* replica = route->add_replicas();
      replica->set_address(address);
      *replica->mutable_partitions() =
          storage::PartitionSet::ToRanges(partitions);
    }
    ASSERT_OK(routing::WriteRouteMap(routes_path(), map));
  }
  // Moves `partitions` from `from` to `to` as the moves tool does, running
  // `switch_routes` between adopting and releasing.
  void Move(
      Replica& from, Replica& to, const std::vector<uint32_t>& partitions,
      const std::function<void()>& switch_routes = [] {}) {
    ASSERT_OK(
        from.Call(&PartitionMoveService::Stub::FencePartitions, partitions)
            .status());
    absl::StatusOr<std::vector<PartitionChunk>> chunks =
        from.Export(partitions);
    ASSERT_OK(chunks.status());
    ASSERT_FALSE(chunks->empty());
    EXPECT_TRUE(chunks->back().last());
    ASSERT_OK(to.Import(*chunks).status());
    ASSERT_OK(to.Call(&PartitionMoveService::Stub::AdoptPartitions, partitions)
                  .status());
    switch_routes();
    ASSERT_OK(
        from.Call(&PartitionMoveService::Stub::ReleasePartitions, partitions)
            .status());
  }

  TempDir dir_;
  uint64_t generation_ = 0;
};

std::vector<std::string> SubjectsOf(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(e.subject_id());
  return out;
}

std::vector<uint64_t> SequencesOf(const std::vector<Event>& events) {
  std::vector<uint64_t> out;
  for (const Event& e : events) out.push_back(e.sequence());
  return out;
}

std::vector<uint64_t> OneTo(uint64_t n) {
  std::vector<uint64_t> out;
  for (uint64_t s = 1; s <= n; ++s) out.push_back(s);
  return out;
}

// Partition 4 of the producer moves from A to B while the follower follows
// it: writes to it on A are refused once fenced, the follower switches to B
// when the route file changes, and it applies every event of the partition
// once, in order, the ones before the move from A and the ones after from B
// (whose sequences continue A's).
TEST_F(PartitionHandoverTest, ProducerPartitionMovesAndFollowerSwitches) {
  Replica a = MakeReplica("producer-a", false);
  Replica b = MakeReplica("producer-b", false, /*without_partitions=*/true);
  ASSERT_OK(a.Start());
  ASSERT_OK(b.Start());
  WriteRoutes({{a.address(), {0, 1, 2, 3, 4, 5, 6, 7}}, {b.address(), {}}});
  Replica f = MakeReplica("follower", true);
  ASSERT_OK(f.Start());

  AppendEvents(*a.store, 4, "before", 5);
  AppendEvents(*a.store, 5, "stays", 3);
  ASSERT_OK(f.follower->WaitUntilApplied({{4, 5}, {5, 3}}, kCatchUp));

  Move(a, b, {4}, [&] {
    // Fenced on A: a write is refused, and no event reaches the follower.
    Event event;
    event.set_partition(4);
    storage::WriteSet set;
    set.AppendEvent(event);
    EXPECT_THAT(a.store->Commit(std::move(set)).status(),
                StatusIs(absl::StatusCode::kUnavailable,
                         HasSubstr("partition 4 is moving; retry")));
    WriteRoutes({{a.address(), {0, 1, 2, 3, 5, 6, 7}}, {b.address(), {4}}});
  });
  AppendEvents(*b.store, 4, "after", 5);
  AppendEvents(*a.store, 5, "stays-more", 2);
  ASSERT_OK(f.follower->WaitUntilApplied({{4, 10}, {5, 5}}, kCatchUp));

  absl::StatusOr<std::map<uint32_t, std::vector<Event>>> recorded =
      testing::ReadRecordedEvents(*f.store, {4});
  ASSERT_OK(recorded.status());
  EXPECT_EQ(SequencesOf((*recorded)[4]), OneTo(10));
  EXPECT_THAT(
      SubjectsOf((*recorded)[4]),
      ElementsAre("before-0", "before-1", "before-2", "before-3", "before-4",
                  "after-0", "after-1", "after-2", "after-3", "after-4"));
  for (const auto& lag : f.follower->Lag().partitions) {
    if (lag.partition == 4) {
      EXPECT_EQ(lag.producer, b.address());
    } else if (lag.partition == 5) {
      EXPECT_EQ(lag.producer, a.address());
    }
  }
  // A released it: not owned, not fenced, no key left.
  absl::StatusOr<PartitionState> state = a.State();
  ASSERT_OK(state.status());
  EXPECT_THAT(Owned(*state), ElementsAre(0, 1, 2, 3, 5, 6, 7));
  EXPECT_THAT(state->fenced(), IsEmpty());
  EXPECT_THAT(a.store->HoldsPartitionKeys(4), IsOkAndHolds(false));
  state = b.State();
  ASSERT_OK(state.status());
  EXPECT_THAT(Owned(*state), ElementsAre(4));
}

// The follower's own partition 3 moves from F1 to F2 while the producer
// keeps appending (some while it is fenced on F1): F2 continues from the
// imported cursor, and every event is recorded once (a second application
// fails the projection's ExpectVersion and would stall the partition).
TEST_F(PartitionHandoverTest, FollowerPartitionMovesAndContinuesFromCursor) {
  Replica a = MakeReplica("producer-a", false);
  ASSERT_OK(a.Start());
  WriteRoutes({{a.address(), {0, 1, 2, 3, 4, 5, 6, 7}}});
  Replica f1 = MakeReplica("follower-1", true);
  Replica f2 = MakeReplica("follower-2", true, /*without_partitions=*/true);
  ASSERT_OK(f1.Start());
  ASSERT_OK(f2.Start());
  EXPECT_THAT(f2.follower->Lag().partitions, IsEmpty());

  AppendEvents(*a.store, 3, "first", 5);
  ASSERT_OK(f1.follower->WaitUntilApplied({{3, 5}}, kCatchUp));
  ASSERT_OK(
      f1.Call(&PartitionMoveService::Stub::FencePartitions, {3}).status());
  // While fenced, F1 cannot apply: its commits are refused and retried.
  AppendEvents(*a.store, 3, "fenced", 2);
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(f1.follower->AppliedSequence(3), 5u);
  absl::StatusOr<std::vector<PartitionChunk>> chunks = f1.Export({3});
  ASSERT_OK(chunks.status());
  absl::StatusOr<PartitionState> imported = f2.Import(*chunks);
  ASSERT_OK(imported.status());
  // 5 recorded events and the cursor.
  EXPECT_EQ(imported->imported_keys(), 6u);
  ASSERT_OK(
      f2.Call(&PartitionMoveService::Stub::AdoptPartitions, {3}).status());
  ASSERT_OK(
      f1.Call(&PartitionMoveService::Stub::ReleasePartitions, {3}).status());
  AppendEvents(*a.store, 3, "after", 3);
  ASSERT_OK(f2.follower->WaitUntilApplied({{3, 10}}, kCatchUp));

  absl::StatusOr<std::map<uint32_t, std::vector<Event>>> recorded =
      testing::ReadRecordedEvents(*f2.store, {3});
  ASSERT_OK(recorded.status());
  EXPECT_EQ(SequencesOf((*recorded)[3]), OneTo(10));
  EXPECT_EQ(f2.follower->refused_count(), 0u);
  // F1 follows it no more and holds nothing of it.
  for (const auto& lag : f1.follower->Lag().partitions) {
    EXPECT_NE(lag.partition, 3u);
  }
  EXPECT_THAT(f1.store->HoldsPartitionKeys(3), IsOkAndHolds(false));
}

TEST_F(PartitionHandoverTest, ImportRefusedWhereThePartitionIsOwnedOrHeld) {
  Replica a = MakeReplica("producer-a", false);
  Replica b = MakeReplica("producer-b", false, /*without_partitions=*/true);
  ASSERT_OK(a.Start());
  ASSERT_OK(b.Start());
  AppendEvents(*a.store, 2, "event", 3);
  // Export needs the fence.
  EXPECT_THAT(a.Export({2}).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("must be fenced")));
  ASSERT_OK(a.Call(&PartitionMoveService::Stub::FencePartitions, {2}).status());
  absl::StatusOr<std::vector<PartitionChunk>> chunks = a.Export({2});
  ASSERT_OK(chunks.status());

  // The owner itself.
  EXPECT_THAT(a.Import(*chunks).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("owned by this replica")));
  // A stream that lost a chunk leaves nothing behind.
  std::vector<PartitionChunk> short_stream = *chunks;
  short_stream.erase(short_stream.begin());
  EXPECT_THAT(
      b.Import(short_stream).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("total_keys")));
  EXPECT_THAT(b.store->HoldsPartitionKeys(2), IsOkAndHolds(false));
  // Once imported, a second import is refused and changes nothing.
  ASSERT_OK(b.Import(*chunks).status());
  EXPECT_THAT(b.Import(*chunks).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("holds keys of partition 2")));
  EXPECT_EQ(b.store->PublishedSequence(2), 3u);
  // Unfence aborts the move on the source, which goes on writing.
  ASSERT_OK(
      a.Call(&PartitionMoveService::Stub::UnfencePartitions, {2}).status());
  AppendEvents(*a.store, 2, "more", 1);
  EXPECT_EQ(a.store->PublishedSequence(2), 4u);
}

TEST_F(PartitionHandoverTest, OnlyOperatorsMovePartitions) {
  Replica a = MakeReplica("producer-a", false);
  ASSERT_OK(a.Start());
  grpc::ClientContext context;
  a.Sign(&context, homeward::v1::ROLE_CASE_MANAGER);
  PartitionsRequest request;
  request.add_partitions(1);
  PartitionState state;
  EXPECT_THAT(FromGrpc(a.stub->FencePartitions(&context, request, &state)),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(a.store->FencedPartitions(), IsEmpty());
  // Only case partitions, each once.
  EXPECT_THAT(
      a.Call(&PartitionMoveService::Stub::FencePartitions, {8, 1, 1}).status(),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

// What a replica owns is kept in its store: a replica started without
// partitions adopts some and still owns them after a restart, and a config
// that says otherwise is not obeyed.
TEST_F(PartitionHandoverTest, OwnershipSurvivesRestart) {
  Replica b = MakeReplica("producer-b", false, /*without_partitions=*/true);
  ASSERT_OK(b.Start());
  absl::StatusOr<PartitionState> state = b.State();
  ASSERT_OK(state.status());
  EXPECT_THAT(Owned(*state), IsEmpty());
  ASSERT_OK(
      b.Call(&PartitionMoveService::Stub::AdoptPartitions, {1, 2}).status());
  b.Stop();
  ASSERT_OK(b.Start());
  state = b.State();
  ASSERT_OK(state.status());
  EXPECT_THAT(Owned(*state), ElementsAre(1, 2));

  Replica a = MakeReplica("producer-a", false);
  testing::OwnPartitions(a.config, 0, 3);
  ASSERT_OK(a.Start());
  a.Stop();
  a.config.clear_owned_partitions();  // "all", but the store says 0-3
  ASSERT_OK(a.Start());
  state = a.State();
  ASSERT_OK(state.status());
  EXPECT_THAT(Owned(*state), ElementsAre(0, 1, 2, 3));
}

TEST_F(PartitionHandoverTest, StartWithoutPartitionsConflictsWithOwned) {
  Replica a = MakeReplica("producer-a", false, /*without_partitions=*/true);
  testing::OwnPartitions(a.config, 0, 3);
  EXPECT_THAT(a.Start(), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("start_without_partitions")));
}

}  // namespace
}  // namespace homeward
