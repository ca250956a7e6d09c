// The case overview (services/gateway/case_overview.h): its pure pieces
// (which scheduled contacts are upcoming or overdue, the scores since
// baseline, why a part is missing) table-driven, then the composed call end
// to end: one real replica each of the assessment, planning, referral and
// follow-up services in-process on loopback ports behind a real gateway, a
// case taken through needs, concerns, a plan, a referral, follow-up contacts
// and two RSS, and its overview read on both faces; who may read it; and
// what it answers while a service is down or hangs.

#include "services/gateway/case_overview.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/api/field_checks.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "homeward/v1/assessments.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "homeward/v1/directory.grpc.pb.h"
#include "homeward/v1/follow_up.grpc.pb.h"
#include "homeward/v1/needs.grpc.pb.h"
#include "homeward/v1/overview.grpc.pb.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "homeward/v1/referral.grpc.pb.h"
#include "httplib.h"
#include "services/assessment/assessment_server.h"
#include "services/follow_up/follow_up_server.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/method_table.h"
#include "services/planning/planning_server.h"
#include "services/referral/referral_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/follow_up_server.h"
#include "tests/fixtures/holding_replica.h"
#include "tests/fixtures/planning_server.h"
#include "tests/fixtures/referral_server.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::gateway {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

namespace v1 = ::homeward::v1;

// ---------------------------------------------------------------------------
// Pure pieces

v1::FollowUpContact Contact(
    const std::string& id, absl::CivilDay due,
    v1::FollowUpContactStatus status = v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED) {
  v1::FollowUpContact c;
  c.set_contact_id(id);
  c.set_status(status);
  *c.mutable_due_date() = api::ToDate(due);
  return c;
}

std::vector<std::string> IdsOf(const std::vector<v1::FollowUpContact>& cs) {
  std::vector<std::string> ids;
  for (const auto& c : cs) ids.push_back(c.contact_id());
  return ids;
}

TEST(SplitScheduledContactsTest, UpcomingSoonestFirstOverdueOldestFirst) {
  const absl::CivilDay today(2026, 3, 15);
  struct Case {
    std::string name;
    std::vector<v1::FollowUpContact> contacts;
    std::vector<std::string> upcoming;
    std::vector<std::string> overdue;
  };
  const std::vector<Case> cases = {
      {"none", {}, {}, {}},
      {"due today is upcoming", {Contact("M01", today)}, {"M01"}, {}},
      {"due yesterday is overdue", {Contact("M01", today - 1)}, {}, {"M01"}},
      {"sorted each way",
       {Contact("M06", today + 90), Contact("M01-2", today - 2),
        Contact("M03", today + 10), Contact("M01-3", today - 30),
        Contact("M02", today)},
       {"M02", "M03", "M06"},
       {"M01-3", "M01-2"}},
      {"other statuses left out",
       {Contact("M01", today - 5, v1::FOLLOW_UP_CONTACT_STATUS_MISSED),
        Contact("M02", today + 5, v1::FOLLOW_UP_CONTACT_STATUS_DONE),
        Contact("M03", today + 9, v1::FOLLOW_UP_CONTACT_STATUS_CANCELLED),
        Contact("M06", today + 99)},
       {"M06"},
       {}},
      {"a tie keeps the given order",
       {Contact("X2", today + 3), Contact("X1", today + 3)},
       {"X2", "X1"},
       {}},
      {"across a year end",
       {Contact("A", absl::CivilDay(2027, 1, 2)),
        Contact("B", absl::CivilDay(2026, 12, 31))},
       {"B", "A"},
       {}},
  };
  for (const Case& c : cases) {
    const ScheduledContacts split = SplitScheduledContacts(c.contacts, today);
    EXPECT_EQ(IdsOf(split.upcoming), c.upcoming) << c.name;
    EXPECT_EQ(IdsOf(split.overdue), c.overdue) << c.name;
  }
}

// An RSS submission with the given scores (economic, social, psychosocial,
// composite; a negative value leaves that score out).
v1::Assessment Rss(const std::string& id, v1::AssessmentOccasion occasion,
                   std::vector<double> scores, int version = 2,
                   const std::string& member = "") {
  v1::Assessment a;
  a.set_assessment_id(id);
  a.set_kind(v1::INSTRUMENT_KIND_RSS);
  a.set_instrument_id("rss");
  a.set_instrument_version(version);
  a.set_occasion(occasion);
  a.set_subject_member_id(member);
  a.mutable_create_time()->set_seconds(1000 + id.size());
  v1::Scores* s = a.mutable_scores();
  if (scores[0] >= 0) s->set_economic(scores[0]);
  if (scores[1] >= 0) s->set_social(scores[1]);
  if (scores[2] >= 0) s->set_psychosocial(scores[2]);
  if (scores[3] >= 0) s->set_composite(scores[3]);
  return a;
}

// "KIND:base>target=change" per ScoreChange, "-" for an absent value.
std::vector<std::string> Changes(const v1::ScoresSinceBaseline& scores) {
  std::vector<std::string> out;
  auto value = [](bool has, double v) {
    return has ? absl::StrCat(v) : std::string("-");
  };
  for (const v1::ScoreChange& c : scores.changes()) {
    std::string kind = v1::ScoreKind_Name(c.score());
    kind = kind.substr(std::string("SCORE_KIND_").size());
    out.push_back(absl::StrCat(kind, ":", value(c.has_base(), c.base()), ">",
                               value(c.has_target(), c.target()), "=",
                               value(c.has_change(), c.change())));
  }
  return out;
}

