// The real binaries as separate processes: an assessment service and a
// gateway configured from files, a case registered and read through the
// gateway over gRPC and JSON, an acknowledged write surviving a SIGKILL of the
// service, and graceful exits on SIGTERM; the planning binary beside them,
// serving plans through the gateway, the referral binary, serving both
// sides of a referral, and the follow-up binary, closing and reopening a
// case. Also the all-in-one binary. And
// what only the real binaries show: --help, refusals at start (another
// partition count on existing data, a port already in use), the operator's
// key file left alone, and reflection describing the health service.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/principal_token.h"
#include "common/server/config_file.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "httplib.h"
#include "services/gateway/api_keys.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/child_process.h"
#include "tests/fixtures/follow_up_server.h"
#include "tests/fixtures/http_retry.h"
#include "tests/fixtures/planning_server.h"
#include "tests/fixtures/referral_server.h"
#include "tests/fixtures/reflection_client.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::ChildProcess;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::TempDir;
using ::homeward::testing::ValidRegistration;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr absl::Duration kStartTimeout = absl::Seconds(30);
const std::string kKey = "hw_multiprocess_test_key_0123456789abcdef";

std::unique_ptr<ChildProcess> StartAssessment(const TempDir& dir,
                                              const std::string& listen,
                                              const std::string& log) {
  // A config with only the shipped programme data (cases are registered
  // under its programme); the flags give the rest.
  const std::string config = dir.path() + "/programme_data.textproto";
  EXPECT_OK(server::WriteTextProtoFile(
      config, testing::WithShippedProgrammeData({}), 0600));
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{
          HOMEWARD_ASSESSMENT_BIN, "--config=" + config, "--listen=" + listen,
          "--data_dir=" + dir.path() + "/assessment",
          "--principal_secret_file=" + dir.path() + "/principal.secret"},
      dir.path() + "/" + log);
}

// Starts `binary`, a service replica whose config (`config`, written to
// <dir>/<name>.textproto) routes its upstream to the assessment replica at
// `assessment_port`; the flags give the listen address (a free port), data
// directory (<dir>/<name>) and secret; its log is <dir>/<name>.log.
// Further upstream routes (backend, port) come from `more_upstream`.
template <typename Config>
std::unique_ptr<ChildProcess> StartFollower(
    const TempDir& dir, const std::string& name, const std::string& binary,
    Config config, const std::string& assessment_port,
    const std::vector<std::pair<std::string, std::string>>& more_upstream =
        {}) {
  testing::AddShareRoute(config.mutable_service()->mutable_upstream(),
                         "assessment", 64, {std::stoi(assessment_port)});
  for (const auto& [backend, port] : more_upstream) {
    testing::AddShareRoute(config.mutable_service()->mutable_upstream(),
                           backend, 64, {std::stoi(port)});
  }
  const std::string path = dir.path() + "/" + name + ".textproto";
  EXPECT_OK(server::WriteTextProtoFile(path, config, 0600));
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{
          binary, "--config=" + path, "--listen=127.0.0.1:0",
          "--data_dir=" + dir.path() + "/" + name,
          "--principal_secret_file=" + dir.path() + "/principal.secret"},
      dir.path() + "/" + name + ".log");
}

// Starts the gateway binary with the keys of <dir>/api_keys.textproto and a
// route per (backend, port) of `routes`; its log is <dir>/gateway.log.
std::unique_ptr<ChildProcess> StartGatewayRouting(
    const TempDir& dir,
    const std::vector<std::pair<std::string, std::string>>& routes) {
  homeward::internal::v1::GatewayConfig config;
  testing::SetPlaintextTransports(config);
  config.set_grpc_listen_address("127.0.0.1:0");
  config.set_http_listen_address("127.0.0.1:0");
  config.set_api_keys_file(dir.path() + "/api_keys.textproto");
  config.set_principal_secret_file(dir.path() + "/principal.secret");
  for (const auto& [backend, port] : routes) {
    auto* route = config.add_routes();
    route->set_service(backend);
    route->add_replicas()->set_address("127.0.0.1:" + port);
  }
  EXPECT_OK(server::WriteTextProtoFile(dir.path() + "/gateway.textproto",
                                       config, 0600));
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{HOMEWARD_GATEWAY_BIN,
                               "--config=" + dir.path() + "/gateway.textproto"},
      dir.path() + "/gateway.log");
}

