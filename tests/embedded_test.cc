// The embedded default: first start creates the secret and a development
// key, the printed example call works as printed, a restart keeps both the
// key and the data, and the planning service runs beside assessment.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/server/config_file.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/needs.grpc.pb.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "httplib.h"
#include "services/all_in_one/embedded_suite.h"
#include "services/gateway/api_keys.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/http_retry.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::all_in_one {
namespace {

using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;
namespace v1 = ::homeward::v1;

EmbeddedOptions OptionsFor(const TempDir& dir) {
  EmbeddedOptions options;
  options.data_dir = dir.path() + "/data";
  options.grpc_listen = "127.0.0.1:0";
  options.http_listen = "127.0.0.1:0";
  options.taxonomy_dir = std::string(HOMEWARD_SOURCE_DIR) + "/deploy/taxonomy";
  options.programmes_dir =
      std::string(HOMEWARD_SOURCE_DIR) + "/deploy/programmes";
  options.instruments_dir =
      std::string(HOMEWARD_SOURCE_DIR) + "/deploy/instruments";
  options.feasibility_dir =
      std::string(HOMEWARD_SOURCE_DIR) + "/deploy/feasibility";
  return options;
}

// The JSON bodies of the printed curl examples, in order.
std::vector<std::string> PrintedBodies(const std::string& instructions) {
  std::vector<std::string> bodies;
  std::regex body("-d '([^']*)'");
  for (std::sregex_iterator it(instructions.begin(), instructions.end(), body),
       end;
       it != end; ++it) {
    bodies.push_back((*it)[1]);
  }
  return bodies;
}

// POSTs `body` to `method` ("GetCase", or "Service/Method" for another
// service than CaseService).
httplib::Result Post(int port, const std::string& method,
                     const std::string& key, const std::string& body) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);
  const std::string path =
      method.find('/') == std::string::npos
          ? absl::StrCat("/homeward.v1.CaseService/", method)
          : absl::StrCat("/homeward.v1.", method);
  return client.Post(path.c_str(), {{"Authorization", "Bearer " + key}}, body,
                     "application/json");
}

// The case id in a JSON reply; empty when there is none.
std::string CaseIdIn(const std::string& reply) {
  std::smatch match;
  if (!std::regex_search(reply, match,
                         std::regex("\"caseId\":\\s*\"([^\"]+)\""))) {
    return "";
  }
  return match[1];
}

TEST(EmbeddedSuiteTest, PrintedExampleCallsWorkAndSurviveARestart) {
  TempDir dir;
  std::string key;
  std::string case_id;
  {
    auto suite = EmbeddedSuite::Start(OptionsFor(dir));
    ASSERT_TRUE(suite.ok()) << suite.status();
    key = (*suite)->dev_api_key();
    EXPECT_EQ(key.rfind("hw_", 0), 0u);
    std::string text = (*suite)->Instructions();
    EXPECT_THAT(text, HasSubstr(key));
    EXPECT_THAT(text,
                HasSubstr(absl::StrCat("127.0.0.1:", (*suite)->http_port())));

    auto bodies = PrintedBodies(text);
    ASSERT_EQ(bodies.size(), 4u);
    auto registered =
        Post((*suite)->http_port(), "RegisterCase", key, bodies[0]);
    ASSERT_TRUE(registered);
    ASSERT_EQ(registered->status, 200) << registered->body;
    std::smatch match;
    ASSERT_TRUE(std::regex_search(registered->body, match,
                                  std::regex("\"caseId\":\\s*\"([^\"]+)\"")));
    case_id = match[1];

    std::string get_body = std::regex_replace(
        bodies[1], std::regex("<caseId from the reply>"), case_id);
    auto fetched = Post((*suite)->http_port(), "GetCase", key, get_body);
    ASSERT_TRUE(fetched);
    EXPECT_EQ(fetched->status, 200) << fetched->body;
    EXPECT_THAT(fetched->body, HasSubstr("Ndiaye"));

    auto listed = Post((*suite)->http_port(), "ListCases", key, bodies[2]);
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->status, 200) << listed->body;
    EXPECT_THAT(listed->body, HasSubstr(case_id));
  }

  // Secrets are private to the owner.
  for (const char* file :
       {"/principal.secret", "/dev-api-key", "/api_keys.textproto"}) {
    struct stat st;
    ASSERT_EQ(stat((dir.path() + "/data" + file).c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 077, 0u) << file;
  }

  auto again = EmbeddedSuite::Start(OptionsFor(dir));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->dev_api_key(), key);
  auto fetched = Post((*again)->http_port(), "GetCase", key,
                      absl::StrCat("{\"caseId\":\"", case_id, "\"}"));
  ASSERT_TRUE(fetched);
  EXPECT_EQ(fetched->status, 200) << fetched->body;
}