TEST(CompareWithBaselineTest, LatestRssAgainstTheReturneesBaseline) {
  using O = v1::AssessmentOccasion;
  const O kBaseline = v1::ASSESSMENT_OCCASION_BASELINE;
  const O kFollowUp = v1::ASSESSMENT_OCCASION_FOLLOW_UP;
  struct Case {
    std::string name;
    std::vector<v1::Assessment> submissions;
    bool present;
    std::string baseline_id;
    std::string latest_id;
    std::vector<std::string> changes;
  };
  v1::Assessment screening = Rss("S1", kBaseline, {0.1, 0.1, 0.1, 0.1});
  screening.set_kind(v1::INSTRUMENT_KIND_VULNERABILITY_SCREENING);
  const std::vector<Case> cases = {
      {"no submissions", {}, false, "", "", {}},
      {"no RSS", {screening}, false, "", "", {}},
      {"only a household member's RSS",
       {Rss("H1", kBaseline, {0.5, 0.5, 0.5, 0.5}, 2, "member-1")},
       false,
       "",
       "",
       {}},
      // The README's baseline and a follow-up (hand-checked: 0.35 - 0.25,
      // 0.6 - 0.4, 0.5 - 0.3929 = 0.1071).
      {"baseline and follow-up",
       {Rss("B1", kBaseline, {0.25, 0.5625, 0.4, 0.3929}),
        Rss("F1", kFollowUp, {0.35, 0.5625, 0.6, 0.5})},
       true,
       "B1",
       "F1",
       {"ECONOMIC:0.25>0.35=0.1", "SOCIAL:0.5625>0.5625=0",
        "PSYCHOSOCIAL:0.4>0.6=0.2", "COMPOSITE:0.3929>0.5=0.1071"}},
      {"a fall is negative",
       {Rss("B1", kBaseline, {0.75, -1, -1, -1}),
        Rss("F1", kFollowUp, {0.5, -1, -1, -1})},
       true,
       "B1",
       "F1",
       {"ECONOMIC:0.75>0.5=-0.25"}},
      {"the baseline is the latest",
       {Rss("B1", kBaseline, {0.25, 0.5, -1, 0.3})},
       true,
       "B1",
       "",
       {"ECONOMIC:0.25>-=-", "SOCIAL:0.5>-=-", "COMPOSITE:0.3>-=-"}},
      {"the latest baseline counts, the latest RSS is compared",
       {Rss("B1", kBaseline, {0.1, -1, -1, -1}),
        Rss("F1", kFollowUp, {0.2, -1, -1, -1}),
        Rss("B2", kBaseline, {0.3, -1, -1, -1}),
        Rss("F2", kFollowUp, {0.45, -1, -1, -1})},
       true,
       "B2",
       "F2",
       {"ECONOMIC:0.3>0.45=0.15"}},
      {"a household member's later RSS is not the returnee's",
       {Rss("B1", kBaseline, {0.25, -1, -1, -1}),
        Rss("F1", kFollowUp, {0.5, -1, -1, -1}),
        Rss("M1", kFollowUp, {0.9, -1, -1, -1}, 2, "member-1")},
       true,
       "B1",
       "F1",
       {"ECONOMIC:0.25>0.5=0.25"}},
      {"no baseline: the latest alone",
       {Rss("F1", kFollowUp, {0.2, -1, -1, -1}),
        Rss("F2", kFollowUp, {0.4, -1, -1, -1})},
       true,
       "",
       "F2",
       {"ECONOMIC:->0.4=-"}},
      {"a score only one side has carries no change",
       {Rss("B1", kBaseline, {0.25, -1, -1, -1}),
        Rss("F1", kFollowUp, {0.5, 0.5, -1, -1})},
       true,
       "B1",
       "F1",
       {"ECONOMIC:0.25>0.5=0.25", "SOCIAL:->0.5=-"}},
      {"different instrument versions do not compare",
       {Rss("B1", kBaseline, {0.25, -1, -1, -1}, 1),
        Rss("F1", kFollowUp, {0.5, -1, -1, -1}, 2)},
       true,
       "B1",
       "F1",
       {"ECONOMIC:0.25>0.5=-"}},
      {"the change is rounded to 4 places",
       {Rss("B1", kBaseline, {0.1, -1, -1, 0.3929}),
        Rss("F1", kFollowUp, {0.3, -1, -1, 0.7})},
       true,
       "B1",
       "F1",
       {"ECONOMIC:0.1>0.3=0.2", "COMPOSITE:0.3929>0.7=0.3071"}},
  };
  for (const Case& c : cases) {
    const std::optional<v1::ScoresSinceBaseline> scores =
        CompareWithBaseline(c.submissions);
    ASSERT_EQ(scores.has_value(), c.present) << c.name;
    if (!scores.has_value()) continue;
    EXPECT_EQ(scores->baseline_assessment_id(), c.baseline_id) << c.name;
    EXPECT_EQ(scores->latest_assessment_id(), c.latest_id) << c.name;
    EXPECT_EQ(scores->has_baseline_time(), !c.baseline_id.empty()) << c.name;
    EXPECT_EQ(scores->has_latest_time(), !c.latest_id.empty()) << c.name;
    EXPECT_EQ(Changes(*scores), c.changes) << c.name;
  }
  // A change is the exact 4-place double (0.2 - 0.1 is 0.1 in the answer,
  // not 0.09999999999999999).
  const auto exact =
      CompareWithBaseline({Rss("B1", kBaseline, {0.1, -1, -1, -1}),
                           Rss("F1", kFollowUp, {0.2, -1, -1, -1})});
  ASSERT_TRUE(exact.has_value());
  EXPECT_EQ(exact->changes(0).change(), 0.1);
}

