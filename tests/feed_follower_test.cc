// The feed follower against real producers: homeward-assessment processes
// (8 partitions split over two replicas), events made by registering cases
// on them, and the recording projection (tests/fixtures/recording_projection
// .h) either in this process or in homeward-test-feed-consumer, a process of
// its own with its own RocksDB, so that either side can be SIGKILLed
// mid-stream. Each test ends by comparing the projection with the
// producers' outboxes: every event recorded exactly once with its content,
// and each cursor equal to the last event recorded in its partition.
#include "common/feeds/feed_follower.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/principal_token.h"
#include "common/routing/route_table.h"
#include "common/server/config_file.h"
#include "common/server/server_kit.h"
#include "common/status/status_matchers.h"
#include "common/storage/ids.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/child_process.h"
#include "tests/fixtures/event_replay.h"
#include "tests/fixtures/recording_projection.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::ChildProcess;
using ::homeward::testing::IsOkAndHolds;
using ::homeward::testing::RecordingProjection;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::v1::Event;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint32_t kPartitions = 8;
constexpr absl::Duration kStartTimeout = absl::Seconds(30);
// Generous: the machine is small and shared; a healthy run needs a fraction.
constexpr absl::Duration kCatchUpTimeout = absl::Seconds(90);
const char kOffice[] = "office-dakar";

using EventsByPartition = std::map<uint32_t, std::vector<Event>>;

// A homeward-assessment process owning partitions first..last of
// kPartitions, restartable on the port it first bound.
class Producer {
 public:
  Producer(const TempDir& dir, int index, uint32_t first, uint32_t last)
      : dir_(dir), name_(absl::StrCat("producer", index)) {
    // The shipped programme data, which the registered cases belong to.
    homeward::internal::v1::AssessmentConfig file =
        testing::WithShippedProgrammeData({});
    homeward::internal::v1::ServiceConfig& config = *file.mutable_service();
    config.set_data_dir(dir.path() + "/" + name_);
    config.set_partition_count(kPartitions);
    auto* range = config.add_owned_partitions();
    range->set_first(first);
    range->set_last(last);
    config.set_principal_secret_file(dir.path() + "/principal.secret");
    config_path_ = dir.path() + "/" + name_ + ".textproto";
    EXPECT_OK(server::WriteTextProtoFile(config_path_, file, 0600));
    for (uint32_t p = first; p <= last; ++p) partitions_.push_back(p);
  }

  // Starts the process (on its first port again after a kill) without
  // waiting; WaitUntilListening() waits.
  void Launch() {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            HOMEWARD_ASSESSMENT_BIN, "--config=" + config_path_,
            absl::StrCat("--listen=127.0.0.1:", port_), "--log_requests=false"},
        absl::StrCat(dir_.path(), "/", name_, "-", ++starts_, ".log"));
  }
  void WaitUntilListening() {
    const std::string port = process_->WaitForLogField("port", kStartTimeout);
    ASSERT_FALSE(port.empty()) << process_->Log();
    if (port_ == 0) {
      port_ = std::stoi(port);
      channel_ = grpc::CreateCustomChannel(address(),
                                           grpc::InsecureChannelCredentials(),
                                           server::InternalChannelArguments());
      stub_ = homeward::v1::CaseService::NewStub(channel_);
    }
  }
  void Kill() {
    process_->Signal(SIGKILL);
    EXPECT_EQ(process_->Wait(), 128 + SIGKILL);
  }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  const std::vector<uint32_t>& partitions() const { return partitions_; }
  homeward::v1::CaseService::Stub* stub() { return stub_.get(); }
  // The producer's outbox, by partition.
  EventsByPartition Outbox() const {
    EventsByPartition events;
    for (Event& e : testing::ReplayEvents(channel_, partitions_)) {
      events[e.partition()].push_back(std::move(e));
    }
    return events;
  }

 private:
  const TempDir& dir_;
  const std::string name_;
  std::string config_path_;
  std::vector<uint32_t> partitions_;
  int port_ = 0;
  int starts_ = 0;
  std::unique_ptr<ChildProcess> process_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<homeward::v1::CaseService::Stub> stub_;
};