// The planning service runs in the all-in-one beside assessment, with its
// own data directory, follows the assessment feed in-process and is reached
// through the gateway's JSON face: a case registered there becomes known to
// planning (CreatePlan answers NOT_FOUND until its registration event is
// applied), then a plan is created and read back, also with the printed
// GetPlan example.
TEST(EmbeddedSuiteTest, PlanningFollowsTheRegisteredCaseAndServesPlans) {
  TempDir dir;
  auto suite = EmbeddedSuite::Start(OptionsFor(dir));
  ASSERT_TRUE(suite.ok()) << suite.status();
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() + "/data/planning"));
  const std::string key = (*suite)->dev_api_key();
  const int port = (*suite)->http_port();
  const std::vector<std::string> bodies =
      PrintedBodies((*suite)->Instructions());
  ASSERT_EQ(bodies.size(), 4u);
  auto registered = Post(port, "RegisterCase", key, bodies[0]);
  ASSERT_TRUE(registered);
  ASSERT_EQ(registered->status, 200) << registered->body;
  const std::string case_id = CaseIdIn(registered->body);
  ASSERT_FALSE(case_id.empty()) << registered->body;

  const std::string create = absl::StrCat(
      R"({"requestId":"plan-demo-1","plan":{"caseId":")", case_id,
      R"(","returneeObjectives":"Open a tailoring workshop in Pikine"}})");
  httplib::Result created = testing::PostUntilFound(
      [&] { return Post(port, "PlanService/CreatePlan", key, create); });
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  EXPECT_THAT(created->body,
              AllOf(HasSubstr(case_id), HasSubstr("PLAN_STATUS_DRAFT"),
                    HasSubstr(R"("version":1)")));

  const std::string get_body =
      std::regex_replace(bodies[3], std::regex("<caseId>"), case_id);
  auto fetched = Post(port, "PlanService/GetPlan", key, get_body);
  ASSERT_TRUE(fetched);
  EXPECT_EQ(fetched->status, 200) << fetched->body;
  EXPECT_THAT(fetched->body,
              AllOf(HasSubstr(case_id), HasSubstr("tailoring workshop"),
                    HasSubstr("PLAN_STATUS_DRAFT")));
}

v1::Date Day(int year, int month, int day) {
  v1::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

// Calls the suite's gRPC face with the development key (a supervisor, who
// may take every step of a plan).
class GrpcFace {
 public:
  GrpcFace(int port, std::string key)
      : channel_(testing::LoopbackChannel(port)), key_(std::move(key)) {}

  template <typename Stub, typename Request, typename Response>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                 const Request&, Response*),
                    std::unique_ptr<Stub>& stub, const Request& request,
                    Response* response) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + key_);
    return (stub.get()->*method)(&ctx, request, response);
  }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::string key_;
};

