// Proof of the service kit: the kit probe (tests/kit_probe/), a second
// service made only of common/, follows the assessment feed into a case
// directory and is served by the gateway as a second backend next to the
// assessment service, two replicas each, first with every server in this
// process and then as separate processes (the real homeward-assessment, the
// probe's own binary and the gateway main). The probe's replicas split the
// partitions differently from the assessment replicas, so each probe
// replica follows both producers.
#include <algorithm>
#include <csignal>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/principal_token.h"
#include "common/server/config_file.h"
#include "common/status/status_matchers.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "httplib.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "testing/case_scope_probe.grpc.pb.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/child_process.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/kit_probe/case_scope_probe.h"

namespace homeward::testing {
namespace {

using homeward::internal::v1::CaseScope;
using homeward::internal::v1::PartitionRange;
using homeward::internal::v1::ServiceConfig;
using homeward::internal::v1::ServiceRoute;
using ::testing::HasSubstr;
namespace v1 = ::homeward::v1;

constexpr uint32_t kPartitions = 64;
const absl::Duration kApplyTimeout = absl::Seconds(30);
const absl::Duration kStartTimeout = absl::Seconds(30);

// Who calls, and the key each uses at the gateway.
struct Caller {
  std::string key;
  homeward::internal::v1::Principal principal;
};
const std::vector<Caller>& Callers() {
  static const auto* callers = new std::vector<Caller>{
      {"hw_kit_owner",
       MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"})},
      {"hw_kit_colleague",
       MakePrincipal("cm-2", v1::ROLE_CASE_MANAGER, {"office-dakar"})},
      {"hw_kit_elsewhere",
       MakePrincipal("cm-3", v1::ROLE_CASE_MANAGER, {"office-thies"})},
      {"hw_kit_supervisor",
       MakePrincipal("sup-1", v1::ROLE_SUPERVISOR, {"office-dakar"})},
      {"hw_kit_admin", MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR, {})},
      {"hw_kit_monitor",
       MakePrincipal("mo-1", v1::ROLE_MONITORING_OFFICER, {})},
  };
  return *callers;
}

homeward::internal::v1::ApiKeyFile ApiKeys() {
  homeward::internal::v1::ApiKeyFile keys;
  for (const Caller& c : Callers()) {
    *keys.add_keys() =
        gateway::MakeApiKey(c.principal.user_id(), c.key, c.principal);
  }
  return keys;
}

PartitionRange Range(uint32_t first, uint32_t last) {
  PartitionRange r;
  r.set_first(first);
  r.set_last(last);
  return r;
}

// The probe's split: replica 0 owns the middle half, replica 1 both ends,
// so that each follows partitions of both assessment replicas.
std::vector<std::vector<PartitionRange>> ProbeShares() {
  return {{Range(16, 47)}, {Range(0, 15), Range(48, 63)}};
}

void AddProbeRoute(google::protobuf::RepeatedPtrField<ServiceRoute>* routes,
                   const std::vector<int>& ports) {
  auto* route = routes->Add();
  route->set_service(kProbeBackend);
  const auto shares = ProbeShares();
  for (size_t r = 0; r < ports.size(); ++r) {
    auto* replica = route->add_replicas();
    replica->set_address(absl::StrCat("127.0.0.1:", ports[r]));
    for (const auto& range : shares[r]) *replica->add_partitions() = range;
  }
}

ServiceConfig ProbeConfig(const std::string& data_dir, int replica,
                          const std::vector<int>& assessment_ports) {
  ServiceConfig config = LoopbackServiceConfig(data_dir);
  const auto shares = ProbeShares();
  for (const auto& range : shares[replica]) {
    *config.add_owned_partitions() = range;
  }
  AddShareRoute(config.mutable_upstream(), "assessment", kPartitions,
                assessment_ports);
  return config;
}

homeward::internal::v1::GatewayConfig GatewayConfigFor(
    const std::vector<int>& assessment_ports,
    const std::vector<int>& probe_ports) {
  homeward::internal::v1::GatewayConfig config;
  SetPlaintextTransports(config);
  config.set_grpc_listen_address("127.0.0.1:0");
  config.set_http_listen_address("127.0.0.1:0");
  RouteShares(config, kPartitions, assessment_ports);
  AddProbeRoute(config.mutable_routes(), probe_ports);
  return config;
}

// The public faces of a gateway, called as the callers above.
class Faces {
 public:
  Faces(int grpc_port, int http_port)
      : channel_(LoopbackChannel(grpc_port)),
        cases_(v1::CaseService::NewStub(channel_)),
        probe_(CaseScopeProbe::NewStub(channel_)),
        http_("127.0.0.1", http_port) {}

