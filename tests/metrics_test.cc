// The Prometheus endpoint of real servers on loopback (common/metrics):
// per-method call counts by code and latency histograms of a service and of
// both gateway faces, the store's group commits, RocksDB figures, feed lag
// per consumer and partition, process memory, and /healthz following the
// gRPC health through shutdown. The scrape is parsed as the text format,
// line by line, so a malformed exposition fails too.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/service/service_host.h"
#include "common/service/upstream_feed.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "httplib.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/prometheus_text.h"
#include "tests/fixtures/recording_projection.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::Exposition;
using ::homeward::testing::Get;
using ::homeward::testing::HealthStatus;
using ::homeward::testing::IsOk;
using ::homeward::testing::kTestSecret;
using ::homeward::testing::Labels;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::Sample;
using ::homeward::testing::Scrape;
using ::homeward::testing::SignAs;
using ::homeward::testing::TempDir;

constexpr char kApiKey[] = "hw_metrics_test_case_manager_key_0123";
const auto kManager =
    MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"});

std::string CodeName(const grpc::Status& status) {
  return absl::StatusCodeToString(
      static_cast<absl::StatusCode>(status.error_code()));
}

// The histogram `name` of the series `labels`: cumulative buckets that
// never decrease, +Inf equal to _count.
void ExpectHistogram(const Exposition& e, const std::string& name,
                     const Labels& labels, double count) {
  std::vector<Sample> buckets = e.Matching(name + "_bucket", labels);
  ASSERT_GT(buckets.size(), 2u) << name;
  double previous = 0;
  double inf = -1;
  for (const Sample& b : buckets) {
    ASSERT_EQ(b.labels.count("le"), 1u);
    EXPECT_GE(b.value, previous) << name << " le=" << b.labels.at("le");
    previous = b.value;
    if (b.labels.at("le") == "+Inf") inf = b.value;
  }
  EXPECT_EQ(inf, count) << name;
  EXPECT_EQ(e.Sum(name + "_count", labels), count) << name;
  EXPECT_GE(e.Sum(name + "_sum", labels), 0) << name;
}

internal::v1::ServiceConfig WithMetrics(internal::v1::ServiceConfig config) {
  config.set_metrics_listen_address("127.0.0.1:0");
  return config;
}

std::unique_ptr<assessment::AssessmentServer> StartAssessment(
    const std::string& dir, bool metrics) {
  internal::v1::ServiceConfig service = testing::LoopbackServiceConfig(dir);
  if (metrics) service = WithMetrics(std::move(service));
  auto server = assessment::AssessmentServer::Start(
      testing::WithShippedProgrammeData(service), kTestSecret);
  EXPECT_THAT(server.status(), IsOk());
  return server.ok() ? *std::move(server) : nullptr;
}

grpc::Status RegisterDirect(v1::CaseService::Stub& stub,
                            const v1::RegisterCaseRequest& request,
                            bool signed_in, v1::Case* out) {
  grpc::ClientContext ctx;
  if (signed_in) SignAs(kManager, &ctx);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return stub.RegisterCase(&ctx, request, out);
}

// ---------------------------------------------------------------------------