// The secret the producers and the consumer process read: the one the
// test signs its calls with.
void WriteTestSecret(const TempDir& dir) {
  const std::string path = dir.path() + "/principal.secret";
  {
    std::ofstream out(path);
    out << testing::kTestSecret << "\n";
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write);
}

// The request id of case `i`, and the partition its case lands in.
std::string RequestIdOf(int i) { return absl::StrCat("feed-", i); }
uint32_t PartitionOfCase(int i) {
  return storage::PartitionOf(
      storage::CaseIdForRequest(kOffice, RequestIdOf(i)), kPartitions);
}

// Registers cases `from`..`to`-1, each on the producer owning its partition,
// `threads` calls at a time. A call a producer cannot answer (down or
// restarting) is retried with the same request id, which registers the case
// once: so each case makes exactly one CaseRegistered event.
void RegisterCases(const std::vector<Producer*>& producers, int from, int to,
                   int threads = 12) {
  const auto principal = testing::MakePrincipal(
      "cm-1", homeward::v1::ROLE_CASE_MANAGER, {kOffice});
  const auth::PrincipalSigner signer(testing::kTestSecret);
  std::atomic<int> next{from};
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = next++; i < to; i = next++) {
        const uint32_t p = PartitionOfCase(i);
        Producer* owner = nullptr;
        for (Producer* producer : producers) {
          for (uint32_t q : producer->partitions()) {
            if (q == p) owner = producer;
          }
        }
        const absl::Time deadline = absl::Now() + kCatchUpTimeout;
        while (true) {
          grpc::ClientContext ctx;
          ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
          signer.Attach(principal, &ctx);
          homeward::v1::Case created;
          grpc::Status status = owner->stub()->RegisterCase(
              &ctx, testing::ValidRegistration(RequestIdOf(i), kOffice),
              &created);
          if (status.ok()) break;
          const bool producer_down =
              status.error_code() == grpc::StatusCode::UNAVAILABLE ||
              status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
          if (!producer_down || absl::Now() > deadline) {
            ADD_FAILURE() << "RegisterCase " << i << ": "
                          << status.error_message();
            ++failures;
            next = to;  // stop every worker: the test has failed
            break;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
    });
  }
  for (std::thread& w : workers) w.join();
  EXPECT_EQ(failures.load(), 0) << "registrations that never succeeded";
}

EventsByPartition OutboxOf(const std::vector<Producer*>& producers) {
  EventsByPartition all;
  for (Producer* producer : producers) all.merge(producer->Outbox());
  return all;
}

size_t CountEvents(const EventsByPartition& events) {
  size_t n = 0;
  for (const auto& [p, list] : events) n += list.size();
  return n;
}

// The last sequence of each partition of `events`.
absl::flat_hash_map<uint32_t, uint64_t> LastSequences(
    const EventsByPartition& events) {
  absl::flat_hash_map<uint32_t, uint64_t> last;
  for (const auto& [p, list] : events) {
    if (!list.empty()) last[p] = list.back().sequence();
  }
  return last;
}

std::unique_ptr<storage::Store> OpenConsumerStore(const std::string& path) {
  auto store =
      storage::Store::Open({.path = path, .partition_count = kPartitions});
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(store).value() : nullptr;
}

// The projection holds exactly the events 1..cursor of each partition, each
// once: never an effect without its cursor, nor a cursor ahead of its
// effects. Returns the events recorded.
uint64_t ExpectProjectionMatchesCursors(const storage::Store& store) {
  uint64_t total = 0;
  absl::StatusOr<EventsByPartition> recorded =
      testing::ReadRecordedEvents(store, testing::AllPartitions(kPartitions));
  EXPECT_OK(recorded);
  if (!recorded.ok()) return 0;
  for (uint32_t p = 0; p < kPartitions; ++p) {
    absl::StatusOr<uint64_t> cursor =
        store.GetCursor(testing::kRecordingConsumer, p);
    EXPECT_OK(cursor);
    if (!cursor.ok()) return 0;
    const std::vector<Event>& list = (*recorded)[p];
    EXPECT_EQ(list.size(), *cursor) << "partition " << p;
    for (size_t i = 0; i < list.size(); ++i) {
      EXPECT_EQ(list[i].sequence(), i + 1) << "partition " << p;
    }
    total += list.size();
  }
  return total;
}

