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
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/server/config_file.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "homeward/v1/directory.grpc.pb.h"
#include "homeward/v1/follow_up.grpc.pb.h"
#include "homeward/v1/needs.grpc.pb.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "homeward/v1/referral.grpc.pb.h"
#include "httplib.h"
#include "services/all_in_one/embedded_suite.h"
#include "services/gateway/api_keys.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/http_retry.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::all_in_one {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
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
    ASSERT_EQ(bodies.size(), 6u);
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

    // bodies[3] is GetPlan's (no plan yet); the overview's and the
    // indicators' examples work as printed, with the monitoring officer's
    // key: one case in the office, at INTAKE, suppressed as a group below 5.
    auto overview =
        Post((*suite)->http_port(), "CaseOverviewService/GetCaseOverview", key,
             std::regex_replace(bodies[4], std::regex("<caseId>"), case_id));
    ASSERT_TRUE(overview);
    EXPECT_EQ(overview->status, 200) << overview->body;
    EXPECT_THAT(overview->body, HasSubstr("CASE_STAGE_INTAKE"));
    EXPECT_THAT(overview->body, Not(HasSubstr("missingParts")));
    const std::string monitoring = (*suite)->dev_monitoring_key();
    ASSERT_FALSE(monitoring.empty());
    EXPECT_THAT(text, HasSubstr(monitoring));
    httplib::Client http("127.0.0.1", (*suite)->http_port());
    auto csv = http.Post(
        "/homeward.v1.ProgrammeIndicatorService/GetProgrammeIndicators",
        {{"Authorization", "Bearer " + monitoring}, {"Accept", "text/csv"}},
        bodies[5], "application/json");
    ASSERT_TRUE(csv);
    EXPECT_EQ(csv->status, 200) << csv->body;
    EXPECT_THAT(csv->body, HasSubstr("CASE_STAGE_INTAKE,<5,<5"));
    EXPECT_THAT(csv->body, HasSubstr("CASE_STAGE_CLOSED,0,0"));
    // Case records are not the monitoring officer's.
    auto refused = Post((*suite)->http_port(), "GetCase", monitoring, get_body);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403) << refused->body;
  }

  // Secrets are private to the owner.
  for (const char* file : {"/principal.secret", "/dev-api-key",
                           "/dev-admin-api-key", "/dev-partner-api-key",
                           "/dev-monitoring-api-key", "/api_keys.textproto"}) {
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
  ASSERT_EQ(bodies.size(), 6u);
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

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// An activity answering `need_id`, delivered by the programme itself.
v1::PlanActivity BusinessCoaching(const std::string& need_id) {
  v1::PlanActivity activity;
  activity.set_dimension(v1::DIMENSION_ECONOMIC);
  activity.set_component("business_development");
  activity.set_level(v1::ASSISTANCE_LEVEL_INDIVIDUAL);
  activity.set_description("business coaching");
  activity.set_delivery(v1::ACTIVITY_DELIVERY_DIRECT);
  activity.set_responsible_party("programme");
  *activity.mutable_start_date() = Day(2025, 11, 1);
  *activity.mutable_due_date() = Day(2026, 2, 1);
  activity.add_need_ids(need_id);
  return activity;
}

// Creates the case's plan with `activity` (retrying while planning has not
// applied the case's and its needs' events yet), has the returnee agree,
// submits and approves it, and with `activate` starts its delivery. The
// plan as the last step answered it; empty (and a test failure) when a
// step failed.
v1::Plan ApprovedPlan(GrpcFace& face,
                      std::unique_ptr<v1::PlanService::Stub>& plans,
                      const std::string& case_id,
                      const v1::PlanActivity& activity, bool activate) {
  v1::CreatePlanRequest create;
  create.set_request_id("emb-plan-1");
  create.mutable_plan()->set_case_id(case_id);
  create.mutable_plan()->set_returnee_objectives("Open a tailoring shop");
  *create.mutable_plan()->add_activities() = activity;
  v1::Plan plan;
  grpc::Status status;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  do {
    status =
        face.Call(&v1::PlanService::Stub::CreatePlan, plans, create, &plan);
    if (status.ok()) break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < deadline);
  if (!status.ok()) {
    ADD_FAILURE() << "CreatePlan: " << status.error_message();
    return {};
  }
  std::vector<decltype(&v1::PlanService::Stub::AgreePlan)> steps = {
      &v1::PlanService::Stub::AgreePlan, &v1::PlanService::Stub::SubmitPlan,
      &v1::PlanService::Stub::ApprovePlan};
  if (activate) steps.push_back(&v1::PlanService::Stub::ActivatePlan);
  for (auto step : steps) {
    v1::PlanStepRequest request;
    request.set_case_id(case_id);
    request.set_etag(plan.etag());
    if (step == &v1::PlanService::Stub::AgreePlan) {
      *request.mutable_agreement()->mutable_agreed_date() = Day(2025, 11, 10);
      request.mutable_agreement()->set_method(v1::AGREEMENT_METHOD_SIGNED);
    }
    status = face.Call(step, plans, request, &plan);
    if (!status.ok()) {
      ADD_FAILURE() << "plan step: " << status.error_message();
      return {};
    }
  }
  return plan;
}

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

  v1::PlanActivity activity = BusinessCoaching(need.need_id());
  ASSERT_FALSE(ApprovedPlan(face, plans, registered.case_id(), activity, false)
                   .plan_id()
                   .empty());

  const absl::Time deadline = absl::Now() + absl::Seconds(60);
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

// The referral loop across the suite, with the development keys of the three
// sides: an approved plan's activity delivered by referral becomes a
// referral to make; the administrator imports the example directory; the
// supervisor records the returnee's consent and refers the case to the
// example organization the partner key belongs to, linked to the activity;
// the partner accepts; planning then shows the activity IN_PROGRESS with
// the referral's status, and a referral linked to the need becomes one of
// the need's responders in assessment.
TEST(EmbeddedSuiteTest, ReferralOutcomesReachPlanningAndAssessment) {
  TempDir dir;
  auto suite = EmbeddedSuite::Start(OptionsFor(dir));
  ASSERT_TRUE(suite.ok()) << suite.status();
  ASSERT_FALSE((*suite)->dev_admin_key().empty());
  ASSERT_FALSE((*suite)->dev_partner_key().empty());
  GrpcFace face((*suite)->grpc_port(), (*suite)->dev_api_key());
  GrpcFace admin((*suite)->grpc_port(), (*suite)->dev_admin_key());
  GrpcFace partner((*suite)->grpc_port(), (*suite)->dev_partner_key());
  auto cases = v1::CaseService::NewStub(face.channel());
  auto needs = v1::NeedService::NewStub(face.channel());
  auto plans = v1::PlanService::NewStub(face.channel());
  auto consents = v1::ConsentService::NewStub(face.channel());
  auto referrals = v1::ReferralService::NewStub(face.channel());
  auto directory = v1::DirectoryService::NewStub(admin.channel());
  auto inbox = v1::PartnerReferralService::NewStub(partner.channel());

  v1::Case registered;
  ASSERT_THAT(
      face.Call(&v1::CaseService::Stub::RegisterCase, cases,
                testing::ValidRegistration("emb-ref-1", kDemoOffice, "cm-demo"),
                &registered),
      IsOk());
  const std::string& case_id = registered.case_id();
  v1::AddNeedRequest add;
  add.set_case_id(case_id);
  add.mutable_need()->set_dimension(v1::DIMENSION_ECONOMIC);
  add.mutable_need()->set_category("employment");
  add.mutable_need()->set_description("paid work");
  add.mutable_need()->set_priority(v1::NEED_PRIORITY_HIGH);
  v1::Need need;
  ASSERT_THAT(face.Call(&v1::NeedService::Stub::AddNeed, needs, add, &need),
              IsOk());
  v1::PlanActivity placement = BusinessCoaching(need.need_id());
  placement.set_component("employment");
  placement.set_description("job placement");
  placement.set_delivery(v1::ACTIVITY_DELIVERY_REFERRAL);
  placement.set_referral_component("employment");
  const v1::Plan plan =
      ApprovedPlan(face, plans, case_id, placement, /*activate=*/true);
  ASSERT_EQ(plan.status(), v1::PLAN_STATUS_ACTIVE);
  const std::string activity_id = plan.activities(0).activity_id();

  // The activity shows up as a referral to make once referral has applied
  // the plan's approval.
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  v1::ListReferralsToMakeRequest to_make;
  to_make.set_case_id(case_id);
  v1::ListReferralsToMakeResponse listed;
  do {
    grpc::Status status =
        face.Call(&v1::ReferralService::Stub::ListReferralsToMake, referrals,
                  to_make, &listed);
    if (status.ok() && listed.referrals_size() > 0) break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < deadline);
  ASSERT_EQ(listed.referrals_size(), 1);
  EXPECT_EQ(listed.referrals(0).activity_id(), activity_id);
  EXPECT_EQ(listed.referrals(0).component(), "employment");

  v1::ImportHsdsRequest import;
  import.set_request_id("emb-directory");
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  ReadFile(std::string(HOMEWARD_SOURCE_DIR) +
                           "/deploy/directory/example_directory.json"),
                  import.mutable_document())
                  .ok());
  v1::ImportHsdsResponse imported;
  ASSERT_THAT(admin.Call(&v1::DirectoryService::Stub::ImportHsds, directory,
                         import, &imported),
              IsOk());
  v1::RecordConsentRequest consent;
  consent.set_request_id("emb-consent");
  consent.mutable_consent()->set_case_id(case_id);
  consent.mutable_consent()->set_purpose(v1::CONSENT_PURPOSE_REFERRAL);
  consent.mutable_consent()->set_recipient_agency_id(kDemoPartner);
  consent.mutable_consent()->set_granted(true);
  *consent.mutable_consent()->mutable_decision_date() = Day(2025, 11, 10);
  consent.mutable_consent()->set_method(v1::CONSENT_METHOD_WRITTEN);
  v1::ConsentRecord recorded;
  ASSERT_THAT(face.Call(&v1::ConsentService::Stub::RecordConsent, consents,
                        consent, &recorded),
              IsOk());

  // One referral for the activity, one for the need.
  const int next_year =
      absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year() + 1;
  std::string referral_ids[2];
  for (int i = 0; i < 2; ++i) {
    v1::CreateReferralRequest create;
    create.set_request_id(absl::StrCat("emb-referral-", i));
    create.set_send(true);
    v1::Referral* r = create.mutable_referral();
    r->set_case_id(case_id);
    if (i == 0) {
      r->mutable_activity()->set_plan_id(plan.plan_id());
      r->mutable_activity()->set_activity_id(activity_id);
    } else {
      r->set_need_id(need.need_id());
    }
    r->set_service_id("svc-atelier-emploi");
    r->set_purpose("job placement");
    r->set_urgency(v1::REFERRAL_URGENCY_ROUTINE);
    *r->mutable_expected_response_date() = Day(next_year, 1, 15);
    *r->mutable_expected_completion_date() = Day(next_year, 3, 31);
    v1::Referral created;
    ASSERT_THAT(face.Call(&v1::ReferralService::Stub::CreateReferral, referrals,
                          create, &created),
                IsOk());
    EXPECT_EQ(created.organization_id(), kDemoPartner);
    referral_ids[i] = created.referral_id();
  }

  // The partner accepts the activity's referral.
  v1::GetReferralRequest get;
  get.set_case_id(case_id);
  get.set_referral_id(referral_ids[0]);
  v1::SharedReferral shared;
  ASSERT_THAT(partner.Call(&v1::PartnerReferralService::Stub::GetSharedReferral,
                           inbox, get, &shared),
              IsOk());
  v1::ChangeReferralStatusRequest accept;
  accept.set_case_id(case_id);
  accept.set_referral_id(referral_ids[0]);
  accept.set_etag(shared.etag());
  accept.set_status(v1::REFERRAL_STATUS_ACCEPTED);
  ASSERT_THAT(
      partner.Call(&v1::PartnerReferralService::Stub::UpdateSharedReferral,
                   inbox, accept, &shared),
      IsOk());

  // Planning moves the activity on; assessment lists the need's referral.
  v1::GetPlanRequest get_plan;
  get_plan.set_case_id(case_id);
  v1::Plan read;
  do {
    ASSERT_THAT(
        face.Call(&v1::PlanService::Stub::GetPlan, plans, get_plan, &read),
        IsOk());
    if (read.activities(0).referral_status() == v1::REFERRAL_STATUS_ACCEPTED)
      break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < deadline);
  EXPECT_EQ(read.activities(0).referral_id(), referral_ids[0]);
  EXPECT_EQ(read.activities(0).referral_status(), v1::REFERRAL_STATUS_ACCEPTED);
  EXPECT_EQ(read.activities(0).status(), v1::ACTIVITY_STATUS_IN_PROGRESS);

  v1::GetNeedRequest get_need;
  get_need.set_case_id(case_id);
  get_need.set_need_id(need.need_id());
  v1::Need answered;
  auto by_referral = [&answered, &referral_ids] {
    for (const v1::Responder& r : answered.addressed_by()) {
      if (r.kind() == v1::RESPONDER_KIND_REFERRAL && r.id() == referral_ids[1])
        return true;
    }
    return false;
  };
  do {
    ASSERT_THAT(
        face.Call(&v1::NeedService::Stub::GetNeed, needs, get_need, &answered),
        IsOk());
    if (by_referral()) break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < deadline);
  EXPECT_TRUE(by_referral()) << answered.DebugString();
  EXPECT_EQ(answered.status(), v1::NEED_STATUS_BEING_ADDRESSED);
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

