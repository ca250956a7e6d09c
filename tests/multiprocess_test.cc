// The real binaries as separate processes: an assessment service and a
// gateway configured from files, a case registered and read through the
// gateway over gRPC and JSON, an acknowledged write surviving a SIGKILL of the
// service, and graceful exits on SIGTERM. Also the all-in-one binary.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/auth/principal_token.h"
#include "common/server/config_file.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "httplib.h"
#include "services/gateway/api_keys.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/child_process.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::ChildProcess;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::TempDir;
using ::homeward::testing::ValidRegistration;
using ::testing::HasSubstr;

constexpr absl::Duration kStartTimeout = absl::Seconds(30);
const std::string kKey = "hw_multiprocess_test_key_0123456789abcdef";

std::unique_ptr<ChildProcess> StartAssessment(const TempDir& dir,
                                              const std::string& listen,
                                              const std::string& log) {
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{
          HOMEWARD_ASSESSMENT_BIN, "--listen=" + listen,
          "--data_dir=" + dir.path() + "/assessment",
          "--principal_secret_file=" + dir.path() + "/principal.secret"},
      dir.path() + "/" + log);
}

TEST(MultiProcessTest,
     GatewayAndServiceBinariesServeCasesAndKeepAcknowledgedWrites) {
  TempDir dir;
  ASSERT_OK(auth::EnsureSecretFile(dir.path() + "/principal.secret"));
  homeward::v1::ApiKeyFile keys;
  *keys.add_keys() = gateway::MakeApiKey(
      "mp", kKey,
      MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"}));
  ASSERT_OK(server::WriteTextProtoFile(dir.path() + "/api_keys.textproto", keys,
                                       0600));

  auto assessment = StartAssessment(dir, "127.0.0.1:0", "assessment.log");
  std::string port = assessment->WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(port.empty()) << assessment->Log();

  homeward::v1::GatewayConfig config;
  config.set_grpc_listen_address("127.0.0.1:0");
  config.set_http_listen_address("127.0.0.1:0");
  config.set_api_keys_file(dir.path() + "/api_keys.textproto");
  config.set_principal_secret_file(dir.path() + "/principal.secret");
  auto* route = config.add_routes();
  route->set_service("assessment");
  route->add_replicas()->set_address("127.0.0.1:" + port);
  ASSERT_OK(server::WriteTextProtoFile(dir.path() + "/gateway.textproto",
                                       config, 0600));
  ChildProcess gw(
      {HOMEWARD_GATEWAY_BIN, "--config=" + dir.path() + "/gateway.textproto"},
      dir.path() + "/gateway.log");
  std::string grpc_port = gw.WaitForLogField("grpc_port", kStartTimeout);
  std::string http_port = gw.WaitForLogField("http_port", kStartTimeout);
  ASSERT_FALSE(grpc_port.empty()) << gw.Log();

  // Register over gRPC through the gateway.
  auto stub = homeward::v1::CaseService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + grpc_port, grpc::InsecureChannelCredentials()));
  homeward::v1::Case created;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + kKey);
    grpc::Status status =
        stub->RegisterCase(&ctx, ValidRegistration("mp-1"), &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Read it back over JSON through the gateway.
  httplib::Client http("127.0.0.1", std::stoi(http_port));
  auto fetched = http.Post(
      "/homeward.v1.CaseService/GetCase", {{"X-Api-Key", kKey}},
      "{\"caseId\":\"" + created.case_id() + "\"}", "application/json");
  ASSERT_TRUE(fetched);
  EXPECT_EQ(fetched->status, 200) << fetched->body;
  EXPECT_THAT(fetched->body, HasSubstr("Pikine"));

  // A crash right after the acknowledgement loses nothing.
  assessment->Signal(SIGKILL);
  EXPECT_EQ(assessment->Wait(), 128 + SIGKILL);
  assessment = StartAssessment(dir, "127.0.0.1:" + port, "assessment2.log");
  ASSERT_FALSE(assessment->WaitForLogField("port", kStartTimeout).empty())
      << assessment->Log();
  grpc::Status status;
  for (int attempt = 0; attempt < 100; ++attempt) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + kKey);
    homeward::v1::GetCaseRequest get;
    get.set_case_id(created.case_id());
    homeward::v1::Case read;
    status = stub->GetCase(&ctx, get, &read);
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE) {
      EXPECT_EQ(read.returnee().family_name(), "Ndiaye");
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(status.ok()) << status.error_message();

  // Both stop cleanly on SIGTERM.
  gw.Signal(SIGTERM);
  EXPECT_EQ(gw.Wait(), 0) << gw.Log();
  assessment->Signal(SIGTERM);
  EXPECT_EQ(assessment->Wait(), 0) << assessment->Log();
  // Logs carry identifiers only, never the returnee's data.
  EXPECT_THAT(assessment->Log(), ::testing::Not(HasSubstr("Ndiaye")));
  EXPECT_THAT(gw.Log(), ::testing::Not(HasSubstr("Ndiaye")));
  EXPECT_THAT(gw.Log(), ::testing::Not(HasSubstr(kKey)));
}

TEST(MultiProcessTest, ServiceBinaryRefusesToStartWithoutItsSecret) {
  TempDir dir;
  ChildProcess service({HOMEWARD_ASSESSMENT_BIN, "--listen=127.0.0.1:0",
                        "--data_dir=" + dir.path(),
                        "--principal_secret_file=" + dir.path() + "/missing"},
                       dir.path() + "/service.log");
  EXPECT_NE(service.Wait(), 0);
  EXPECT_THAT(service.Log(), HasSubstr("does not exist"));
}

TEST(MultiProcessTest, AllInOneBinaryPrintsAWorkingKeyAndStopsOnSigterm) {
  TempDir dir;
  ChildProcess suite(
      {HOMEWARD_ALL_IN_ONE_BIN, "--data_dir=" + dir.path() + "/data",
       "--grpc_listen=127.0.0.1:0", "--http_listen=127.0.0.1:0"},
      dir.path() + "/suite.log");
  std::string http_port = suite.WaitForLogField("http_port", kStartTimeout);
  ASSERT_FALSE(http_port.empty()) << suite.Log();
  std::string key;
  for (int i = 0; i < 100 && key.empty(); ++i) {
    std::smatch match;
    std::string log = suite.Log();
    if (std::regex_search(log, match, std::regex("Bearer (hw_[0-9a-f]+)")))
      key = match[1];
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(key.empty()) << suite.Log();
  httplib::Client http("127.0.0.1", std::stoi(http_port));
  auto listed =
      http.Post("/homeward.v1.CaseService/ListCases",
                {{"Authorization", "Bearer " + key}}, "{}", "application/json");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200) << listed->body;
  suite.Signal(SIGTERM);
  EXPECT_EQ(suite.Wait(), 0);
}

}  // namespace
}  // namespace homeward
