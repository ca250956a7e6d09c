// Event retention (docs/OPERATIONS.md): consumers register
// with the producer and report how far they applied; the producer trims
// what every registered consumer of a partition has applied and what is
// older than the minimum age, keeps the latest event so the next sequence
// never goes back, reports a consumer that stays behind (and keeps its
// events), and refuses a cursor below the trimmed point.
//
// The rules are pure functions tested on hand-checked tables; the rest runs
// against a real EventFeedService over a real RocksDB store on a loopback
// gRPC server, with a real FeedFollower and ConsumerRegistration over a
// second store.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/principal_token.h"
#include "common/feeds/consumer_registration.h"
#include "common/feeds/consumer_registry.h"
#include "common/feeds/event_feed_service.h"
#include "common/feeds/feed_follower.h"
#include "common/feeds/outbox_trim.h"
#include "common/feeds/retention_rules.h"
#include "common/routing/route_table.h"
#include "common/status/status_macros.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "common/storage/write_set.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "homeward/v1/events.grpc.pb.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/recording_projection.h"
#include "tests/fixtures/temp_dir.h"

// Asserts that `expr` (a StatusOr) is OK and assigns its value to `lhs`.
#define RETENTION_CONCAT_(a, b) a##b
#define RETENTION_CONCAT(a, b) RETENTION_CONCAT_(a, b)
#define ASSIGN_OR_FAIL(lhs, expr) \
  ASSIGN_OR_FAIL_(RETENTION_CONCAT(assigned_, __LINE__), lhs, expr)
#define ASSIGN_OR_FAIL_(tmp, lhs, expr)                   \
  auto tmp = (expr);                                      \
  ASSERT_THAT(tmp.status(), ::homeward::testing::IsOk()); \
  lhs = std::move(tmp).value()

