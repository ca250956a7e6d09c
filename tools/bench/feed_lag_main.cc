// homeward-feed-lag: the feed-lag figure of issue 10. Starts homeward-bench's
// embedded deployment (one assessment service with 64 partitions and a
// gateway, loopback TCP), a feed follower in a process of its own
// (homeward-test-feed-consumer: the recording projection in its own RocksDB,
// WAL synced like a service's store) following every partition of the
// assessment feed, then drives the bench's register_gateway scenario
// (RegisterCase through the gateway, closed loop) and reports the quantiles
// of (commit of the event's effect at the follower - commit of the event at
// the producer) over every event committed during the run.
//
//   homeward-feed-lag --seconds=10 --concurrency=64
//   homeward-feed-lag --seconds=5 --concurrency=8      # lighter load
//
// Both times come from the same host's clock (Event.time is stamped when the
// producer's committer takes the write, before its WAL sync), so the figure
// includes the producer's sync, the stream, the follower's apply and its own
// sync. Exits non-zero when the run or any call failed.
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/auth/principal_token.h"
#include "common/server/flags_usage.h"
#include "common/server/log.h"
#include "grpcpp/create_channel.h"
#include "homeward/v1/events.grpc.pb.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/child_process.h"
#include "tests/fixtures/temp_dir.h"
#include "tools/bench/scenarios.h"

ABSL_FLAG(int, concurrency, 64, "RegisterCase calls in flight.");
ABSL_FLAG(double, seconds, 10, "Measured seconds of load.");
ABSL_FLAG(double, warmup_seconds, 1,
          "Load before the measured seconds (its events count too).");
ABSL_FLAG(int, calls_per_channel, 16,
          "In-flight calls per client channel (each its own TCP connection).");
ABSL_FLAG(bool, follower_sync_writes, true,
          "The follower syncs its WAL before each commit returns, as a "
          "service's store does.");
ABSL_FLAG(std::string, projection, "case_directory",
          "What the follower keeps: case_directory (the case directory a "
          "service that does not own cases keeps) or recording (a record per "
          "event, committed as --follower_commits says).");
ABSL_FLAG(std::string, follower_commits, "batched",
          "How the follower commits: batched (many events per commit), "
          "per_partition (the partitions' next events side by side) or "
          "one_event (one after the other).");