// The JSON of a valid registration in office-dakar with `request_id`.
std::string RegistrationJson(const std::string& request_id) {
  return absl::StrCat(
      R"({"requestId":")", request_id,
      R"(","case":{"returnee":{"givenName":"Awa",)"
      R"("familyName":"Ndiaye","sex":"SEX_FEMALE","dateOfBirth":{"year":1990,)"
      R"("month":5,"day":17},"nationality":"SN","languages":["wo"]},)"
      R"("returnInfo":{"country":"SN","region":"Dakar","locality":"Pikine",)"
      R"("returnDate":{"year":2025,"month":10,"day":1},)"
      R"("returnType":"RETURN_TYPE_ASSISTED_VOLUNTARY"},)"
      R"("officeId":"office-dakar","caseManagerId":"cm-1",)"
      R"("programmeId":"sn_reintegration"}})");
}

TEST(MultiProcessTest,
     GatewayAndServiceBinariesServeCasesAndKeepAcknowledgedWrites) {
  TempDir dir;
  ASSERT_OK(auth::EnsureSecretFile(dir.path() + "/principal.secret"));
  homeward::internal::v1::ApiKeyFile keys;
  *keys.add_keys() = gateway::MakeApiKey(
      "mp", kKey,
      MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"}));
  ASSERT_OK(server::WriteTextProtoFile(dir.path() + "/api_keys.textproto", keys,
                                       0600));

  auto assessment = StartAssessment(dir, "127.0.0.1:0", "assessment.log");
  std::string port = assessment->WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(port.empty()) << assessment->Log();

  homeward::internal::v1::GatewayConfig config;
  testing::SetPlaintextTransports(config);
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

// The planning binary behind the gateway binary, following the assessment
// binary's feed: a case registered through the gateway becomes known to
// planning, and a plan is created and read over JSON; all three stop
// cleanly on SIGTERM and log no personal data or plan content.
TEST(MultiProcessTest, PlanningBinaryServesPlansThroughTheGateway) {
  TempDir dir;
  ASSERT_OK(auth::EnsureSecretFile(dir.path() + "/principal.secret"));
  homeward::internal::v1::ApiKeyFile keys;
  *keys.add_keys() = gateway::MakeApiKey(
      "mp", kKey,
      MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"}));
  ASSERT_OK(server::WriteTextProtoFile(dir.path() + "/api_keys.textproto", keys,
                                       0600));
  auto assessment = StartAssessment(dir, "127.0.0.1:0", "assessment.log");
  const std::string assessment_port =
      assessment->WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(assessment_port.empty()) << assessment->Log();

  // The planning config names the programme data and the assessment replica
  // it follows; the flags give the rest, as for homeward-assessment.
  auto planning =
      StartFollower(dir, "planning", HOMEWARD_PLANNING_BIN,
                    testing::WithShippedPlanningData({}), assessment_port);
  const std::string planning_port =
      planning->WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(planning_port.empty()) << planning->Log();
  auto gw = StartGatewayRouting(
      dir, {{"assessment", assessment_port}, {"planning", planning_port}});
  const std::string http_port = gw->WaitForLogField("http_port", kStartTimeout);
  ASSERT_FALSE(http_port.empty()) << gw->Log();

  httplib::Client http("127.0.0.1", std::stoi(http_port));
  http.set_read_timeout(10, 0);
  auto registered =
      http.Post("/homeward.v1.CaseService/RegisterCase", {{"X-Api-Key", kKey}},
                RegistrationJson("mp-plan-1"), "application/json");
  ASSERT_TRUE(registered);
  ASSERT_EQ(registered->status, 200) << registered->body;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(registered->body, match,
                                std::regex("\"caseId\":\\s*\"([^\"]+)\"")));
  const std::string case_id = match[1];

  // NOT_FOUND (404) until planning has applied the registration event.
  const std::string create =
      absl::StrCat(R"({"requestId":"mp-plan-1","plan":{"caseId":")", case_id,
                   R"(","returneeObjectives":"Open a tailoring workshop"}})");
  httplib::Result created = testing::PostUntilFound([&] {
    return http.Post("/homeward.v1.PlanService/CreatePlan",
                     {{"X-Api-Key", kKey}}, create, "application/json");
  });
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  auto fetched = http.Post(
      "/homeward.v1.PlanService/GetPlan", {{"X-Api-Key", kKey}},
      absl::StrCat(R"({"caseId":")", case_id, R"("})"), "application/json");
  ASSERT_TRUE(fetched);
  EXPECT_EQ(fetched->status, 200) << fetched->body;
  EXPECT_THAT(fetched->body,
              AllOf(HasSubstr(case_id), HasSubstr("tailoring workshop"),
                    HasSubstr("PLAN_STATUS_DRAFT")));

  gw->Signal(SIGTERM);
  EXPECT_EQ(gw->Wait(), 0) << gw->Log();
  planning->Signal(SIGTERM);
  EXPECT_EQ(planning->Wait(), 0) << planning->Log();
  assessment->Signal(SIGTERM);
  EXPECT_EQ(assessment->Wait(), 0) << assessment->Log();
  for (const std::string& log : {planning->Log(), gw->Log()}) {
    EXPECT_THAT(log, ::testing::Not(HasSubstr("Ndiaye")));
    EXPECT_THAT(log, ::testing::Not(HasSubstr("tailoring")));
  }
}

