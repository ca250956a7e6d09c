// The assessment service's part of the programme indicators through a real
// assessment server (RocksDB in a temp dir, gRPC on a loopback port), signed
// as the gateway signs: cases registered through CaseService in two offices,
// RSS baselines and follow-ups submitted through AssessmentService with the
// shipped RSS, one case moved to PLANNING by a PlanCreated on a stand-in
// planning feed. GetIndicatorPart answers the hand-computed caseload and rss
// cells of the office asked for, nothing of the other office, only the
// period's flows, and refuses other roles and bad fields.
//
// The scores (docs/INSTRUMENTS.md section 7, equal placeholder weights):
//   "mixed" answers: economic 0.25, social 0.5625, psychosocial 0.4,
//                    composite 0.3929;
//   "best" answers:  every item at its best option, every score 1.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/api/field_checks.h"
#include "common/service/service_host.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/indicator_parts.grpc.pb.h"
#include "homeward/v1/assessments.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/indicator_cells.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using homeward::internal::v1::IndicatorPart;
using homeward::internal::v1::IndicatorPartRequest;
using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::testing::ElementsAre;
using Cells = std::map<std::string, std::string>;

constexpr char kDakar[] = "office-dakar";
constexpr char kThies[] = "office-thies";
const auto kDakarManager =
    MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {kDakar});
const auto kThiesManager =
    MakePrincipal("cm-2", v1::ROLE_CASE_MANAGER, {kThies});
const auto kDakarMonitor =
    MakePrincipal("mo-1", v1::ROLE_MONITORING_OFFICER, {kDakar});
// Generous: the machine is small and shared.
constexpr absl::Duration kFollowTimeout = absl::Seconds(60);

v1::Date DateOf(absl::CivilDay day) { return api::ToDate(day); }

