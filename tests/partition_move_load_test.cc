// Moving partitions under load, with the real binaries: two
// homeward-assessment replicas (the second started owning nothing), a
// homeward-planning replica following the assessment feed, and a
// homeward-gateway in front, all three routing by one route map file
// (GatewayConfig.routes_file, ServiceConfig.upstream_routes_file). Clients
// keep registering cases and reading them back through the gateway,
// retrying UNAVAILABLE with the same request id as clients must, while
// `homewardctl move` (RunMoveCommand, through a test CtlContext) moves half
// the partitions from replica 0 to replica 1, then the other half, then all
// of them back. Afterwards every acknowledged registration is readable and
// listed exactly once (no duplicate, none missing), nothing was refused
// otherwise than UNAVAILABLE, the replicas own what the route map says, and
// the planning follower knows every case.
#include <signal.h>

#include <atomic>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/auth/principal_token.h"
#include "common/routing/route_map_file.h"
#include "common/server/config_file.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/operations.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "services/gateway/api_keys.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/child_process.h"
#include "tests/fixtures/local_ctl_context.h"
#include "tests/fixtures/planning_server.h"
#include "tests/fixtures/temp_dir.h"
#include "tools/ctl/move_command.h"

namespace homeward {
namespace {

using ::homeward::internal::v1::RouteMap;
using ::homeward::testing::ChildProcess;
using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::TempDir;
using ::homeward::testing::ValidRegistration;

constexpr uint32_t kPartitions = 8;
// Generous: the machine is small and shared.
constexpr absl::Duration kStartTimeout = absl::Seconds(60);
constexpr absl::Duration kRetryFor = absl::Seconds(60);
const std::string kKey = "hw_partition_move_load_key_0123456789abcdef";

std::unique_ptr<ChildProcess> StartAssessment(const TempDir& dir, int n,
                                              bool owns_nothing) {
  homeward::internal::v1::ServiceConfig service;
  service.set_partition_count(kPartitions);
  service.set_start_without_partitions(owns_nothing);
  const std::string config = absl::StrCat(dir.path(), "/assessment", n, ".tp");
  EXPECT_OK(server::WriteTextProtoFile(
      config, testing::WithShippedProgrammeData(service), 0600));
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{
          HOMEWARD_ASSESSMENT_BIN, "--config=" + config, "--listen=127.0.0.1:0",
          absl::StrCat("--data_dir=", dir.path(), "/assessment", n),
          "--principal_secret_file=" + dir.path() + "/principal.secret"},
      absl::StrCat(dir.path(), "/assessment", n, ".log"));
}

// The route map: assessment replica 0 owns [0, split), replica 1 the rest;
// planning on its one replica.
RouteMap Routes(const std::string& a0, const std::string& a1,
                const std::string& planning) {
  RouteMap map;
  map.set_generation(1);
  auto* assessment = map.add_routes();
  assessment->set_service("assessment");
  auto* r0 = assessment->add_replicas();
  r0->set_address(a0);
  auto* range = r0->add_partitions();
  range->set_first(0);
  range->set_last(kPartitions - 1);
  assessment->add_replicas()->set_address(a1);  // owns nothing yet
  auto* plan = map.add_routes();
  plan->set_service("planning");
  plan->add_replicas()->set_address(planning);
  return map;
}

// What the clients saw.
struct Outcome {
  absl::Mutex mu;
  std::map<std::string, std::string> acknowledged;  // request id -> case id
  std::vector<std::string> errors;                  // anything not retried
  int unavailable = 0;                              // retried answers
};

// Registers and reads cases until `stop`, retrying UNAVAILABLE with the
// same request id.
void RunClient(int id, int gateway_port, std::atomic<bool>& stop,
               Outcome& outcome) {
  auto cases = homeward::v1::CaseService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", gateway_port),
                          grpc::InsecureChannelCredentials()));
  auto error = [&](const std::string& what, const grpc::Status& status) {
    absl::MutexLock lock(&outcome.mu);
    outcome.errors.push_back(absl::StrCat(what, ": ", status.error_code(), " ",
                                          status.error_message()));
  };
  // Calls `call` until it answers something else than UNAVAILABLE.
  auto retrying = [&](auto call) {
    const absl::Time deadline = absl::Now() + kRetryFor;
    grpc::Status status;
    do {
      grpc::ClientContext context;
      context.AddMetadata("authorization", "Bearer " + kKey);
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
      status = call(context);
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE) break;
      {
        absl::MutexLock lock(&outcome.mu);
        ++outcome.unavailable;
      }
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    return status;
  };
  for (int i = 0; !stop.load(); ++i) {
    const std::string request_id = absl::StrCat("load-", id, "-", i);
    homeward::v1::RegisterCaseRequest registration =
        ValidRegistration(request_id);
    homeward::v1::Case created;
    grpc::Status status = retrying([&](grpc::ClientContext& context) {
      return cases->RegisterCase(&context, registration, &created);
    });
    if (!status.ok()) {
      error("register " + request_id, status);
      continue;
    }
    {
      absl::MutexLock lock(&outcome.mu);
      outcome.acknowledged[request_id] = created.case_id();
    }
    homeward::v1::GetCaseRequest get;
    get.set_case_id(created.case_id());
    homeward::v1::Case read;
    status = retrying([&](grpc::ClientContext& context) {
      return cases->GetCase(&context, get, &read);
    });
    if (!status.ok()) error("get " + created.case_id(), status);
  }
}