// In the all-in-one the two services follow each other's feeds over
// in-process channels, the assessment service's only from once planning has
// started (a LateChannel): a plan approved in planning marks the need its
// activity answers BEING_ADDRESSED in assessment.
TEST(EmbeddedSuiteTest, ApprovedPlanMarksItsNeedBeingAddressedInAssessment) {
  TempDir dir;
  auto suite = EmbeddedSuite::Start(OptionsFor(dir));
  ASSERT_TRUE(suite.ok()) << suite.status();
  GrpcFace face((*suite)->grpc_port(), (*suite)->dev_api_key());
  auto cases = v1::CaseService::NewStub(face.channel());
  auto needs = v1::NeedService::NewStub(face.channel());
  auto plans = v1::PlanService::NewStub(face.channel());

  v1::Case registered;
  ASSERT_TRUE(face.Call(&v1::CaseService::Stub::RegisterCase, cases,
                        testing::ValidRegistration("emb-plan-1", kDemoOffice,
                                                   "cm-demo"),
                        &registered)
                  .ok());
  v1::AddNeedRequest add;
  add.set_case_id(registered.case_id());
  add.mutable_need()->set_dimension(v1::DIMENSION_ECONOMIC);
  add.mutable_need()->set_category("business_development");
  add.mutable_need()->set_description("test need");
  add.mutable_need()->set_priority(v1::NEED_PRIORITY_HIGH);
  v1::Need need;
  grpc::Status status =
      face.Call(&v1::NeedService::Stub::AddNeed, needs, add, &need);
  ASSERT_TRUE(status.ok()) << status.error_message();

  v1::CreatePlanRequest create;
  create.set_request_id("emb-plan-1");
  v1::Plan* plan = create.mutable_plan();
  plan->set_case_id(registered.case_id());
  plan->set_returnee_objectives("Open a tailoring shop");
  v1::PlanActivity* activity = plan->add_activities();
  activity->set_dimension(v1::DIMENSION_ECONOMIC);
  activity->set_component("business_development");
  activity->set_level(v1::ASSISTANCE_LEVEL_INDIVIDUAL);
  activity->set_description("business coaching");
  activity->set_delivery(v1::ACTIVITY_DELIVERY_DIRECT);
  activity->set_responsible_party("programme");
  *activity->mutable_start_date() = Day(2025, 11, 1);
  *activity->mutable_due_date() = Day(2026, 2, 1);
  activity->add_need_ids(need.need_id());
  // Refused until planning has applied the case's and the need's events.
  v1::Plan created;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  do {
    status =
        face.Call(&v1::PlanService::Stub::CreatePlan, plans, create, &created);
    if (status.ok()) break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < deadline);
  ASSERT_TRUE(status.ok()) << status.error_message();

  std::string etag = created.etag();
  for (auto step :
       {&v1::PlanService::Stub::AgreePlan, &v1::PlanService::Stub::SubmitPlan,
        &v1::PlanService::Stub::ApprovePlan}) {
    v1::PlanStepRequest request;
    request.set_case_id(registered.case_id());
    request.set_etag(etag);
    if (step == &v1::PlanService::Stub::AgreePlan) {
      *request.mutable_agreement()->mutable_agreed_date() = Day(2025, 11, 10);
      request.mutable_agreement()->set_method(v1::AGREEMENT_METHOD_SIGNED);
    }
    v1::Plan stepped;
    status = face.Call(step, plans, request, &stepped);
    ASSERT_TRUE(status.ok()) << status.error_message();
    etag = stepped.etag();
  }

  v1::GetNeedRequest get;
  get.set_case_id(registered.case_id());
  get.set_need_id(need.need_id());
  v1::Need read;
  do {
    status = face.Call(&v1::NeedService::Stub::GetNeed, needs, get, &read);
    ASSERT_TRUE(status.ok()) << status.error_message();
    if (read.status() == v1::NEED_STATUS_BEING_ADDRESSED) break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < deadline);
  EXPECT_EQ(read.status(), v1::NEED_STATUS_BEING_ADDRESSED);
}

// The README's worked example: the RSS baseline of docs/INSTRUMENTS.md
// section 7, submitted as JSON through the gateway, gives the scores worked
// out by hand there (equal placeholder weights):
//   economic     (0 + 0.25 + 0.5 + 0.5 + 0) / 5        = 0.25
//   social       (0.25 + 0.5 + 0.5 + 1) / 4             = 0.5625
//   psychosocial (0.5 + 0.5 + 0.5 + 0 + 0.5) / 5        = 0.4
//   composite    5.5 / 14 = 0.392857... rounded          = 0.3929
TEST(EmbeddedSuiteTest, ReadmeRssExampleScoresAsDocumented) {
  TempDir dir;
  auto suite = EmbeddedSuite::Start(OptionsFor(dir));
  ASSERT_TRUE(suite.ok()) << suite.status();
  const std::string key = (*suite)->dev_api_key();
  const int port = (*suite)->http_port();
  auto registered = Post(port, "RegisterCase", key,
                         PrintedBodies((*suite)->Instructions())[0]);
  ASSERT_TRUE(registered);
  ASSERT_EQ(registered->status, 200) << registered->body;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(registered->body, match,
                                std::regex("\"caseId\":\\s*\"([^\"]+)\"")));
  const std::string case_id = match[1];

  const std::string body = absl::StrCat(
      R"({"requestId":"rss-baseline-1","caseId":")", case_id,
      R"(","instrumentId":"rss","instrumentVersion":2,)",
      R"("occasion":"ASSESSMENT_OCCASION_BASELINE",)",
      R"("assessorRole":"ASSESSOR_ROLE_CASE_MANAGER","mode":"CONTACT_MODE_IN_PERSON",)",
      R"("assessmentDate":{"year":2025,"month":11,"day":3},"answers":[)",
      R"({"itemId":"economic_satisfaction","optionId":"very_dissatisfied"},)",
      R"({"itemId":"food_reduction","optionId":"often"},)",
      R"({"itemId":"debt_and_borrowing","optionId":"high_debt_can_borrow"},)",
      R"({"itemId":"work_and_income","optionId":"irregular"},)",
      R"({"itemId":"assets_and_opportunities","optionId":"neither"},)",
      R"({"itemId":"housing","optionId":"poor"},)",
      R"({"itemId":"health_care","optionId":"with_difficulty"},)",
      R"({"itemId":"documents_and_justice","optionId":"no_documents_justice"},)",
      R"({"itemId":"drinking_water","optionId":"always"},)",
      R"({"itemId":"social_ties","optionId":"support_only"},)",
      R"({"itemId":"belonging_and_discrimination","optionId":"belonging_discriminated"},)",
      R"({"itemId":"physical_safety","optionId":"somewhat_safe"},)",
      R"({"itemId":"distress_and_support","optionId":"distress_wants_support"},)",
      R"({"itemId":"able_to_stay","optionId":"unsure"}]})");
  httplib::Client client("127.0.0.1", port);
  auto submitted = client.Post(
      "/homeward.v1.AssessmentService/SubmitAssessment",
      {{"Authorization", "Bearer " + key}}, body, "application/json");
  ASSERT_TRUE(submitted);
  ASSERT_EQ(submitted->status, 200) << submitted->body;
  EXPECT_THAT(
      submitted->body,
      AllOf(HasSubstr(R"("economic":0.25)"), HasSubstr(R"("social":0.5625)"),
            HasSubstr(R"("psychosocial":0.4)"),
            HasSubstr(R"("composite":0.3929)"), HasSubstr("FOOD_INSECURITY"),
            HasSubstr("ID_DOCUMENTS_MISSING")));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