TEST(ServiceMetricsTest, CountsCallsByCodeWithLatencyCommitsAndRocksDb) {
  TempDir dir;
  auto server = StartAssessment(dir.path(), /*metrics=*/true);
  ASSERT_NE(server, nullptr);
  ASSERT_GT(server->metrics_port(), 0);
  ASSERT_NE(server->metrics_port(), server->port());
  auto stub =
      v1::CaseService::NewStub(testing::LoopbackChannel(server->port()));

  v1::Case created;
  grpc::Status ok = RegisterDirect(
      *stub, testing::ValidRegistration("metrics-ok-1"), true, &created);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  // Unsigned: refused before anything is written.
  v1::Case ignored;
  grpc::Status refused = RegisterDirect(
      *stub, testing::ValidRegistration("metrics-refused-1"), false, &ignored);
  ASSERT_FALSE(refused.ok());

  const Exposition e = Scrape(server->metrics_port());
  const Labels method = {{"server", "assessment"},
                         {"face", "grpc"},
                         {"service", "homeward.v1.CaseService"},
                         {"method", "RegisterCase"}};
  Labels ok_series = method;
  ok_series["code"] = "OK";
  Labels refused_series = method;
  refused_series["code"] = CodeName(refused);
  EXPECT_EQ(e.Sum("homeward_rpc_requests_total", ok_series), 1);
  EXPECT_EQ(e.Sum("homeward_rpc_requests_total", refused_series), 1);
  EXPECT_EQ(e.Sum("homeward_rpc_requests_total", method), 2);
  EXPECT_EQ(e.types.at("homeward_rpc_requests_total"), "counter");
  EXPECT_EQ(e.types.at("homeward_rpc_duration_seconds"), "histogram");
  ExpectHistogram(e, "homeward_rpc_duration_seconds", method, 2);
  EXPECT_EQ(e.Sum("homeward_rpc_in_flight", method), 0);

  // The registration committed (synced), in at least one group.
  const Labels store = {{"server", "assessment"}};
  EXPECT_GE(e.Sum("homeward_store_group_commit_sets_count", store), 1);
  EXPECT_GE(e.Sum("homeward_store_group_commit_sets_sum", store), 1);
  EXPECT_GE(e.Sum("homeward_store_commit_write_seconds_count",
                  {{"server", "assessment"}, {"synced", "true"}}),
            1);
  EXPECT_EQ(e.types.at("homeward_store_group_commit_sets"), "histogram");

  // RocksDB's figures, read at the scrape.
  EXPECT_GT(e.Sum("homeward_rocksdb_memtable_bytes", store), 0);
  EXPECT_EQ(e.Sum("homeward_rocksdb_block_cache_capacity_bytes", store),
            64 << 20);
  for (const char* name : {"homeward_rocksdb_block_cache_usage_bytes",
                           "homeward_rocksdb_block_cache_hits_total",
                           "homeward_rocksdb_block_cache_misses_total",
                           "homeward_rocksdb_pending_compaction_bytes",
                           "homeward_rocksdb_running_compactions",
                           "homeward_rocksdb_sst_files_bytes"}) {
    EXPECT_EQ(e.Matching(name, store).size(), 1u) << name;
  }
  EXPECT_EQ(e.types.at("homeward_rocksdb_block_cache_hits_total"), "counter");

  EXPECT_GT(e.Sum("homeward_process_resident_bytes"), 1 << 20);
  EXPECT_GE(e.Sum("homeward_process_peak_resident_bytes"),
            e.Sum("homeward_process_resident_bytes"));

  // Nothing from a request reaches a label.
  for (const Sample& s : e.samples) {
    for (const auto& [k, v] : s.labels) {
      EXPECT_EQ(v.find(created.case_id()), std::string::npos) << s.name;
      EXPECT_EQ(v.find("metrics-ok-1"), std::string::npos) << s.name;
    }
  }
  server->Shutdown(absl::Seconds(5));
}

TEST(ServiceMetricsTest, HealthzFollowsServingThroughShutdown) {
  TempDir dir;
  auto server = StartAssessment(dir.path(), /*metrics=*/true);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(HealthStatus(server->metrics_port()), 200);
  httplib::Result other = Get(server->metrics_port(), "/elsewhere");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  server->Shutdown(absl::Seconds(5));
  // The endpoint outlives the gRPC server until the host is destroyed.
  EXPECT_EQ(HealthStatus(server->metrics_port()), 503);
}

TEST(ServiceMetricsTest, NoMetricsAddressServesNothing) {
  TempDir dir;
  auto server = StartAssessment(dir.path(), /*metrics=*/false);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->metrics_port(), 0);
  server->Shutdown(absl::Seconds(5));
}