namespace homeward {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::IsOkAndHolds;
using ::homeward::testing::StatusIs;
using ::homeward::v1::Event;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint32_t kPartitions = 4;
// Generous: the machine is small and shared.
constexpr absl::Duration kTimeout = absl::Seconds(60);
const absl::Duration kWeek = absl::Hours(24 * 7);
const absl::Duration kDay = absl::Hours(24);

// --- The rules, by hand -----------------------------------------------------

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

// Events first..last of a partition, all committed at `time`.
std::vector<feeds::EventStamp> Stamps(uint64_t first, uint64_t last,
                                      absl::Time time) {
  std::vector<feeds::EventStamp> stamps;
  for (uint64_t s = first; s <= last; ++s) stamps.push_back({s, time});
  return stamps;
}

std::vector<feeds::EventStamp> Concat(std::vector<feeds::EventStamp> a,
                                      const std::vector<feeds::EventStamp>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(RetentionRulesTest, TrimThroughTable) {
  const absl::Time old = kNow - kWeek - absl::Hours(1);
  const absl::Time young = kNow - absl::Hours(1);
  struct Case {
    const char* name;
    feeds::PartitionOutbox outbox;
    uint64_t want;
  };
  const std::vector<Case> cases = {
      {"nobody registered: nothing goes", {{}, Stamps(1, 10, old), 10}, 0},
      {"the slowest consumer bounds it", {{9, 5}, Stamps(1, 10, old), 10}, 5},
      {"a consumer at 0 holds everything", {{0, 9}, Stamps(1, 10, old), 10}, 0},
      {"the latest event always stays", {{10}, Stamps(1, 10, old), 10}, 9},
      {"a young event stops the walk",
       {{10}, Concat(Stamps(1, 3, old), Stamps(4, 10, young)), 10},
       3},
      {"an older clock after a young event does not skip it",
       {{10},
        Concat(Concat(Stamps(1, 1, old), Stamps(2, 2, young)),
               Stamps(3, 10, old)),
        10},
       1},
      {"exactly min_age old goes", {{10}, Stamps(1, 4, kNow - kWeek), 10}, 4},
      {"a second younger than min_age stays",
       {{10}, Stamps(1, 4, kNow - kWeek + absl::Seconds(1)), 10},
       0},
      {"already trimmed: starts at the oldest kept",
       {{8}, Stamps(6, 10, old), 10},
       8},
      {"no event kept", {{8}, {}, 10}, 0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(feeds::TrimThrough(c.outbox, kNow, kWeek), c.want) << c.name;
  }
}

TEST(RetentionRulesTest, ConsumerBehindTable) {
  struct Case {
    const char* name;
    std::optional<absl::Time> oldest_unapplied;
    absl::Time last_report;
    bool want;
  };
  const std::vector<Case> cases = {
      {"caught up, reporting", std::nullopt, kNow - absl::Seconds(5), false},
      {"an event waits for less than the limit", kNow - absl::Hours(23),
       kNow - absl::Seconds(5), false},
      {"an event waits for exactly the limit", kNow - kDay,
       kNow - absl::Seconds(5), false},
      {"an event waits for longer than the limit",
       kNow - kDay - absl::Seconds(1), kNow - absl::Seconds(5), true},
      {"caught up but silent for longer than the limit", std::nullopt,
       kNow - kDay - absl::Seconds(1), true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(
        feeds::ConsumerBehind(c.oldest_unapplied, c.last_report, kNow, kDay),
        c.want)
        << c.name;
  }
}

TEST(RetentionRulesTest, SettingsDefaultWhenZero) {
  homeward::internal::v1::EventRetention config;
  feeds::RetentionSettings settings = feeds::RetentionSettingsOf(config);
  EXPECT_EQ(settings.min_age, absl::Seconds(604800));
  EXPECT_EQ(settings.interval, absl::Seconds(3600));
  EXPECT_EQ(settings.consumer_behind, absl::Seconds(86400));
  config.set_min_age_seconds(60);
  config.set_trim_interval_seconds(5);
  config.set_consumer_behind_seconds(120);
  settings = feeds::RetentionSettingsOf(config);
  EXPECT_EQ(settings.min_age, absl::Seconds(60));
  EXPECT_EQ(settings.interval, absl::Seconds(5));
  EXPECT_EQ(settings.consumer_behind, absl::Seconds(120));
}

// --- A producer
// ---------------------------------------------------------------

google::protobuf::Timestamp At(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(t));
}

Event PlanApproved(uint32_t partition, absl::Time time) {
  Event e;
  e.set_partition(partition);
  e.set_subject_id("case-1");
  *e.mutable_time() = At(time);
  e.mutable_plan_approved()->mutable_plan()->set_case_id("case-1");
  return e;
}

// A store, its EventFeedService with a ConsumerRegistry on a loopback port,
// and an OutboxTrimmer whose passes the test runs (TrimOnce). Reopen()
// closes all of it and opens the same data directory again.
class Producer {
 public:
  explicit Producer(std::string path) : path_(std::move(path)) { Open(); }
  ~Producer() { Close(); }

  void Reopen() {
    Close();
    Open();
  }

  // Commits `count` events into `partition`, each committed at `time`.
  void Append(uint32_t partition, int count, absl::Time time) {
    for (int i = 0; i < count; ++i) {
      storage::WriteSet set;
      set.AppendEvent(PlanApproved(partition, time));
      ASSERT_THAT(store_->Commit(std::move(set)), IsOk());
    }
  }

  absl::StatusOr<feeds::TrimPass> TrimOnce(absl::Time now) {
    return trimmer_->TrimOnce(now);
  }
  const feeds::OutboxTrimmer& trimmer() const { return *trimmer_; }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  storage::Store* store() { return store_.get(); }

  // A replay of `partition` after `cursor`: the sequences sent, or the
  // stream's status when it fails.
  absl::StatusOr<std::vector<uint64_t>> Replay(uint32_t partition,
                                               uint64_t cursor) {
    grpc::ClientContext context;
    Sign(&context);
    homeward::v1::SubscribeRequest request;
    request.set_replay_only(true);
    auto* c = request.add_cursors();
    c->set_partition(partition);
    c->set_after_sequence(cursor);
    auto reader = Stub()->Subscribe(&context, request);
    std::vector<uint64_t> sequences;
    Event e;
    while (reader->Read(&e)) sequences.push_back(e.sequence());
    RETURN_IF_ERROR(StatusOf(reader->Finish()));
    return sequences;
  }

  absl::Status Register(const std::string& consumer,
                        const std::map<uint32_t, uint64_t>& positions,
                        homeward::v1::Role role = homeward::v1::ROLE_SERVICE) {
    homeward::v1::RegisterConsumerRequest request;
    request.set_consumer(consumer);
    for (const auto& [p, s] : positions) {
      auto* position = request.add_positions();
      position->set_partition(p);
      position->set_applied_sequence(s);
    }
    grpc::ClientContext context;
    Sign(&context, role);
    homeward::v1::RegisterConsumerResponse response;
    return StatusOf(Stub()->RegisterConsumer(&context, request, &response));
  }

  absl::Status Report(const std::string& consumer,
                      const std::map<uint32_t, uint64_t>& positions) {
    homeward::v1::ReportConsumerPositionsRequest request;
    request.set_consumer(consumer);
    for (const auto& [p, s] : positions) {
      auto* position = request.add_positions();
      position->set_partition(p);
      position->set_applied_sequence(s);
    }
    grpc::ClientContext context;
    Sign(&context);
    homeward::v1::ReportConsumerPositionsResponse response;
    return StatusOf(
        Stub()->ReportConsumerPositions(&context, request, &response));
  }

  absl::StatusOr<homeward::v1::ListConsumersResponse> List(
      homeward::v1::Role role = homeward::v1::ROLE_SERVICE) {
    grpc::ClientContext context;
    Sign(&context, role);
    homeward::v1::ListConsumersResponse response;
    RETURN_IF_ERROR(StatusOf(Stub()->ListConsumers(
        &context, homeward::v1::ListConsumersRequest(), &response)));
    return response;
  }

  absl::StatusOr<homeward::v1::UnregisterConsumerResponse> Unregister(
      const std::string& consumer) {
    homeward::v1::UnregisterConsumerRequest request;
    request.set_consumer(consumer);
    grpc::ClientContext context;
    Sign(&context);
    homeward::v1::UnregisterConsumerResponse response;
    RETURN_IF_ERROR(
        StatusOf(Stub()->UnregisterConsumer(&context, request, &response)));
    return response;
  }

 private:
  static absl::Status StatusOf(const grpc::Status& status) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  static void Sign(grpc::ClientContext* context,
                   homeward::v1::Role role = homeward::v1::ROLE_SERVICE) {
    testing::SignAs(testing::MakePrincipal("test-consumer", role, {}), context);
  }
  std::unique_ptr<homeward::v1::EventFeedService::Stub> Stub() {
    return homeward::v1::EventFeedService::NewStub(
        server_->InProcessChannel(grpc::ChannelArguments()));
  }

  void Open() {
    auto store =
        storage::Store::Open({.path = path_, .partition_count = kPartitions});
    ASSERT_THAT(store, IsOk());
    store_ = *std::move(store);
    registry_ =
        std::make_unique<feeds::ConsumerRegistry>(store_.get(), &owned_, kDay);
    feed_ = std::make_unique<feeds::EventFeedService>(
        store_.get(), &owned_, &verifier_, registry_.get());
    trimmer_ = std::make_unique<feeds::OutboxTrimmer>(
        feeds::OutboxTrimmer::Options{.store = store_.get(),
                                      .owned = &owned_,
                                      .registry = registry_.get(),
                                      .settings = {.min_age = kWeek,
                                                   .interval = absl::Hours(1),
                                                   .consumer_behind = kDay}});
    grpc::ServerBuilder builder;
    builder.AddListeningPort(absl::StrCat("127.0.0.1:", port_),
                             grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(feed_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void Close() {
    if (server_ == nullptr) return;
    server_->Shutdown(absl::ToChronoTime(absl::Now()));
    server_.reset();
    trimmer_.reset();
    feed_.reset();
    registry_.reset();
    store_.reset();
  }

  const std::string path_;
  storage::PartitionSet owned_ = storage::PartitionSet::All(kPartitions);
  auth::PrincipalVerifier verifier_{testing::kTestSecret, absl::Minutes(5)};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<feeds::ConsumerRegistry> registry_;
  std::unique_ptr<feeds::EventFeedService> feed_;
  std::unique_ptr<feeds::OutboxTrimmer> trimmer_;
  int port_ = 0;  // the first port bound, again after Reopen
  std::unique_ptr<grpc::Server> server_;
};

const homeward::v1::ConsumerPartitionState* Find(
    const homeward::v1::ListConsumersResponse& list,
    const std::string& consumer, uint32_t partition) {
  for (const auto& c : list.consumers()) {
    if (c.consumer() != consumer) continue;
    for (const auto& p : c.partitions()) {
      if (p.partition() == partition) return &p;
    }
  }
  return nullptr;
}

uint64_t OldestRetained(const homeward::v1::ListConsumersResponse& list,
                        uint32_t partition) {
  for (const auto& o : list.outboxes()) {
    if (o.partition() == partition) return o.oldest_retained_sequence();
  }
  return 0;
}

// --- The store keeps the head
// ---------------------------------------------------

TEST(OutboxTrimTest, StoreKeepsTheLatestEventAndTheNextSequenceAfterReopen) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/db";
  {
    ASSIGN_OR_FAIL(
        auto store,
        storage::Store::Open({.path = path, .partition_count = kPartitions}));
    for (int i = 0; i < 5; ++i) {
      storage::WriteSet set;
      set.AppendEvent(PlanApproved(1, absl::Now()));
      ASSERT_OK(store->Commit(std::move(set)).status());
    }
    storage::WriteSet trim;
    trim.TrimOutbox(1, 1000);  // asks for everything
    ASSERT_OK(store->Commit(std::move(trim)).status());
    ASSIGN_OR_FAIL(auto kept, store->ReadEvents(1, 0, 10));
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0].sequence(), 5u);
    EXPECT_EQ(store->PublishedSequence(1), 5u);
  }
  ASSIGN_OR_FAIL(
      auto store,
      storage::Store::Open({.path = path, .partition_count = kPartitions}));
  EXPECT_EQ(store->PublishedSequence(1), 5u);
  storage::WriteSet set;
  set.AppendEvent(PlanApproved(1, absl::Now()));
  ASSIGN_OR_FAIL(storage::CommitResult result, store->Commit(std::move(set)));
  EXPECT_EQ(result.events.at(0).sequence(), 6u);
}

// --- Registration
// -----------------------------------------------------------------

TEST(ConsumerRegistryTest, RegistrationIsStoredAndSurvivesARestart) {
  testing::TempDir dir;
  Producer producer(dir.path() + "/producer");
  producer.Append(0, 3, absl::Now());
  ASSERT_OK(producer.Register("planning.case_context", {{0, 2}, {1, 0}}));
  producer.Reopen();
  ASSIGN_OR_FAIL(auto list, producer.List());
  ASSERT_EQ(list.consumers_size(), 1);
  EXPECT_EQ(list.consumers(0).consumer(), "planning.case_context");
  const auto* p0 = Find(list, "planning.case_context", 0);
  ASSERT_NE(p0, nullptr);
  EXPECT_EQ(p0->applied_sequence(), 2u);
  EXPECT_EQ(p0->events_behind(), 1u);
  EXPECT_TRUE(p0->has_registered_time());
  EXPECT_TRUE(p0->has_oldest_unapplied_time());
  EXPECT_FALSE(p0->behind());
  const auto* p1 = Find(list, "planning.case_context", 1);
  ASSERT_NE(p1, nullptr);
  EXPECT_EQ(p1->applied_sequence(), 0u);
  EXPECT_EQ(Find(list, "planning.case_context", 2), nullptr);
  // A report moves the position; one for a partition not registered is
  // refused and changes nothing.
  ASSERT_OK(producer.Report("planning.case_context", {{0, 3}}));
  EXPECT_THAT(producer.Report("planning.case_context", {{0, 3}, {2, 1}}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not registered for partition 2")));
  ASSIGN_OR_FAIL(list, producer.List());
  EXPECT_EQ(Find(list, "planning.case_context", 0)->applied_sequence(), 3u);
  EXPECT_EQ(Find(list, "planning.case_context", 2), nullptr);
}

TEST(ConsumerRegistryTest, RefusesBadRegistrationsAndNonServiceCallers) {
  testing::TempDir dir;
  Producer producer(dir.path() + "/producer");
  EXPECT_THAT(
      producer.Register("", {{0, 1}}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("consumer")));
  EXPECT_THAT(
      producer.Register("c", {}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("positions")));
  EXPECT_THAT(producer.Register("c", {{kPartitions, 1}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("positions[0].partition")));
  EXPECT_THAT(producer.Register("c", {{0, 1}}, homeward::v1::ROLE_CASE_MANAGER),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(producer.List(homeward::v1::ROLE_CASE_MANAGER).status(),
              StatusIs(absl::StatusCode::kPermissionDenied));
  ASSIGN_OR_FAIL(auto list, producer.List());
  EXPECT_EQ(list.consumers_size(), 0);
}

// --- Trimming
// -----------------------------------------------------------------------

TEST(OutboxTrimTest, TrimsOnlyWhatEveryConsumerPassedAndIsOldEnough) {
  testing::TempDir dir;
  Producer producer(dir.path() + "/producer");
  const absl::Time now = absl::Now();
  // Partition 0: events 1..7 ten days old, 8..10 an hour old.
  producer.Append(0, 7, now - absl::Hours(24 * 10));
  producer.Append(0, 3, now - absl::Hours(1));
  // Partition 1: old events, but nobody registered for it.
  producer.Append(1, 4, now - absl::Hours(24 * 10));
  ASSERT_OK(producer.Register("fast", {{0, 9}}));
  ASSERT_OK(producer.Register("slow", {{0, 6}}));

  ASSIGN_OR_FAIL(feeds::TrimPass pass, producer.TrimOnce(now));
  EXPECT_EQ(pass.events_trimmed, 6u);
  EXPECT_THAT(pass.trimmed, ElementsAre(std::make_pair(0u, uint64_t{6})));
  EXPECT_THAT(producer.Replay(0, 6), IsOkAndHolds(ElementsAre(7, 8, 9, 10)));
  EXPECT_THAT(producer.Replay(1, 0), IsOkAndHolds(ElementsAre(1, 2, 3, 4)));

  // Once the slow one passed them, the old events go, the young stay.
  ASSERT_OK(producer.Report("slow", {{0, 10}}));
  ASSIGN_OR_FAIL(pass, producer.TrimOnce(now));
  EXPECT_THAT(pass.trimmed, ElementsAre(std::make_pair(0u, uint64_t{7})));
  EXPECT_THAT(producer.Replay(0, 7), IsOkAndHolds(ElementsAre(8, 9, 10)));
  ASSIGN_OR_FAIL(auto list, producer.List());
  EXPECT_EQ(OldestRetained(list, 0), 8u);
  EXPECT_EQ(OldestRetained(list, 1), 1u);
  EXPECT_EQ(producer.trimmer().Figures().events_trimmed, 7u);
}

TEST(OutboxTrimTest, ALaggingConsumerIsReportedAndItsEventsKept) {
  testing::TempDir dir;
  Producer producer(dir.path() + "/producer");
  const absl::Time now = absl::Now();
  // Partition 2: five events two weeks old; the consumer applied two.
  producer.Append(2, 5, now - absl::Hours(24 * 14));
  ASSERT_OK(producer.Register("lagging", {{2, 2}}));
  ASSERT_OK(producer.Register("current", {{2, 5}}));

  ASSIGN_OR_FAIL(feeds::TrimPass pass, producer.TrimOnce(now));
  // Only what the lagging one applied went: the rest waits for it.
  EXPECT_THAT(pass.trimmed, ElementsAre(std::make_pair(2u, uint64_t{2})));
  ASSERT_EQ(pass.behind.size(), 1u);
  EXPECT_EQ(pass.behind[0].consumer, "lagging");
  EXPECT_EQ(pass.behind[0].partition, 2u);
  EXPECT_EQ(pass.behind[0].applied_sequence, 2u);
  EXPECT_EQ(pass.behind[0].events_behind, 3u);
  const feeds::RetentionFigures figures = producer.trimmer().Figures();
  EXPECT_EQ(figures.passes, 1u);
  EXPECT_EQ(figures.registrations, 2u);
  ASSERT_EQ(figures.behind.size(), 1u);
  EXPECT_EQ(figures.behind[0].consumer, "lagging");
  EXPECT_THAT(producer.Replay(2, 2), IsOkAndHolds(ElementsAre(3, 4, 5)));

  ASSIGN_OR_FAIL(auto list, producer.List());
  const auto* lagging = Find(list, "lagging", 2);
  ASSERT_NE(lagging, nullptr);
  EXPECT_TRUE(lagging->behind());
  EXPECT_EQ(lagging->events_behind(), 3u);
  EXPECT_FALSE(Find(list, "current", 2)->behind());

  // Unregistered, it no longer holds the events back.
  ASSIGN_OR_FAIL(auto removed, producer.Unregister("lagging"));
  EXPECT_THAT(removed.partitions(), ElementsAre(2u));
  ASSIGN_OR_FAIL(pass, producer.TrimOnce(now));
  EXPECT_THAT(pass.trimmed, ElementsAre(std::make_pair(2u, uint64_t{4})));
  EXPECT_THAT(producer.Unregister("lagging").status(),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(OutboxTrimTest, ACursorBelowTheTrimmedEventsIsRefused) {
  testing::TempDir dir;
  Producer producer(dir.path() + "/producer");
  const absl::Time now = absl::Now();
  producer.Append(3, 6, now - absl::Hours(24 * 10));
  ASSERT_OK(producer.Register("c", {{3, 4}}));
  ASSERT_OK(producer.TrimOnce(now).status());
  EXPECT_THAT(producer.Replay(3, 0),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("partition 3"), HasSubstr("cursor 0"),
                             HasSubstr("the oldest is 5"))));
  EXPECT_THAT(producer.Replay(3, 3),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("partition 3"), HasSubstr("cursor 3"),
                             HasSubstr("the oldest is 5"))));
  EXPECT_THAT(producer.Replay(3, 4), IsOkAndHolds(ElementsAre(5, 6)));
}

TEST(OutboxTrimTest, TrimmingEverythingThenRestartingNeverReusesASequence) {
  testing::TempDir dir;
  Producer producer(dir.path() + "/producer");
  const absl::Time now = absl::Now();
  producer.Append(0, 4, now - absl::Hours(24 * 10));
  ASSERT_OK(producer.Register("c", {{0, 4}}));
  ASSIGN_OR_FAIL(feeds::TrimPass pass, producer.TrimOnce(now));
  EXPECT_THAT(pass.trimmed, ElementsAre(std::make_pair(0u, uint64_t{3})));
  producer.Reopen();
  producer.Append(0, 1, absl::Now());
  EXPECT_THAT(producer.Replay(0, 4), IsOkAndHolds(ElementsAre(5)));
  EXPECT_THAT(producer.Replay(0, 3), IsOkAndHolds(ElementsAre(4, 5)));
}

// --- The consumer side
// ------------------------------------------------------------

routing::RouteTable RoutesTo(const Producer& producer) {
  google::protobuf::RepeatedPtrField<homeward::internal::v1::ServiceRoute>
      routes;
  auto* route = routes.Add();
  route->set_service("planning");
  auto* replica = route->add_replicas();
  replica->set_address(producer.address());
  auto* range = replica->add_partitions();
  range->set_first(0);
  range->set_last(kPartitions - 1);
  auto table = routing::RouteTable::Create(routes, kPartitions, "planning");
  EXPECT_TRUE(table.ok()) << table.status();
  return *table;
}

TEST(ConsumerRegistrationTest, AFollowerReportsItsPositionsAndTrimmingFollows) {
  testing::TempDir dir;
  Producer producer(dir.path() + "/producer");
  const absl::Time old = absl::Now() - absl::Hours(24 * 10);
  producer.Append(0, 5, old);
  producer.Append(1, 3, old);
  ASSIGN_OR_FAIL(auto store,
                 storage::Store::Open({.path = dir.path() + "/consumer",
                                       .partition_count = kPartitions}));
  testing::RecordingProjection projection;
  feeds::FeedFollower::Options options;
  options.producer = RoutesTo(producer);
  options.partitions = storage::PartitionSet::All(kPartitions);
  options.store = store.get();
  options.consumer = &projection;
  options.principal_secret = testing::kTestSecret;
  options.backoff = {absl::Milliseconds(20), absl::Milliseconds(200)};
  ASSIGN_OR_FAIL(auto follower, feeds::FeedFollower::Start(options));
  feeds::ConsumerRegistration::Options reporting;
  reporting.follower = follower.get();
  reporting.store = store.get();
  reporting.consumer_name = projection.name();
  reporting.principal_secret = testing::kTestSecret;
  reporting.interval = absl::Milliseconds(100);
  ASSIGN_OR_FAIL(auto registration,
                 feeds::ConsumerRegistration::Start(reporting));
  ASSERT_OK(follower->WaitUntilApplied({{0, 5}, {1, 3}}, kTimeout));

  // The producer learns the positions within a few reports.
  const absl::Time deadline = absl::Now() + kTimeout;
  homeward::v1::ListConsumersResponse list;
  while (true) {
    ASSIGN_OR_FAIL(list, producer.List());
    const auto* p0 = Find(list, testing::kRecordingConsumer, 0);
    const auto* p1 = Find(list, testing::kRecordingConsumer, 1);
    if (p0 != nullptr && p1 != nullptr && p0->applied_sequence() == 5 &&
        p1->applied_sequence() == 3) {
      break;
    }
    ASSERT_LT(absl::Now(), deadline) << list.DebugString();
    absl::SleepFor(absl::Milliseconds(50));
  }
  // Every followed partition is registered, the empty ones at 0.
  for (uint32_t p = 0; p < kPartitions; ++p) {
    EXPECT_NE(Find(list, testing::kRecordingConsumer, p), nullptr) << p;
  }
  EXPECT_GT(registration->reports(), 0u);

  ASSIGN_OR_FAIL(feeds::TrimPass pass, producer.TrimOnce(absl::Now()));
  EXPECT_THAT(pass.trimmed, ElementsAre(std::make_pair(0u, uint64_t{4}),
                                        std::make_pair(1u, uint64_t{2})));
  // The follower goes on from its cursor above the trimmed events.
  producer.Append(0, 2, absl::Now());
  ASSERT_OK(follower->WaitUntilApplied({{0, 7}}, kTimeout));
  EXPECT_EQ(follower->refused_count(), 0u);
  registration->Stop();
  follower->Stop();
}

}  // namespace
}  // namespace homeward