constexpr char kOperatorKey[] = "hw_operator_key_0123456789abcdef0123456789";

TEST(EmbeddedSuiteTest, OperatorsKeyFileIsNeverRewritten) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  ASSERT_TRUE(std::filesystem::create_directories(data));
  homeward::internal::v1::ApiKeyFile file;
  *file.add_keys() = gateway::MakeApiKey(
      "operator", kOperatorKey,
      testing::MakePrincipal("sup-1", homeward::v1::ROLE_SUPERVISOR,
                             {"office-demo"}));
  const std::string keys_path = data + "/api_keys.textproto";
  ASSERT_OK(server::WriteTextProtoFile(keys_path, file, 0600));
  {
    // The operator's own comment: a rewrite would drop it.
    std::ofstream(keys_path, std::ios::app)
        << "# provisioned by the operator\n";
  }
  const std::string before = ReadFile(keys_path);

  for (int start = 0; start < 2; ++start) {
    auto suite = EmbeddedSuite::Start(OptionsFor(dir));
    ASSERT_TRUE(suite.ok()) << suite.status();
    // No development key was made, and none is printed.
    EXPECT_EQ((*suite)->dev_api_key(), "");
    EXPECT_THAT((*suite)->Instructions(),
                AllOf(HasSubstr("API keys from " + keys_path),
                      HasSubstr("<your API key>")));
    EXPECT_EQ(ReadFile(keys_path), before) << "start " << start;
    auto listed = Post((*suite)->http_port(), "ListCases", kOperatorKey, "{}");
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->status, 200) << listed->body;
  }
  EXPECT_FALSE(std::filesystem::exists(data + "/dev-api-key"));
}

TEST(EmbeddedSuiteTest, KeyFileNamedByFlagIsUsedAndMustExist) {
  TempDir dir;
  homeward::internal::v1::ApiKeyFile file;
  *file.add_keys() = gateway::MakeApiKey(
      "operator", kOperatorKey,
      testing::MakePrincipal("sup-1", homeward::v1::ROLE_SUPERVISOR,
                             {"office-demo"}));
  const std::string keys_path = dir.path() + "/operator-keys.textproto";
  ASSERT_OK(server::WriteTextProtoFile(keys_path, file, 0600));
  const std::string before = ReadFile(keys_path);

  EmbeddedOptions options = OptionsFor(dir);
  options.api_keys_file = keys_path;
  {
    auto suite = EmbeddedSuite::Start(options);
    ASSERT_TRUE(suite.ok()) << suite.status();
    auto listed = Post((*suite)->http_port(), "ListCases", kOperatorKey, "{}");
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->status, 200) << listed->body;
  }
  EXPECT_EQ(ReadFile(keys_path), before);
  EXPECT_FALSE(
      std::filesystem::exists(options.data_dir + "/api_keys.textproto"));

  options.api_keys_file = dir.path() + "/missing.textproto";
  EXPECT_THAT(EmbeddedSuite::Start(options).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(std::filesystem::exists(options.api_keys_file));
}

TEST(EmbeddedSuiteTest, RestartWithAnotherPartitionCountIsRefused) {
  TempDir dir;
  EmbeddedOptions options = OptionsFor(dir);
  options.partition_count = 64;
  {
    auto suite = EmbeddedSuite::Start(options);
    ASSERT_TRUE(suite.ok()) << suite.status();
  }
  options.partition_count = 32;
  EXPECT_THAT(EmbeddedSuite::Start(options).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("partition_count 64"),
                             HasSubstr("configured with partition_count 32"),
                             HasSubstr(options.data_dir))));
  options.partition_count = 64;
  auto again = EmbeddedSuite::Start(options);
  EXPECT_TRUE(again.ok()) << again.status();
}

}  // namespace
}  // namespace homeward::all_in_one