TEST(ServiceMetricsTest, BusyMetricsPortRefusesTheStart) {
  TempDir first_dir;
  auto first = StartAssessment(first_dir.path(), /*metrics=*/true);
  ASSERT_NE(first, nullptr);
  TempDir second_dir;
  internal::v1::ServiceConfig service =
      testing::LoopbackServiceConfig(second_dir.path());
  service.set_metrics_listen_address(
      absl::StrCat("127.0.0.1:", first->metrics_port()));
  auto second = assessment::AssessmentServer::Start(
      testing::WithShippedProgrammeData(service), kTestSecret);
  EXPECT_THAT(second.status(),
              testing::StatusIs(absl::StatusCode::kUnavailable));
  first->Shutdown(absl::Seconds(5));
}

TEST(FeedMetricsTest, ReportsLagPerConsumerAndPartition) {
  TempDir assessment_dir;
  auto assessment = StartAssessment(assessment_dir.path(), /*metrics=*/false);
  ASSERT_NE(assessment, nullptr);
  // A service on the host that follows the assessment feed into a
  // recording projection, as planning follows it into its case directory.
  TempDir follower_dir;
  internal::v1::ServiceConfig service =
      WithMetrics(testing::LoopbackServiceConfig(follower_dir.path()));
  testing::AddShareRoute(service.mutable_upstream(), "assessment", 64,
                         {assessment->port()});
  service::ServiceDefinition definition{
      "recorder", [](service::ServiceParts& parts) -> absl::Status {
        auto* projection =
            parts.Own(std::make_unique<testing::RecordingProjection>());
        return service::FollowUpstream(parts, "assessment", projection)
            .status();
      }};
  auto follower = service::ServiceHost::Start(definition, service, kTestSecret);
  ASSERT_THAT(follower.status(), IsOk());

  auto stub =
      v1::CaseService::NewStub(testing::LoopbackChannel(assessment->port()));
  v1::Case created;
  grpc::Status ok = RegisterDirect(
      *stub, testing::ValidRegistration("metrics-feed-1"), true, &created);
  ASSERT_TRUE(ok.ok()) << ok.error_message();

  // The follower applies the registration's event: some partition's applied
  // sequence reaches 1.
  const std::string producer = absl::StrCat("127.0.0.1:", assessment->port());
  const Labels feed = {{"server", "recorder"},
                       {"consumer", testing::kRecordingConsumer},
                       {"producer", producer}};
  Exposition e;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    e = Scrape((*follower)->metrics_port());
    if (e.Sum("homeward_feed_applied_sequence", feed) >= 1) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_GE(e.Sum("homeward_feed_applied_sequence", feed), 1);
  // Every followed partition has its series, per consumer.
  std::map<std::string, int> partitions_per_consumer;
  for (const Sample& s : e.Matching("homeward_feed_events_behind", feed)) {
    ASSERT_EQ(s.labels.count("consumer"), 1u);
    ASSERT_EQ(s.labels.count("partition"), 1u);
    ++partitions_per_consumer[s.labels.at("consumer")];
  }
  ASSERT_FALSE(partitions_per_consumer.empty());
  for (const auto& [consumer, count] : partitions_per_consumer) {
    EXPECT_EQ(count, 64) << consumer;
  }
  EXPECT_EQ(e.types.at("homeward_feed_events_behind"), "gauge");
  EXPECT_EQ(e.types.at("homeward_feed_refused_total"), "counter");
  EXPECT_FALSE(
      e.Matching("homeward_feed_reconnects_total", {{"server", "recorder"}})
          .empty());
  (*follower)->Shutdown(absl::Seconds(5));
  assessment->Shutdown(absl::Seconds(5));
}

