// The planning service's part of the programme indicators through a real
// assessment server and a real planning server following its feed (each
// with its own RocksDB, gRPC on loopback ports), signed as the gateway
// signs: cases registered through CaseService in two offices with return
// dates set relative to today, plans created, agreed, submitted and
// approved through PlanService today. GetIndicatorPart answers the
// hand-computed plan_timeliness cells of the office asked for: first
// approvals in the period, within the example programme's 30 days (exactly
// on the deadline day and one day after), days to approval, and the cases
// overdue as of the day asked; nothing of the other office; other roles and
// bad fields refused.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/api/field_checks.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/indicator_parts.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/planning/planning_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/indicator_cells.h"
#include "tests/fixtures/planning_server.h"
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
const auto kSupervisor =
    MakePrincipal("sup-1", v1::ROLE_SUPERVISOR, {kDakar, kThies});
const auto kDakarMonitor =
    MakePrincipal("mo-1", v1::ROLE_MONITORING_OFFICER, {kDakar});
// Generous: the machine is small and shared.
constexpr absl::Duration kCatchUpTimeout = absl::Seconds(60);

class PlanningIndicatorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto assessment = assessment::AssessmentServer::Start(
        testing::WithShippedProgrammeData(
            testing::LoopbackServiceConfig(dir_.path() + "/assessment")),
        testing::kTestSecret);
    ASSERT_THAT(assessment.status(), IsOk());
    assessment_ = std::move(*assessment);
    ASSERT_NO_FATAL_FAILURE(StartPlanning(/*first_half_only=*/false));
    cases_ =
        v1::CaseService::NewStub(testing::LoopbackChannel(assessment_->port()));
  }

  // The planning server over dir_/planning, owning every partition or only
  // 0-31 of 64, following the assessment server.
  void StartPlanning(bool first_half_only) {
    internal::v1::ServiceConfig service =
        testing::LoopbackServiceConfig(dir_.path() + "/planning");
    if (first_half_only) testing::OwnPartitions(service, 0, 31);
    testing::AddShareRoute(service.mutable_upstream(), "assessment", 64,
                           {assessment_->port()});
    auto planning = planning::PlanningServer::Start(
        testing::WithShippedPlanningData(service), testing::kTestSecret);
    ASSERT_THAT(planning.status(), IsOk());
    planning_ = std::move(*planning);
    auto channel = testing::LoopbackChannel(planning_->port());
    plans_ = v1::PlanService::NewStub(channel);
    indicators_ = internal::v1::PlanningIndicators::NewStub(channel);
  }

  void TearDown() override {
    if (planning_ != nullptr) planning_->Shutdown(absl::Seconds(5));
    if (assessment_ != nullptr) assessment_->Shutdown(absl::Seconds(5));
  }

  // A case of `manager`'s office that returned `days_ago` days before today.
  std::string Register(const std::string& request_id,
                       const internal::v1::Principal& manager, int days_ago) {
    v1::RegisterCaseRequest r = testing::ValidRegistration(
        request_id, manager.office_ids(0), manager.user_id());
    *r.mutable_case_()->mutable_return_info()->mutable_return_date() =
        api::ToDate(api::TodayUtc() - days_ago);
    grpc::ClientContext ctx;
    SignAs(manager, &ctx);
    v1::Case c;
    grpc::Status s = cases_->RegisterCase(&ctx, r, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c.case_id();
  }

  // A draft plan for the case, once planning has learned of it.
  void CreatePlan(const std::string& case_id,
                  const internal::v1::Principal& manager) {
    v1::CreatePlanRequest r;
    r.set_request_id(absl::StrCat("plan-", case_id));
    v1::Plan* p = r.mutable_plan();
    p->set_case_id(case_id);
    p->set_returnee_objectives("Open a tailoring shop");
    v1::PlanActivity* a = p->add_activities();
    a->set_dimension(v1::DIMENSION_ECONOMIC);
    a->set_component("business_development");
    a->set_level(v1::ASSISTANCE_LEVEL_INDIVIDUAL);
    a->set_description("activity");
    a->set_delivery(v1::ACTIVITY_DELIVERY_DIRECT);
    a->set_responsible_party("programme");
    *a->mutable_start_date() = api::ToDate(api::TodayUtc());
    *a->mutable_due_date() = api::ToDate(api::TodayUtc() + 90);
    const absl::Time deadline = absl::Now() + kCatchUpTimeout;
    grpc::Status s;
    do {
      grpc::ClientContext ctx;
      SignAs(manager, &ctx);
      v1::Plan out;
      s = plans_->CreatePlan(&ctx, r, &out);
      if (s.ok()) return;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    FAIL() << "planning never learned of the case: " << s.error_message();
  }

  using StepCall = grpc::Status (v1::PlanService::Stub::*)(
      grpc::ClientContext*, const v1::PlanStepRequest&, v1::Plan*);
  void Step(const std::string& case_id, StepCall call,
            const internal::v1::Principal& as) {
    v1::Plan latest;
    {
      grpc::ClientContext ctx;
      SignAs(as, &ctx);
      v1::GetPlanRequest r;
      r.set_case_id(case_id);
      ASSERT_TRUE(plans_->GetPlan(&ctx, r, &latest).ok());
    }
    v1::PlanStepRequest r;
    r.set_case_id(case_id);
    r.set_etag(latest.etag());
    if (call == &v1::PlanService::Stub::AgreePlan) {
      *r.mutable_agreement()->mutable_agreed_date() =
          api::ToDate(api::TodayUtc());
      r.mutable_agreement()->set_method(v1::AGREEMENT_METHOD_SIGNED);
    }
    grpc::ClientContext ctx;
    SignAs(as, &ctx);
    v1::Plan out;
    grpc::Status s = ((*plans_).*call)(&ctx, r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  void Submit(const std::string& case_id,
              const internal::v1::Principal& manager) {
    ASSERT_NO_FATAL_FAILURE(CreatePlan(case_id, manager));
    ASSERT_NO_FATAL_FAILURE(
        Step(case_id, &v1::PlanService::Stub::AgreePlan, manager));
    ASSERT_NO_FATAL_FAILURE(
        Step(case_id, &v1::PlanService::Stub::SubmitPlan, manager));
  }
  void Approve(const std::string& case_id,
               const internal::v1::Principal& manager) {
    ASSERT_NO_FATAL_FAILURE(Submit(case_id, manager));
    ASSERT_NO_FATAL_FAILURE(
        Step(case_id, &v1::PlanService::Stub::ApprovePlan, kSupervisor));
  }

  // Today T. Dakar: P1 returned T-30, approved today (on the deadline
  // day); P2 returned T-31, approved today (one day late); P3 returned
  // T-45, no plan (deadline T-15); P4 returned T-10, a draft (deadline
  // T+20); P5 returned T-40, submitted (deadline T-10). Thies: Q1 returned
  // T-5, approved today; Q2 returned T-60, no plan.
  void PlanTheOffices() {
    const std::string p1 = Register("p1", kDakarManager, 30);
    const std::string p2 = Register("p2", kDakarManager, 31);
    const std::string p3 = Register("p3", kDakarManager, 45);
    const std::string p4 = Register("p4", kDakarManager, 10);
    const std::string p5 = Register("p5", kDakarManager, 40);
    const std::string q1 = Register("q1", kThiesManager, 5);
    const std::string q2 = Register("q2", kThiesManager, 60);
    ASSERT_NO_FATAL_FAILURE(Approve(p1, kDakarManager));
    ASSERT_NO_FATAL_FAILURE(Approve(p2, kDakarManager));
    ASSERT_NO_FATAL_FAILURE(CreatePlan(p4, kDakarManager));
    ASSERT_NO_FATAL_FAILURE(Submit(p5, kDakarManager));
    ASSERT_NO_FATAL_FAILURE(Approve(q1, kThiesManager));
    // The cases without a plan: planning learns of them from the feed,
    // each partition at its own pace.
    ASSERT_NO_FATAL_FAILURE(AwaitKnown(p3, kDakarManager));
    ASSERT_NO_FATAL_FAILURE(AwaitKnown(q2, kThiesManager));
  }

  // Waits until planning knows the case, late with its plan: the overdue
  // queue lists it once the case's registration has been applied.
  void AwaitKnown(const std::string& case_id,
                  const internal::v1::Principal& manager) {
    const absl::Time deadline = absl::Now() + kCatchUpTimeout;
    do {
      grpc::ClientContext ctx;
      SignAs(manager, &ctx);
      v1::ListOverduePlansRequest r;
      v1::ListOverduePlansResponse out;
      ASSERT_TRUE(plans_->ListOverduePlans(&ctx, r, &out).ok());
      for (const auto& p : out.plans()) {
        if (p.case_id() == case_id) return;
      }
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    FAIL() << "planning never learned of " << case_id;
  }

  grpc::Status Ask(const internal::v1::Principal& as,
                   const IndicatorPartRequest& request, IndicatorPart* out) {
    grpc::ClientContext ctx;
    SignAs(as, &ctx);
    return indicators_->GetIndicatorPart(&ctx, request, out);
  }

  static IndicatorPartRequest Request(
      const std::string& office, absl::CivilDay start, absl::CivilDay end,
      std::optional<absl::CivilDay> as_of = {}) {
    IndicatorPartRequest r;
    r.set_office_id(office);
    *r.mutable_period_start() = api::ToDate(start);
    *r.mutable_period_end() = api::ToDate(end);
    if (as_of.has_value()) *r.mutable_as_of() = api::ToDate(*as_of);
    return r;
  }

  Cells CellsFor(const internal::v1::Principal& as,
                 const IndicatorPartRequest& request) {
    IndicatorPart part;
    grpc::Status s = Ask(as, request, &part);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return testing::CellsOf(part);
  }

  testing::TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> assessment_;
  std::unique_ptr<planning::PlanningServer> planning_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::PlanService::Stub> plans_;
  std::unique_ptr<internal::v1::PlanningIndicators::Stub> indicators_;
};

Cells Table(int approved, int within, int overdue,
            const std::string& distribution = "",
            const std::string& mean = "") {
  Cells t{{"plan_timeliness/ALL/approved", std::to_string(approved)},
          {"plan_timeliness/ALL/within_deadline", std::to_string(within)},
          {"plan_timeliness/ALL/overdue_now", std::to_string(overdue)}};
  if (!distribution.empty()) {
    t["plan_timeliness/ALL/median_days_to_approval"] = distribution;
    t["plan_timeliness/ALL/mean_days_to_approval"] = mean;
  }
  return t;
}

TEST_F(PlanningIndicatorsTest, TheOfficesPlansAsComputedByHand) {
  ASSERT_NO_FATAL_FAILURE(PlanTheOffices());
  const absl::CivilDay today = api::TodayUtc();
  // P1 (30 days, within) and P2 (31 days, late) approved; P3 and P5
  // overdue; P4 not yet.
  EXPECT_EQ(CellsFor(kDakarMonitor, Request(kDakar, today, today)),
            Table(2, 1, 2, "30:1 31:1", "61/2"));
  // Thies: Q1 approved after 5 days; Q2 overdue (deadline T-30).
  const auto admin = MakePrincipal("admin", v1::ROLE_ADMINISTRATOR, {});
  EXPECT_EQ(CellsFor(admin, Request(kThies, today - 3, today)),
            Table(1, 1, 1, "5:1", "5/1"));
  // An office without cases: the counts at 0.
  EXPECT_EQ(CellsFor(admin, Request("office-kaolack", today, today)),
            Table(0, 0, 0));
}

TEST_F(PlanningIndicatorsTest, PeriodAndAsOfEdges) {
  ASSERT_NO_FATAL_FAILURE(PlanTheOffices());
  const absl::CivilDay today = api::TodayUtc();
  // Periods ending yesterday and starting tomorrow: no approval in them;
  // the overdue stock is as of today.
  EXPECT_EQ(CellsFor(kSupervisor, Request(kDakar, today - 7, today - 1)),
            Table(0, 0, 2));
  EXPECT_EQ(CellsFor(kSupervisor, Request(kDakar, today + 1, today + 1)),
            Table(0, 0, 2));
  // As of P3's deadline day (T-15) nothing is overdue; the day after, P3.
  EXPECT_EQ(
      CellsFor(kSupervisor, Request(kDakar, today - 1, today - 1, today - 15)),
      Table(0, 0, 0));
  EXPECT_EQ(
      CellsFor(kSupervisor, Request(kDakar, today - 1, today - 1, today - 14)),
      Table(0, 0, 1));
  // As of T+21 P4's draft (deadline T+20) is late too.
  EXPECT_EQ(
      CellsFor(kSupervisor, Request(kDakar, today - 1, today - 1, today + 21)),
      Table(0, 0, 3));
}

// A replica counts only the partitions it owns: the same data directory
// restarted owning partitions 0-31 still holds the other cases' records,
// and leaves them out.
TEST_F(PlanningIndicatorsTest, AReplicaCountsOnlyThePartitionsItOwns) {
  int first_half = 0;
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) {
    // Returned 50 days ago, no plan: overdue.
    ids.push_back(Register(absl::StrCat("split-", i), kDakarManager, 50));
    if (storage::PartitionOf(ids.back(), 64) <= 31) ++first_half;
  }
  // Eight ids spread over 64 partitions: some on each side.
  ASSERT_GT(first_half, 0);
  ASSERT_LT(first_half, 8);
  for (const std::string& id : ids) {
    ASSERT_NO_FATAL_FAILURE(AwaitKnown(id, kDakarManager));
  }
  const absl::CivilDay today = api::TodayUtc();
  EXPECT_EQ(CellsFor(kDakarMonitor, Request(kDakar, today, today)),
            Table(0, 0, 8));
  planning_->Shutdown(absl::Seconds(5));
  planning_.reset();
  ASSERT_NO_FATAL_FAILURE(
      testing::RecordOwnedPartitions(dir_.path() + "/planning", 0, 31));
  ASSERT_NO_FATAL_FAILURE(StartPlanning(/*first_half_only=*/true));
  EXPECT_EQ(CellsFor(kDakarMonitor, Request(kDakar, today, today)),
            Table(0, 0, first_half));
}

std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  return fields;
}

TEST_F(PlanningIndicatorsTest, RefusesOtherRolesOfficesAndBadFields) {
  const absl::CivilDay today = api::TodayUtc();
  IndicatorPart out;
  for (const auto& who :
       {kDakarManager, MakePrincipal("p-1", v1::ROLE_PARTNER_AGENCY, {kDakar}),
        MakePrincipal("referral", v1::ROLE_SERVICE, {}),
        MakePrincipal("mo-2", v1::ROLE_MONITORING_OFFICER, {kThies})}) {
    EXPECT_EQ(Ask(who, Request(kDakar, today, today), &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << who.user_id();
  }
  grpc::ClientContext unsigned_ctx;
  EXPECT_EQ(
      indicators_
          ->GetIndicatorPart(&unsigned_ctx, Request(kDakar, today, today), &out)
          .error_code(),
      grpc::StatusCode::UNAUTHENTICATED);

  IndicatorPartRequest bad = Request("", today, today - 1);
  bad.mutable_as_of()->set_year(2026);
  bad.mutable_as_of()->set_month(13);
  bad.mutable_as_of()->set_day(1);
  grpc::Status s = Ask(kDakarMonitor, bad, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(s), ElementsAre("office_id", "period_end", "as_of"));
}

}  // namespace
}  // namespace homeward