TEST(PartitionMoveLoadTest, EveryAcknowledgedRegistrationSurvivesTheMoves) {
  TempDir dir;
  const std::string secret_file = dir.path() + "/principal.secret";
  ASSERT_OK(auth::EnsureSecretFile(secret_file));
  absl::StatusOr<std::string> secret = auth::ReadSecretFile(secret_file);
  ASSERT_THAT(secret, IsOk());
  homeward::internal::v1::ApiKeyFile keys;
  *keys.add_keys() = gateway::MakeApiKey(
      "load", kKey,
      MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"}));
  ASSERT_OK(server::WriteTextProtoFile(dir.path() + "/api_keys.textproto", keys,
                                       0600));

  auto a0 = StartAssessment(dir, 0, false);
  auto a1 = StartAssessment(dir, 1, true);
  const std::string a0_port = a0->WaitForLogField("port", kStartTimeout);
  const std::string a1_port = a1->WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(a0_port.empty()) << a0->Log();
  ASSERT_FALSE(a1_port.empty()) << a1->Log();
  const std::string a0_address = "127.0.0.1:" + a0_port;
  const std::string a1_address = "127.0.0.1:" + a1_port;

  // Planning's own port must be in the route map it reads, so it is picked
  // first: the map is written with a placeholder, then again.
  const std::string routes_file = dir.path() + "/routes.textproto";
  ASSERT_OK(routing::WriteRouteMap(
      routes_file, Routes(a0_address, a1_address, "127.0.0.1:1")));
  homeward::internal::v1::ServiceConfig planning_service;
  planning_service.set_partition_count(kPartitions);
  planning_service.set_upstream_routes_file(routes_file);
  planning_service.mutable_internal_transport()->set_plaintext(true);
  const std::string planning_config = dir.path() + "/planning.tp";
  ASSERT_OK(server::WriteTextProtoFile(
      planning_config, testing::WithShippedPlanningData(planning_service),
      0600));
  ChildProcess planning(
      {HOMEWARD_PLANNING_BIN, "--config=" + planning_config,
       "--listen=127.0.0.1:0", "--data_dir=" + dir.path() + "/planning",
       "--principal_secret_file=" + secret_file},
      dir.path() + "/planning.log");
  const std::string planning_port =
      planning.WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(planning_port.empty()) << planning.Log();
  RouteMap routes =
      Routes(a0_address, a1_address, "127.0.0.1:" + planning_port);
  routes.set_generation(2);
  ASSERT_OK(routing::WriteRouteMap(routes_file, routes));

  homeward::internal::v1::GatewayConfig gateway_config;
  testing::SetPlaintextTransports(gateway_config);
  gateway_config.set_grpc_listen_address("127.0.0.1:0");
  gateway_config.set_api_keys_file(dir.path() + "/api_keys.textproto");
  gateway_config.set_principal_secret_file(secret_file);
  gateway_config.set_partition_count(kPartitions);
  gateway_config.set_routes_file(routes_file);
  ASSERT_OK(server::WriteTextProtoFile(dir.path() + "/gateway.tp",
                                       gateway_config, 0600));
  ChildProcess gw(
      {HOMEWARD_GATEWAY_BIN, "--config=" + dir.path() + "/gateway.tp"},
      dir.path() + "/gateway.log");
  const std::string gateway_port =
      gw.WaitForLogField("grpc_port", kStartTimeout);
  ASSERT_FALSE(gateway_port.empty()) << gw.Log();

  // Clients at work while the partitions move.
  Outcome outcome;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 3; ++c) {
    clients.emplace_back(
        [&, c] { RunClient(c, std::stoi(gateway_port), stop, outcome); });
  }
  testing::LocalCtlContext ctl(routes_file, kPartitions, *secret);
  auto move = [&](const std::string& partitions, const std::string& to) {
    absl::SleepFor(absl::Seconds(2));  // registrations between moves
    absl::Status status = ctl::RunMoveCommand(
        ctl, {"--service", "assessment", "--partitions", partitions, "--to", to,
              "--switch_wait", "3s"});
    std::string steps;
    for (const ctl::Table& table : ctl.printed()) {
      for (const auto& row : table.rows) {
        absl::StrAppend(&steps, absl::StrJoin(row, " | "), "\n");
      }
    }
    return ::testing::AssertionResult(status.ok())
           << "move " << partitions << " to " << to << ": " << status << "\n"
           << steps;
  };
  EXPECT_TRUE(move("0-3", a1_address));
  EXPECT_TRUE(move("4-7", a1_address));
  EXPECT_TRUE(move("0-7", a0_address));
  absl::SleepFor(absl::Seconds(2));
  stop.store(true);
  for (std::thread& t : clients) t.join();

  // Nothing but UNAVAILABLE (retried) was answered, and some registrations
  // were made throughout.
  EXPECT_THAT(outcome.errors, ::testing::IsEmpty());
  std::cout << "acknowledged registrations: " << outcome.acknowledged.size()
            << ", UNAVAILABLE answers retried: " << outcome.unavailable
            << std::endl;
  ASSERT_GT(outcome.acknowledged.size(), 10u);

  // Every acknowledged case listed once through the gateway.
  auto cases = homeward::v1::CaseService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + gateway_port, grpc::InsecureChannelCredentials()));
  std::multiset<std::string> listed;
  homeward::v1::ListCasesRequest list;
  list.set_office_id("office-dakar");
  list.mutable_page()->set_page_size(100);
  for (int pages = 0; pages < 1000; ++pages) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + kKey);
    homeward::v1::ListCasesResponse page;
    grpc::Status status = cases->ListCases(&context, list, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const auto& c : page.cases()) listed.insert(c.case_id());
    if (page.next_page_token().empty()) break;
    list.mutable_page()->set_page_token(page.next_page_token());
  }
  std::set<std::string> expected;
  for (const auto& [request_id, case_id] : outcome.acknowledged) {
    expected.insert(case_id);
  }
  EXPECT_EQ(expected.size(), outcome.acknowledged.size());
  for (const std::string& case_id : expected) {
    EXPECT_EQ(listed.count(case_id), 1u) << case_id;
  }
  for (const std::string& case_id : listed) {
    EXPECT_EQ(listed.count(case_id), 1u) << "listed twice: " << case_id;
  }

  // Replica 0 owns everything again, replica 1 nothing.
  for (const auto& [address, owns] : std::vector<std::pair<std::string, bool>>{
           {a0_address, true}, {a1_address, false}}) {
    auto stub = homeward::internal::v1::PartitionMoveService::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    ASSERT_OK(ctl.PrepareReplicaCall(context, absl::Seconds(10)));
    homeward::internal::v1::PartitionState state;
    grpc::Status status = stub->GetPartitionState(
        &context, homeward::internal::v1::GetPartitionStateRequest(), &state);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(!state.owned().empty(), owns) << address;
    EXPECT_TRUE(state.fenced().empty()) << address;
  }

  // The planning follower knows every case: a plan can be created for each
  // (NOT_FOUND until it has applied the case's registration event).
  auto plans = homeward::v1::PlanService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + gateway_port, grpc::InsecureChannelCredentials()));
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  for (const std::string& case_id : expected) {
    homeward::v1::CreatePlanRequest create;
    create.set_request_id("plan-" + case_id);
    create.mutable_plan()->set_case_id(case_id);
    create.mutable_plan()->set_returnee_objectives("Open a workshop");
    grpc::Status status;
    do {
      grpc::ClientContext context;
      context.AddMetadata("authorization", "Bearer " + kKey);
      homeward::v1::Plan plan;
      status = plans->CreatePlan(&context, create, &plan);
      if (status.error_code() != grpc::StatusCode::NOT_FOUND &&
          status.error_code() != grpc::StatusCode::UNAVAILABLE) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(200));
    } while (absl::Now() < deadline);
    EXPECT_TRUE(status.ok()) << case_id << ": " << status.error_message();
  }

  gw.Signal(SIGTERM);
  EXPECT_EQ(gw.Wait(), 0) << gw.Log();
  planning.Signal(SIGTERM);
  EXPECT_EQ(planning.Wait(), 0) << planning.Log();
  for (auto* replica : {a0.get(), a1.get()}) {
    replica->Signal(SIGTERM);
    EXPECT_EQ(replica->Wait(), 0) << replica->Log();
  }
  EXPECT_THAT(gw.Log(), ::testing::HasSubstr("gateway routes switched"));
}

}  // namespace
}  // namespace homeward
