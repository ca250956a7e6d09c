// The all-in-one's single metrics endpoint (--metrics_listen_address): every
// service and the gateway record into it, told apart by their `server`
// label, and /healthz follows the gateway's readiness.
#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/metrics/metrics.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "services/all_in_one/embedded_suite.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/prometheus_text.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::Exposition;
using ::homeward::testing::HealthStatus;
using ::homeward::testing::IsOk;
using ::homeward::testing::Scrape;
using ::homeward::testing::TempDir;

constexpr const char* kServices[] = {"assessment", "planning", "referral",
                                     "follow_up"};

TEST(AllInOneMetricsTest, OneEndpointLabelsEveryPart) {
  TempDir dir;
  all_in_one::EmbeddedOptions options;
  options.data_dir = dir.path() + "/data";
  options.grpc_listen = "127.0.0.1:0";
  options.http_listen = "127.0.0.1:0";
  options.metrics_listen_address = "127.0.0.1:0";
  {
    auto suite = all_in_one::EmbeddedSuite::Start(options);
    ASSERT_THAT(suite.status(), IsOk());
    const int port = (*suite)->metrics_port();
    ASSERT_GT(port, 0);

    // One call through the gateway's gRPC face.
    auto stub = v1::CaseService::NewStub(
        testing::LoopbackChannel((*suite)->grpc_port()));
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization",
                    absl::StrCat("Bearer ", (*suite)->dev_api_key()));
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    v1::GetCaseRequest request;
    request.set_case_id("C-does-not-exist");
    v1::Case out;
    grpc::Status status = stub->GetCase(&ctx, request, &out);
    ASSERT_FALSE(status.ok());

    // The gateway probes every service's health over its in-process
    // channel each second; wait for the probes to be counted.
    Exposition e;
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      e = Scrape(port);
      bool all_probed = true;
      for (const char* service : kServices) {
        if (e.Sum("homeward_rpc_requests_total",
                  {{"server", service},
                   {"service", "grpc.health.v1.Health"},
                   {"code", "OK"}}) < 1) {
          all_probed = false;
        }
      }
      if (all_probed) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    EXPECT_EQ(
        e.Sum("homeward_rpc_requests_total",
              {{"server", "gateway"},
               {"face", "grpc"},
               {"method", "GetCase"},
               {"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(
                            status.error_code()))}}),
        1);
    for (const char* service : kServices) {
      EXPECT_GE(e.Sum("homeward_rpc_requests_total",
                      {{"server", service},
                       {"service", "grpc.health.v1.Health"},
                       {"code", "OK"}}),
                1)
          << service;
      // Each service's own store.
      EXPECT_EQ(
          e.Matching("homeward_rocksdb_memtable_bytes", {{"server", service}})
              .size(),
          1u)
          << service;
    }
    // Planning follows the assessment feed in process.
    EXPECT_FALSE(
        e.Matching("homeward_feed_events_behind", {{"server", "planning"}})
            .empty());
    // The process's memory once, not per part.
    EXPECT_EQ(e.Matching("homeward_process_resident_bytes", {}).size(), 1u);

    EXPECT_EQ(HealthStatus(port), 200);
    (*suite)->Shutdown(absl::Seconds(2));
    EXPECT_EQ(HealthStatus(port), 503);
  }
  // Later parts of this process no longer record into the suite's metrics.
  EXPECT_EQ(metrics::Metrics::ProcessWide(), nullptr);
}

}  // namespace
}  // namespace homeward