TEST(MissingPartForTest, ReasonAndCodeFollowTheStatus) {
  struct Case {
    absl::Status status;
    v1::MissingReason reason;
    std::string code;
  };
  const std::vector<Case> cases = {
      {absl::PermissionDeniedError("no"), v1::MISSING_REASON_WITHHELD,
       "PERMISSION_DENIED"},
      {absl::UnavailableError("down"), v1::MISSING_REASON_UNAVAILABLE,
       "UNAVAILABLE"},
      {absl::DeadlineExceededError("slow"), v1::MISSING_REASON_UNAVAILABLE,
       "DEADLINE_EXCEEDED"},
      {absl::UnimplementedError("not deployed"), v1::MISSING_REASON_UNAVAILABLE,
       "UNIMPLEMENTED"},
      {absl::InternalError("bug"), v1::MISSING_REASON_FAILED, "INTERNAL"},
      {absl::FailedPreconditionError("x"), v1::MISSING_REASON_FAILED,
       "FAILED_PRECONDITION"},
      {absl::InvalidArgumentError("x"), v1::MISSING_REASON_FAILED,
       "INVALID_ARGUMENT"},
  };
  for (const Case& c : cases) {
    const v1::MissingPart missing =
        MissingPartFor(v1::OVERVIEW_PART_REFERRALS, c.status);
    EXPECT_EQ(missing.part(), v1::OVERVIEW_PART_REFERRALS) << c.code;
    EXPECT_EQ(missing.reason(), c.reason) << c.code;
    EXPECT_EQ(missing.code(), c.code);
  }
}

// ---------------------------------------------------------------------------
// End to end

const std::string kSupervisorKey = "hw_overview_supervisor_dakar_key_0123";
const std::string kManagerKey = "hw_overview_case_manager_dakar_key_012";
const std::string kOtherOfficeKey = "hw_overview_supervisor_thies_key_0123";
const std::string kMonitorKey = "hw_overview_monitoring_officer_key_012";
const std::string kPartnerKey = "hw_overview_partner_agency_key_012345";
const std::string kAdminKey = "hw_overview_administrator_key_0123456";
constexpr char kOffice[] = "office-dakar";
constexpr char kPartner[] = "org-atelier-pikine";

