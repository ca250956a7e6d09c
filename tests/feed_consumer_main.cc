// homeward-test-feed-consumer: a FeedFollower with the test's recording
// projection (tests/fixtures/recording_projection.h) in a process of its own,
// with its own RocksDB, so that tests can SIGKILL and restart a consumer, and
// the feed-lag benchmark can measure a follower that does not share a
// process with the producer. Test-only: not installed.
//
//   homeward-test-feed-consumer --data_dir=/tmp/c --partition_count=8
//       --producers=127.0.0.1:7101=0-3,127.0.0.1:7102=4-7
//       --principal_secret_file=/tmp/principal.secret
//
// Logs (JSON lines on stderr): "feed consumer following" once started, then
// "feed progress" whenever the applied total changes (applied = the sum of
// the applied sequences, i.e. the events applied, since sequences start at 1;
// refused = refusals so far), at most every --progress_ms; on SIGTERM it
// stops the follower and logs "feed lag" with the quantiles of (commit of the
// effect - commit at the producer) over the events committed at the
// producer after the consumer started, then exits 0.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/principal_token.h"
#include "common/cases/case_directory.h"
#include "common/feeds/feed_follower.h"
#include "common/routing/route_table.h"
#include "common/server/log.h"
#include "common/server/shutdown.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/store.h"
#include "tests/fixtures/recording_projection.h"

ABSL_FLAG(std::string, data_dir, "", "the consumer's RocksDB directory");
ABSL_FLAG(uint32_t, partition_count, 8, "the producer's partition count");
ABSL_FLAG(std::string, producers, "",
          "producer replicas as ADDRESS=FIRST-LAST,...; the consumer follows "
          "every partition");
ABSL_FLAG(std::string, principal_secret_file, "",
          "file holding the deployment secret");
ABSL_FLAG(std::string, refuse_subject, "",
          "refuse events with this subject id while --fix_file is absent");
ABSL_FLAG(std::string, fix_file, "",
          "once this file exists, --refuse_subject is no longer refused");
ABSL_FLAG(bool, sync_writes, true, "sync the WAL before each commit returns");
ABSL_FLAG(std::string, projection, "recording",
          "what the follower keeps: recording (the tests' projection, one "
          "record per event) or case_directory (common/cases, as a service "
          "that does not own cases keeps it; commits as it declares)");
ABSL_FLAG(std::string, commits, "batched",
          "how the follower commits, as the projection's reads allow: "
          "batched (it reads nothing: many events per commit), "
          "per_partition (it reads its event's partition: the partitions' "
          "next events side by side) or one_event (one after the other)");
ABSL_FLAG(int, progress_ms, 100, "how often to log progress");
ABSL_FLAG(int, max_queued_per_partition, 1024,
          "events queued per partition between stream and applier");

namespace {

using homeward::v1::Event;

int Fail(const absl::Status& status) {
  homeward::server::Log("error", "feed consumer cannot start",
                        {{"error", status.ToString()}});
  return 1;
}

// --producers into the routes of a service named "producer".
absl::StatusOr<homeward::routing::RouteTable> ParseProducers(
    const std::string& text, uint32_t partition_count) {
  google::protobuf::RepeatedPtrField<homeward::internal::v1::ServiceRoute>
      routes;
  auto* route = routes.Add();
  route->set_service("producer");
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    std::vector<std::string> parts = absl::StrSplit(item, '=');
    std::vector<std::string> range = parts.size() == 2
                                         ? absl::StrSplit(parts[1], '-')
                                         : std::vector<std::string>{};
    uint32_t first = 0, last = 0;
    if (range.size() != 2 || !absl::SimpleAtoi(range[0], &first) ||
        !absl::SimpleAtoi(range[1], &last)) {
      return homeward::errors::InvalidField(
          "producers",
          "must be ADDRESS=FIRST-LAST,... e.g. 127.0.0.1:7101=0-3");
    }
    auto* replica = route->add_replicas();
    replica->set_address(parts[0]);
    auto* partitions = replica->add_partitions();
    partitions->set_first(first);
    partitions->set_last(last);
  }
  return homeward::routing::RouteTable::Create(routes, partition_count,
                                               "producer");
}

// Lags of the events committed at the producer after `start`.
class LagRecorder {
 public:
  explicit LagRecorder(absl::Time start) : start_(start) {}
  void Record(const Event& event, absl::Time applied) {
    const absl::Time committed = absl::FromUnixSeconds(event.time().seconds()) +
                                 absl::Nanoseconds(event.time().nanos());
    if (committed < start_) return;  // replayed backlog, not live lag
    absl::MutexLock lock(&mu_);
    lags_ms_.push_back(absl::ToDoubleMilliseconds(applied - committed));
  }
  void LogSummary() {
    absl::MutexLock lock(&mu_);
    std::sort(lags_ms_.begin(), lags_ms_.end());
    auto quantile = [&](double q) -> std::string {
      if (lags_ms_.empty()) return "0";
      size_t rank = static_cast<size_t>(std::ceil(q * lags_ms_.size()));
      rank = std::clamp<size_t>(rank, 1, lags_ms_.size());
      return absl::StrFormat("%.2f", lags_ms_[rank - 1]);
    };
    homeward::server::Log("info", "feed lag",
                          {{"events", absl::StrCat(lags_ms_.size())},
                           {"p50_ms", quantile(0.5)},
                           {"p90_ms", quantile(0.9)},
                           {"p99_ms", quantile(0.99)},
                           {"max_ms", quantile(1.0)}});
  }