// The referral binary behind the gateway binary, following the assessment
// binary's feed and asking it for consent: an administrator adds an
// organization and its service, a supervisor records the returnee's consent
// and refers the case over JSON, the partner agency's own key finds the
// referral in its inbox and accepts it, and the supervisor reads it
// accepted. All three stop cleanly on SIGTERM and log no personal data or
// shared summary.
TEST(MultiProcessTest, ReferralBinaryServesBothSidesThroughTheGateway) {
  TempDir dir;
  ASSERT_OK(auth::EnsureSecretFile(dir.path() + "/principal.secret"));
  const std::string kAdminKey = "hw_multiprocess_admin_key_0123456789abc";
  const std::string kPartnerKey = "hw_multiprocess_partner_key_0123456789a";
  homeward::internal::v1::ApiKeyFile keys;
  *keys.add_keys() = gateway::MakeApiKey(
      "mp", kKey,
      MakePrincipal("sup-1", homeward::v1::ROLE_SUPERVISOR, {"office-dakar"}));
  *keys.add_keys() = gateway::MakeApiKey(
      "admin", kAdminKey,
      MakePrincipal("admin-1", homeward::v1::ROLE_ADMINISTRATOR, {}));
  auto partner = MakePrincipal("pa-1", homeward::v1::ROLE_PARTNER_AGENCY, {});
  partner.set_agency_id("org-jamm");
  *keys.add_keys() = gateway::MakeApiKey("partner", kPartnerKey, partner);
  ASSERT_OK(server::WriteTextProtoFile(dir.path() + "/api_keys.textproto", keys,
                                       0600));
  auto assessment = StartAssessment(dir, "127.0.0.1:0", "assessment.log");
  const std::string assessment_port =
      assessment->WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(assessment_port.empty()) << assessment->Log();

  auto referral =
      StartFollower(dir, "referral", HOMEWARD_REFERRAL_BIN,
                    testing::WithShippedReferralData({}), assessment_port);
  const std::string referral_port =
      referral->WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(referral_port.empty()) << referral->Log();
  auto gw = StartGatewayRouting(
      dir, {{"assessment", assessment_port}, {"referral", referral_port}});
  const std::string http_port = gw->WaitForLogField("http_port", kStartTimeout);
  ASSERT_FALSE(http_port.empty()) << gw->Log();

  httplib::Client http("127.0.0.1", std::stoi(http_port));
  http.set_read_timeout(10, 0);
  auto post = [&http](const std::string& method, const std::string& key,
                      const std::string& body) {
    return http.Post("/homeward.v1." + method, {{"X-Api-Key", key}}, body,
                     "application/json");
  };
  auto org = post("DirectoryService/CreateOrganization", kAdminKey,
                  R"({"requestId":"mp-org","organization":{)"
                  R"("organizationId":"org-jamm","name":"Jamm Santé"}})");
  ASSERT_TRUE(org);
  ASSERT_EQ(org->status, 200) << org->body;
  auto created_service = post(
      "DirectoryService/CreateService", kAdminKey,
      R"({"requestId":"mp-service","service":{"organizationId":"org-jamm",)"
      R"("name":"Soutien psychosocial","status":"SERVICE_STATUS_ACTIVE",)"
      R"("components":["individual_counselling"],"languages":["fr","wo"]}})");
  ASSERT_TRUE(created_service);
  ASSERT_EQ(created_service->status, 200) << created_service->body;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(created_service->body, match,
                                std::regex("\"serviceId\":\\s*\"([^\"]+)\"")));
  const std::string service_id = match[1];
  auto capacity = post(
      "DirectoryService/SetServiceCapacity", kPartnerKey,
      absl::StrCat(R"({"requestId":"mp-capacity","serviceId":")", service_id,
                   R"(","etag":"1","capacity":{"status":)"
                   R"("CAPACITY_STATUS_AVAILABLE"}})"));
  ASSERT_TRUE(capacity);
  ASSERT_EQ(capacity->status, 200) << capacity->body;

  auto registered =
      post("CaseService/RegisterCase", kKey, RegistrationJson("mp-ref-1"));
  ASSERT_TRUE(registered);
  ASSERT_EQ(registered->status, 200) << registered->body;
  ASSERT_TRUE(std::regex_search(registered->body, match,
                                std::regex("\"caseId\":\\s*\"([^\"]+)\"")));
  const std::string case_id = match[1];
  auto consent =
      post("ConsentService/RecordConsent", kKey,
           absl::StrCat(R"({"requestId":"mp-consent","consent":{"caseId":")",
                        case_id,
                        R"(","purpose":"CONSENT_PURPOSE_REFERRAL",)"
                        R"("recipientAgencyId":"org-jamm","granted":true,)"
                        R"("decisionDate":{"year":2025,"month":10,"day":2},)"
                        R"("method":"CONSENT_METHOD_WRITTEN"}})"));
  ASSERT_TRUE(consent);
  ASSERT_EQ(consent->status, 200) << consent->body;

  // NOT_FOUND (404) until referral has applied the registration event.
  // Expected dates may not lie in the past: next year's.
  const int next_year =
      absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year() + 1;
  const std::string create = absl::StrCat(
      R"({"requestId":"mp-ref-1","send":true,"referral":{"caseId":")", case_id,
      R"(","expectedResponseDate":{"year":)", next_year,
      R"(,"month":1,"day":15},"expectedCompletionDate":{"year":)", next_year,
      R"(,"month":3,"day":31},"serviceId":")", service_id,
      R"(","purpose":"Psychosocial support","urgency":"REFERRAL_URGENCY_ROUTINE",)"
      R"("summary":{"returneeName":"Awa Ndiaye","languages":["wo"]}}})");
  httplib::Result created = testing::PostUntilFound(
      [&] { return post("ReferralService/CreateReferral", kKey, create); });
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  ASSERT_TRUE(std::regex_search(created->body, match,
                                std::regex("\"referralId\":\\s*\"([^\"]+)\"")));
  const std::string referral_id = match[1];

  auto inbox = post("PartnerReferralService/ListInbox", kPartnerKey, "{}");
  ASSERT_TRUE(inbox);
  ASSERT_EQ(inbox->status, 200) << inbox->body;
  EXPECT_THAT(inbox->body, AllOf(HasSubstr(referral_id), HasSubstr("Awa")));
  ASSERT_TRUE(std::regex_search(inbox->body, match,
                                std::regex("\"etag\":\\s*\"([^\"]+)\"")));
  auto accepted =
      post("PartnerReferralService/UpdateSharedReferral", kPartnerKey,
           absl::StrCat(R"({"caseId":")", case_id, R"(","referralId":")",
                        referral_id, R"(","etag":")", match[1].str(),
                        R"(","status":"REFERRAL_STATUS_ACCEPTED"})"));
  ASSERT_TRUE(accepted);
  ASSERT_EQ(accepted->status, 200) << accepted->body;
  auto read = post("ReferralService/GetReferral", kKey,
                   absl::StrCat(R"({"caseId":")", case_id,
                                R"(","referralId":")", referral_id, R"("})"));
  ASSERT_TRUE(read);
  ASSERT_EQ(read->status, 200) << read->body;
  EXPECT_THAT(read->body, HasSubstr("REFERRAL_STATUS_ACCEPTED"));

  gw->Signal(SIGTERM);
  EXPECT_EQ(gw->Wait(), 0) << gw->Log();
  referral->Signal(SIGTERM);
  EXPECT_EQ(referral->Wait(), 0) << referral->Log();
  assessment->Signal(SIGTERM);
  EXPECT_EQ(assessment->Wait(), 0) << assessment->Log();
  for (const std::string& log : {referral->Log(), gw->Log()}) {
    EXPECT_THAT(log, ::testing::Not(HasSubstr("Ndiaye")));
    EXPECT_THAT(log, ::testing::Not(HasSubstr("Psychosocial support")));
  }
}