v1::Date DaysFromToday(int days) { return api::ToDate(api::TodayUtc() + days); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The RSS of the README's worked example (docs/INSTRUMENTS.md section 7:
// economic 0.25, social 0.5625, psychosocial 0.4, composite 0.3929), with
// `changes` replacing the option of some items.
v1::SubmitAssessmentRequest RssSubmission(
    const std::string& request_id, const std::string& case_id,
    v1::AssessmentOccasion occasion,
    const std::map<std::string, std::string>& changes = {}) {
  std::map<std::string, std::string> options = {
      {"economic_satisfaction", "very_dissatisfied"},
      {"food_reduction", "often"},
      {"debt_and_borrowing", "high_debt_can_borrow"},
      {"work_and_income", "irregular"},
      {"assets_and_opportunities", "neither"},
      {"housing", "poor"},
      {"health_care", "with_difficulty"},
      {"documents_and_justice", "no_documents_justice"},
      {"drinking_water", "always"},
      {"social_ties", "support_only"},
      {"belonging_and_discrimination", "belonging_discriminated"},
      {"physical_safety", "somewhat_safe"},
      {"distress_and_support", "distress_wants_support"},
      {"able_to_stay", "unsure"}};
  for (const auto& [item, option] : changes) options[item] = option;
  v1::SubmitAssessmentRequest request;
  request.set_request_id(request_id);
  request.set_case_id(case_id);
  request.set_instrument_id("rss");
  request.set_instrument_version(2);
  request.set_occasion(occasion);
  request.set_assessor_role(v1::ASSESSOR_ROLE_CASE_MANAGER);
  request.set_mode(v1::CONTACT_MODE_IN_PERSON);
  *request.mutable_assessment_date() = DaysFromToday(0);
  for (const auto& [item, option] : options) {
    v1::Answer* answer = request.add_answers();
    answer->set_item_id(item);
    answer->set_option_id(option);
  }
  return request;
}

class CaseOverviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto assessment = assessment::AssessmentServer::Start(
        testing::WithShippedProgrammeData(Config("assessment"),
                                          /*instruments=*/true),
        testing::kTestSecret);
    ASSERT_TRUE(assessment.ok()) << assessment.status();
    assessment_ = *std::move(assessment);

    auto planning_config = Config("planning");
    Upstream(planning_config, kAssessmentService, assessment_->port());
    auto planning = planning::PlanningServer::Start(
        testing::WithShippedPlanningData(planning_config),
        testing::kTestSecret);
    ASSERT_TRUE(planning.ok()) << planning.status();
    planning_ = *std::move(planning);

    auto referral_config = Config("referral");
    Upstream(referral_config, kAssessmentService, assessment_->port());
    Upstream(referral_config, kPlanningService, planning_->port());
    auto referral = referral::ReferralServer::Start(
        testing::WithShippedReferralData(referral_config),
        testing::kTestSecret);
    ASSERT_TRUE(referral.ok()) << referral.status();
    referral_ = *std::move(referral);

    auto follow_up_config = Config("follow_up");
    Upstream(follow_up_config, kAssessmentService, assessment_->port());
    Upstream(follow_up_config, kPlanningService, planning_->port());
    auto follow_up = follow_up::FollowUpServer::Start(
        testing::WithShippedFollowUpData(follow_up_config),
        testing::kTestSecret);
    ASSERT_TRUE(follow_up.ok()) << follow_up.status();
    follow_up_ = *std::move(follow_up);

    gateway_ = StartGateway(absl::StrCat("127.0.0.1:", follow_up_->port()),
                            /*forward_deadline_ms=*/5000);
    ASSERT_NE(gateway_, nullptr);
    Connect(*gateway_);
  }

  homeward::internal::v1::ServiceConfig Config(const std::string& service) {
    return testing::LoopbackServiceConfig(
        absl::StrCat(dir_.path(), "/", service));
  }
  static void Upstream(homeward::internal::v1::ServiceConfig& config,
                       const std::string& service, int port) {
    testing::AddShareRoute(config.mutable_upstream(), service, 64, {port});
  }

  // A gateway in front of the four services, the follow-up backend at
  // `follow_up_address`.
  std::unique_ptr<GatewayServer> StartGateway(
      const std::string& follow_up_address, uint32_t forward_deadline_ms) {
    GatewayServer::Options options;
    options.config.set_grpc_listen_address("127.0.0.1:0");
    options.config.set_http_listen_address("127.0.0.1:0");
    options.config.set_forward_deadline_ms(forward_deadline_ms);
    testing::RouteShares(options.config, 64, {assessment_->port()});
    testing::AddShareRoute(options.config.mutable_routes(), kPlanningService,
                           64, {planning_->port()});
    testing::AddShareRoute(options.config.mutable_routes(), kReferralService,
                           64, {referral_->port()});
    auto* follow_up = options.config.add_routes();
    follow_up->set_service(kFollowUpService);
    follow_up->add_replicas()->set_address(follow_up_address);
    options.principal_secret = testing::kTestSecret;
    auto key = [&](const std::string& id, const std::string& secret,
                   homeward::internal::v1::Principal principal) {
      *options.api_keys.add_keys() = MakeApiKey(id, secret, principal);
    };
    key("sup", kSupervisorKey,
        MakePrincipal("sup-1", v1::ROLE_SUPERVISOR, {kOffice}));
    key("cm", kManagerKey,
        MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {kOffice}));
    key("other", kOtherOfficeKey,
        MakePrincipal("sup-2", v1::ROLE_SUPERVISOR, {"office-thies"}));
    key("monitor", kMonitorKey,
        MakePrincipal("mo-1", v1::ROLE_MONITORING_OFFICER, {kOffice}));
    key("admin", kAdminKey,
        MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR, {kOffice}));
    homeward::internal::v1::Principal partner;
    partner.set_user_id("pa-1");
    partner.set_role(v1::ROLE_PARTNER_AGENCY);
    partner.set_agency_id(kPartner);
    key("partner", kPartnerKey, partner);
    auto gateway = GatewayServer::Start(std::move(options));
    EXPECT_THAT(gateway, IsOk());
    return gateway.ok() ? *std::move(gateway) : nullptr;
  }

  void Connect(const GatewayServer& gateway) {
    channel_ = testing::LoopbackChannel(gateway.grpc_port());
    http_port_ = gateway.http_port();
  }

  // Calls `method` of a generated stub over the gateway's gRPC face with
  // `key`.
  template <typename Stub, typename Request, typename Response>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                 const Request&, Response*),
                    const Request& request, Response* response,
                    const std::string& key = kSupervisorKey) {
    auto stub = std::make_unique<Stub>(channel_);
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", key));
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    return (stub.get()->*method)(&context, request, response);
  }

  // The call repeated while it answers NOT_FOUND (a service that has not
  // applied the case's events yet) or `also` accepts it, for up to a minute.
  grpc::Status UntilFound(
      const std::function<grpc::Status()>& call,
      const std::function<bool(const grpc::Status&)>& also = nullptr) {
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    grpc::Status status;
    do {
      status = call();
      if (status.error_code() != grpc::StatusCode::NOT_FOUND &&
          (also == nullptr || !also(status))) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < give_up);
    return status;
  }

  // Whether `done` holds within a minute (checked every 50 ms).
  static bool Eventually(const std::function<bool()>& done) {
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (!done()) {
      if (absl::Now() > give_up) return false;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return true;
  }

  // Registers a case of office-dakar managed by cm-1, back 20 days ago.
  std::string Register(const std::string& request_id) {
    v1::RegisterCaseRequest registration =
        testing::ValidRegistration(request_id, kOffice, "cm-1");
    *registration.mutable_case_()
         ->mutable_return_info()
         ->mutable_return_date() = DaysFromToday(-20);
    v1::Case registered;
    const grpc::Status status =
        Call(&v1::CaseService::Stub::RegisterCase, registration, &registered);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return registered.case_id();
  }

  grpc::Status Overview(const std::string& case_id, v1::CaseOverview* overview,
                        const std::string& key = kManagerKey) {
    v1::GetCaseOverviewRequest request;
    request.set_case_id(case_id);
    return Call(&v1::CaseOverviewService::Stub::GetCaseOverview, request,
                overview, key);
  }

  httplib::Result JsonOverview(const std::string& case_id,
                               const std::string& key = kManagerKey) {
    httplib::Client client("127.0.0.1", http_port_);
    client.set_read_timeout(30, 0);
    return client.Post(absl::StrCat("/", kCaseOverviewMethod).c_str(),
                       {{"Authorization", absl::StrCat("Bearer ", key)}},
                       absl::StrCat(R"({"caseId":")", case_id, R"("})"),
                       "application/json");
  }

  TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> assessment_;
  std::unique_ptr<planning::PlanningServer> planning_;
  std::unique_ptr<referral::ReferralServer> referral_;
  std::unique_ptr<follow_up::FollowUpServer> follow_up_;
  std::unique_ptr<GatewayServer> gateway_;
  std::shared_ptr<grpc::Channel> channel_;
  int http_port_ = 0;
};