// Waits until `done` holds (polling every 50 ms, at most 60 s): the services
// learn of each other's changes through their feeds, a moment later.
bool Eventually(const std::function<bool()>& done) {
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return true;
}

v1::Date DaysFromToday(int days) {
  const absl::CivilDay day =
      absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + days;
  return Day(static_cast<int>(day.year()), day.month(), day.day());
}

// Follow-up across the suite, with the supervisor's development key: an
// approved plan schedules the case's contacts from the example programme's
// cadence; a contact recorded with distress signs, a new need and a request
// to revise the plan reaches assessment (a concern and a need) and planning
// (the plan's revision request); closing the case moves its stage to CLOSED
// in assessment, which then refuses changes, cancels the plan and the
// contacts still scheduled; reopening moves the stage back.
TEST(EmbeddedSuiteTest, FollowUpSchedulesRecordsAndClosesAcrossTheSuite) {
  TempDir dir;
  auto suite = EmbeddedSuite::Start(OptionsFor(dir));
  ASSERT_TRUE(suite.ok()) << suite.status();
  GrpcFace face((*suite)->grpc_port(), (*suite)->dev_api_key());
  auto cases = v1::CaseService::NewStub(face.channel());
  auto needs = v1::NeedService::NewStub(face.channel());
  auto plans = v1::PlanService::NewStub(face.channel());
  auto follow_up = v1::FollowUpService::NewStub(face.channel());
  auto closure = v1::CaseClosureService::NewStub(face.channel());

  // Back three weeks ago: every cadence point (months 1 to 12 after return)
  // still lies ahead when the plan is approved today.
  v1::RegisterCaseRequest registration =
      testing::ValidRegistration("emb-fu-1", kDemoOffice, "cm-demo");
  *registration.mutable_case_()->mutable_return_info()->mutable_return_date() =
      DaysFromToday(-21);
  v1::Case registered;
  ASSERT_TRUE(face.Call(&v1::CaseService::Stub::RegisterCase, cases,
                        registration, &registered)
                  .ok());
  const std::string case_id = registered.case_id();
  v1::AddNeedRequest add;
  add.set_case_id(case_id);
  add.mutable_need()->set_dimension(v1::DIMENSION_ECONOMIC);
  add.mutable_need()->set_category("business_development");
  add.mutable_need()->set_description("start a business");
  add.mutable_need()->set_priority(v1::NEED_PRIORITY_HIGH);
  v1::Need need;
  ASSERT_TRUE(
      face.Call(&v1::NeedService::Stub::AddNeed, needs, add, &need).ok());
  v1::PlanActivity activity = BusinessCoaching(need.need_id());
  *activity.mutable_start_date() = DaysFromToday(0);
  *activity.mutable_due_date() = DaysFromToday(90);
  const v1::Plan plan =
      ApprovedPlan(face, plans, case_id, activity, /*activate=*/true);
  ASSERT_FALSE(plan.plan_id().empty());
  ASSERT_EQ(plan.activities_size(), 1);

  // Six contacts, months 1, 2, 3, 6, 9 and 12, the RSS due at 3 and 12.
  v1::ListContactsRequest list;
  list.set_case_id(case_id);
  v1::ListContactsResponse schedule;
  ASSERT_TRUE(Eventually([&] {
    return face.Call(&v1::FollowUpService::Stub::ListContacts, follow_up, list,
                     &schedule)
               .ok() &&
           schedule.contacts_size() == 6;
  })) << schedule.DebugString();
  std::vector<int> months;
  std::vector<int> rss_months;
  for (const v1::FollowUpContact& c : schedule.contacts()) {
    EXPECT_EQ(c.status(), v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
    months.push_back(c.months_after_return());
    if (c.rss_due()) rss_months.push_back(c.months_after_return());
  }
  EXPECT_THAT(months, ::testing::ElementsAre(1, 2, 3, 6, 9, 12));
  EXPECT_THAT(rss_months, ::testing::ElementsAre(3, 12));
  const v1::FollowUpContact first = schedule.contacts(0);

  // The first contact, due in about ten days, is on the case manager's list.
  v1::ListDueContactsRequest due;
  due.set_office_id(kDemoOffice);
  due.set_case_manager_id("cm-demo");
  // Month 1 is about ten days ahead, month 2 about forty.
  due.set_within_days(30);
  v1::ListContactsDueResponse due_list;
  ASSERT_TRUE(face.Call(&v1::FollowUpService::Stub::ListDueContacts, follow_up,
                        due, &due_list)
                  .ok());
  ASSERT_EQ(due_list.contacts_size(), 1) << due_list.DebugString();
  EXPECT_EQ(due_list.contacts(0).contact_id(), first.contact_id());

  v1::RecordContactRequest record;
  record.set_request_id("emb-fu-contact-1");
  record.set_etag(first.etag());
  v1::FollowUpContact* contact = record.mutable_contact();
  contact->set_case_id(case_id);
  contact->set_contact_id(first.contact_id());
  *contact->mutable_contact_date() = DaysFromToday(0);
  contact->set_mode(v1::FOLLOW_UP_MODE_VISIT);
  contact->add_participants()->set_kind(v1::PARTICIPANT_KIND_RETURNEE);
  v1::ActivityProgress* progress = contact->add_activity_progress();
  progress->set_activity_id(plan.activities(0).activity_id());
  progress->set_rating(v1::ACTIVITY_PROGRESS_RATING_DELAYED);
  v1::NeedInput* new_need = contact->add_new_needs();
  new_need->set_dimension(v1::DIMENSION_SOCIAL);
  new_need->set_category("housing");
  new_need->set_description("the rent doubled");
  new_need->set_priority(v1::NEED_PRIORITY_MEDIUM);
  contact->set_wellbeing(2);
  contact->set_distress_signs_observed(true);
  contact->set_satisfaction(4);
  contact->set_w_phase(v1::W_PHASE_REENTRY_SHOCK);
  contact->set_plan_revision_needed(true);
  contact->set_plan_revision_reason("the workshop site fell through");
  v1::FollowUpContact done;
  grpc::Status status = face.Call(&v1::FollowUpService::Stub::RecordContact,
                                  follow_up, record, &done);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(done.status(), v1::FOLLOW_UP_CONTACT_STATUS_DONE);

  // Assessment: the new need and the distress concern, from this contact.
  v1::ListNeedsRequest list_needs;
  list_needs.set_case_id(case_id);
  v1::ListNeedsResponse listed_needs;
  v1::ListProtectionConcernsRequest list_concerns;
  list_concerns.set_case_id(case_id);
  v1::ListProtectionConcernsResponse listed_concerns;
  EXPECT_TRUE(Eventually([&] {
    if (!face.Call(&v1::NeedService::Stub::ListNeeds, needs, list_needs,
                   &listed_needs)
             .ok() ||
        !face.Call(&v1::NeedService::Stub::ListProtectionConcerns, needs,
                   list_concerns, &listed_concerns)
             .ok()) {
      return false;
    }
    bool need_seen = false;
    bool concern_seen = false;
    for (const v1::Need& n : listed_needs.needs()) {
      need_seen |= n.category() == "housing" && n.sources_size() > 0 &&
                   n.sources(0).follow_up_contact_id() == first.contact_id();
    }
    for (const v1::ProtectionConcern& c : listed_concerns.concerns()) {
      concern_seen |= c.code() == "PSYCHOSOCIAL_FOLLOW_UP";
    }
    return need_seen && concern_seen;
  })) << listed_needs.DebugString()
      << listed_concerns.DebugString();
  // Planning: the revision request on the plan.
  v1::GetPlanRequest get_plan;
  get_plan.set_case_id(case_id);
  v1::Plan read_plan;
  EXPECT_TRUE(Eventually([&] {
    return face.Call(&v1::PlanService::Stub::GetPlan, plans, get_plan,
                     &read_plan)
               .ok() &&
           read_plan.revision_request().contact_id() == first.contact_id();
  })) << read_plan.revision_request().DebugString();
  // The trajectory holds the contact's phase and wellbeing.
  v1::GetTrajectoryRequest trajectory_request;
  trajectory_request.set_case_id(case_id);
  v1::Trajectory trajectory;
  ASSERT_TRUE(face.Call(&v1::FollowUpService::Stub::GetTrajectory, follow_up,
                        trajectory_request, &trajectory)
                  .ok());
  ASSERT_EQ(trajectory.contacts_size(), 1);
  EXPECT_EQ(trajectory.contacts(0).w_phase(), v1::W_PHASE_REENTRY_SHOCK);
  EXPECT_EQ(trajectory.contacts(0).wellbeing(), 2);

  // Closing: the unfinished activity is reported first; the supervisor
  // acknowledges it and closes at once (no separate approval).
  v1::CloseCaseRequest close;
  close.set_request_id("emb-fu-close-1");
  v1::Closure* closing = close.mutable_closure();
  closing->set_case_id(case_id);
  closing->set_reason(v1::CLOSURE_REASON_MOVED_AWAY);
  closing->set_no_final_rss_reason("moved to another region");
  closing->mutable_closing_session()->set_held(true);
  *closing->mutable_closing_session()->mutable_date() = DaysFromToday(0);
  closing->mutable_closing_session()->set_mode(v1::FOLLOW_UP_MODE_PHONE);
  v1::Closure closed;
  status = face.Call(&v1::CaseClosureService::Stub::CloseCase, closure, close,
                     &closed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << status.error_message();
  close.set_acknowledge_checks(true);
  status = face.Call(&v1::CaseClosureService::Stub::CloseCase, closure, close,
                     &closed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(closed.status(), v1::CLOSURE_STATUS_CLOSED);
  EXPECT_EQ(closed.kind(), v1::CLOSURE_KIND_UNPLANNED);

  // Every service learns of it from the follow-up feed.
  v1::GetCaseRequest get_case;
  get_case.set_case_id(case_id);
  v1::Case read_case;
  EXPECT_TRUE(Eventually([&] {
    return face.Call(&v1::CaseService::Stub::GetCase, cases, get_case,
                     &read_case)
               .ok() &&
           read_case.stage() == v1::CASE_STAGE_CLOSED;
  })) << read_case.stage();
  EXPECT_TRUE(Eventually([&] {
    return face.Call(&v1::PlanService::Stub::GetPlan, plans, get_plan,
                     &read_plan)
               .ok() &&
           read_plan.status() == v1::PLAN_STATUS_CANCELLED;
  })) << read_plan.status();
  v1::Need refused_need;
  EXPECT_THAT(
      face.Call(&v1::NeedService::Stub::AddNeed, needs, add, &refused_need),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is closed")));
  ASSERT_TRUE(face.Call(&v1::FollowUpService::Stub::ListContacts, follow_up,
                        list, &schedule)
                  .ok());
  for (const v1::FollowUpContact& c : schedule.contacts()) {
    EXPECT_NE(c.status(), v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED)
        << c.contact_id();
  }

  // Reopening moves the case back to where it was (delivery).
  v1::ReopenCaseRequest reopen;
  reopen.set_request_id("emb-fu-reopen-1");
  reopen.set_case_id(case_id);
  reopen.set_closure_id(closed.closure_id());
  reopen.set_etag(closed.etag());
  reopen.set_reason("came back to the region");
  v1::Closure reopened;
  status = face.Call(&v1::CaseClosureService::Stub::ReopenCase, closure, reopen,
                     &reopened);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reopened.status(), v1::CLOSURE_STATUS_REOPENED);
  EXPECT_TRUE(Eventually([&] {
    return face.Call(&v1::CaseService::Stub::GetCase, cases, get_case,
                     &read_case)
               .ok() &&
           read_case.stage() == v1::CASE_STAGE_DELIVERY;
  })) << read_case.stage();
}

}  // namespace
}  // namespace homeward::all_in_one
