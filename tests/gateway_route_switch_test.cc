// The gateway's routes from a route map file (GatewayConfig.routes_file),
// switched while it runs: a partition move rewrites the file with a higher
// generation and new calls go to the partition's new owner, while calls in
// progress finish and none fails; a list page token from the old map is
// refused; a map the gateway cannot route by leaves the routes in force;
// readiness follows the new owners. Fake replicas on loopback
// (tests/fixtures/fake_replica.h).
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/routing/route_map_file.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.pb.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/method_table.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_in_partitions.h"
#include "tests/fixtures/fake_replica.h"
#include "tests/fixtures/gateway_client.h"
#include "tests/fixtures/health_probe.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::gateway {
namespace {

using ::grpc::health::v1::HealthCheckResponse;
using ::homeward::internal::v1::RouteMap;
using ::homeward::testing::FakeReplica;
using ::homeward::testing::GatewayClient;
using ::homeward::testing::HealthBecomes;
using ::homeward::testing::IsOk;
using ::homeward::testing::Received;
using ::homeward::testing::StatusIs;

namespace v1 = ::homeward::v1;

constexpr char kSecret[] = "gateway-route-switch-secret-0123456789abcdef";
constexpr char kKey[] = "hw_route_switch_supervisor_key";
constexpr uint32_t kPartitions = 64;
constexpr char kGetCase[] = "homeward.v1.CaseService/GetCase";
constexpr char kListCases[] = "homeward.v1.CaseService/ListCases";
// Generous: the machine is loaded; the watcher looks once a second.
constexpr absl::Duration kPatience = absl::Seconds(30);

// Each backend the public table names (assessment, planning, referral,
// follow-up), all served by the same fakes: `owners[r]` lists the
// [first, last] ranges replica r owns (possibly none).
RouteMap MapOf(
    uint64_t generation, const std::vector<std::string>& addresses,
    const std::vector<std::vector<std::pair<uint32_t, uint32_t>>>& owners,
    const std::vector<std::string>& backends) {
  RouteMap map;
  map.set_generation(generation);
  for (const std::string& backend : backends) {
    auto* route = map.add_routes();
    route->set_service(backend);
    for (size_t r = 0; r < addresses.size(); ++r) {
      auto* replica = route->add_replicas();
      replica->set_address(addresses[r]);
      for (const auto& [first, last] : owners[r]) {
        auto* range = replica->add_partitions();
        range->set_first(first);
        range->set_last(last);
      }
    }
  }
  return map;
}

std::string CaseIdIn(uint32_t first, uint32_t last) {
  return testing::CaseIdInPartitions(first, last, kPartitions, "switch-");
}

size_t GetCaseCalls(FakeReplica& fake) {
  size_t n = 0;
  for (const Received& got : fake.received()) {
    if (got.method == absl::StrCat("/", kGetCase)) ++n;
  }
  return n;
}

class GatewayRouteSwitchTest : public ::testing::Test {
 protected:
  GatewayRouteSwitchTest() : a0_(kSecret), a1_(kSecret), a2_(kSecret) {}

  void SetUp() override {
    auto methods = MethodTable::Create(PublicMethods());
    ASSERT_THAT(methods, IsOk());
    backends_ = methods->backends();
    HealthCheckResponse serving;
    serving.set_status(HealthCheckResponse::SERVING);
    for (FakeReplica* fake : {&a0_, &a1_, &a2_}) {
      fake->Answer(FakeReplica::kHealthCheck, serving);
    }
    path_ = dir_.path() + "/routes.textproto";
    // Generation 1: replica 0 owns the low half, replica 1 the high half.
    ASSERT_THAT(routing::WriteRouteMap(
                    path_, MapOf(1, {a0_.address(), a1_.address()},
                                 {{{0, 31}}, {{32, 63}}}, backends_)),
                IsOk());
    auto gateway = GatewayServer::Start(Options());
    ASSERT_THAT(gateway, IsOk());
    gateway_ = *std::move(gateway);
    client_ = std::make_unique<GatewayClient>(gateway_->grpc_port(),
                                              gateway_->http_port());
  }

  GatewayServer::Options Options() const {
    GatewayServer::Options options;
    options.config.set_grpc_listen_address("127.0.0.1:0");
    options.config.set_http_listen_address("127.0.0.1:0");
    options.config.set_partition_count(kPartitions);
    options.config.set_forward_deadline_ms(5000);
    options.config.set_routes_file(path_);
    options.principal_secret = kSecret;
    homeward::internal::v1::Principal supervisor;
    supervisor.set_user_id("sup-1");
    supervisor.set_role(v1::ROLE_SUPERVISOR);
    supervisor.add_office_ids("office-dakar");
    *options.api_keys.add_keys() = MakeApiKey("sup", kKey, supervisor);
    return options;
  }

  grpc::Status GetCase(const std::string& case_id) {
    v1::GetCaseRequest get;
    get.set_case_id(case_id);
    v1::Case answer;
    return client_->Call(kGetCase, get, &answer, kKey);
  }