std::vector<std::string> ContactIds(
    const google::protobuf::RepeatedPtrField<v1::FollowUpContact>& cs) {
  std::vector<std::string> ids;
  for (const auto& c : cs) ids.push_back(c.contact_id());
  return ids;
}

TEST_F(CaseOverviewTest, EveryPartOfACaseTakenThroughTheJourney) {
  const std::string case_id = Register("overview-journey");
  ASSERT_FALSE(case_id.empty());

  // Needs: employment (high; the plan answers it) stays open; health (low)
  // is resolved, so it is not in the overview.
  v1::AddNeedRequest add;
  add.set_case_id(case_id);
  add.mutable_need()->set_dimension(v1::DIMENSION_ECONOMIC);
  add.mutable_need()->set_category("employment");
  add.mutable_need()->set_description("paid work");
  add.mutable_need()->set_priority(v1::NEED_PRIORITY_HIGH);
  v1::Need employment;
  ASSERT_THAT(Call(&v1::NeedService::Stub::AddNeed, add, &employment), IsOk());
  add.mutable_need()->set_dimension(v1::DIMENSION_SOCIAL);
  add.mutable_need()->set_category("health");
  add.mutable_need()->set_description("a check-up");
  add.mutable_need()->set_priority(v1::NEED_PRIORITY_LOW);
  v1::Need health;
  ASSERT_THAT(Call(&v1::NeedService::Stub::AddNeed, add, &health), IsOk());
  v1::SetNeedStatusRequest resolve;
  resolve.set_case_id(case_id);
  resolve.set_need_id(health.need_id());
  resolve.set_etag(health.etag());
  resolve.set_status(v1::NEED_STATUS_RESOLVED);
  ASSERT_THAT(Call(&v1::NeedService::Stub::SetNeedStatus, resolve, &health),
              IsOk());

  // A plan answering the employment need, agreed, submitted and approved:
  // the follow-up service schedules months 1, 2, 3, 6, 9 and 12.
  v1::CreatePlanRequest create;
  create.set_request_id("overview-plan");
  create.mutable_plan()->set_case_id(case_id);
  create.mutable_plan()->set_returnee_objectives("Open a tailoring shop");
  v1::PlanActivity* activity = create.mutable_plan()->add_activities();
  activity->set_dimension(v1::DIMENSION_ECONOMIC);
  activity->set_component("employment");
  activity->set_level(v1::ASSISTANCE_LEVEL_INDIVIDUAL);
  activity->set_description("job placement");
  activity->set_delivery(v1::ACTIVITY_DELIVERY_DIRECT);
  activity->set_responsible_party("programme");
  *activity->mutable_start_date() = DaysFromToday(0);
  *activity->mutable_due_date() = DaysFromToday(90);
  activity->add_need_ids(employment.need_id());
  v1::Plan plan;
  // Retried while planning has not applied the case's and the need's events.
  ASSERT_THAT(
      UntilFound(
          [&] {
            return Call(&v1::PlanService::Stub::CreatePlan, create, &plan);
          },
          [](const grpc::Status& s) {
            return s.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
                   s.error_code() == grpc::StatusCode::FAILED_PRECONDITION;
          }),
      IsOk());
  for (auto step :
       {&v1::PlanService::Stub::AgreePlan, &v1::PlanService::Stub::SubmitPlan,
        &v1::PlanService::Stub::ApprovePlan}) {
    v1::PlanStepRequest request;
    request.set_case_id(case_id);
    request.set_etag(plan.etag());
    if (step == &v1::PlanService::Stub::AgreePlan) {
      *request.mutable_agreement()->mutable_agreed_date() = DaysFromToday(0);
      request.mutable_agreement()->set_method(v1::AGREEMENT_METHOD_SIGNED);
    }
    const grpc::Status status = Call(step, request, &plan);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  ASSERT_EQ(plan.status(), v1::PLAN_STATUS_APPROVED);
  v1::ListContactsRequest list_contacts;
  list_contacts.set_case_id(case_id);
  v1::ListContactsResponse contacts;
  ASSERT_TRUE(Eventually([&] {
    contacts.Clear();
    return Call(&v1::FollowUpService::Stub::ListContacts, list_contacts,
                &contacts)
               .ok() &&
           contacts.contacts_size() == 6;
  }));

  // Baseline and follow-up RSS. The follow-up eats less rarely, works
  // regularly and is no longer distressed: economic 0.25 -> (0 + 0.5 + 0.5 +
  // 0.75 + 0) / 5 = 0.35, psychosocial 0.4 -> (0.5 + 0.5 + 0.5 + 1 + 0.5) / 5
  // = 0.6, social unchanged, composite 5.5 / 14 = 0.3929 -> 7 / 14 = 0.5.
  // The baseline raises water_food, housing, documentation and
  // individual_counselling needs; the follow-up no longer raises water_food
  // nor individual_counselling, which are superseded.
  v1::Assessment baseline, follow_up;
  ASSERT_THAT(Call(&v1::AssessmentService::Stub::SubmitAssessment,
                   RssSubmission("overview-rss-1", case_id,
                                 v1::ASSESSMENT_OCCASION_BASELINE),
                   &baseline),
              IsOk());
  ASSERT_THAT(Call(&v1::AssessmentService::Stub::SubmitAssessment,
                   RssSubmission("overview-rss-2", case_id,
                                 v1::ASSESSMENT_OCCASION_FOLLOW_UP,
                                 {{"food_reduction", "sometimes"},
                                  {"work_and_income", "one_regular"},
                                  {"distress_and_support", "no_distress"}}),
                   &follow_up),
              IsOk());
  ASSERT_EQ(follow_up.scores().economic(), 0.35);

  // Protection concerns: one stays open, one is resolved.
  v1::AddProtectionConcernRequest concern;
  concern.set_case_id(case_id);
  concern.mutable_concern()->set_code("SUSPECTED_TRAFFICKING_VICTIM");
  concern.mutable_concern()->set_label("suspected trafficking");
  concern.mutable_concern()->set_priority(v1::NEED_PRIORITY_HIGH);
  concern.mutable_concern()->set_response_category("counter_trafficking");
  v1::ProtectionConcern open_concern;
  ASSERT_THAT(Call(&v1::NeedService::Stub::AddProtectionConcern, concern,
                   &open_concern),
              IsOk());
  concern.mutable_concern()->set_code("DEBT_BONDAGE_RISK");
  concern.mutable_concern()->set_label("debt bondage risk");
  v1::ProtectionConcern resolved_concern;
  ASSERT_THAT(Call(&v1::NeedService::Stub::AddProtectionConcern, concern,
                   &resolved_concern),
              IsOk());
  v1::SetProtectionConcernStatusRequest resolve_concern;
  resolve_concern.set_case_id(case_id);
  resolve_concern.set_concern_id(resolved_concern.concern_id());
  resolve_concern.set_etag(resolved_concern.etag());
  resolve_concern.set_status(v1::NEED_STATUS_RESOLVED);
  ASSERT_THAT(Call(&v1::NeedService::Stub::SetProtectionConcernStatus,
                   resolve_concern, &resolved_concern),
              IsOk());

  // A referral for the employment need, sent to the example directory's job
  // placement service with the returnee's consent.
  v1::ImportHsdsRequest import;
  import.set_request_id("overview-directory");
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  ReadFile(std::string(HOMEWARD_SOURCE_DIR) +
                           "/deploy/directory/example_directory.json"),
                  import.mutable_document())
                  .ok());
  v1::ImportHsdsResponse imported;
  ASSERT_THAT(Call(&v1::DirectoryService::Stub::ImportHsds, import, &imported,
                   kAdminKey),
              IsOk());
  v1::RecordConsentRequest consent;
  consent.set_request_id("overview-consent");
  consent.mutable_consent()->set_case_id(case_id);
  consent.mutable_consent()->set_purpose(v1::CONSENT_PURPOSE_REFERRAL);
  consent.mutable_consent()->set_recipient_agency_id(kPartner);
  consent.mutable_consent()->set_granted(true);
  *consent.mutable_consent()->mutable_decision_date() = DaysFromToday(0);
  consent.mutable_consent()->set_method(v1::CONSENT_METHOD_WRITTEN);
  v1::ConsentRecord recorded;
  ASSERT_THAT(
      Call(&v1::ConsentService::Stub::RecordConsent, consent, &recorded),
      IsOk());
  v1::CreateReferralRequest refer;
  refer.set_request_id("overview-referral");
  refer.set_send(true);
  v1::Referral* r = refer.mutable_referral();
  r->set_case_id(case_id);
  r->set_need_id(employment.need_id());
  r->set_service_id("svc-atelier-emploi");
  r->set_purpose("job placement");
  r->set_urgency(v1::REFERRAL_URGENCY_ROUTINE);
  *r->mutable_expected_response_date() = DaysFromToday(30);
  *r->mutable_expected_completion_date() = DaysFromToday(120);
  v1::Referral referral;
  ASSERT_THAT(UntilFound([&] {
                return Call(&v1::ReferralService::Stub::CreateReferral, refer,
                            &referral);
              }),
              IsOk());

  // Follow-up: month 1 missed three days ago, tried again yesterday (so that
  // attempt is overdue), and an extra contact today, in the re-entry dip.
  const v1::FollowUpContact& month1 = contacts.contacts(0);
  ASSERT_EQ(month1.contact_id(), "M01");
  v1::RecordMissedContactRequest missed;
  missed.set_case_id(case_id);
  missed.set_contact_id(month1.contact_id());
  missed.set_etag(month1.etag());
  missed.mutable_missed()->set_reason(v1::MISSED_REASON_UNREACHABLE);
  *missed.mutable_missed()->mutable_attempted_date() = DaysFromToday(-3);
  *missed.mutable_missed()->mutable_next_attempt_date() = DaysFromToday(-1);
  v1::FollowUpContact missed_answer;
  {
    const grpc::Status status =
        Call(&v1::FollowUpService::Stub::RecordMissedContact, missed,
             &missed_answer);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  const std::string attempt = missed_answer.missed().next_attempt_contact_id();
  ASSERT_FALSE(attempt.empty());
  v1::RecordContactRequest extra;
  extra.set_request_id("overview-extra-contact");
  v1::FollowUpContact* c = extra.mutable_contact();
  c->set_case_id(case_id);
  *c->mutable_contact_date() = DaysFromToday(0);
  c->set_mode(v1::FOLLOW_UP_MODE_PHONE);
  c->add_participants()->set_kind(v1::PARTICIPANT_KIND_RETURNEE);
  c->set_w_phase(v1::W_PHASE_REENTRY_SHOCK);
  c->set_wellbeing(2);
  c->set_satisfaction(3);
  v1::ActivityProgress* progress = c->add_activity_progress();
  progress->set_activity_id(plan.activities(0).activity_id());
  progress->set_rating(v1::ACTIVITY_PROGRESS_RATING_ON_TRACK);
  v1::FollowUpContact extra_answer;
  {
    const grpc::Status status =
        Call(&v1::FollowUpService::Stub::RecordContact, extra, &extra_answer);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // The follow-up service learns both RSS from the assessment feed. (The
  // assessment service here follows no feed, so the employment need stays
  // OPEN: the plan answering it would make it BEING_ADDRESSED.)
  v1::GetTrajectoryRequest get_trajectory;
  get_trajectory.set_case_id(case_id);
  ASSERT_TRUE(Eventually([&] {
    v1::Trajectory t;
    return Call(&v1::FollowUpService::Stub::GetTrajectory, get_trajectory, &t)
               .ok() &&
           t.surveys_size() == 2;
  }));
  // The overview, as the case's manager.
  v1::CaseOverview overview;
  ASSERT_THAT(Overview(case_id, &overview), IsOk());
  EXPECT_THAT(overview.missing_parts(), IsEmpty());
  // Case: the profile and stage as GetCase gives them to the same caller.
  v1::GetCaseRequest get_case;
  get_case.set_case_id(case_id);
  v1::Case the_case;
  ASSERT_THAT(
      Call(&v1::CaseService::Stub::GetCase, get_case, &the_case, kManagerKey),
      IsOk());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      overview.case_(), the_case))
      << overview.case_().DebugString();
  EXPECT_EQ(overview.case_().returnee().family_name(), "Ndiaye");
  EXPECT_FALSE(overview.case_().stage_history().empty());
  // Scores since baseline.
  const v1::ScoresSinceBaseline& scores = overview.scores();
  EXPECT_EQ(scores.baseline_assessment_id(), baseline.assessment_id());
  EXPECT_EQ(scores.latest_assessment_id(), follow_up.assessment_id());
  EXPECT_EQ(scores.baseline_time().seconds(), baseline.create_time().seconds());
  EXPECT_EQ(scores.latest_time().seconds(), follow_up.create_time().seconds());
  EXPECT_THAT(
      Changes(scores),
      ElementsAre("ECONOMIC:0.25>0.35=0.1", "SOCIAL:0.5625>0.5625=0",
                  "PSYCHOSOCIAL:0.4>0.6=0.2", "COMPOSITE:0.3929>0.5=0.1071"));
  // Open needs and concerns only.
  std::vector<std::string> needs;
  for (const v1::Need& n : overview.open_needs()) {
    needs.push_back(
        absl::StrCat(n.category(), ":", v1::NeedStatus_Name(n.status())));
  }
  EXPECT_THAT(needs, UnorderedElementsAre("employment:NEED_STATUS_OPEN",
                                          "housing:NEED_STATUS_OPEN",
                                          "documentation:NEED_STATUS_OPEN"));
  ASSERT_EQ(overview.open_protection_concerns_size(), 1);
  EXPECT_EQ(overview.open_protection_concerns(0).concern_id(),
            open_concern.concern_id());
  // The plan, with its activity.
  EXPECT_EQ(overview.plan().plan_id(), plan.plan_id());
  EXPECT_EQ(overview.plan().status(), v1::PLAN_STATUS_APPROVED);
  ASSERT_EQ(overview.plan().activities_size(), 1);
  EXPECT_EQ(overview.plan().activities(0).activity_id(),
            plan.activities(0).activity_id());
  // The referral, sent.
  ASSERT_EQ(overview.referrals_size(), 1);
  EXPECT_EQ(overview.referrals(0).referral_id(), referral.referral_id());
  EXPECT_EQ(overview.referrals(0).status(), v1::REFERRAL_STATUS_REQUESTED);
  // Contacts: month 1's next attempt is overdue; the other months are
  // upcoming, soonest first; the missed one is neither.
  EXPECT_THAT(ContactIds(overview.upcoming_contacts()),
              ElementsAre("M02", "M03", "M06", "M09", "M12"));
  EXPECT_THAT(ContactIds(overview.overdue_contacts()), ElementsAre(attempt));
  // The trajectory: the extra contact's phase and both RSS.
  ASSERT_EQ(overview.trajectory().contacts_size(), 1);
  EXPECT_EQ(overview.trajectory().contacts(0).w_phase(),
            v1::W_PHASE_REENTRY_SHOCK);
  ASSERT_EQ(overview.trajectory().surveys_size(), 2);
  EXPECT_EQ(overview.trajectory().surveys(0).assessment_id(),
            baseline.assessment_id());

  // The JSON face answers the same overview.
  httplib::Result json = JsonOverview(case_id);
  ASSERT_TRUE(json);
  ASSERT_EQ(json->status, 200) << json->body;
  v1::CaseOverview from_json;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json->body, &from_json).ok())
      << json->body;
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(from_json, overview));
  if (const char* path = std::getenv("HOMEWARD_OVERVIEW_EXAMPLE")) {
    std::ofstream(path) << json->body;  // docs/OVERVIEW.md's example
  }
}