// The follow-up binary behind the gateway binary, following the assessment
// and planning binaries' feeds: a supervisor closes a case over JSON (the
// checks reported first, then acknowledged; the supervisor's closure needs
// no other approval), reads the closure, and reopens the case. All four
// stop cleanly on SIGTERM and log no personal data or closure text.
TEST(MultiProcessTest, FollowUpBinaryClosesAndReopensThroughTheGateway) {
  TempDir dir;
  ASSERT_OK(auth::EnsureSecretFile(dir.path() + "/principal.secret"));
  homeward::internal::v1::ApiKeyFile keys;
  *keys.add_keys() = gateway::MakeApiKey(
      "mp", kKey,
      MakePrincipal("sup-1", homeward::v1::ROLE_SUPERVISOR, {"office-dakar"}));
  ASSERT_OK(server::WriteTextProtoFile(dir.path() + "/api_keys.textproto", keys,
                                       0600));
  auto assessment = StartAssessment(dir, "127.0.0.1:0", "assessment.log");
  const std::string assessment_port =
      assessment->WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(assessment_port.empty()) << assessment->Log();
  auto planning =
      StartFollower(dir, "planning", HOMEWARD_PLANNING_BIN,
                    testing::WithShippedPlanningData({}), assessment_port);
  const std::string planning_port =
      planning->WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(planning_port.empty()) << planning->Log();
  auto follow_up =
      StartFollower(dir, "follow_up", HOMEWARD_FOLLOW_UP_BIN,
                    testing::WithShippedFollowUpData({}), assessment_port,
                    {{"planning", planning_port}});
  const std::string follow_up_port =
      follow_up->WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(follow_up_port.empty()) << follow_up->Log();
  auto gw = StartGatewayRouting(dir, {{"assessment", assessment_port},
                                      {"planning", planning_port},
                                      {"follow_up", follow_up_port}});
  const std::string http_port = gw->WaitForLogField("http_port", kStartTimeout);
  ASSERT_FALSE(http_port.empty()) << gw->Log();

  httplib::Client http("127.0.0.1", std::stoi(http_port));
  http.set_read_timeout(10, 0);
  auto post = [&http](const std::string& method, const std::string& body) {
    return http.Post("/homeward.v1." + method, {{"X-Api-Key", kKey}}, body,
                     "application/json");
  };
  auto registered =
      post("CaseService/RegisterCase", RegistrationJson("mp-fu-1"));
  ASSERT_TRUE(registered);
  ASSERT_EQ(registered->status, 200) << registered->body;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(registered->body, match,
                                std::regex("\"caseId\":\\s*\"([^\"]+)\"")));
  const std::string case_id = match[1];

  // NOT_FOUND (404) until follow-up has applied the registration event.
  httplib::Result checks = testing::PostUntilFound([&] {
    return post("CaseClosureService/GetClosureChecks",
                absl::StrCat(R"({"caseId":")", case_id, R"("})"));
  });
  ASSERT_TRUE(checks);
  ASSERT_EQ(checks->status, 200) << checks->body;
  EXPECT_THAT(checks->body, HasSubstr("\"approvalRequired\":true"));
  const std::string close = absl::StrCat(
      R"({"requestId":"mp-fu-close","closure":{"caseId":")", case_id,
      R"(","reason":"CLOSURE_REASON_RE_MIGRATED",)"
      R"("details":"left for Morocco in October",)"
      R"("noFinalRssReason":"no longer in the country",)"
      R"("closingSession":{"held":false,"notHeldReason":"not reachable"}}})");
  auto refused = post("CaseClosureService/CloseCase", close);
  ASSERT_TRUE(refused);
  // Closing without a final survey is one of the checks to acknowledge.
  EXPECT_EQ(refused->status, 400) << refused->body;
  EXPECT_THAT(refused->body, HasSubstr("CLOSURE_CHECKS"));
  auto closed = post("CaseClosureService/CloseCase",
                     absl::StrCat(close.substr(0, close.size() - 1),
                                  R"(,"acknowledgeChecks":true})"));
  ASSERT_TRUE(closed);
  ASSERT_EQ(closed->status, 200) << closed->body;
  EXPECT_THAT(closed->body, AllOf(HasSubstr("CLOSURE_STATUS_CLOSED"),
                                  HasSubstr("CLOSURE_KIND_UNPLANNED")));
  ASSERT_TRUE(std::regex_search(closed->body, match,
                                std::regex("\"closureId\":\\s*\"([^\"]+)\"")));
  const std::string closure_id = match[1];
  ASSERT_TRUE(std::regex_search(closed->body, match,
                                std::regex("\"etag\":\\s*\"([^\"]+)\"")));
  auto reopened =
      post("CaseClosureService/ReopenCase",
           absl::StrCat(R"({"requestId":"mp-fu-reopen","caseId":")", case_id,
                        R"(","closureId":")", closure_id, R"(","etag":")",
                        match[1].str(), R"(","reason":"came back"})"));
  ASSERT_TRUE(reopened);
  ASSERT_EQ(reopened->status, 200) << reopened->body;
  EXPECT_THAT(reopened->body, HasSubstr("CLOSURE_STATUS_REOPENED"));

  gw->Signal(SIGTERM);
  EXPECT_EQ(gw->Wait(), 0) << gw->Log();
  for (auto* process : {follow_up.get(), planning.get(), assessment.get()}) {
    process->Signal(SIGTERM);
    EXPECT_EQ(process->Wait(), 0) << process->Log();
  }
  for (const std::string& log : {follow_up->Log(), gw->Log()}) {
    EXPECT_THAT(log, ::testing::Not(HasSubstr("Ndiaye")));
    EXPECT_THAT(log, ::testing::Not(HasSubstr("Morocco")));
  }
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