// The projection holds every event of `produced`, once, with its content,
// and each cursor is the partition's last sequence.
void ExpectAppliedExactlyOnce(const storage::Store& store,
                              const EventsByPartition& produced) {
  absl::StatusOr<EventsByPartition> recorded =
      testing::ReadRecordedEvents(store, testing::AllPartitions(kPartitions));
  ASSERT_OK(recorded);
  for (uint32_t p = 0; p < kPartitions; ++p) {
    auto it = produced.find(p);
    const std::vector<Event> none;
    const std::vector<Event>& expected =
        it == produced.end() ? none : it->second;
    EXPECT_THAT(store.GetCursor(testing::kRecordingConsumer, p),
                IsOkAndHolds(expected.size()))
        << "partition " << p;
    ASSERT_EQ((*recorded)[p].size(), expected.size()) << "partition " << p;
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
          (*recorded)[p][i], expected[i]))
          << "partition " << p << " sequence " << expected[i].sequence();
    }
  }
}

// --- The consumer as a process of its own --------------------------------

std::unique_ptr<ChildProcess> StartConsumer(
    const TempDir& dir, const std::vector<Producer*>& producers,
    const std::string& log_name) {
  std::string routes;
  for (Producer* producer : producers) {
    absl::StrAppend(&routes, routes.empty() ? "" : ",", producer->address(),
                    "=", producer->partitions().front(), "-",
                    producer->partitions().back());
  }
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{
          HOMEWARD_FEED_CONSUMER_BIN, "--data_dir=" + dir.path() + "/consumer",
          absl::StrCat("--partition_count=", kPartitions),
          "--producers=" + routes,
          "--principal_secret_file=" + dir.path() + "/principal.secret"},
      dir.path() + "/" + log_name);
}

// The applied total the consumer last logged (0 before its first report).
uint64_t LastAppliedOf(const ChildProcess& consumer) {
  static const std::regex pattern("\"applied\":\"([0-9]+)\"");
  const std::string log = consumer.Log();
  uint64_t last = 0;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), pattern);
       it != std::sregex_iterator(); ++it) {
    last = std::stoull((*it)[1]);
  }
  return last;
}