 private:
  const absl::Time start_;
  absl::Mutex mu_;
  std::vector<double> lags_ms_ ABSL_GUARDED_BY(mu_);
};

absl::Status Run() {
  const uint32_t partition_count = absl::GetFlag(FLAGS_partition_count);
  ASSIGN_OR_RETURN(
      homeward::routing::RouteTable producer,
      ParseProducers(absl::GetFlag(FLAGS_producers), partition_count));
  ASSIGN_OR_RETURN(std::string secret,
                   homeward::auth::ReadSecretFile(
                       absl::GetFlag(FLAGS_principal_secret_file)));
  ASSIGN_OR_RETURN(std::unique_ptr<homeward::storage::Store> store,
                   homeward::storage::Store::Open(
                       {.path = absl::GetFlag(FLAGS_data_dir),
                        .sync_writes = absl::GetFlag(FLAGS_sync_writes),
                        .partition_count = partition_count}));

  const std::string commits = absl::GetFlag(FLAGS_commits);
  if (commits != "batched" && commits != "per_partition" &&
      commits != "one_event") {
    return homeward::errors::InvalidField(
        "commits", "must be batched, per_partition or one_event");
  }
  const std::string kept = absl::GetFlag(FLAGS_projection);
  const std::string refuse_subject = absl::GetFlag(FLAGS_refuse_subject);
  const std::string fix_file = absl::GetFlag(FLAGS_fix_file);
  std::unique_ptr<homeward::feeds::EventConsumer> consumer;
  if (kept == "recording") {
    consumer = std::make_unique<homeward::testing::RecordingProjection>(
        homeward::testing::RecordingProjection::Options{
            .refuse =
                [&](const Event& event) {
                  return !refuse_subject.empty() &&
                         event.subject_id() == refuse_subject &&
                         !std::filesystem::exists(fix_file);
                },
            .reads_own_projection =
                commits == "batched" ? nullptr : store.get(),
            .reads_only_event_partition = commits == "per_partition"});
  } else if (kept == "case_directory") {
    consumer = std::make_unique<homeward::cases::CaseDirectory>(
        store.get(), homeward::storage::PartitionSet::All(partition_count));
  } else {
    return homeward::errors::InvalidField(
        "projection", "must be recording or case_directory");
  }
  LagRecorder lags(absl::Now());

  homeward::feeds::FeedFollower::Options options;
  options.producer = producer;
  options.partitions = homeward::storage::PartitionSet::All(partition_count);
  options.store = store.get();
  options.consumer = consumer.get();
  options.principal_secret = secret;
  options.max_queued_per_partition =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_queued_per_partition));
  options.on_applied = [&lags](const Event& event, absl::Time applied) {
    lags.Record(event, applied);
  };
  ASSIGN_OR_RETURN(std::unique_ptr<homeward::feeds::FeedFollower> follower,
                   homeward::feeds::FeedFollower::Start(std::move(options)));
  homeward::server::Log("info", "feed consumer following",
                        {{"pid", absl::StrCat(getpid())}});

  // Progress on its own thread; the main thread waits for SIGTERM.
  absl::Mutex mu;
  bool done = false;
  std::thread progress([&] {
    uint64_t logged_applied = 0, logged_refused = 0;
    bool first = true;
    absl::MutexLock lock(&mu);
    while (!mu.AwaitWithTimeout(
        absl::Condition(&done),
        absl::Milliseconds(absl::GetFlag(FLAGS_progress_ms)))) {
      homeward::feeds::FeedLag lag = follower->Lag();
      uint64_t applied = 0;
      for (const auto& p : lag.partitions) applied += p.applied_sequence;
      if (!first && applied == logged_applied &&
          lag.refused_count == logged_refused) {
        continue;
      }
      first = false;
      logged_applied = applied;
      logged_refused = lag.refused_count;
      homeward::server::Log("info", "feed progress",
                            {{"applied", absl::StrCat(applied)},
                             {"refused", absl::StrCat(lag.refused_count)},
                             {"reconnects", absl::StrCat(lag.reconnects)}});
    }
  });
  homeward::server::WaitForTerminationSignal();
  {
    absl::MutexLock lock(&mu);
    done = true;
  }
  progress.join();
  follower->Stop();
  lags.LogSummary();
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  homeward::server::BlockTerminationSignals();
  absl::ParseCommandLine(argc, argv);
  absl::Status status = Run();
  if (!status.ok()) return Fail(status);
  return 0;
}