TEST_F(CaseOverviewTest, OnlyCaseWorkersWhoMaySeeTheCaseGetIt) {
  const std::string case_id = Register("overview-roles");
  ASSERT_FALSE(case_id.empty());
  v1::CaseOverview overview;
  ASSERT_THAT(Overview(case_id, &overview, kSupervisorKey), IsOk());
  EXPECT_EQ(overview.case_().case_id(), case_id);
  // A new case: no scores, needs, plan, referrals, contacts or trajectory,
  // and nothing missing (services that hold nothing of it yet answer
  // NOT_FOUND, which is an empty part).
  EXPECT_FALSE(overview.has_scores());
  EXPECT_FALSE(overview.has_plan());
  EXPECT_THAT(overview.open_needs(), IsEmpty());
  EXPECT_THAT(overview.referrals(), IsEmpty());
  EXPECT_THAT(overview.upcoming_contacts(), IsEmpty());
  EXPECT_THAT(overview.missing_parts(), IsEmpty());

  // A supervisor of another office is told the case does not exist, in the
  // same words as for a case that does not.
  const grpc::Status other = Overview(case_id, &overview, kOtherOfficeKey);
  EXPECT_EQ(other.error_code(), grpc::StatusCode::NOT_FOUND)
      << other.error_message();
  const std::string missing_id = case_id.substr(0, case_id.size() - 4) + "zzzz";
  const grpc::Status unknown = Overview(missing_id, &overview);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND)
      << unknown.error_message();
  EXPECT_EQ(other.error_message(),
            absl::StrCat("case '", case_id, "' was not found"));
  httplib::Result json = JsonOverview(case_id, kOtherOfficeKey);
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 404) << json->body;

  // Roles the overview is not open to.
  for (const std::string& key : {kMonitorKey, kPartnerKey, kAdminKey}) {
    const grpc::Status refused = Overview(case_id, &overview, key);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << refused.error_message();
    json = JsonOverview(case_id, key);
    ASSERT_TRUE(json);
    EXPECT_EQ(json->status, 403) << json->body;
  }

  // No case id.
  const grpc::Status empty = Overview("", &overview);
  EXPECT_EQ(empty.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << empty.error_message();
}