  grpc::Status Register(const std::string& request_id, v1::Case* created) {
    grpc::ClientContext ctx;
    Authorize(Callers()[0], &ctx);
    return cases_->RegisterCase(&ctx, ValidRegistration(request_id), created);
  }
  grpc::Status GetCase(const Caller& caller, const std::string& case_id) {
    grpc::ClientContext ctx;
    Authorize(caller, &ctx);
    v1::GetCaseRequest request;
    request.set_case_id(case_id);
    v1::Case read;
    return cases_->GetCase(&ctx, request, &read);
  }
  grpc::Status Assign(const v1::Case& c, const std::string& office,
                      const std::string& manager, v1::Case* assigned) {
    grpc::ClientContext ctx;
    Authorize(Callers()[3], &ctx);  // the supervisor
    v1::AssignCaseRequest request;
    request.set_case_id(c.case_id());
    request.set_etag(c.etag());
    request.set_office_id(office);
    request.set_case_manager_id(manager);
    request.set_reason("returnee moved");
    return cases_->AssignCase(&ctx, request, assigned);
  }
  grpc::Status GetScope(const Caller& caller, const std::string& case_id,
                        CaseScope* scope) {
    grpc::ClientContext ctx;
    Authorize(caller, &ctx);
    GetCaseScopeRequest request;
    request.set_case_id(case_id);
    return probe_->GetCaseScope(&ctx, request, scope);
  }
  // Asks the probe as `caller` until `settled` holds for its answer (the
  // directory has caught up) or the timeout passes; the last answer.
  grpc::Status Await(const Caller& caller, const std::string& case_id,
                     CaseScope* scope,
                     const std::function<bool(const grpc::Status&,
                                              const CaseScope&)>& settled) {
    const absl::Time deadline = absl::Now() + kApplyTimeout;
    grpc::Status status;
    do {
      scope->Clear();
      status = GetScope(caller, case_id, scope);
      if (settled(status, *scope)) break;
      absl::SleepFor(absl::Milliseconds(20));
    } while (absl::Now() < deadline);
    return status;
  }
  httplib::Result PostJson(const std::string& path, const std::string& body) {
    return http_.Post(path, {{"X-Api-Key", Callers()[0].key}}, body,
                      "application/json");
  }