// Writes an AssessmentConfig under `dir` and returns its path.
std::string WriteServiceConfig(const TempDir& dir, const std::string& name,
                               const std::string& listen,
                               uint32_t partition_count) {
  // With the shipped programme data: cases are registered under its
  // programme.
  homeward::internal::v1::AssessmentConfig config =
      testing::WithShippedProgrammeData({});
  config.mutable_service()->set_listen_address(listen);
  config.mutable_service()->set_data_dir(dir.path() + "/assessment");
  config.mutable_service()->set_partition_count(partition_count);
  config.mutable_service()->set_principal_secret_file(dir.path() +
                                                      "/principal.secret");
  const std::string path = dir.path() + "/" + name;
  EXPECT_OK(server::WriteTextProtoFile(path, config, 0600));
  return path;
}

// Writes a GatewayConfig routing to `replica` and returns its path.
std::string WriteGatewayConfig(const TempDir& dir, const std::string& replica) {
  homeward::internal::v1::ApiKeyFile keys;
  *keys.add_keys() = gateway::MakeApiKey(
      "mp", kKey,
      MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"}));
  EXPECT_OK(server::WriteTextProtoFile(dir.path() + "/api_keys.textproto", keys,
                                       0600));
  homeward::internal::v1::GatewayConfig config;
  testing::SetPlaintextTransports(config);
  config.set_grpc_listen_address("127.0.0.1:0");
  config.set_http_listen_address("127.0.0.1:0");
  config.set_api_keys_file(dir.path() + "/api_keys.textproto");
  config.set_principal_secret_file(dir.path() + "/principal.secret");
  auto* route = config.add_routes();
  route->set_service("assessment");
  route->add_replicas()->set_address(replica);
  const std::string path = dir.path() + "/gateway.textproto";
  EXPECT_OK(server::WriteTextProtoFile(path, config, 0600));
  return path;
}

// Runs `first` until it logs `ready_field`, stops it with SIGTERM, then runs
// `second` on the same data, which must refuse to start (exit 1) naming the
// stored partition count, the configured one and `data_dir`.
void ExpectRestartWithAnotherCountRefused(
    const TempDir& dir, const std::vector<std::string>& first,
    const std::string& ready_field, const std::vector<std::string>& second,
    int stored, int configured, const std::string& data_dir) {
  {
    ChildProcess process(first, dir.path() + "/first.log");
    ASSERT_FALSE(process.WaitForLogField(ready_field, kStartTimeout).empty())
        << process.Log();
    process.Signal(SIGTERM);
    EXPECT_EQ(process.Wait(), 0) << process.Log();
  }
  ChildProcess process(second, dir.path() + "/second.log");
  EXPECT_EQ(process.WaitFor(kStartTimeout), 1);
  EXPECT_THAT(process.Log(),
              AllOf(HasSubstr(absl::StrCat("partition_count ", stored)),
                    HasSubstr(absl::StrCat("configured with partition_count ",
                                           configured)),
                    HasSubstr(data_dir)));
}

TEST(MultiProcessTest, ServiceBinaryRefusesAnotherPartitionCountOnItsData) {
  TempDir dir;
  ASSERT_OK(auth::EnsureSecretFile(dir.path() + "/principal.secret"));
  ExpectRestartWithAnotherCountRefused(
      dir,
      {HOMEWARD_ASSESSMENT_BIN,
       "--config=" +
           WriteServiceConfig(dir, "p64.textproto", "127.0.0.1:0", 64)},
      "port",
      {HOMEWARD_ASSESSMENT_BIN,
       "--config=" +
           WriteServiceConfig(dir, "p32.textproto", "127.0.0.1:0", 32)},
      64, 32, dir.path() + "/assessment");
}

TEST(MultiProcessTest, AllInOneBinaryRefusesAnotherPartitionCountOnItsData) {
  TempDir dir;
  const std::vector<std::string> suite = {
      HOMEWARD_ALL_IN_ONE_BIN, "--data_dir=" + dir.path() + "/data",
      "--grpc_listen=127.0.0.1:0", "--http_listen=127.0.0.1:0"};
  std::vector<std::string> first = suite, second = suite;
  first.push_back("--partition_count=64");
  second.push_back("--partition_count=16");
  ExpectRestartWithAnotherCountRefused(dir, first, "http_port", second, 64, 16,
                                       dir.path() + "/data");
}

// gRPC sets SO_REUSEPORT by default: a second process could then bind a
// replica's port, take some of its calls and answer NOT_FOUND for cases it
// does not hold. Every listener must refuse a port in use instead.
TEST(MultiProcessTest, SecondProcessOnAPortInUseRefusesToStart) {
  TempDir dir;
  ASSERT_OK(auth::EnsureSecretFile(dir.path() + "/principal.secret"));
  auto first = StartAssessment(dir, "127.0.0.1:0", "first.log");
  const std::string port = first->WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(port.empty()) << first->Log();
  {
    TempDir other;
    ChildProcess second(
        {HOMEWARD_ASSESSMENT_BIN,
         // StartAssessment's config (plaintext internal transport).
         "--config=" + dir.path() + "/programme_data.textproto",
         "--listen=127.0.0.1:" + port, "--data_dir=" + other.path(),
         "--principal_secret_file=" + dir.path() + "/principal.secret"},
        dir.path() + "/second.log");
    EXPECT_EQ(second.WaitFor(kStartTimeout), 1);
    EXPECT_THAT(second.Log(), HasSubstr("port free"));
  }

  ChildProcess gw({HOMEWARD_GATEWAY_BIN,
                   "--config=" + WriteGatewayConfig(dir, "127.0.0.1:" + port)},
                  dir.path() + "/gateway.log");
  const std::string grpc_port = gw.WaitForLogField("grpc_port", kStartTimeout);
  ASSERT_FALSE(grpc_port.empty()) << gw.Log();
  {
    ChildProcess second_gw(
        {HOMEWARD_GATEWAY_BIN, "--config=" + dir.path() + "/gateway.textproto",
         "--grpc_listen=127.0.0.1:" + grpc_port},
        dir.path() + "/gateway2.log");
    EXPECT_EQ(second_gw.WaitFor(kStartTimeout), 1);
    EXPECT_THAT(second_gw.Log(), HasSubstr("port free"));
  }
  {
    TempDir other;
    ChildProcess suite(
        {HOMEWARD_ALL_IN_ONE_BIN, "--data_dir=" + other.path() + "/data",
         "--grpc_listen=127.0.0.1:" + grpc_port, "--http_listen=127.0.0.1:0"},
        dir.path() + "/suite.log");
    EXPECT_EQ(suite.WaitFor(kStartTimeout), 1);
    EXPECT_THAT(suite.Log(), HasSubstr("port free"));
  }
  gw.Signal(SIGTERM);
  EXPECT_EQ(gw.Wait(), 0) << gw.Log();
  first->Signal(SIGTERM);
  EXPECT_EQ(first->Wait(), 0) << first->Log();
}

// Reflection lists grpc.health.v1.Health; the binaries must also carry its
// descriptor, or clients such as grpcurl cannot call it.
TEST(MultiProcessTest, BinariesDescribeTheHealthServiceByReflection) {
  TempDir dir;
  ASSERT_OK(auth::EnsureSecretFile(dir.path() + "/principal.secret"));
  auto service = StartAssessment(dir, "127.0.0.1:0", "assessment.log");
  const std::string port = service->WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(port.empty()) << service->Log();
  ChildProcess gw({HOMEWARD_GATEWAY_BIN,
                   "--config=" + WriteGatewayConfig(dir, "127.0.0.1:" + port)},
                  dir.path() + "/gateway.log");
  const std::string grpc_port = gw.WaitForLogField("grpc_port", kStartTimeout);
  ASSERT_FALSE(grpc_port.empty()) << gw.Log();
  for (const std::string& target :
       {"127.0.0.1:" + port, "127.0.0.1:" + grpc_port}) {
    auto channel =
        grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
    testing::MethodTypes check =
        testing::DescribedMethod(channel, "grpc.health.v1.Health", "Check");
    EXPECT_EQ(check.input, ".grpc.health.v1.HealthCheckRequest")
        << target << ": " << check.error;
    EXPECT_EQ(check.output, ".grpc.health.v1.HealthCheckResponse") << target;
  }
}

// Runs `binary` with --help and returns its exit code; `output` gets what it
// printed, with Abseil's line wrapping undone so that help texts read whole.
int RunHelp(const TempDir& dir, const std::string& binary,
            std::string* output) {
  ChildProcess process({binary, "--help"}, dir.path() + "/help.log");
  const int code = process.WaitFor(kStartTimeout);
  *output = std::regex_replace(process.Log(), std::regex("\n +"), " ");
  return code;
}

TEST(MultiProcessTest, EveryBinaryListsItsFlagsOnHelp) {
  TempDir dir;
  struct Expected {
    std::string binary;
    std::string usage;
    std::vector<std::pair<std::string, std::string>> flags;  // name, help
  };
  const std::vector<Expected> binaries = {
      {HOMEWARD_ASSESSMENT_BIN,
       "Usage: homeward-assessment",
       {{"config", "ServiceConfig textproto file"},
        {"listen", "gRPC listen address"},
        {"data_dir", "data directory"},
        {"principal_secret_file", "deployment secret"},
        {"log_requests", "log one line per request"}}},
      {HOMEWARD_REFERRAL_BIN,
       "Usage: homeward-referral",
       {{"config", "ServiceConfig textproto file"},
        {"listen", "gRPC listen address"},
        {"data_dir", "data directory"},
        {"principal_secret_file", "deployment secret"}}},
      {HOMEWARD_FOLLOW_UP_BIN,
       "Usage: homeward-follow-up",
       {{"config", "ServiceConfig textproto file"},
        {"listen", "gRPC listen address"},
        {"data_dir", "data directory"},
        {"principal_secret_file", "deployment secret"}}},
      {HOMEWARD_GATEWAY_BIN,
       "Usage: homeward-gateway",
       {{"config", "GatewayConfig textproto"},
        {"grpc_listen", "grpc_listen_address"},
        {"http_listen", "http_listen_address"}}},
      {HOMEWARD_ALL_IN_ONE_BIN,
       "Usage: homeward-all-in-one",
       {{"data_dir", "where every service keeps its data"},
        {"grpc_listen", "public gRPC address"},
        {"http_listen", "public JSON/HTTP address"},
        {"partition_count", "fixed when the data directory is created"},
        {"api_keys_file", "never rewritten"},
        {"instruments_dir", "instrument definitions"},
        {"log_requests", "log one line per request"}}},
  };
  for (const Expected& expected : binaries) {
    std::string output;
    // Abseil's --help handling ends the program with exit code 1.
    EXPECT_EQ(RunHelp(dir, expected.binary, &output), 1) << expected.binary;
    EXPECT_THAT(output, HasSubstr(expected.usage));
    for (const auto& [name, help] : expected.flags) {
      EXPECT_THAT(output, AllOf(HasSubstr("--" + name + " ("), HasSubstr(help)))
          << expected.binary << " --" << name;
    }
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// The all-in-one once replaced an api_keys.textproto it found without its
// dev-api-key beside it; an operator's keys then stopped working.
TEST(MultiProcessTest, AllInOneBinaryLeavesTheOperatorsKeyFileUntouched) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  ASSERT_TRUE(std::filesystem::create_directories(data));
  homeward::internal::v1::ApiKeyFile keys;
  *keys.add_keys() = gateway::MakeApiKey(
      "operator", kKey,
      MakePrincipal("sup-1", homeward::v1::ROLE_SUPERVISOR, {"office-demo"}));
  const std::string keys_path = data + "/api_keys.textproto";
  ASSERT_OK(server::WriteTextProtoFile(keys_path, keys, 0600));
  std::ofstream(keys_path, std::ios::app) << "# the operator's own note\n";
  const std::string before = ReadFile(keys_path);

  for (int start = 0; start < 2; ++start) {
    ChildProcess suite(
        {HOMEWARD_ALL_IN_ONE_BIN, "--data_dir=" + data,
         "--grpc_listen=127.0.0.1:0", "--http_listen=127.0.0.1:0"},
        absl::StrCat(dir.path(), "/suite", start, ".log"));
    const std::string http_port =
        suite.WaitForLogField("http_port", kStartTimeout);
    ASSERT_FALSE(http_port.empty()) << suite.Log();
    httplib::Client http("127.0.0.1", std::stoi(http_port));
    auto listed = http.Post("/homeward.v1.CaseService/ListCases",
                            {{"Authorization", "Bearer " + kKey}}, "{}",
                            "application/json");
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->status, 200) << listed->body;
    suite.Signal(SIGTERM);
    EXPECT_EQ(suite.Wait(), 0) << suite.Log();
    EXPECT_EQ(ReadFile(keys_path), before) << "after start " << start;
  }
}

}  // namespace
}  // namespace homeward
