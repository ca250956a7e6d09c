// The real homewardctl binary, run as a process against real servers on
// loopback: two assessment replicas (partitions 0-31 and 32-63) behind an
// in-process gateway, plaintext, and once over TLS with mutual TLS to the
// replica. Each test runs the binary with its flags and checks its exit
// code, stdout (the answer) and stderr (errors).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/server/config_file.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "homeward/v1/audit.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/instruments.pb.h"
#include "homeward/v1/overview.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/dev_certs.h"
#include "tests/fixtures/jwt_signer.h"
#include "tests/fixtures/temp_dir.h"

extern char** environ;

namespace homeward {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace v1 = homeward::v1;
using homeward::internal::v1::GatewayConfig;
using homeward::internal::v1::ServiceConfig;
using homeward::internal::v1::Transport;

constexpr char kAdminKey[] = "hw_ctl_test_admin_key_0123456789";
constexpr char kCaseManagerKey[] = "hw_ctl_test_case_manager_key_0123";
constexpr int kUsageExit = 2;
constexpr char kIssuer[] = "https://idp.example.org/realms/homeward";
constexpr char kAudience[] = "homeward-gateway";

struct CtlRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& text,
               mode_t mode = 0600) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  chmod(path.c_str(), mode);
}

// Runs homewardctl with `args`, its stdout and stderr captured to files
// under `dir` (never a terminal, so no progress bar is drawn).
CtlRun RunCtl(const std::string& dir, const std::vector<std::string>& args) {
  const std::string out = dir + "/ctl.out";
  const std::string err = dir + "/ctl.err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> argv = {HOMEWARDCTL_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  pid_t pid;
  CtlRun run;
  if (posix_spawn(&pid, HOMEWARDCTL_BIN, &actions, nullptr, c_argv.data(),
                  environ) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return run;
  }
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  run.out = ReadFile(out);
  run.err = ReadFile(err);
  return run;
}

std::string Describe(const CtlRun& run) {
  return absl::StrCat("exit ", run.exit_code, "\nstdout:\n", run.out,
                      "\nstderr:\n", run.err);
}

// The line of `text` that contains `needle` (empty when none does).
std::string LineWith(const std::string& text, const std::string& needle) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(needle) != std::string::npos) return line;
  }
  return "";
}

class HomewardctlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    idp_key_ = new testing::SigningKey(testing::SigningKey::Rsa("idp-rsa-1"));
  }
  static void TearDownTestSuite() { delete idp_key_; }

  // A bearer token of the identity provider for case manager `user` of
  // office-dakar, valid for five minutes.
  static std::string CaseManagerToken(const std::string& user) {
    const int64_t issued = absl::ToUnixSeconds(absl::Now());
    return testing::SignedJwt(
        *idp_key_,
        absl::StrCat(R"({"iss":")", kIssuer, R"(","aud":[")", kAudience,
                     R"("],"sub":")", user, R"(","iat":)", issued, R"(,"exp":)",
                     issued + 300, R"(,"homeward_role":"case_manager",)",
                     R"("homeward_offices":["office-dakar"]})"));
  }

  void SetUp() override {
    for (int r = 0; r < 2; ++r) {
      ServiceConfig service = testing::LoopbackServiceConfig(
          absl::StrCat(dir_.path(), "/assessment-", r));
      *service.add_owned_partitions() = testing::ShareOf(r, 2, 64);
      auto server = assessment::AssessmentServer::Start(
          testing::WithShippedProgrammeData(service), testing::kTestSecret);
      ASSERT_OK(server);
      replicas_.push_back(*std::move(server));
    }
    GatewayConfig config;
    config.set_grpc_listen_address("127.0.0.1:0");
    testing::SetPlaintextTransports(config);
    testing::RouteShares(config, 64,
                         {replicas_[0]->port(), replicas_[1]->port()});
    // The file homewardctl reads its routes from: the gateway's own config.
    gateway_config_ = dir_.path() + "/gateway.textproto";
    ASSERT_OK(server::WriteTextProtoFile(gateway_config_, config, 0600));

    gateway::GatewayServer::Options options;
    options.config = config;
    // Bearer tokens of a stand-in identity provider besides API keys.
    const std::string jwks = dir_.path() + "/jwks.json";
    testing::WriteJwks(jwks, {idp_key_});
    auto* oidc = options.config.mutable_oidc();
    oidc->set_jwks_file(jwks);
    oidc->set_issuer(kIssuer);
    oidc->set_audience(kAudience);
    options.principal_secret = testing::kTestSecret;
    *options.api_keys.add_keys() = gateway::MakeApiKey(
        "admin", kAdminKey,
        testing::MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR, {}));
    *options.api_keys.add_keys() = gateway::MakeApiKey(
        "cm", kCaseManagerKey,
        testing::MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER,
                               {"office-dakar"}));
    auto gateway = gateway::GatewayServer::Start(std::move(options));
    ASSERT_OK(gateway);
    gateway_ = *std::move(gateway);
    gateway_address_ = absl::StrCat("127.0.0.1:", gateway_->grpc_port());

    admin_key_file_ = dir_.path() + "/admin.key";
    WriteFile(admin_key_file_, absl::StrCat(kAdminKey, "\n"));
    case_manager_key_file_ = dir_.path() + "/cm.key";
    WriteFile(case_manager_key_file_, kCaseManagerKey);
    secret_file_ = dir_.path() + "/secret";
    WriteFile(secret_file_, testing::kTestSecret);
  }

  void TearDown() override {
    if (gateway_ != nullptr) gateway_->Shutdown(absl::Seconds(1));
    for (auto& replica : replicas_) replica->Shutdown(absl::Seconds(1));
  }

  // homewardctl against this deployment, plaintext, as the administrator.
  CtlRun Ctl(std::vector<std::string> args, const std::string& key_file = "") {
    std::vector<std::string> all = {
        "--plaintext", "--gateway=" + gateway_address_,
        "--gateway_config=" + gateway_config_,
        "--api_key_file=" + (key_file.empty() ? admin_key_file_ : key_file),
        "--principal_secret_file=" + secret_file_};
    all.insert(all.end(), args.begin(), args.end());
    return RunCtl(dir_.path(), all);
  }

  std::string RegisterCase(const std::string& request_id) {
    auto stub = v1::CaseService::NewStub(grpc::CreateChannel(
        gateway_address_, grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.AddMetadata("authorization",
                        absl::StrCat("Bearer ", kCaseManagerKey));
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    v1::Case registered;
    grpc::Status status = stub->RegisterCase(
        &context, testing::ValidRegistration(request_id), &registered);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return registered.case_id();
  }

  std::string Address(int replica) const {
    return absl::StrCat("127.0.0.1:", replicas_[replica]->port());
  }

  static testing::SigningKey* idp_key_;
  testing::TempDir dir_;
  std::vector<std::unique_ptr<assessment::AssessmentServer>> replicas_;
  std::unique_ptr<gateway::GatewayServer> gateway_;
  std::string gateway_address_;
  std::string gateway_config_;
  std::string admin_key_file_;
  std::string case_manager_key_file_;
  std::string secret_file_;
};

testing::SigningKey* HomewardctlTest::idp_key_ = nullptr;

TEST_F(HomewardctlTest, HealthShowsEveryProcessServing) {
  CtlRun run = Ctl({"health"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_THAT(LineWith(run.out, Address(0)), HasSubstr("SERVING"));
  EXPECT_THAT(LineWith(run.out, Address(1)), HasSubstr("SERVING"));
  EXPECT_THAT(LineWith(run.out, gateway_address_), HasSubstr("SERVING"));
  // The replica registers its services with the health service.
  EXPECT_THAT(run.out, Not(HasSubstr("NOT_SERVING")));
  EXPECT_THAT(LineWith(run.out, Address(0)),
              ::testing::ContainsRegex(" [1-9][0-9]*/[1-9][0-9]*( |$)"));
}

TEST_F(HomewardctlTest, HealthShowsAReplicaDownAndFails) {
  const std::string down = Address(1);
  replicas_[1]->Shutdown(absl::Seconds(1));
  replicas_.pop_back();
  CtlRun run = Ctl({"health"});
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  EXPECT_THAT(
      LineWith(run.out, down),
      ::testing::AllOf(HasSubstr("UNREACHABLE"), HasSubstr("UNAVAILABLE: ")));
  EXPECT_THAT(LineWith(run.out, Address(0)),
              ::testing::ContainsRegex(" SERVING "));
  // The gateway may report itself NOT_SERVING too (a partition's owner is
  // down), once its own probes have noticed.
  EXPECT_THAT(run.err, ::testing::ContainsRegex(
                           "UNAVAILABLE: [12] of 3 processes are not serving"));
}

TEST_F(HomewardctlTest, PartitionsShowTheMapFromTheRoutes) {
  CtlRun run = Ctl({"partitions"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_THAT(LineWith(run.out, Address(0)),
              ::testing::MatchesRegex("assessment +[0-9.:]+ +32 +0-31"));
  EXPECT_THAT(LineWith(run.out, Address(1)),
              ::testing::MatchesRegex("assessment +[0-9.:]+ +32 +32-63"));
}

// A RouteMap file (the moves' routes_file) instead of the gateway config,
// with its own partition count; replicas listing no partitions share them
// by rendezvous hashing, every partition exactly once.
TEST_F(HomewardctlTest, PartitionsFromARouteMapFile) {
  homeward::internal::v1::RouteMap routes;
  routes.set_generation(3);
  auto* route = routes.add_routes();
  route->set_service("planning");
  route->add_replicas()->set_address("127.0.0.1:7201");
  route->add_replicas()->set_address("127.0.0.1:7202");
  const std::string file = dir_.path() + "/routes.textproto";
  ASSERT_OK(server::WriteTextProtoFile(file, routes, 0600));
  CtlRun run =
      RunCtl(dir_.path(), {"--routes_file=" + file, "--partition_count=16",
                           "--output=json", "partitions"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  google::protobuf::ListValue rows;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(run.out, &rows).ok())
      << run.out;
  ASSERT_EQ(rows.values_size(), 2);
  int total = 0;
  for (const auto& row : rows.values()) {
    const auto& fields = row.struct_value().fields();
    EXPECT_EQ(fields.at("service").string_value(), "planning");
    total += std::stoi(fields.at("count").string_value());
  }
  EXPECT_EQ(total, 16);
}

TEST_F(HomewardctlTest, PartitionsLiveAsksEachReplica) {
  CtlRun run = Ctl({"partitions", "--live"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  // Every replica serves PartitionMoveService (the service kit's): each
  // says what it owns, and it agrees with the routes.
  for (int r = 0; r < 2; ++r) {
    const std::string line = LineWith(run.out, Address(r));
    EXPECT_THAT(line, HasSubstr("yes")) << line;
    EXPECT_THAT(line, Not(HasSubstr("unavailable"))) << line;
    EXPECT_THAT(line, Not(HasSubstr(" NO")));
  }
}

TEST_F(HomewardctlTest, PartitionsLiveShowsAReplicaDownAsUnavailable) {
  const std::string down = Address(1);
  replicas_[1]->Shutdown(absl::Seconds(1));
  replicas_.pop_back();
  CtlRun run = Ctl({"partitions", "--live"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_THAT(LineWith(run.out, down), HasSubstr("unavailable (UNAVAILABLE)"));
  const std::string up = LineWith(run.out, Address(0));
  EXPECT_THAT(up, HasSubstr("yes")) << up;
  EXPECT_THAT(up, Not(HasSubstr("unavailable"))) << up;
}

TEST_F(HomewardctlTest, PartitionsLiveWithoutTheSecretIsAUsageError) {
  CtlRun run =
      RunCtl(dir_.path(), {"--plaintext", "--gateway_config=" + gateway_config_,
                           "partitions", "--live"});
  EXPECT_EQ(run.exit_code, kUsageExit) << Describe(run);
  EXPECT_THAT(run.err, HasSubstr("--principal_secret_file"));
}

TEST_F(HomewardctlTest, AuditVerifyShowsEveryReplicasChainIntact) {
  RegisterCase("ctl-audit-1");
  CtlRun run = Ctl({"audit", "verify"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_THAT(run.out, HasSubstr("intact"));
  // Each replica's chain (one or more per replica), every one intact.
  // A replica's chain is named by the partitions it holds.
  EXPECT_THAT(LineWith(run.out, "partitions 0-31 "), HasSubstr(" yes "));
  EXPECT_THAT(LineWith(run.out, "partitions 32-63 "), HasSubstr(" yes "));
  EXPECT_THAT(run.out, Not(HasSubstr(" NO ")));

  CtlRun json = Ctl({"audit", "verify", "--output=json"});
  ASSERT_EQ(json.exit_code, 0) << Describe(json);
  v1::VerifyAuditTrailResponse response;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json.out, &response).ok())
      << json.out;
  ASSERT_GE(response.chains_size(), 2);
  for (const auto& chain : response.chains()) EXPECT_TRUE(chain.intact());
}

TEST_F(HomewardctlTest, AuditVerifyNeedsAnAdministrator) {
  CtlRun run = Ctl({"audit", "verify"}, case_manager_key_file_);
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  EXPECT_THAT(run.err, HasSubstr("PERMISSION_DENIED"));
}

TEST_F(HomewardctlTest, PublishInstrumentThenAChangedVersionIsRefused) {
  const std::string rss =
      std::string(HOMEWARD_SOURCE_DIR) + "/deploy/instruments/rss.textproto";
  CtlRun run = Ctl({"publish", "instrument", rss});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_THAT(LineWith(run.out, "rss.textproto"), HasSubstr("published"));
  // The same content again: idempotent.
  EXPECT_EQ(Ctl({"publish", "instrument", rss}).exit_code, 0);

  // Changed content under the published version: refused, shown, exit 1.
  v1::InstrumentDefinition changed;
  ASSERT_OK(server::ParseTextProtoFile(rss, &changed));
  changed.set_provenance("changed after publication");
  const std::string changed_file = dir_.path() + "/rss-changed.textproto";
  ASSERT_OK(server::WriteTextProtoFile(changed_file, changed, 0600));
  CtlRun refused = Ctl({"publish", "instrument", changed_file});
  EXPECT_EQ(refused.exit_code, 1) << Describe(refused);
  EXPECT_THAT(LineWith(refused.out, "rss-changed.textproto"),
              HasSubstr("ALREADY_EXISTS"));
  EXPECT_THAT(refused.err, HasSubstr("homewardctl: ALREADY_EXISTS"));
}

TEST_F(HomewardctlTest, PublishParsesEveryFileBeforeSendingAny) {
  const std::string bad = dir_.path() + "/bad.textproto";
  WriteFile(bad, "instrument_id: \"x\" no_such_field: 1\n");
  const std::string domv = std::string(HOMEWARD_SOURCE_DIR) +
                           "/deploy/instruments/domv_screening.textproto";
  CtlRun run = Ctl({"publish", "instrument", domv, bad});
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  EXPECT_THAT(run.err, HasSubstr("bad.textproto"));
  EXPECT_EQ(run.out, "");  // nothing published, so no table
}

// On a terminal (a pseudo-terminal from script(1)) publishing draws its
// progress bar on stderr; with --output json it draws none.
TEST_F(HomewardctlTest, ProgressBarOnATerminalOnly) {
  if (std::system("command -v script >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "script(1) is not installed";
  }
  const std::string rss =
      std::string(HOMEWARD_SOURCE_DIR) + "/deploy/instruments/rss.textproto";
  auto on_terminal = [&](const std::string& output) {
    const std::string log = dir_.path() + "/terminal.log";
    const std::string command = absl::StrCat(
        "script -qec '", HOMEWARDCTL_BIN,
        " --plaintext --gateway=", gateway_address_,
        " --api_key_file=", admin_key_file_, " --output=", output,
        " publish instrument ", rss, "' /dev/null > ", log, " 2>&1");
    EXPECT_EQ(std::system(command.c_str()), 0) << ReadFile(log);
    return ReadFile(log);
  };
  EXPECT_THAT(on_terminal("table"),
              HasSubstr("publishing instruments [##########"));
  EXPECT_THAT(on_terminal("json"), Not(HasSubstr("publishing instruments")));
}

// A grid goes to the planning service, which this deployment does not run:
// the file is parsed, sent, and the gateway's refusal shown with its code.
TEST_F(HomewardctlTest, PublishGridWithoutAPlanningServiceShowsTheRefusal) {
  const std::string grid = std::string(HOMEWARD_SOURCE_DIR) +
                           "/deploy/feasibility/example_grid.textproto";
  CtlRun run = Ctl({"publish", "grid", grid});
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  EXPECT_THAT(
      LineWith(run.out, "example_grid.textproto"),
      ::testing::AllOf(HasSubstr("example_grid"), HasSubstr("UNIMPLEMENTED")));
  EXPECT_THAT(run.err, HasSubstr("homewardctl: UNIMPLEMENTED"));
}

TEST_F(HomewardctlTest, CaseOverviewShowsThePartsAndTheMissingOnes) {
  const std::string case_id = RegisterCase("ctl-overview-1");
  ASSERT_FALSE(case_id.empty());
  CtlRun run = Ctl({"case", "overview", case_id}, case_manager_key_file_);
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_THAT(LineWith(run.out, "case "),
              ::testing::AllOf(HasSubstr("present"), HasSubstr(case_id)));
  // No planning service in this deployment: its part is marked missing.
  EXPECT_THAT(LineWith(run.out, "plan "), HasSubstr("missing"));
  // The table never shows the returnee's name.
  EXPECT_THAT(run.out, Not(HasSubstr("Ndiaye")));

  CtlRun json = Ctl({"--output=json", "case", "overview", case_id},
                    case_manager_key_file_);
  ASSERT_EQ(json.exit_code, 0) << Describe(json);
  v1::CaseOverview overview;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json.out, &overview).ok())
      << json.out;
  EXPECT_EQ(overview.case_().case_id(), case_id);
  EXPECT_GT(overview.missing_parts_size(), 0);
}

// The caller's credential may be a bearer token (OpenID Connect) instead of
// an API key; one of the two, not both.
TEST_F(HomewardctlTest, CaseOverviewWithABearerToken) {
  const std::string case_id = RegisterCase("ctl-token-1");
  ASSERT_FALSE(case_id.empty());
  const std::string token_file = dir_.path() + "/token";
  WriteFile(token_file, CaseManagerToken("cm-1") + "\n");
  CtlRun run = RunCtl(
      dir_.path(), {"--plaintext", "--gateway=" + gateway_address_,
                    "--token_file=" + token_file, "case", "overview", case_id});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_THAT(LineWith(run.out, "case "), HasSubstr(case_id));

  CtlRun both =
      Ctl({"--token_file=" + token_file, "case", "overview", case_id});
  EXPECT_EQ(both.exit_code, kUsageExit) << Describe(both);
  EXPECT_THAT(both.err, HasSubstr("--token_file"));
}

TEST_F(HomewardctlTest, CaseOverviewOfAnUnknownCaseFailsWithTheCode) {
  CtlRun run =
      Ctl({"case", "overview", "no-such-case"}, case_manager_key_file_);
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  EXPECT_THAT(run.err, ::testing::ContainsRegex("homewardctl: [A-Z_]+: "));
}

TEST_F(HomewardctlTest, JsonOutputParsesAsAnArrayOfObjects) {
  CtlRun run = Ctl({"--output=json", "partitions"});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  google::protobuf::ListValue rows;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(run.out, &rows).ok())
      << run.out;
  ASSERT_EQ(rows.values_size(), 2);
  EXPECT_EQ(
      rows.values(1).struct_value().fields().at("partitions").string_value(),
      "32-63");
  CtlRun health = Ctl({"--output=json", "health"});
  ASSERT_EQ(health.exit_code, 0) << Describe(health);
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(health.out, &rows).ok())
      << health.out;
  EXPECT_EQ(rows.values_size(), 3);
}

TEST_F(HomewardctlTest, UsageErrorsExitWithTheUsageCode) {
  EXPECT_EQ(RunCtl(dir_.path(), {}).exit_code, kUsageExit);
  CtlRun unknown = RunCtl(dir_.path(), {"frobnicate"});
  EXPECT_EQ(unknown.exit_code, kUsageExit);
  EXPECT_THAT(unknown.err, HasSubstr("frobnicate"));
  EXPECT_EQ(RunCtl(dir_.path(), {"--no_such_flag", "health"}).exit_code,
            kUsageExit);
  EXPECT_EQ(Ctl({"case", "overview"}).exit_code, kUsageExit);
  EXPECT_EQ(Ctl({"publish", "instrument"}).exit_code, kUsageExit);
  EXPECT_EQ(Ctl({"--output=yaml", "health"}).exit_code, kUsageExit);
  EXPECT_EQ(Ctl({"audit", "check"}).exit_code, kUsageExit);
  // A call through the gateway without a credential.
  CtlRun no_key = RunCtl(
      dir_.path(),
      {"--plaintext", "--gateway=" + gateway_address_, "audit", "verify"});
  EXPECT_EQ(no_key.exit_code, kUsageExit) << Describe(no_key);
  EXPECT_THAT(no_key.err, HasSubstr("--api_key_file"));
  // Neither TLS files nor --plaintext for the replicas.
  CtlRun no_tls =
      RunCtl(dir_.path(), {"--gateway_config=" + gateway_config_, "health"});
  EXPECT_EQ(no_tls.exit_code, kUsageExit) << Describe(no_tls);
  EXPECT_THAT(no_tls.err, HasSubstr("--tls_ca_file"));

  CtlRun help = RunCtl(dir_.path(), {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("Usage: homewardctl"));
  CtlRun command_help = RunCtl(dir_.path(), {"case", "--help"});
  EXPECT_EQ(command_help.exit_code, 0);
  EXPECT_THAT(command_help.out, HasSubstr("case overview CASE_ID"));
}

// The gateway's public face over TLS with an API key, the replica over
// mutual TLS with homewardctl's own certificate of the deployment's CA.
TEST(HomewardctlTlsTest, HealthAndAuditOverTlsWithAnApiKey) {
  testing::TempDir dir;
  testing::DevCertificates certs(dir.path() + "/pki");
  ASSERT_OK(certs.Make({"assessment", "gateway", "homewardctl"}));
  ServiceConfig service =
      testing::LoopbackServiceConfig(dir.path() + "/assessment");
  *service.mutable_internal_transport() = certs.MutualTls("assessment");
  auto replica = assessment::AssessmentServer::Start(
      testing::WithShippedProgrammeData(service), testing::kTestSecret);
  ASSERT_OK(replica);
  GatewayConfig config;
  config.set_grpc_listen_address("127.0.0.1:0");
  *config.mutable_public_transport() = certs.ServerTls("gateway");
  *config.mutable_internal_transport() = certs.MutualTls("gateway");
  testing::RouteShares(config, 64, {(*replica)->port()});
  const std::string gateway_config = dir.path() + "/gateway.textproto";
  ASSERT_OK(server::WriteTextProtoFile(gateway_config, config, 0600));
  gateway::GatewayServer::Options options;
  options.config = config;
  options.principal_secret = testing::kTestSecret;
  *options.api_keys.add_keys() = gateway::MakeApiKey(
      "admin", kAdminKey,
      testing::MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR, {}));
  auto gateway = gateway::GatewayServer::Start(std::move(options));
  ASSERT_OK(gateway);
  const std::string key_file = dir.path() + "/admin.key";
  WriteFile(key_file, kAdminKey);

  const std::vector<std::string> flags = {
      absl::StrCat("--gateway=127.0.0.1:", (*gateway)->grpc_port()),
      "--gateway_config=" + gateway_config,
      "--api_key_file=" + key_file,
      "--tls_ca_file=" + certs.CaFile(),
      "--tls_certificate_file=" + certs.CertificateFile("homewardctl"),
      "--tls_private_key_file=" + certs.KeyFile("homewardctl")};
  auto with = [&](std::vector<std::string> args) {
    std::vector<std::string> all = flags;
    all.insert(all.end(), args.begin(), args.end());
    return RunCtl(dir.path(), all);
  };
  CtlRun health = with({"health"});
  ASSERT_EQ(health.exit_code, 0) << Describe(health);
  EXPECT_THAT(LineWith(health.out, "gateway"), HasSubstr("SERVING"));
  EXPECT_THAT(LineWith(health.out, "assessment"), HasSubstr("SERVING"));
  CtlRun audit = with({"audit", "verify"});
  EXPECT_EQ(audit.exit_code, 0) << Describe(audit);

  // Plaintext to a TLS face fails with the gRPC code.
  CtlRun plaintext =
      RunCtl(dir.path(),
             {absl::StrCat("--gateway=127.0.0.1:", (*gateway)->grpc_port()),
              "--plaintext", "--api_key_file=" + key_file, "audit", "verify"});
  EXPECT_EQ(plaintext.exit_code, 1) << Describe(plaintext);
  EXPECT_THAT(plaintext.err, HasSubstr("homewardctl: UNAVAILABLE"));
  (*gateway)->Shutdown(absl::Seconds(1));
  (*replica)->Shutdown(absl::Seconds(1));
}

}  // namespace
}  // namespace homeward
