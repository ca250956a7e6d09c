// Event retention across processes: a homeward-assessment process configured
// to trim every second (ServiceConfig.event_retention) trims the events a
// registered consumer (a FeedFollower with its ConsumerRegistration in this
// process) has applied, refuses a subscriber starting below them, and after
// a SIGKILL and a restart on the same data directory numbers new events
// after the old ones: a sequence is never handed out twice.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/principal_token.h"
#include "common/feeds/consumer_registration.h"
#include "common/feeds/feed_follower.h"
#include "common/routing/route_table.h"
#include "common/server/config_file.h"
#include "common/server/server_kit.h"
#include "common/status/status_matchers.h"
#include "common/storage/ids.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/events.grpc.pb.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/child_process.h"
#include "tests/fixtures/recording_projection.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::ChildProcess;
using ::testing::HasSubstr;

constexpr uint32_t kPartitions = 4;
constexpr absl::Duration kStartTimeout = absl::Seconds(30);
// Generous: the machine is small and shared.
constexpr absl::Duration kTimeout = absl::Seconds(90);
const char kOffice[] = "office-dakar";

void WriteTestSecret(const std::string& path) {
  {
    std::ofstream out(path);
    out << testing::kTestSecret << "\n";
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write);
}

// A homeward-assessment process owning every partition, trimming every
// second what is a second old and every registered consumer applied.
class Producer {
 public:
  explicit Producer(const testing::TempDir& dir) : dir_(dir) {
    WriteTestSecret(dir.path() + "/principal.secret");
    homeward::internal::v1::AssessmentConfig file =
        testing::WithShippedProgrammeData({});
    homeward::internal::v1::ServiceConfig& config = *file.mutable_service();
    config.set_data_dir(dir.path() + "/producer");
    config.set_partition_count(kPartitions);
    config.set_principal_secret_file(dir.path() + "/principal.secret");
    config.mutable_event_retention()->set_min_age_seconds(1);
    config.mutable_event_retention()->set_trim_interval_seconds(1);
    config_path_ = dir.path() + "/producer.textproto";
    EXPECT_OK(server::WriteTextProtoFile(config_path_, file, 0600));
  }

  void Start() {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            HOMEWARD_ASSESSMENT_BIN, "--config=" + config_path_,
            absl::StrCat("--listen=127.0.0.1:", port_), "--log_requests=false"},
        absl::StrCat(dir_.path(), "/producer-", ++starts_, ".log"));
    const std::string port = process_->WaitForLogField("port", kStartTimeout);
    ASSERT_FALSE(port.empty()) << process_->Log();
    if (port_ == 0) port_ = std::stoi(port);
    channel_ =
        grpc::CreateCustomChannel(address(), grpc::InsecureChannelCredentials(),
                                  server::InternalChannelArguments());
  }
  void Kill() {
    process_->Signal(SIGKILL);
    EXPECT_EQ(process_->Wait(), 128 + SIGKILL);
  }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  std::string Log() const { return process_->Log(); }

  // Registers case `i` (request id "retention-<i>"); returns its partition.
  uint32_t RegisterCase(int i) {
    auto stub = homeward::v1::CaseService::NewStub(channel_);
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    testing::SignAs(testing::MakePrincipal(
                        "cm-1", homeward::v1::ROLE_CASE_MANAGER, {kOffice}),
                    &ctx);
    homeward::v1::Case created;
    const grpc::Status status = stub->RegisterCase(
        &ctx,
        testing::ValidRegistration(absl::StrCat("retention-", i), kOffice),
        &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created.partition();
  }

  absl::StatusOr<homeward::v1::ListConsumersResponse> List() {
    auto stub = homeward::v1::EventFeedService::NewStub(channel_);
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    testing::SignAs(
        testing::MakePrincipal("operator", homeward::v1::ROLE_SERVICE, {}),
        &ctx);
    homeward::v1::ListConsumersResponse response;
    const grpc::Status status = stub->ListConsumers(
        &ctx, homeward::v1::ListConsumersRequest(), &response);
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    }
    return response;
  }

  // A replay of `partition` after `cursor`: the sequences, or the status.
  absl::StatusOr<std::vector<uint64_t>> Replay(uint32_t partition,
                                               uint64_t cursor) {
    auto stub = homeward::v1::EventFeedService::NewStub(channel_);
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    testing::SignAs(
        testing::MakePrincipal("reader", homeward::v1::ROLE_SERVICE, {}), &ctx);
    homeward::v1::SubscribeRequest request;
    request.set_replay_only(true);
    auto* c = request.add_cursors();
    c->set_partition(partition);
    c->set_after_sequence(cursor);
    auto reader = stub->Subscribe(&ctx, request);
    std::vector<uint64_t> sequences;
    homeward::v1::Event e;
    while (reader->Read(&e)) sequences.push_back(e.sequence());
    const grpc::Status status = reader->Finish();
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    }
    return sequences;
  }

 private:
  const testing::TempDir& dir_;
  std::string config_path_;
  int port_ = 0;
  int starts_ = 0;
  std::unique_ptr<ChildProcess> process_;
  std::shared_ptr<grpc::Channel> channel_;
};