MATCHER_P3(Missing, part, reason, code, "") {
  return arg.part() == part && arg.reason() == reason && arg.code() == code;
}

TEST_F(CaseOverviewTest, AServiceDownLeavesOnlyItsPartsMissing) {
  const std::string case_id = Register("overview-down");
  ASSERT_FALSE(case_id.empty());
  // Once the referral service knows the case, its part is there (empty).
  v1::ListCaseReferralsRequest list;
  list.set_case_id(case_id);
  ASSERT_THAT(UntilFound([&] {
                v1::ListCaseReferralsResponse listed;
                return Call(&v1::ReferralService::Stub::ListCaseReferrals, list,
                            &listed);
              }),
              IsOk());

  referral_.reset();
  v1::CaseOverview overview;
  absl::Time start = absl::Now();
  ASSERT_THAT(Overview(case_id, &overview), IsOk());
  // Well within the gateway's 5 s forward deadline: a refused connection
  // fails at once.
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(overview.case_().case_id(), case_id);
  EXPECT_THAT(
      overview.missing_parts(),
      ElementsAre(Missing(v1::OVERVIEW_PART_REFERRALS,
                          v1::MISSING_REASON_UNAVAILABLE, "UNAVAILABLE")));

  follow_up_.reset();
  start = absl::Now();
  ASSERT_THAT(Overview(case_id, &overview), IsOk());
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(overview.case_().case_id(), case_id);
  EXPECT_THAT(
      overview.missing_parts(),
      ElementsAre(Missing(v1::OVERVIEW_PART_REFERRALS,
                          v1::MISSING_REASON_UNAVAILABLE, "UNAVAILABLE"),
                  Missing(v1::OVERVIEW_PART_FOLLOW_UPS,
                          v1::MISSING_REASON_UNAVAILABLE, "UNAVAILABLE"),
                  Missing(v1::OVERVIEW_PART_TRAJECTORY,
                          v1::MISSING_REASON_UNAVAILABLE, "UNAVAILABLE")));
  // The JSON face says the same.
  httplib::Result json = JsonOverview(case_id);
  ASSERT_TRUE(json);
  ASSERT_EQ(json->status, 200) << json->body;
  v1::CaseOverview from_json;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json->body, &from_json).ok());
  EXPECT_EQ(from_json.missing_parts_size(), 3);
  EXPECT_EQ(from_json.case_().case_id(), case_id);
}