bool WaitForApplied(const ChildProcess& consumer, uint64_t n,
                    absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (LastAppliedOf(consumer) >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST(FeedFollowerTest,
     TenThousandEventsAppliedExactlyOnceAcrossProducerAndConsumerKills) {
  TempDir dir;
  WriteTestSecret(dir);
  Producer a(dir, 0, 0, 3), b(dir, 1, 4, 7);
  a.Launch();
  b.Launch();
  a.WaitUntilListening();
  b.WaitUntilListening();
  const std::vector<Producer*> producers = {&a, &b};

  // A backlog for the consumer to replay, then more while it tails.
  constexpr int kBacklog = 3000, kTotal = 10000;
  RegisterCases(producers, 0, kBacklog);
  auto consumer = StartConsumer(dir, producers, "consumer-1.log");
  std::thread more([&] { RegisterCases(producers, kBacklog, kTotal); });

  // The producer of half the partitions dies mid-stream and comes back.
  ASSERT_TRUE(WaitForApplied(*consumer, 4000, kCatchUpTimeout))
      << consumer->Log();
  b.Kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  b.Launch();
  b.WaitUntilListening();

  // Then the consumer dies mid-stream: what it committed is consistent.
  ASSERT_TRUE(WaitForApplied(*consumer, 6000, kCatchUpTimeout))
      << consumer->Log();
  consumer->Signal(SIGKILL);
  EXPECT_EQ(consumer->Wait(), 128 + SIGKILL);
  // It was following producer 1 when that died, and reconnected.
  EXPECT_THAT(consumer->Log(), HasSubstr("feed stream ended; reconnecting"));
  {
    auto store = OpenConsumerStore(dir.path() + "/consumer");
    ASSERT_NE(store, nullptr);
    EXPECT_LT(ExpectProjectionMatchesCursors(*store),
              static_cast<uint64_t>(kTotal))
        << "killed after it had applied everything, not mid-stream";
  }
  consumer = StartConsumer(dir, producers, "consumer-2.log");
  more.join();

  const EventsByPartition produced = OutboxOf(producers);
  ASSERT_EQ(CountEvents(produced), static_cast<size_t>(kTotal));
  ASSERT_EQ(produced.size(), kPartitions);  // every partition has events
  ASSERT_TRUE(WaitForApplied(*consumer, kTotal, kCatchUpTimeout))
      << consumer->Log();
  consumer->Signal(SIGTERM);
  EXPECT_EQ(consumer->Wait(), 0) << consumer->Log();
  EXPECT_THAT(consumer->Log(), Not(HasSubstr("retrying")));
  auto store = OpenConsumerStore(dir.path() + "/consumer");
  ASSERT_NE(store, nullptr);
  ExpectAppliedExactlyOnce(*store, produced);
}

// --- The follower in this process -------------------------------------------

// Routes to `producers` as the follower's producer table.
routing::RouteTable RoutesTo(const std::vector<Producer*>& producers) {
  google::protobuf::RepeatedPtrField<homeward::internal::v1::ServiceRoute>
      routes;
  auto* route = routes.Add();
  route->set_service("assessment");
  for (Producer* producer : producers) {
    auto* replica = route->add_replicas();
    replica->set_address(producer->address());
    auto* range = replica->add_partitions();
    range->set_first(producer->partitions().front());
    range->set_last(producer->partitions().back());
  }
  auto table = routing::RouteTable::Create(routes, kPartitions, "assessment");
  EXPECT_TRUE(table.ok()) << table.status();
  return *table;
}

feeds::FeedFollower::Options FollowerOptions(
    const std::vector<Producer*>& producers, storage::Store* store,
    feeds::EventConsumer* consumer) {
  feeds::FeedFollower::Options options;
  options.producer = RoutesTo(producers);
  options.partitions = storage::PartitionSet::All(kPartitions);
  options.store = store;
  options.consumer = consumer;
  options.principal_secret = testing::kTestSecret;
  options.backoff = {absl::Milliseconds(20), absl::Milliseconds(200)};
  return options;
}

std::unique_ptr<feeds::FeedFollower> StartFollower(
    const std::vector<Producer*>& producers, storage::Store* store,
    feeds::EventConsumer* consumer) {
  auto follower =
      feeds::FeedFollower::Start(FollowerOptions(producers, store, consumer));
  EXPECT_TRUE(follower.ok()) << follower.status();
  return follower.ok() ? *std::move(follower) : nullptr;
}

// Sends this process's stderr (the JSON log) to a file while it lives.
class StderrToFile {
 public:
  explicit StderrToFile(std::string path) : path_(std::move(path)) {
    std::fflush(stderr);
    saved_ = dup(STDERR_FILENO);
    int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  ~StderrToFile() {
    std::fflush(stderr);
    dup2(saved_, STDERR_FILENO);
    close(saved_);
  }
  std::string Text() const {
    std::fflush(stderr);
    std::ifstream in(path_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::string path_;
  int saved_ = -1;
};

// How the follower commits, which depends on what the consumer reads.
enum class Commits {
  kBatched,          // reads nothing: many events per commit
  kOnePerPartition,  // reads its event's partition: partitions side by side
  kOneEvent,         // reads anything: one event after the other
};

// With the partitions of one stream sharing it, in each way of committing.
class RefusedEventTest : public ::testing::TestWithParam<Commits> {};

TEST_P(RefusedEventTest,
       IsLoggedCountedAndRetriedWhileOtherPartitionsFlowThenAppliedOnce) {
  const bool reads_own_projection = GetParam() != Commits::kBatched;
  TempDir dir;
  WriteTestSecret(dir);
  // One replica owns every partition, so they share one stream.
  Producer producer(dir, 0, 0, kPartitions - 1);
  producer.Launch();
  producer.WaitUntilListening();
  const std::vector<Producer*> producers = {&producer};

  // Case 50 is refused until the operator "fixes" it; its partition has
  // events before and after it.
  constexpr int kBad = 50;
  const std::string bad_case =
      storage::CaseIdForRequest(kOffice, RequestIdOf(kBad));
  const uint32_t bad_partition = PartitionOfCase(kBad);
  RegisterCases(producers, 0, 200);
  EventsByPartition produced = producer.Outbox();
  uint64_t bad_sequence = 0;
  for (const Event& e : produced[bad_partition]) {
    if (e.subject_id() == bad_case) bad_sequence = e.sequence();
  }
  ASSERT_GT(bad_sequence, 1u);
  ASSERT_LT(bad_sequence, produced[bad_partition].size());

  auto store = OpenConsumerStore(dir.path() + "/consumer");
  ASSERT_NE(store, nullptr);
  std::atomic<bool> fixed{false};
  RecordingProjection projection(
      {.refuse =
           [&](const Event& e) {
             return e.subject_id() == bad_case && !fixed.load();
           },
       .reads_own_projection = reads_own_projection ? store.get() : nullptr,
       .reads_only_event_partition = GetParam() == Commits::kOnePerPartition});
  feeds::FeedFollower::Options options =
      FollowerOptions(producers, store.get(), &projection);
  // A queue this short fills behind the refused event, so the follower must
  // drop and later fetch again the events after it.
  options.max_queued_per_partition = 4;
  StderrToFile log(dir.path() + "/follower.log");
  absl::StatusOr<std::unique_ptr<feeds::FeedFollower>> started =
      feeds::FeedFollower::Start(std::move(options));
  ASSERT_OK(started);
  std::unique_ptr<feeds::FeedFollower> follower = *std::move(started);

  // Every other partition catches up; the bad one stops just before the
  // refused event, which is retried.
  auto others = LastSequences(produced);
  others.erase(bad_partition);
  ASSERT_OK(follower->WaitUntilApplied(others, kCatchUpTimeout));
  ASSERT_OK(follower->WaitUntilApplied({{bad_partition, bad_sequence - 1}},
                                       kCatchUpTimeout));
  const absl::Time deadline = absl::Now() + kCatchUpTimeout;
  while (follower->refused_count() < 3 && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(follower->refused_count(), 3u);
  EXPECT_EQ(follower->AppliedSequence(bad_partition), bad_sequence - 1);

  // Meanwhile the other partitions keep flowing.
  RegisterCases(producers, 200, 300);
  produced = producer.Outbox();
  others = LastSequences(produced);
  others.erase(bad_partition);
  ASSERT_OK(follower->WaitUntilApplied(others, kCatchUpTimeout));
  EXPECT_EQ(follower->AppliedSequence(bad_partition), bad_sequence - 1);

  feeds::FeedLag lag = follower->Lag();
  ASSERT_EQ(lag.partitions.size(), kPartitions);
  const feeds::PartitionLag& stuck = lag.partitions[bad_partition];
  EXPECT_EQ(stuck.partition, bad_partition);
  EXPECT_EQ(stuck.applied_sequence, bad_sequence - 1);
  EXPECT_GE(stuck.waiting_attempts, 3);
  EXPECT_GE(stuck.refused_count, 3u);
  EXPECT_GT(stuck.events_behind, 0u);
  EXPECT_THAT(stuck.last_refusal, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(lag.refused_count, stuck.refused_count);
  for (const feeds::PartitionLag& p : lag.partitions) {
    if (p.partition == bad_partition) continue;
    EXPECT_EQ(p.events_behind, 0u) << "partition " << p.partition;
    EXPECT_EQ(p.waiting_attempts, 0) << "partition " << p.partition;
  }

  // The operator fixes it: the event is applied once, and the rest follows.
  fixed = true;
  ASSERT_OK(
      follower->WaitUntilApplied(LastSequences(produced), kCatchUpTimeout));
  follower->Stop();
  follower->Stop();  // idempotent

  // Logged with its identifiers, never its payload.
  const std::string text = log.Text();
  EXPECT_THAT(text, HasSubstr("feed event refused by the consumer"));
  EXPECT_THAT(
      text, HasSubstr(absl::StrCat("\"partition\":\"", bad_partition,
                                   "\",\"sequence\":\"", bad_sequence, "\"")));
  EXPECT_THAT(text, HasSubstr(bad_case));
  EXPECT_THAT(text, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(text, HasSubstr("feed partition moving again"));
  EXPECT_THAT(text, Not(HasSubstr("Ndiaye")));

  ExpectAppliedExactlyOnce(*store, produced);
}

INSTANTIATE_TEST_SUITE_P(Commits, RefusedEventTest,
                         ::testing::Values(Commits::kBatched,
                                           Commits::kOnePerPartition,
                                           Commits::kOneEvent),
                         [](const ::testing::TestParamInfo<Commits>& info) {
                           switch (info.param) {
                             case Commits::kBatched:
                               return std::string("Batched");
                             case Commits::kOnePerPartition:
                               return std::string("OnePerPartition");
                             case Commits::kOneEvent:
                               return std::string("OneEvent");
                           }
                           return std::string("Unknown");
                         });

TEST(FeedFollowerTest, ARestartedFollowerResumesFromItsCursorsAndReportsLag) {
  TempDir dir;
  WriteTestSecret(dir);
  Producer a(dir, 0, 0, 3), b(dir, 1, 4, 7);
  a.Launch();
  b.Launch();
  a.WaitUntilListening();
  b.WaitUntilListening();
  const std::vector<Producer*> producers = {&a, &b};
  auto store = OpenConsumerStore(dir.path() + "/consumer");
  ASSERT_NE(store, nullptr);
  RecordingProjection projection;

  RegisterCases(producers, 0, 100);
  EventsByPartition produced = OutboxOf(producers);
  {
    auto follower = StartFollower(producers, store.get(), &projection);
    ASSERT_NE(follower, nullptr);
    ASSERT_OK(
        follower->WaitUntilApplied(LastSequences(produced), kCatchUpTimeout));
    feeds::FeedLag lag = follower->Lag();
    for (const feeds::PartitionLag& p : lag.partitions) {
      EXPECT_EQ(p.producer, p.partition < 4 ? a.address() : b.address());
      EXPECT_EQ(p.events_behind, 0u);
      EXPECT_NE(p.last_event_time, absl::InfinitePast());
      EXPECT_GT(p.last_event_age, absl::ZeroDuration());
      EXPECT_GE(p.last_apply_delay, absl::ZeroDuration());
    }
    EXPECT_EQ(lag.refused_count, 0u);
  }  // the destructor stops it

  // Events committed while no follower runs are applied by the next one,
  // which starts from the stored cursors (re-applying any event would fail
  // the projection's precondition and show as a refusal).
  RegisterCases(producers, 100, 160);
  produced = OutboxOf(producers);
  auto follower = StartFollower(producers, store.get(), &projection);
  ASSERT_NE(follower, nullptr);
  ASSERT_OK(
      follower->WaitUntilApplied(LastSequences(produced), kCatchUpTimeout));
  EXPECT_EQ(follower->refused_count(), 0u);
  follower->Stop();
  ExpectAppliedExactlyOnce(*store, produced);
}

TEST(FeedFollowerTest, StartRefusesOptionsThatDoNotFit) {
  TempDir dir;
  auto store = OpenConsumerStore(dir.path() + "/consumer");
  ASSERT_NE(store, nullptr);
  RecordingProjection projection;
  google::protobuf::RepeatedPtrField<homeward::internal::v1::ServiceRoute>
      routes;
  auto* route = routes.Add();
  route->set_service("assessment");
  route->add_replicas()->set_address("127.0.0.1:1");
  absl::StatusOr<routing::RouteTable> table =
      routing::RouteTable::Create(routes, kPartitions, "assessment");
  ASSERT_OK(table);

  feeds::FeedFollower::Options options;
  options.producer = *table;
  options.partitions = storage::PartitionSet::All(16);  // not the producer's
  options.store = store.get();
  options.consumer = &projection;
  options.principal_secret = testing::kTestSecret;
  auto refused = feeds::FeedFollower::Start(options);
  EXPECT_THAT(refused.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(errors::FieldViolationsOf(refused.status()),
              ::testing::Contains(::testing::Field(
                  &errors::FieldViolation::field, "partitions")));

  options.partitions = storage::PartitionSet::All(kPartitions);
  options.principal_secret.clear();
  EXPECT_THAT(feeds::FeedFollower::Start(options).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("principal_secret")));
}

}  // namespace
}  // namespace homeward