routing::RouteTable RoutesTo(const Producer& producer) {
  google::protobuf::RepeatedPtrField<homeward::internal::v1::ServiceRoute>
      routes;
  auto* route = routes.Add();
  route->set_service("assessment");
  auto* replica = route->add_replicas();
  replica->set_address(producer.address());
  auto* range = replica->add_partitions();
  range->set_first(0);
  range->set_last(kPartitions - 1);
  auto table = routing::RouteTable::Create(routes, kPartitions, "assessment");
  EXPECT_TRUE(table.ok()) << table.status();
  return *table;
}

TEST(EventRetentionProcessTest, TrimsBehindARegisteredConsumerAcrossARestart) {
  testing::TempDir dir;
  Producer producer(dir);
  ASSERT_NO_FATAL_FAILURE(producer.Start());
  for (int i = 0; i < 24; ++i) producer.RegisterCase(i);
  // The latest sequence of each partition with events.
  std::map<uint32_t, uint64_t> latest;
  {
    auto list = producer.List();
    ASSERT_TRUE(list.ok()) << list.status();
    for (const auto& outbox : list->outboxes()) {
      if (outbox.latest_sequence() > 0) {
        latest[outbox.partition()] = outbox.latest_sequence();
      }
    }
  }
  ASSERT_GE(latest.size(), 2u);

  auto store = storage::Store::Open(
      {.path = dir.path() + "/consumer", .partition_count = kPartitions});
  ASSERT_TRUE(store.ok()) << store.status();
  testing::RecordingProjection projection;
  feeds::FeedFollower::Options options;
  options.producer = RoutesTo(producer);
  options.partitions = storage::PartitionSet::All(kPartitions);
  options.store = store->get();
  options.consumer = &projection;
  options.principal_secret = testing::kTestSecret;
  options.backoff = {absl::Milliseconds(20), absl::Milliseconds(200)};
  auto follower = feeds::FeedFollower::Start(options);
  ASSERT_TRUE(follower.ok()) << follower.status();
  feeds::ConsumerRegistration::Options reporting;
  reporting.follower = follower->get();
  reporting.store = store->get();
  reporting.consumer_name = projection.name();
  reporting.principal_secret = testing::kTestSecret;
  reporting.interval = absl::Milliseconds(200);
  auto registration = feeds::ConsumerRegistration::Start(reporting);
  ASSERT_TRUE(registration.ok()) << registration.status();
  absl::flat_hash_map<uint32_t, uint64_t> want(latest.begin(), latest.end());
  ASSERT_OK((*follower)->WaitUntilApplied(want, kTimeout));

  // The producer's job trims every partition down to its latest event.
  const absl::Time deadline = absl::Now() + kTimeout;
  while (true) {
    auto list = producer.List();
    ASSERT_TRUE(list.ok()) << list.status();
    bool trimmed = true;
    for (const auto& outbox : list->outboxes()) {
      if (latest.count(outbox.partition()) > 0 &&
          outbox.oldest_retained_sequence() != latest[outbox.partition()]) {
        trimmed = false;
      }
    }
    if (trimmed) break;
    ASSERT_LT(absl::Now(), deadline) << list->DebugString() << "\n"
                                     << producer.Log();
    absl::SleepFor(absl::Milliseconds(200));
  }
  // A subscriber from the start is told, not given a gap.
  const uint32_t busy = latest.begin()->first;
  if (latest[busy] > 1) {
    EXPECT_THAT(producer.Replay(busy, 0),
                testing::StatusIs(absl::StatusCode::kFailedPrecondition,
                                  HasSubstr(absl::StrCat("partition ", busy))));
  }

  // Killed and restarted: new events come after the kept ones.
  (*registration)->Stop();
  (*follower)->Stop();
  producer.Kill();
  ASSERT_NO_FATAL_FAILURE(producer.Start());
  for (int i = 100; i < 112; ++i) producer.RegisterCase(i);
  for (const auto& [p, before] : latest) {
    // Everything after the kept event is new, numbered on from it.
    auto replayed = producer.Replay(p, before - 1);
    ASSERT_TRUE(replayed.ok()) << replayed.status();
    ASSERT_FALSE(replayed->empty());
    for (size_t i = 0; i < replayed->size(); ++i) {
      EXPECT_EQ((*replayed)[i], before + i) << "partition " << p;
    }
  }
}

}  // namespace
}  // namespace homeward