  // Calls GetCase for `case_id` until `fake` has received one, or gives up.
  bool ReachesAfterSwitch(const std::string& case_id, FakeReplica& fake) {
    const size_t before = GetCaseCalls(fake);
    const absl::Time deadline = absl::Now() + kPatience;
    while (absl::Now() < deadline) {
      if (!GetCase(case_id).ok()) return false;
      if (GetCaseCalls(fake) > before) return true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  FakeReplica a0_, a1_, a2_;
  testing::TempDir dir_;
  std::string path_;
  std::vector<std::string> backends_;
  std::unique_ptr<GatewayServer> gateway_;
  std::unique_ptr<GatewayClient> client_;
};

TEST_F(GatewayRouteSwitchTest, NewCallsGoToTheNewOwnerAndNoCallFails) {
  const std::string low = CaseIdIn(0, 31);
  ASSERT_TRUE(GetCase(low).ok());
  EXPECT_EQ(GetCaseCalls(a0_), 1u);
  EXPECT_EQ(GetCaseCalls(a1_), 0u);

  // Callers keep calling while the low half moves to replica 1.
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, failures{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&] {
      while (!stop.load()) {
        if (!GetCase(low).ok()) failures.fetch_add(1);
        calls.fetch_add(1);
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(300));
  ASSERT_THAT(
      routing::WriteRouteMap(path_, MapOf(2, {a0_.address(), a1_.address()},
                                          {{}, {{0, 63}}}, backends_)),
      IsOk());
  const bool switched = ReachesAfterSwitch(low, a1_);
  absl::SleepFor(absl::Milliseconds(300));
  stop.store(true);
  for (std::thread& t : callers) t.join();
  ASSERT_TRUE(switched);
  EXPECT_GT(calls.load(), 0);
  EXPECT_EQ(failures.load(), 0);

  // From now on every call of the low half reaches replica 1 only.
  const size_t on_a0 = GetCaseCalls(a0_);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(GetCase(low).ok());
  EXPECT_EQ(GetCaseCalls(a0_), on_a0);
}

TEST_F(GatewayRouteSwitchTest, APageTokenOfTheOldMapIsRefused) {
  v1::ListCasesResponse more;
  more.add_cases()->set_case_id("C-first");
  more.set_next_page_token("a0-page-2");
  a0_.Answer(absl::StrCat("/", kListCases), more);
  v1::ListCasesRequest list;
  v1::ListCasesResponse page;
  ASSERT_TRUE(client_->Call(kListCases, list, &page, kKey).ok());
  ASSERT_FALSE(page.next_page_token().empty());

  ASSERT_THAT(
      routing::WriteRouteMap(path_, MapOf(2, {a0_.address(), a1_.address()},
                                          {{{0, 15}}, {{16, 63}}}, backends_)),
      IsOk());
  ASSERT_TRUE(ReachesAfterSwitch(CaseIdIn(16, 31), a1_));
  list.mutable_page()->set_page_token(page.next_page_token());
  grpc::Status status = client_->Call(kListCases, list, &page, kKey);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << status.error_message();
}

TEST_F(GatewayRouteSwitchTest, AMapTheGatewayCannotRouteByIsIgnored) {
  const std::string low = CaseIdIn(0, 31);
  // Generation 2 leaves out every backend but assessment: refused by the
  // gateway (a switch may not add or remove a backend).
  RouteMap partial = MapOf(2, {a0_.address(), a1_.address()}, {{}, {{0, 63}}},
                           {kAssessmentService});
  ASSERT_THAT(routing::WriteRouteMap(path_, partial), IsOk());
  absl::SleepFor(absl::Seconds(3));
  const size_t on_a1 = GetCaseCalls(a1_);
  ASSERT_TRUE(GetCase(low).ok());
  EXPECT_EQ(GetCaseCalls(a1_), on_a1);  // still replica 0's

  // A good generation 3 is taken afterwards.
  ASSERT_THAT(
      routing::WriteRouteMap(path_, MapOf(3, {a0_.address(), a1_.address()},
                                          {{}, {{0, 63}}}, backends_)),
      IsOk());
  EXPECT_TRUE(ReachesAfterSwitch(low, a1_));
}

TEST_F(GatewayRouteSwitchTest, ReadinessFollowsTheNewOwners) {
  const int port = gateway_->grpc_port();
  ASSERT_TRUE(HealthBecomes(port, "homeward.v1.CaseService",
                            HealthCheckResponse::SERVING));
  // A third replica that is not serving takes over the low half: the
  // services that need every owner are no longer ready.
  HealthCheckResponse not_serving;
  not_serving.set_status(HealthCheckResponse::NOT_SERVING);
  a2_.Answer(FakeReplica::kHealthCheck, not_serving);
  ASSERT_THAT(routing::WriteRouteMap(
                  path_, MapOf(2, {a0_.address(), a1_.address(), a2_.address()},
                               {{}, {{32, 63}}, {{0, 31}}}, backends_)),
              IsOk());
  EXPECT_TRUE(HealthBecomes(port, "homeward.v1.CaseService",
                            HealthCheckResponse::NOT_SERVING));
  HealthCheckResponse serving;
  serving.set_status(HealthCheckResponse::SERVING);
  a2_.Answer(FakeReplica::kHealthCheck, serving);
  EXPECT_TRUE(HealthBecomes(port, "homeward.v1.CaseService",
                            HealthCheckResponse::SERVING));
  EXPECT_TRUE(ReachesAfterSwitch(CaseIdIn(0, 31), a2_));
}

TEST(GatewayRouteFileStartTest, RoutesAndRoutesFileTogetherAreRefused) {
  testing::TempDir dir;
  GatewayServer::Options options;
  options.config.set_grpc_listen_address("127.0.0.1:0");
  options.config.set_partition_count(kPartitions);
  options.config.set_routes_file(dir.path() + "/absent");
  options.principal_secret = kSecret;
  EXPECT_THAT(GatewayServer::Start(options),
              StatusIs(absl::StatusCode::kInvalidArgument));
  options.config.add_routes()->set_service(kAssessmentService);
  EXPECT_THAT(GatewayServer::Start(options),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace homeward::gateway