TEST_F(CaseOverviewTest, AHungServiceCostsAtMostTheCallsDeadline) {
  const std::string case_id = Register("overview-hung");
  ASSERT_FALSE(case_id.empty());
  // The follow-up backend answers nothing; the gateway would wait 20 s, the
  // client only 4 s: the overview still comes back in time, without the
  // follow-up parts.
  testing::HoldingReplica hung;
  auto gateway = StartGateway(hung.address(), /*forward_deadline_ms=*/20000);
  ASSERT_NE(gateway, nullptr);
  Connect(*gateway);
  auto stub = v1::CaseOverviewService::NewStub(channel_);
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", kManagerKey));
  const absl::Time start = absl::Now();
  context.set_deadline(absl::ToChronoTime(start + absl::Seconds(4)));
  v1::GetCaseOverviewRequest request;
  request.set_case_id(case_id);
  v1::CaseOverview overview;
  const grpc::Status status =
      stub->GetCaseOverview(&context, request, &overview);
  ASSERT_TRUE(status.ok()) << status.error_code() << " "
                           << status.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));
  EXPECT_EQ(overview.case_().case_id(), case_id);
  EXPECT_THAT(
      overview.missing_parts(),
      ElementsAre(
          Missing(v1::OVERVIEW_PART_FOLLOW_UPS, v1::MISSING_REASON_UNAVAILABLE,
                  "DEADLINE_EXCEEDED"),
          Missing(v1::OVERVIEW_PART_TRAJECTORY, v1::MISSING_REASON_UNAVAILABLE,
                  "DEADLINE_EXCEEDED")));
}

}  // namespace
}  // namespace homeward::gateway