 private:
  static void Authorize(const Caller& caller, grpc::ClientContext* ctx) {
    ctx->AddMetadata("authorization", "Bearer " + caller.key);
  }
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<CaseScopeProbe::Stub> probe_;
  httplib::Client http_;
};

uint64_t VersionOf(const v1::Case& c) { return std::stoull(c.etag()); }

// What both deployments must show: registrations reach the probe's
// directory on whichever replica owns the case's partition, its access
// answers match the assessment service's for every caller, an assignment
// reaches it, and the JSON face serves the probe too.
void ExpectProbeFollowsAssessment(Faces& faces, int cases) {
  std::vector<v1::Case> registered;
  for (int i = 0; i < cases; ++i) {
    v1::Case created;
    ASSERT_TRUE(faces.Register(absl::StrCat("kit-proof-", i), &created).ok());
    registered.push_back(created);
  }
  std::vector<uint32_t> partitions;
  for (const v1::Case& c : registered) {
    CaseScope scope;
    // Registered once the probe stops answering NOT_FOUND.
    grpc::Status status = faces.Await(
        Callers()[0], c.case_id(), &scope, [](const grpc::Status& s, auto&) {
          return s.error_code() != grpc::StatusCode::NOT_FOUND &&
                 s.error_code() != grpc::StatusCode::UNAVAILABLE;
        });
    ASSERT_TRUE(status.ok()) << c.case_id() << ": " << status.error_message();
    EXPECT_EQ(scope.case_id(), c.case_id());
    EXPECT_EQ(scope.partition(), c.partition());
    EXPECT_EQ(scope.office_id(), "office-dakar");
    EXPECT_EQ(scope.case_manager_id(), "cm-1");
    EXPECT_EQ(scope.stage(), c.stage());
    EXPECT_EQ(scope.version(), VersionOf(c));
    partitions.push_back(c.partition());
  }
  // Both probe replicas answered (their shares are 16..47 and the rest).
  EXPECT_TRUE(std::any_of(partitions.begin(), partitions.end(),
                          [](uint32_t p) { return p >= 16 && p <= 47; }));
  EXPECT_TRUE(std::any_of(partitions.begin(), partitions.end(),
                          [](uint32_t p) { return p < 16 || p > 47; }));

  // Access: the probe answers every caller as the assessment service does.
  for (const Caller& caller : Callers()) {
    for (const v1::Case& c : registered) {
      CaseScope scope;
      grpc::Status probe = faces.GetScope(caller, c.case_id(), &scope);
      grpc::Status assessment = faces.GetCase(caller, c.case_id());
      EXPECT_EQ(probe.error_code(), assessment.error_code())
          << caller.principal.user_id() << " on " << c.case_id() << ": probe '"
          << probe.error_message() << "', assessment '"
          << assessment.error_message() << "'";
      // The same words, but for the method the gateway names in a refusal.
      EXPECT_EQ(
          absl::StrReplaceAll(probe.error_message(),
                              {{"homeward.testing.CaseScopeProbe/GetCaseScope",
                                "homeward.v1.CaseService/GetCase"}}),
          assessment.error_message());
    }
  }
  CaseScope unknown;
  EXPECT_EQ(
      faces.GetScope(Callers()[0], "c-no-such-case", &unknown).error_code(),
      faces.GetCase(Callers()[0], "c-no-such-case").error_code());

  // An assignment to another office reaches the directory, and with it the
  // access answers: the old office's manager loses the case.
  v1::Case assigned;
  ASSERT_TRUE(
      faces.Assign(registered[0], "office-thies", "cm-3", &assigned).ok());
  // Asked as the manager the case now belongs to, until the assignment's
  // version has reached the directory.
  CaseScope moved;
  faces.Await(Callers()[2], registered[0].case_id(), &moved,
              [&](const grpc::Status& s, const CaseScope& scope) {
                return s.ok() && scope.version() >= VersionOf(assigned);
              });
  EXPECT_EQ(moved.office_id(), "office-thies");
  EXPECT_EQ(moved.case_manager_id(), "cm-3");
  CaseScope scope;
  EXPECT_EQ(faces.GetScope(Callers()[0], registered[0].case_id(), &scope)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(
      faces.GetScope(Callers()[2], registered[0].case_id(), &scope).ok());

  // The JSON face serves the second backend from the same declaration.
  auto res = faces.PostJson(
      "/homeward.testing.CaseScopeProbe/GetCaseScope",
      absl::StrCat(R"({"caseId":")", registered[1].case_id(), R"("})"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->body, HasSubstr(registered[1].case_id()));
  EXPECT_THAT(res->body, HasSubstr("office-dakar"));
}

TEST(KitProofTest, ProbeServedBesideAssessmentInProcess) {
  TempDir dir;
  std::vector<std::unique_ptr<assessment::AssessmentServer>> assessments;
  std::vector<int> assessment_ports;
  for (int r = 0; r < 2; ++r) {
    ServiceConfig config =
        LoopbackServiceConfig(absl::StrCat(dir.path(), "/assessment", r));
    *config.add_owned_partitions() = ShareOf(r, 2, kPartitions);
    auto server = assessment::AssessmentServer::Start(
        WithShippedProgrammeData(config), kTestSecret);
    ASSERT_TRUE(server.ok()) << server.status();
    assessment_ports.push_back((*server)->port());
    assessments.push_back(*std::move(server));
  }
  std::vector<std::unique_ptr<service::ServiceHost>> probes;
  std::vector<int> probe_ports;
  for (int r = 0; r < 2; ++r) {
    auto probe = StartCaseScopeProbe(
        ProbeConfig(absl::StrCat(dir.path(), "/probe", r), r, assessment_ports),
        kTestSecret);
    ASSERT_TRUE(probe.ok()) << probe.status();
    probe_ports.push_back((*probe)->port());
    probes.push_back(*std::move(probe));
  }
  gateway::GatewayServer::Options options;
  options.config = GatewayConfigFor(assessment_ports, probe_ports);
  options.principal_secret = kTestSecret;
  options.api_keys = ApiKeys();
  options.extra_methods = CaseScopeProbeMethods();
  auto gateway = gateway::GatewayServer::Start(std::move(options));
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  Faces faces((*gateway)->grpc_port(), (*gateway)->http_port());

  ExpectProbeFollowsAssessment(faces, 8);

  (*gateway)->Shutdown(absl::Seconds(5));
  for (auto& probe : probes) probe->Shutdown(absl::Seconds(5));
  for (auto& server : assessments) server->Shutdown(absl::Seconds(5));
}

// A config file for a process, written under the test's directory.
template <typename Config>
std::string WriteConfig(const TempDir& dir, const std::string& name,
                        const Config& config) {
  const std::string path = absl::StrCat(dir.path(), "/", name, ".textproto");
  EXPECT_OK(server::WriteTextProtoFile(path, config, 0600));
  return path;
}

// Starts `argv` and waits for its logged `field` (a port).
int StartProcess(const TempDir& dir, const std::string& name,
                 const std::vector<std::string>& argv, const std::string& field,
                 std::vector<std::unique_ptr<ChildProcess>>& processes) {
  processes.push_back(std::make_unique<ChildProcess>(
      argv, absl::StrCat(dir.path(), "/", name, ".log")));
  const std::string port =
      processes.back()->WaitForLogField(field, kStartTimeout);
  EXPECT_FALSE(port.empty()) << name << ": " << processes.back()->Log();
  return port.empty() ? 0 : std::stoi(port);
}

TEST(KitProofTest, ProbeServedBesideAssessmentAsSeparateProcesses) {
  TempDir dir;
  const std::string secret_file = dir.path() + "/principal.secret";
  ASSERT_OK(auth::EnsureSecretFile(secret_file));
  ASSERT_OK(server::WriteTextProtoFile(dir.path() + "/api_keys.textproto",
                                       ApiKeys(), 0600));
  std::vector<std::unique_ptr<ChildProcess>> processes;

  std::vector<int> assessment_ports;
  for (int r = 0; r < 2; ++r) {
    homeward::internal::v1::AssessmentConfig config = WithShippedProgrammeData(
        LoopbackServiceConfig(absl::StrCat(dir.path(), "/assessment", r)));
    *config.mutable_service()->add_owned_partitions() =
        ShareOf(r, 2, kPartitions);
    config.mutable_service()->set_principal_secret_file(secret_file);
    const std::string name = absl::StrCat("assessment", r);
    assessment_ports.push_back(StartProcess(
        dir, name,
        {HOMEWARD_ASSESSMENT_BIN, "--config=" + WriteConfig(dir, name, config),
         "--log_requests=false"},
        "port", processes));
  }
  std::vector<int> probe_ports;
  for (int r = 0; r < 2; ++r) {
    ServiceConfig config =
        ProbeConfig(absl::StrCat(dir.path(), "/probe", r), r, assessment_ports);
    config.set_principal_secret_file(secret_file);
    const std::string name = absl::StrCat("probe", r);
    probe_ports.push_back(StartProcess(
        dir, name,
        {HOMEWARD_PROBE_BIN, "--config=" + WriteConfig(dir, name, config),
         "--log_requests=false"},
        "port", processes));
  }
  ASSERT_FALSE(::testing::Test::HasFailure());
  homeward::internal::v1::GatewayConfig config =
      GatewayConfigFor(assessment_ports, probe_ports);
  config.set_api_keys_file(dir.path() + "/api_keys.textproto");
  config.set_principal_secret_file(secret_file);
  const int grpc_port =
      StartProcess(dir, "gateway",
                   {HOMEWARD_TEST_GATEWAY_BIN,
                    "--config=" + WriteConfig(dir, "gateway", config)},
                   "grpc_port", processes);
  const std::string http_port =
      processes.back()->WaitForLogField("http_port", kStartTimeout);
  ASSERT_GT(grpc_port, 0);
  Faces faces(grpc_port, std::stoi(http_port));

  ExpectProbeFollowsAssessment(faces, 8);

  // Every process stops cleanly on SIGTERM, the gateway first.
  for (auto it = processes.rbegin(); it != processes.rend(); ++it) {
    (*it)->Signal(SIGTERM);
    EXPECT_EQ((*it)->Wait(), 0) << (*it)->Log();
  }
}

}  // namespace
}  // namespace homeward::testing