// The answers of the "mixed" example (docs/INSTRUMENTS.md section 7).
const std::vector<std::pair<std::string, std::string>> kMixedAnswers = {
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
// Every item at its option of value 1.
const std::vector<std::pair<std::string, std::string>> kBestAnswers = {
    {"economic_satisfaction", "very_satisfied"},
    {"food_reduction", "never"},
    {"debt_and_borrowing", "low_debt_can_borrow"},
    {"work_and_income", "several_regular"},
    {"assets_and_opportunities", "both"},
    {"housing", "good"},
    {"health_care", "yes"},
    {"documents_and_justice", "documents_and_justice"},
    {"drinking_water", "always"},
    {"social_ties", "both"},
    {"belonging_and_discrimination", "belonging"},
    {"physical_safety", "safe"},
    {"distress_and_support", "no_distress"},
    {"able_to_stay", "can_stay"}};

class AssessmentIndicatorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const service::ServiceDefinition planning{
        .name = "planning", .build = [this](service::ServiceParts& parts) {
          planning_store_ = parts.store();
          return absl::OkStatus();
        }};
    auto producer = service::ServiceHost::Start(
        planning, testing::LoopbackServiceConfig(dir_.path() + "/planning"),
        testing::kTestSecret);
    ASSERT_THAT(producer.status(), IsOk());
    planning_ = std::move(*producer);

    ASSERT_NO_FATAL_FAILURE(StartAssessment(/*first_half_only=*/false));
  }

  // The assessment server over dir_/assessment, owning every partition or
  // only 0-31 of 64.
  void StartAssessment(bool first_half_only) {
    internal::v1::ServiceConfig service =
        testing::LoopbackServiceConfig(dir_.path() + "/assessment");
    if (first_half_only) testing::OwnPartitions(service, 0, 31);
    testing::AddShareRoute(service.mutable_upstream(), "planning", 64,
                           {planning_->port()});
    auto server = assessment::AssessmentServer::Start(
        testing::WithShippedProgrammeData(service, /*instruments=*/true),
        testing::kTestSecret);
    ASSERT_THAT(server.status(), IsOk());
    server_ = std::move(*server);
    auto channel = testing::LoopbackChannel(server_->port());
    cases_ = v1::CaseService::NewStub(channel);
    assessments_ = v1::AssessmentService::NewStub(channel);
    indicators_ = internal::v1::AssessmentIndicators::NewStub(channel);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(5));
    if (planning_ != nullptr) planning_->Shutdown(absl::Seconds(5));
  }

  v1::Case Register(const std::string& request_id,
                    const internal::v1::Principal& manager) {
    grpc::ClientContext ctx;
    SignAs(manager, &ctx);
    v1::Case c;
    grpc::Status s = cases_->RegisterCase(
        &ctx,
        testing::ValidRegistration(request_id, manager.office_ids(0),
                                   manager.user_id()),
        &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c;
  }

  void SubmitRss(
      const v1::Case& c, const internal::v1::Principal& manager,
      v1::AssessmentOccasion occasion,
      const std::vector<std::pair<std::string, std::string>>& answers) {
    v1::SubmitAssessmentRequest r;
    r.set_request_id(absl::StrCat(c.case_id(), "-", occasion));
    r.set_case_id(c.case_id());
    r.set_instrument_id("rss");
    r.set_instrument_version(2);
    *r.mutable_assessment_date() = DateOf(api::TodayUtc());
    r.set_occasion(occasion);
    r.set_assessor_role(v1::ASSESSOR_ROLE_CASE_MANAGER);
    r.set_mode(v1::CONTACT_MODE_IN_PERSON);
    for (const auto& [item, option] : answers) {
      auto* a = r.add_answers();
      a->set_item_id(item);
      a->set_option_id(option);
    }
    grpc::ClientContext ctx;
    SignAs(manager, &ctx);
    v1::Assessment out;
    grpc::Status s = assessments_->SubmitAssessment(&ctx, r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // A PlanCreated for `c` on the stand-in planning feed, and the wait until
  // the assessment server has moved the case to PLANNING.
  void CreatePlanOnFeed(const v1::Case& c) {
    v1::Event created;
    created.set_partition(c.partition());
    created.set_subject_id(c.case_id());
    created.set_actor_user_id("cm-1");
    created.mutable_plan_created()->set_case_id(c.case_id());
    created.mutable_plan_created()->set_plan_id("PL1");
    storage::WriteSet set;
    set.AppendEvent(created);
    ASSERT_THAT(planning_store_->Commit(std::move(set)).status(), IsOk());
    const absl::Time deadline = absl::Now() + kFollowTimeout;
    v1::Case read;
    do {
      grpc::ClientContext ctx;
      SignAs(kDakarManager, &ctx);
      v1::GetCaseRequest r;
      r.set_case_id(c.case_id());
      ASSERT_TRUE(cases_->GetCase(&ctx, r, &read).ok());
      if (read.stage() == v1::CASE_STAGE_PLANNING) return;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    FAIL() << "the case never moved to PLANNING: " << read.stage();
  }

  grpc::Status Ask(const internal::v1::Principal& as,
                   const IndicatorPartRequest& request, IndicatorPart* out) {
    grpc::ClientContext ctx;
    SignAs(as, &ctx);
    return indicators_->GetIndicatorPart(&ctx, request, out);
  }

  static IndicatorPartRequest Request(const std::string& office,
                                      absl::CivilDay start,
                                      absl::CivilDay end) {
    IndicatorPartRequest r;
    r.set_office_id(office);
    *r.mutable_period_start() = DateOf(start);
    *r.mutable_period_end() = DateOf(end);
    return r;
  }

  Cells CellsFor(const internal::v1::Principal& as,
                 const IndicatorPartRequest& request) {
    IndicatorPart part;
    grpc::Status s = Ask(as, request, &part);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return testing::CellsOf(part);
  }

  // Dakar: D1 registered only (INTAKE); D2 a mixed baseline and a best
  // follow-up (ASSESSMENT); D3 a best baseline, then a plan created
  // (PLANNING); D4 a mixed follow-up only (ASSESSMENT). Thies: T1 a best
  // baseline (ASSESSMENT).
  void RegisterTheOffices() {
    Register("d1", kDakarManager);
    const v1::Case d2 = Register("d2", kDakarManager);
    ASSERT_NO_FATAL_FAILURE(SubmitRss(
        d2, kDakarManager, v1::ASSESSMENT_OCCASION_BASELINE, kMixedAnswers));
    ASSERT_NO_FATAL_FAILURE(SubmitRss(
        d2, kDakarManager, v1::ASSESSMENT_OCCASION_FOLLOW_UP, kBestAnswers));
    const v1::Case d3 = Register("d3", kDakarManager);
    ASSERT_NO_FATAL_FAILURE(SubmitRss(
        d3, kDakarManager, v1::ASSESSMENT_OCCASION_BASELINE, kBestAnswers));
    ASSERT_NO_FATAL_FAILURE(CreatePlanOnFeed(d3));
    const v1::Case d4 = Register("d4", kDakarManager);
    ASSERT_NO_FATAL_FAILURE(SubmitRss(
        d4, kDakarManager, v1::ASSESSMENT_OCCASION_FOLLOW_UP, kMixedAnswers));
    const v1::Case t1 = Register("t1", kThiesManager);
    ASSERT_NO_FATAL_FAILURE(SubmitRss(
        t1, kThiesManager, v1::ASSESSMENT_OCCASION_BASELINE, kBestAnswers));
  }

  testing::TempDir dir_;
  std::unique_ptr<service::ServiceHost> planning_;
  storage::Store* planning_store_ = nullptr;
  std::unique_ptr<assessment::AssessmentServer> server_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::AssessmentService::Stub> assessments_;
  std::unique_ptr<internal::v1::AssessmentIndicators::Stub> indicators_;
};

// The caseload table with `registered` as registered_in_period of each
// stage (the cases column is the same whatever the period).
Cells DakarCaseload(bool registered_today) {
  const auto r = [&](int n) {
    return std::to_string(registered_today ? n : 0);
  };
  return {{"caseload/CASE_STAGE_INTAKE/cases", "1"},
          {"caseload/CASE_STAGE_INTAKE/registered_in_period", r(1)},
          {"caseload/CASE_STAGE_ASSESSMENT/cases", "2"},
          {"caseload/CASE_STAGE_ASSESSMENT/registered_in_period", r(2)},
          {"caseload/CASE_STAGE_PLANNING/cases", "1"},
          {"caseload/CASE_STAGE_PLANNING/registered_in_period", r(1)},
          {"caseload/CASE_STAGE_DELIVERY/cases", "0"},
          {"caseload/CASE_STAGE_DELIVERY/registered_in_period", "0"},
          {"caseload/CASE_STAGE_MONITORING/cases", "0"},
          {"caseload/CASE_STAGE_MONITORING/registered_in_period", "0"},
          {"caseload/CASE_STAGE_CLOSED/cases", "0"},
          {"caseload/CASE_STAGE_CLOSED/registered_in_period", "0"}};
}

// RSS counts at 0 and no means: a period without submissions.
Cells EmptyRss() {
  Cells t;
  for (const char* row : {"SCORE_KIND_ECONOMIC", "SCORE_KIND_SOCIAL",
                          "SCORE_KIND_PSYCHOSOCIAL", "SCORE_KIND_COMPOSITE"}) {
    t[absl::StrCat("rss/", row, "/baseline_cases")] = "0";
    t[absl::StrCat("rss/", row, "/follow_up_cases")] = "0";
  }
  return t;
}

Cells Merged(Cells a, const Cells& b) {
  a.insert(b.begin(), b.end());
  return a;
}

TEST_F(AssessmentIndicatorsTest, TheOfficesCasesAndScoresAsComputedByHand) {
  ASSERT_NO_FATAL_FAILURE(RegisterTheOffices());
  const absl::CivilDay today = api::TodayUtc();
  // Baselines: D2 mixed, D3 best; follow-ups: D2 best, D4 mixed; the
  // change: D2 only (best minus mixed).
  const Cells rss = {{"rss/SCORE_KIND_ECONOMIC/baseline_cases", "2"},
                     {"rss/SCORE_KIND_ECONOMIC/baseline_mean", "1.25/2"},
                     {"rss/SCORE_KIND_ECONOMIC/follow_up_cases", "2"},
                     {"rss/SCORE_KIND_ECONOMIC/follow_up_mean", "1.25/2"},
                     {"rss/SCORE_KIND_ECONOMIC/mean_change", "0.75/1"},
                     {"rss/SCORE_KIND_SOCIAL/baseline_cases", "2"},
                     {"rss/SCORE_KIND_SOCIAL/baseline_mean", "1.5625/2"},
                     {"rss/SCORE_KIND_SOCIAL/follow_up_cases", "2"},
                     {"rss/SCORE_KIND_SOCIAL/follow_up_mean", "1.5625/2"},
                     {"rss/SCORE_KIND_SOCIAL/mean_change", "0.4375/1"},
                     {"rss/SCORE_KIND_PSYCHOSOCIAL/baseline_cases", "2"},
                     {"rss/SCORE_KIND_PSYCHOSOCIAL/baseline_mean", "1.4/2"},
                     {"rss/SCORE_KIND_PSYCHOSOCIAL/follow_up_cases", "2"},
                     {"rss/SCORE_KIND_PSYCHOSOCIAL/follow_up_mean", "1.4/2"},
                     {"rss/SCORE_KIND_PSYCHOSOCIAL/mean_change", "0.6/1"},
                     {"rss/SCORE_KIND_COMPOSITE/baseline_cases", "2"},
                     {"rss/SCORE_KIND_COMPOSITE/baseline_mean", "1.3929/2"},
                     {"rss/SCORE_KIND_COMPOSITE/follow_up_cases", "2"},
                     {"rss/SCORE_KIND_COMPOSITE/follow_up_mean", "1.3929/2"},
                     {"rss/SCORE_KIND_COMPOSITE/mean_change", "0.6071/1"}};
  EXPECT_EQ(CellsFor(kDakarMonitor, Request(kDakar, today, today)),
            Merged(DakarCaseload(true), rss));
  // A supervisor of both offices, and an administrator, see the same.
  const auto supervisor =
      MakePrincipal("sup-1", v1::ROLE_SUPERVISOR, {kThies, kDakar});
  const auto admin = MakePrincipal("admin", v1::ROLE_ADMINISTRATOR, {});
  EXPECT_EQ(CellsFor(supervisor, Request(kDakar, today - 30, today)),
            Merged(DakarCaseload(true), rss));
  EXPECT_EQ(CellsFor(admin, Request(kDakar, today, today + 1)),
            Merged(DakarCaseload(true), rss));
}

TEST_F(AssessmentIndicatorsTest, OtherOfficesAndOtherPeriodsAreLeftOut) {
  ASSERT_NO_FATAL_FAILURE(RegisterTheOffices());
  const absl::CivilDay today = api::TodayUtc();
  // Thies: T1 only.
  const auto thies_monitor =
      MakePrincipal("mo-2", v1::ROLE_MONITORING_OFFICER, {kThies});
  Cells thies = Merged(DakarCaseload(false), EmptyRss());
  thies["caseload/CASE_STAGE_INTAKE/cases"] = "0";
  thies["caseload/CASE_STAGE_ASSESSMENT/cases"] = "1";
  thies["caseload/CASE_STAGE_ASSESSMENT/registered_in_period"] = "1";
  thies["caseload/CASE_STAGE_PLANNING/cases"] = "0";
  for (const char* row : {"SCORE_KIND_ECONOMIC", "SCORE_KIND_SOCIAL",
                          "SCORE_KIND_PSYCHOSOCIAL", "SCORE_KIND_COMPOSITE"}) {
    thies[absl::StrCat("rss/", row, "/baseline_cases")] = "1";
    thies[absl::StrCat("rss/", row, "/baseline_mean")] = "1/1";
  }
  EXPECT_EQ(CellsFor(thies_monitor, Request(kThies, today, today)), thies);

  // The periods just before and just after today: the stock of cases by
  // stage, no registration and no submission.
  EXPECT_EQ(CellsFor(kDakarMonitor, Request(kDakar, today - 7, today - 1)),
            Merged(DakarCaseload(false), EmptyRss()));
  EXPECT_EQ(CellsFor(kDakarMonitor, Request(kDakar, today + 1, today + 1)),
            Merged(DakarCaseload(false), EmptyRss()));

  // An office with no case: every count at 0.
  const auto admin = MakePrincipal("admin", v1::ROLE_ADMINISTRATOR, {});
  Cells none = Merged(DakarCaseload(false), EmptyRss());
  for (auto& [key, value] : none) value = "0";
  EXPECT_EQ(CellsFor(admin, Request("office-kaolack", today, today)), none);
}

TEST_F(AssessmentIndicatorsTest, RefusesOtherRolesAndOtherOffices) {
  ASSERT_NO_FATAL_FAILURE(RegisterTheOffices());
  const absl::CivilDay today = api::TodayUtc();
  const IndicatorPartRequest dakar = Request(kDakar, today, today);
  IndicatorPart out;
  for (const auto& who :
       {kDakarManager, MakePrincipal("p-1", v1::ROLE_PARTNER_AGENCY, {kDakar}),
        MakePrincipal("planning", v1::ROLE_SERVICE, {}),
        MakePrincipal("mo-2", v1::ROLE_MONITORING_OFFICER, {kThies}),
        MakePrincipal("sup-2", v1::ROLE_SUPERVISOR, {kThies})}) {
    grpc::Status s = Ask(who, dakar, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << who.user_id();
    EXPECT_EQ(out.cells_size(), 0) << who.user_id();
  }
  // Unsigned: not through the gateway.
  grpc::ClientContext ctx;
  EXPECT_EQ(indicators_->GetIndicatorPart(&ctx, dakar, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// A replica counts only the partitions it owns: the same data directory
// restarted owning partitions 0-31 still holds the other cases' records,
// and leaves them out.
TEST_F(AssessmentIndicatorsTest, AReplicaCountsOnlyThePartitionsItOwns) {
  int first_half = 0;
  for (int i = 0; i < 8; ++i) {
    const v1::Case c = Register(absl::StrCat("split-", i), kDakarManager);
    if (c.partition() <= 31) ++first_half;
  }
  // Eight ids spread over 64 partitions: some on each side.
  ASSERT_GT(first_half, 0);
  ASSERT_LT(first_half, 8);
  const absl::CivilDay today = api::TodayUtc();
  EXPECT_EQ(CellsFor(kDakarMonitor, Request(kDakar, today, today))
                .at("caseload/CASE_STAGE_INTAKE/cases"),
            "8");
  server_->Shutdown(absl::Seconds(5));
  server_.reset();
  ASSERT_NO_FATAL_FAILURE(
      testing::RecordOwnedPartitions(dir_.path() + "/assessment", 0, 31));
  ASSERT_NO_FATAL_FAILURE(StartAssessment(/*first_half_only=*/true));
  const Cells cells = CellsFor(kDakarMonitor, Request(kDakar, today, today));
  EXPECT_EQ(cells.at("caseload/CASE_STAGE_INTAKE/cases"),
            std::to_string(first_half));
  EXPECT_EQ(cells.at("caseload/CASE_STAGE_INTAKE/registered_in_period"),
            std::to_string(first_half));
}

std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  return fields;
}

TEST_F(AssessmentIndicatorsTest, NamesEveryBadField) {
  const absl::CivilDay today = api::TodayUtc();
  IndicatorPart out;
  grpc::Status s = Ask(kDakarMonitor, Request("", today, today - 1), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(s), ElementsAre("office_id", "period_end"));

  IndicatorPartRequest no_period;
  no_period.set_office_id(kDakar);
  no_period.mutable_as_of()->set_year(2026);
  no_period.mutable_as_of()->set_month(2);
  no_period.mutable_as_of()->set_day(30);
  s = Ask(kDakarMonitor, no_period, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(s), ElementsAre("period_start", "period_end", "as_of"));

  s = Ask(kDakarMonitor, Request(kDakar, today - 366, today), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(s), ElementsAre("period_end"));
}

}  // namespace
}  // namespace homeward