TEST(GatewayMetricsTest, CountsBothFacesByCodeAndFollowsReadiness) {
  TempDir dir;
  auto replica = StartAssessment(dir.path(), /*metrics=*/false);
  ASSERT_NE(replica, nullptr);
  gateway::GatewayServer::Options options;
  options.config.set_grpc_listen_address("127.0.0.1:0");
  options.config.set_http_listen_address("127.0.0.1:0");
  options.config.set_metrics_listen_address("127.0.0.1:0");
  options.config.set_partition_count(64);
  testing::SetPlaintextTransports(options.config);
  testing::AddShareRoute(options.config.mutable_routes(), "assessment", 64,
                         {replica->port()});
  options.principal_secret = kTestSecret;
  *options.api_keys.add_keys() =
      gateway::MakeApiKey("test-cm", kApiKey, kManager);
  auto gateway = gateway::GatewayServer::Start(std::move(options));
  ASSERT_THAT(gateway.status(), IsOk());
  const int metrics_port = (*gateway)->metrics_port();
  ASSERT_GT(metrics_port, 0);

  // gRPC face: one accepted registration, one refused key.
  auto stub = v1::CaseService::NewStub(
      testing::LoopbackChannel((*gateway)->grpc_port()));
  auto call = [&](const std::string& key, const std::string& request_id) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", key));
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    v1::Case out;
    return stub->RegisterCase(&ctx, testing::ValidRegistration(request_id),
                              &out);
  };
  grpc::Status ok = call(kApiKey, "metrics-gw-1");
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  grpc::Status refused = call("hw_not_a_key_000000000000000", "metrics-gw-2");
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // JSON face: the same method, refused for its key, and a malformed body.
  httplib::Client http("127.0.0.1", (*gateway)->http_port());
  http.set_read_timeout(10, 0);
  httplib::Result unauthenticated =
      http.Post("/homeward.v1.CaseService/GetCase",
                {{"Authorization", "Bearer hw_not_a_key_000000000000000"}},
                "{}", "application/json");
  ASSERT_TRUE(unauthenticated);
  EXPECT_EQ(unauthenticated->status, 401);
  httplib::Result malformed =
      http.Post("/homeward.v1.CaseService/GetCase",
                {{"Authorization", absl::StrCat("Bearer ", kApiKey)}},
                "{not json", "application/json");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);

  const Exposition e = Scrape(metrics_port);
  const Labels grpc_register = {{"server", "gateway"},
                                {"face", "grpc"},
                                {"service", "homeward.v1.CaseService"},
                                {"method", "RegisterCase"}};
  Labels grpc_ok = grpc_register;
  grpc_ok["code"] = "OK";
  Labels grpc_refused = grpc_register;
  grpc_refused["code"] = "UNAUTHENTICATED";
  EXPECT_EQ(e.Sum("homeward_rpc_requests_total", grpc_ok), 1);
  EXPECT_EQ(e.Sum("homeward_rpc_requests_total", grpc_refused), 1);
  ExpectHistogram(e, "homeward_rpc_duration_seconds", grpc_register, 2);

  const Labels json_get = {{"server", "gateway"},
                           {"face", "json"},
                           {"service", "homeward.v1.CaseService"},
                           {"method", "GetCase"}};
  Labels json_unauthenticated = json_get;
  json_unauthenticated["code"] = "UNAUTHENTICATED";
  Labels json_invalid = json_get;
  json_invalid["code"] = "INVALID_ARGUMENT";
  EXPECT_EQ(e.Sum("homeward_rpc_requests_total", json_unauthenticated), 1);
  EXPECT_EQ(e.Sum("homeward_rpc_requests_total", json_invalid), 1);
  ExpectHistogram(e, "homeward_rpc_duration_seconds", json_get, 2);
  EXPECT_EQ(e.Sum("homeward_rpc_in_flight", json_get), 0);
  // The gateway has no store: no commit or RocksDB series.
  EXPECT_TRUE(e.Matching("homeward_rocksdb_memtable_bytes", {}).empty());

  // /healthz follows the gateway's readiness: ready now (the replica
  // answered), 503 once shutting down.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (HealthStatus(metrics_port) != 200 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(HealthStatus(metrics_port), 200);
  (*gateway)->Shutdown(absl::Seconds(1));
  EXPECT_EQ(HealthStatus(metrics_port), 503);
  replica->Shutdown(absl::Seconds(5));
}

}  // namespace
}  // namespace homeward