namespace homeward::bench {
namespace {

constexpr uint32_t kPartitions = 64;  // the bench deployment's
constexpr absl::Duration kStartTimeout = absl::Seconds(30);
constexpr absl::Duration kCatchUpTimeout = absl::Seconds(120);

// The events in the producer's outbox, counted through its feed.
absl::StatusOr<uint64_t> CountEvents(const Deployment& deployment) {
  auto stub = homeward::v1::EventFeedService::NewStub(grpc::CreateChannel(
      deployment.service_target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  auth::PrincipalSigner(deployment.secret())
      .Attach(testing::MakePrincipal("feed-lag-bench",
                                     homeward::v1::ROLE_SERVICE, {}),
              &context);
  homeward::v1::SubscribeRequest request;
  request.set_replay_only(true);
  for (uint32_t p = 0; p < kPartitions; ++p) {
    request.add_cursors()->set_partition(p);
  }
  auto reader = stub->Subscribe(&context, request);
  homeward::v1::Event event;
  uint64_t count = 0;
  while (reader->Read(&event)) ++count;
  grpc::Status status = reader->Finish();
  if (!status.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot read the feed: ", status.error_message()));
  }
  return count;
}

// The last value of "field":"value" in `log`, or empty.
std::string LastField(const std::string& log, const std::string& field) {
  const std::regex pattern("\"" + field + "\":\"([^\"]*)\"");
  std::string last;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), pattern);
       it != std::sregex_iterator(); ++it) {
    last = (*it)[1];
  }
  return last;
}

int Run() {
  server::SetRequestLogging(false);
  testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<Deployment>> deployment =
      // Without the planning and referral replicas: the follower in its own
      // process is the only consumer of the feed, as when these figures were
      // first taken.
      Deployment::Start({.data_dir = dir.path() + "/deployment",
                         .sync_writes = true,
                         .deploy_dir = "",
                         .planning = false,
                         .referral = false,
                         .follow_up = true,
                         .tls_dir = "",
                         .encryption_key_file = ""});
  if (!deployment.ok()) {
    std::cerr << "cannot start the deployment: " << deployment.status() << "\n";
    return 1;
  }
  const std::string secret_file = dir.path() + "/principal.secret";
  {
    std::ofstream out(secret_file);
    out << (*deployment)->secret() << "\n";
  }
  std::filesystem::permissions(
      secret_file,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  testing::ChildProcess follower(
      {HOMEWARD_FEED_CONSUMER_BIN, "--data_dir=" + dir.path() + "/follower",
       absl::StrCat("--partition_count=", kPartitions),
       absl::StrCat("--producers=", (*deployment)->service_target(), "=0-",
                    kPartitions - 1),
       "--principal_secret_file=" + secret_file,
       "--projection=" + absl::GetFlag(FLAGS_projection),
       "--commits=" + absl::GetFlag(FLAGS_follower_commits),
       absl::StrCat("--sync_writes=", absl::GetFlag(FLAGS_follower_sync_writes)
                                          ? "true"
                                          : "false")},
      dir.path() + "/follower.log");
  if (follower.WaitForLogField("pid", kStartTimeout).empty()) {
    std::cerr << "the follower did not start:\n" << follower.Log();
    return 1;
  }

  ScenarioSettings settings;
  settings.load.concurrency = absl::GetFlag(FLAGS_concurrency);
  settings.load.warmup = absl::Seconds(absl::GetFlag(FLAGS_warmup_seconds));
  settings.load.duration = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  settings.calls_per_channel = absl::GetFlag(FLAGS_calls_per_channel);
  absl::StatusOr<std::unique_ptr<PreparedScenario>> scenario =
      PreparedScenario::Prepare("register_gateway", **deployment,
                                ScenarioData{}, settings);
  if (!scenario.ok()) {
    std::cerr << "cannot prepare register_gateway: " << scenario.status()
              << "\n";
    return 1;
  }
  std::cerr << "homeward-feed-lag: register_gateway for "
            << absl::GetFlag(FLAGS_seconds) << " s at concurrency "
            << settings.load.concurrency << ", follower in pid "
            << follower.WaitForLogField("pid", kStartTimeout) << "...\n";
  absl::StatusOr<LoadResult> load = (*scenario)->Run(settings.load);
  if (!load.ok()) {
    std::cerr << "load failed: " << load.status() << "\n";
    return 1;
  }

  // Wait until the follower applied every event, then stop it for its
  // summary.
  absl::StatusOr<uint64_t> total = CountEvents(**deployment);
  if (!total.ok()) {
    std::cerr << total.status() << "\n";
    return 1;
  }
  const absl::Time deadline = absl::Now() + kCatchUpTimeout;
  uint64_t applied = 0;
  while (absl::Now() < deadline) {
    const std::string last = LastField(follower.Log(), "applied");
    applied = last.empty() ? 0 : std::stoull(last);
    if (applied >= *total) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  follower.Signal(SIGTERM);
  const int code = follower.WaitFor(absl::Seconds(30));
  const std::string log = follower.Log();
  if (applied < *total || code != 0) {
    std::cerr << "the follower applied " << applied << " of " << *total
              << " events (exit " << code << "):\n"
              << log;
    return 1;
  }
  std::cout << absl::StrFormat(
      "\nhomeward-feed-lag: concurrency=%d seconds=%g follower_sync_writes=%s "
      "projection=%s follower_commits=%s\n"
      "register_gateway: %.0f calls/s, p50 %.0f us, p99 %.0f us, %d errors\n"
      "feed lag over %s events: p50 %s ms, p90 %s ms, p99 %s ms, max %s ms "
      "(goal: p99 < 100 ms)\n",
      settings.load.concurrency, absl::GetFlag(FLAGS_seconds),
      absl::GetFlag(FLAGS_follower_sync_writes) ? "true" : "false",
      absl::GetFlag(FLAGS_projection), absl::GetFlag(FLAGS_follower_commits),
      load->calls_per_second, load->p50_us, load->p99_us, load->errors,
      LastField(log, "events"), LastField(log, "p50_ms"),
      LastField(log, "p90_ms"), LastField(log, "p99_ms"),
      LastField(log, "max_ms"));
  if (load->errors > 0) {
    std::cout << "first error: " << load->first_error << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace homeward::bench

int main(int argc, char** argv) {
  homeward::server::SetUpFlagsUsage(
      "Usage: homeward-feed-lag [--seconds=10] [--concurrency=64]\n\n"
      "Measures how long a feed follower in its own process takes to apply "
      "the assessment service's events while RegisterCase load runs through "
      "the gateway.");
  absl::ParseCommandLine(argc, argv);
  return homeward::bench::Run();
}
