// The planning service as a user meets it: a real assessment server and a
// real planning server on loopback ports, each with its own RocksDB, the
// planning server following the assessment feed. Cases, needs and protection
// concerns are made through the assessment service's RPCs; plans through
// PlanService, signed as the gateway would. Covers the workflow end to end,
// roles, coverage, the budget ceiling, feasibility justifications, stale
// etags, revisions keeping history, and the events on the planning feed.
// Lives in tests/ because it starts the assessment service in-process.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/service/service_host.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "common/storage/write_set.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/follow_up.pb.h"
#include "homeward/v1/needs.grpc.pb.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/planning/planning_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/event_replay.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using v1::Plan;

const auto kManager =
    MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"});
const auto kSupervisor =
    MakePrincipal("sup-1", v1::ROLE_SUPERVISOR, {"office-dakar"});
// Generous: the machine is small and shared.
constexpr absl::Duration kCatchUpTimeout = absl::Seconds(60);

// The fields of a bad request, as the error details name them.
std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(status))) {
    fields.push_back(v.field);
  }
  return fields;
}

// The type of the precondition a FAILED_PRECONDITION names ("" if none).
std::string PreconditionType(const grpc::Status& status) {
  auto payload =
      FromGrpcStatus(status).GetPayload(errors::kPreconditionFailureTypeUrl);
  if (!payload.has_value()) return "";
  google::rpc::PreconditionFailure failure;
  if (!failure.ParseFromString(std::string(*payload)) ||
      failure.violations_size() != 1) {
    return "";
  }
  return failure.violations(0).type();
}

v1::Date Day(int year, int month, int day) {
  v1::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

class PlanServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartAssessment(0, 0));
    ASSERT_NO_FATAL_FAILURE(StartPlanning(0));
  }

  // The assessment server on `port` (0: any), following the planning feed
  // on `planning_port` when it is not 0.
  void StartAssessment(int port, int planning_port) {
    internal::v1::ServiceConfig service =
        testing::LoopbackServiceConfig(assessment_dir_.path());
    if (port != 0) service.set_listen_address(absl::StrCat("127.0.0.1:", port));
    if (planning_port != 0) {
      testing::AddShareRoute(service.mutable_upstream(), "planning", 64,
                             {planning_port});
    }
    if (follow_up_ != nullptr) {
      testing::AddShareRoute(service.mutable_upstream(), "follow_up", 64,
                             {follow_up_->port()});
    }
    auto assessment = assessment::AssessmentServer::Start(
        testing::WithShippedProgrammeData(service), testing::kTestSecret);
    ASSERT_THAT(assessment.status(), IsOk());
    assessment_ = std::move(*assessment);
    assessment_channel_ = testing::LoopbackChannel(assessment_->port());
  }

  // The planning server on `port` (0: any), following the assessment feed.
  void StartPlanning(int port) {
    internal::v1::PlanningConfig config;
    *config.mutable_service() =
        testing::LoopbackServiceConfig(planning_dir_.path());
    if (port != 0) {
      config.mutable_service()->set_listen_address(
          absl::StrCat("127.0.0.1:", port));
    }
    testing::AddShareRoute(config.mutable_service()->mutable_upstream(),
                           "assessment", 64, {assessment_->port()});
    if (referral_ != nullptr) {
      testing::AddShareRoute(config.mutable_service()->mutable_upstream(),
                             "referral", 64, {referral_->port()});
    }
    if (follow_up_ != nullptr) {
      testing::AddShareRoute(config.mutable_service()->mutable_upstream(),
                             "follow_up", 64, {follow_up_->port()});
    }
    const std::string deploy = std::string(HOMEWARD_SOURCE_DIR) + "/deploy/";
    config.set_taxonomy_dir(deploy + "taxonomy");
    config.set_feasibility_dir(deploy + "feasibility");
    config.set_programmes_dir(deploy + "programmes");
    auto planning =
        planning::PlanningServer::Start(config, testing::kTestSecret);
    ASSERT_THAT(planning.status(), IsOk());
    planning_ = std::move(*planning);
    plans_ =
        v1::PlanService::NewStub(testing::LoopbackChannel(planning_->port()));
  }

  // Restarts the assessment server on its port over the same data, now
  // following the planning feed.
  void RestartAssessment() {
    const int port = assessment_->port();
    assessment_->Shutdown(absl::Seconds(5));
    assessment_.reset();
    ASSERT_NO_FATAL_FAILURE(StartAssessment(port, planning_->port()));
  }
  void RestartPlanning() {
    const int port = planning_->port();
    planning_->Shutdown(absl::Seconds(5));
    planning_.reset();
    ASSERT_NO_FATAL_FAILURE(StartPlanning(port));
  }

  v1::Need GetNeed(const std::string& need_id) {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::GetNeedRequest r;
    r.set_case_id(case_id_);
    r.set_need_id(need_id);
    v1::Need need;
    grpc::Status s =
        v1::NeedService::NewStub(assessment_channel_)->GetNeed(&ctx, r, &need);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return need;
  }

  void TearDown() override {
    if (planning_ != nullptr) planning_->Shutdown(absl::Seconds(5));
    if (assessment_ != nullptr) assessment_->Shutdown(absl::Seconds(5));
    if (referral_ != nullptr) referral_->Shutdown(absl::Seconds(5));
    if (follow_up_ != nullptr) follow_up_->Shutdown(absl::Seconds(5));
  }

  // A registered case with one HIGH need (business development), one LOW
  // need and one protection concern, and the planning service knowing all
  // three.
  void RegisterCase() {
    {
      grpc::ClientContext ctx;
      SignAs(kManager, &ctx);
      v1::Case c;
      grpc::Status s =
          v1::CaseService::NewStub(assessment_channel_)
              ->RegisterCase(&ctx, testing::ValidRegistration("plan-1"), &c);
      ASSERT_TRUE(s.ok()) << s.error_message();
      case_id_ = c.case_id();
    }
    auto needs = v1::NeedService::NewStub(assessment_channel_);
    high_need_ = AddNeed("business_development", v1::NEED_PRIORITY_HIGH);
    low_need_ = AddNeed("skills_training", v1::NEED_PRIORITY_LOW);
    {
      grpc::ClientContext ctx;
      SignAs(kManager, &ctx);
      v1::AddProtectionConcernRequest r;
      r.set_case_id(case_id_);
      r.mutable_concern()->set_code("SUSPECTED_TRAFFICKING_VICTIM");
      r.mutable_concern()->set_label("test concern");
      r.mutable_concern()->set_priority(v1::NEED_PRIORITY_URGENT);
      r.mutable_concern()->set_response_category("counter_trafficking");
      v1::ProtectionConcern c;
      grpc::Status s = needs->AddProtectionConcern(&ctx, r, &c);
      ASSERT_TRUE(s.ok()) << s.error_message();
      concern_ = c.concern_id();
    }
    // The planning service learns of the case, the needs and the concern
    // from the feed: a plan naming all three is accepted once it has.
    const absl::Time deadline = absl::Now() + kCatchUpTimeout;
    grpc::Status s;
    do {
      s = Create(CoveringPlan(), "create-1");
      if (s.ok()) return;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    FAIL() << "planning never learned of the case: " << s.error_message();
  }

  std::string AddNeed(const std::string& category, v1::NeedPriority p) {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::AddNeedRequest r;
    r.set_case_id(case_id_);
    r.mutable_need()->set_dimension(v1::DIMENSION_ECONOMIC);
    r.mutable_need()->set_category(category);
    r.mutable_need()->set_description("test need");
    r.mutable_need()->set_priority(p);
    v1::Need n;
    grpc::Status s =
        v1::NeedService::NewStub(assessment_channel_)->AddNeed(&ctx, r, &n);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return n.need_id();
  }

  v1::PlanActivity Activity(v1::Dimension dimension,
                            const std::string& component) {
    v1::PlanActivity a;
    a.set_dimension(dimension);
    a.set_component(component);
    a.set_level(v1::ASSISTANCE_LEVEL_INDIVIDUAL);
    a.set_description("activity");
    a.set_delivery(v1::ACTIVITY_DELIVERY_DIRECT);
    a.set_responsible_party("programme");
    *a.mutable_start_date() = Day(2025, 11, 1);
    *a.mutable_due_date() = Day(2026, 2, 1);
    return a;
  }

  // Answers the HIGH need and the concern; a cash grant whose feasibility
  // check fails on one criterion, justified.
  Plan CoveringPlan() {
    Plan p;
    p.set_case_id(case_id_);
    p.set_returnee_objectives("Open a tailoring shop");
    v1::PlanActivity business =
        Activity(v1::DIMENSION_ECONOMIC, "business_development");
    business.add_need_ids(high_need_);
    auto* check = business.mutable_feasibility();
    check->set_grid_id("example_grid");
    check->set_grid_version(1);
    check->set_row_id("cash_based_assistance");
    for (const char* c :
         {"pressing_needs", "cash_no_protection_risk", "can_manage_cash",
          "no_tension", "goods_in_local_market", "safe_delivery_channel",
          "prices_stable"}) {
      auto* a = check->add_answers();
      a->set_criterion_id(c);
      a->set_met(std::string(c) != "prices_stable");
    }
    business.set_feasibility_justification("prices watched monthly");
    *p.add_activities() = business;
    v1::PlanActivity protection =
        Activity(v1::DIMENSION_PROTECTION, "counter_trafficking");
    protection.set_delivery(v1::ACTIVITY_DELIVERY_REFERRAL);
    protection.set_referral_component("counter_trafficking");
    protection.add_concern_ids(concern_);
    *p.add_activities() = protection;
    auto* purchase = p.add_purchases();
    purchase->set_description("sewing machine");
    purchase->mutable_estimated_cost()->set_currency_code("XOF");
    purchase->mutable_estimated_cost()->set_amount_minor(450000);
    return p;
  }

  grpc::Status Create(const Plan& plan, const std::string& request_id,
                      Plan* out = nullptr,
                      const internal::v1::Principal& as = kManager) {
    grpc::ClientContext ctx;
    SignAs(as, &ctx);
    v1::CreatePlanRequest r;
    r.set_request_id(request_id);
    *r.mutable_plan() = plan;
    Plan ignored;
    return plans_->CreatePlan(&ctx, r, out != nullptr ? out : &ignored);
  }

  Plan Get(int version = 0, const internal::v1::Principal& as = kManager) {
    grpc::ClientContext ctx;
    SignAs(as, &ctx);
    v1::GetPlanRequest r;
    r.set_case_id(case_id_);
    r.set_version(version);
    Plan out;
    grpc::Status s = plans_->GetPlan(&ctx, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  using StepCall = grpc::Status (v1::PlanService::Stub::*)(
      grpc::ClientContext*, const v1::PlanStepRequest&, Plan*);
  grpc::Status Step(StepCall call, const internal::v1::Principal& as, Plan* out,
                    const std::string& comment = "") {
    grpc::ClientContext ctx;
    SignAs(as, &ctx);
    v1::PlanStepRequest r;
    r.set_case_id(case_id_);
    r.set_etag(Get().etag());
    r.set_comment(comment);
    if (call == &v1::PlanService::Stub::AgreePlan) {
      *r.mutable_agreement()->mutable_agreed_date() = Day(2025, 11, 10);
      r.mutable_agreement()->set_method(v1::AGREEMENT_METHOD_SIGNED);
    }
    return ((*plans_).*call)(&ctx, r, out);
  }
  void MustStep(StepCall call, const internal::v1::Principal& as,
                v1::PlanStatus expected, const std::string& comment = "") {
    Plan out;
    grpc::Status s = Step(call, as, &out, comment);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.status(), expected);
  }
  grpc::Status SetActivity(const std::string& activity_id,
                           v1::ActivityStatus status, Plan* out,
                           const std::string& reason = "") {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::SetActivityStatusRequest r;
    r.set_case_id(case_id_);
    r.set_etag(Get().etag());
    r.set_activity_id(activity_id);
    r.set_status(status);
    r.set_reason(reason);
    return plans_->SetActivityStatus(&ctx, r, out);
  }
  // The planning feed's events about plans, in order.
  std::vector<v1::Event::PayloadCase> PlanEvents() {
    std::vector<v1::Event::PayloadCase> kinds;
    for (const v1::Event& e :
         testing::ReplayEvents(testing::LoopbackChannel(planning_->port()),
                               testing::AllPartitions(64))) {
      kinds.push_back(e.payload_case());
    }
    return kinds;
  }

  // A stand-in referral service (nothing but its event feed) whose events
  // the planning server follows once restarted; referral_store_ takes the
  // events a test appends.
  void StartReferralFeed() {
    const service::ServiceDefinition definition{
        .name = "referral", .build = [this](service::ServiceParts& parts) {
          referral_store_ = parts.store();
          return absl::OkStatus();
        }};
    auto host = service::ServiceHost::Start(
        definition, testing::LoopbackServiceConfig(referral_dir_.path()),
        testing::kTestSecret);
    ASSERT_THAT(host.status(), IsOk());
    referral_ = std::move(*host);
  }
  void AppendReferralEvent(const std::string& referral_id,
                           v1::ReferralStatus status,
                           const std::string& activity_id) {
    v1::Event e;
    e.set_partition(storage::PartitionOf(case_id_, 64));
    e.set_subject_id(case_id_);
    e.set_actor_user_id("partner-1");
    auto* r = e.mutable_referral_status_changed()->mutable_referral();
    r->set_referral_id(referral_id);
    r->set_case_id(case_id_);
    r->set_status(status);
    r->mutable_activity()->set_plan_id(Get().plan_id());
    r->mutable_activity()->set_activity_id(activity_id);
    storage::WriteSet set;
    set.AppendEvent(e);
    ASSERT_THAT(referral_store_->Commit(std::move(set)).status(), IsOk());
  }

  // A stand-in follow-up service (nothing but its event feed) whose events
  // the servers started after it follow; AppendFollowUpEvent appends to it.
  void StartFollowUpFeed() {
    const service::ServiceDefinition definition{
        .name = "follow_up", .build = [this](service::ServiceParts& parts) {
          follow_up_store_ = parts.store();
          return absl::OkStatus();
        }};
    auto host = service::ServiceHost::Start(
        definition, testing::LoopbackServiceConfig(follow_up_dir_.path()),
        testing::kTestSecret);
    ASSERT_THAT(host.status(), IsOk());
    follow_up_ = std::move(*host);
  }
  // `e` (its payload set) about the case, appended to the follow-up feed.
  void AppendFollowUpEvent(v1::Event e) {
    e.set_partition(storage::PartitionOf(case_id_, 64));
    e.set_subject_id(case_id_);
    e.set_actor_user_id("cm-1");
    storage::WriteSet set;
    set.AppendEvent(e);
    ASSERT_THAT(follow_up_store_->Commit(std::move(set)).status(), IsOk());
  }
  v1::Event CaseClosedEvent(v1::ClosureReason reason) {
    v1::Event e;
    auto* closure = e.mutable_case_closed()->mutable_closure();
    closure->set_closure_id("CL1");
    closure->set_case_id(case_id_);
    closure->set_reason(reason);
    closure->set_status(v1::CLOSURE_STATUS_CLOSED);
    return e;
  }

  // The case as the assessment service has it, once at `stage` (or as last
  // read after the deadline).
  v1::Case AwaitStage(v1::CaseStage stage) {
    const absl::Time deadline = absl::Now() + kCatchUpTimeout;
    v1::Case c;
    do {
      grpc::ClientContext ctx;
      SignAs(kManager, &ctx);
      v1::GetCaseRequest r;
      r.set_case_id(case_id_);
      grpc::Status s =
          v1::CaseService::NewStub(assessment_channel_)->GetCase(&ctx, r, &c);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (c.stage() == stage) break;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    return c;
  }

  TempDir follow_up_dir_;
  std::unique_ptr<service::ServiceHost> follow_up_;
  storage::Store* follow_up_store_ = nullptr;
  TempDir referral_dir_;
  std::unique_ptr<service::ServiceHost> referral_;
  storage::Store* referral_store_ = nullptr;
  TempDir assessment_dir_;
  TempDir planning_dir_;
  std::unique_ptr<assessment::AssessmentServer> assessment_;
  std::shared_ptr<grpc::Channel> assessment_channel_;
  std::unique_ptr<planning::PlanningServer> planning_;
  std::unique_ptr<v1::PlanService::Stub> plans_;
  std::string case_id_, high_need_, low_need_, concern_;
};

TEST_F(PlanServiceTest, WorkflowFromDraftToCompletedWithEvents) {
  ASSERT_NO_FATAL_FAILURE(RegisterCase());
  Plan plan = Get();
  EXPECT_EQ(plan.status(), v1::PLAN_STATUS_DRAFT);
  EXPECT_EQ(plan.version(), 1);
  EXPECT_EQ(plan.programme_id(), "sn_reintegration");
  EXPECT_EQ(plan.budget_ceiling().amount_minor(), 1500000);
  EXPECT_EQ(plan.total_cost().amount_minor(), 450000);
  ASSERT_EQ(plan.activities_size(), 2);
  EXPECT_EQ(plan.activities(0).activity_id(), "AC1");
  EXPECT_EQ(plan.activities(1).activity_id(), "AC2");
  EXPECT_EQ(plan.activities(0).status(), v1::ACTIVITY_STATUS_PLANNED);
  // The feasibility outcome is the server's, from the grid.
  EXPECT_FALSE(plan.activities(0).feasibility().all_met());
  EXPECT_THAT(plan.activities(0).feasibility().unmet_criteria(),
              ElementsAre("prices_stable"));
  EXPECT_EQ(plan.activities(0).feasibility().checked_by(), "cm-1");

  MustStep(&v1::PlanService::Stub::AgreePlan, kManager, v1::PLAN_STATUS_AGREED);
  EXPECT_EQ(Get().agreement().recorded_by(), "cm-1");
  MustStep(&v1::PlanService::Stub::SubmitPlan, kManager,
           v1::PLAN_STATUS_SUBMITTED);
  MustStep(&v1::PlanService::Stub::ApprovePlan, kSupervisor,
           v1::PLAN_STATUS_APPROVED);
  MustStep(&v1::PlanService::Stub::ActivatePlan, kManager,
           v1::PLAN_STATUS_ACTIVE);
  Plan out;
  ASSERT_TRUE(SetActivity("AC1", v1::ACTIVITY_STATUS_IN_PROGRESS, &out).ok());
  ASSERT_TRUE(SetActivity("AC1", v1::ACTIVITY_STATUS_DONE, &out).ok());
  grpc::Status no_reason =
      SetActivity("AC2", v1::ACTIVITY_STATUS_DROPPED, &out);
  EXPECT_EQ(no_reason.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(no_reason), ElementsAre("reason"));
  ASSERT_TRUE(
      SetActivity("AC2", v1::ACTIVITY_STATUS_DROPPED, &out, "moved away").ok());
  EXPECT_EQ(out.activities(1).status(), v1::ACTIVITY_STATUS_DROPPED);
  MustStep(&v1::PlanService::Stub::CompletePlan, kManager,
           v1::PLAN_STATUS_COMPLETED);

  std::vector<v1::PlanStatus> statuses;
  const Plan completed = Get();
  for (const auto& h : completed.history()) statuses.push_back(h.status());
  EXPECT_THAT(statuses,
              ElementsAre(v1::PLAN_STATUS_DRAFT, v1::PLAN_STATUS_AGREED,
                          v1::PLAN_STATUS_SUBMITTED, v1::PLAN_STATUS_APPROVED,
                          v1::PLAN_STATUS_ACTIVE, v1::PLAN_STATUS_COMPLETED));
  EXPECT_THAT(PlanEvents(),
              ElementsAre(v1::Event::kPlanCreated, v1::Event::kPlanApproved,
                          v1::Event::kActivityStatusChanged,
                          v1::Event::kActivityStatusChanged,
                          v1::Event::kActivityStatusChanged,
                          v1::Event::kPlanCompleted));
}

TEST_F(PlanServiceTest, ReferralEventsMoveTheActivityTheyAreLinkedTo) {
  ASSERT_NO_FATAL_FAILURE(StartReferralFeed());
  ASSERT_NO_FATAL_FAILURE(RestartPlanning());
  ASSERT_NO_FATAL_FAILURE(RegisterCase());
  MustStep(&v1::PlanService::Stub::AgreePlan, kManager, v1::PLAN_STATUS_AGREED);
  MustStep(&v1::PlanService::Stub::SubmitPlan, kManager,
           v1::PLAN_STATUS_SUBMITTED);
  MustStep(&v1::PlanService::Stub::ApprovePlan, kSupervisor,
           v1::PLAN_STATUS_APPROVED);
  MustStep(&v1::PlanService::Stub::ActivatePlan, kManager,
           v1::PLAN_STATUS_ACTIVE);
  // AC2, the counter-trafficking activity, is delivered by referral.
  auto await = [&](v1::ActivityStatus status) {
    const absl::Time deadline = absl::Now() + kCatchUpTimeout;
    v1::PlanActivity read;
    do {
      read = Get().activities(1);
      if (read.status() == status) break;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    return read;
  };
  ASSERT_NO_FATAL_FAILURE(
      AppendReferralEvent("R1", v1::REFERRAL_STATUS_ACCEPTED, "AC2"));
  v1::PlanActivity read = await(v1::ACTIVITY_STATUS_IN_PROGRESS);
  EXPECT_EQ(read.status(), v1::ACTIVITY_STATUS_IN_PROGRESS);
  EXPECT_EQ(read.referral_id(), "R1");
  EXPECT_EQ(read.referral_status(), v1::REFERRAL_STATUS_ACCEPTED);
  ASSERT_NO_FATAL_FAILURE(
      AppendReferralEvent("R1", v1::REFERRAL_STATUS_COMPLETED, "AC2"));
  read = await(v1::ACTIVITY_STATUS_DONE);
  EXPECT_EQ(read.status(), v1::ACTIVITY_STATUS_DONE);
  EXPECT_EQ(read.referral_status(), v1::REFERRAL_STATUS_COMPLETED);
  EXPECT_EQ(Get().activities(0).status(), v1::ACTIVITY_STATUS_PLANNED);
  EXPECT_THAT(PlanEvents(),
              ElementsAre(v1::Event::kPlanCreated, v1::Event::kPlanApproved,
                          v1::Event::kActivityStatusChanged,
                          v1::Event::kActivityStatusChanged));
}

TEST_F(PlanServiceTest, StepNotAllowedNamesTheAllowedStepsAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(RegisterCase());
  const Plan before = Get();
  Plan out;
  grpc::Status s = Step(&v1::PlanService::Stub::ApprovePlan, kSupervisor, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(),
              HasSubstr("plan is PLAN_STATUS_DRAFT; allowed: edit, agree, "
                        "cancel"));
  EXPECT_EQ(Get().etag(), before.etag());
}

TEST_F(PlanServiceTest, CancelNeedsAReasonRecordsItAndAnnouncesIt) {
  ASSERT_NO_FATAL_FAILURE(RegisterCase());
  Plan out;
  grpc::Status no_reason =
      Step(&v1::PlanService::Stub::CancelPlan, kManager, &out);
  EXPECT_EQ(no_reason.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(no_reason), ElementsAre("comment"));
  MustStep(&v1::PlanService::Stub::CancelPlan, kManager,
           v1::PLAN_STATUS_CANCELLED, "returnee re-migrated");
  const Plan cancelled = Get();
  EXPECT_EQ(cancelled.history().rbegin()->comment(), "returnee re-migrated");
  EXPECT_THAT(PlanEvents(),
              ElementsAre(v1::Event::kPlanCreated, v1::Event::kPlanCancelled));
}

// The queues through the service: the case (returned 2025-10-01, deadline
// 30 days later) waits for its plan until approval; the activities (due
// 2026-02-01) are overdue while the plan is active and they are not done.
TEST_F(PlanServiceTest, OverdueQueuesFollowApprovalAndDelivery) {
  ASSERT_NO_FATAL_FAILURE(RegisterCase());
  auto overdue_plans = [&]() {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::ListOverduePlansRequest r;
    *r.mutable_as_of() = Day(2026, 3, 1);
    v1::ListOverduePlansResponse out;
    grpc::Status s = plans_->ListOverduePlans(&ctx, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const auto& p : out.plans()) {
      ids.push_back(p.case_id());
      EXPECT_EQ(p.deadline().month(), 10);
      EXPECT_EQ(p.deadline().day(), 31);
    }
    return ids;
  };
  auto overdue_activities = [&]() {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::ListOverdueActivitiesRequest r;
    *r.mutable_as_of() = Day(2026, 3, 1);
    v1::ListOverdueActivitiesResponse out;
    grpc::Status s = plans_->ListOverdueActivities(&ctx, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const auto& a : out.activities()) ids.push_back(a.activity_id());
    return ids;
  };
  EXPECT_THAT(overdue_plans(), ElementsAre(case_id_));
  EXPECT_THAT(overdue_activities(), ElementsAre());
  MustStep(&v1::PlanService::Stub::AgreePlan, kManager, v1::PLAN_STATUS_AGREED);
  MustStep(&v1::PlanService::Stub::SubmitPlan, kManager,
           v1::PLAN_STATUS_SUBMITTED);
  EXPECT_THAT(overdue_plans(), ElementsAre(case_id_));
  MustStep(&v1::PlanService::Stub::ApprovePlan, kSupervisor,
           v1::PLAN_STATUS_APPROVED);
  EXPECT_THAT(overdue_plans(), ElementsAre());
  MustStep(&v1::PlanService::Stub::ActivatePlan, kManager,
           v1::PLAN_STATUS_ACTIVE);
  EXPECT_THAT(overdue_activities(), ElementsAre("AC1", "AC2"));
  Plan out;
  ASSERT_TRUE(SetActivity("AC1", v1::ACTIVITY_STATUS_IN_PROGRESS, &out).ok());
  ASSERT_TRUE(SetActivity("AC1", v1::ACTIVITY_STATUS_DONE, &out).ok());
  EXPECT_THAT(overdue_activities(), ElementsAre("AC2"));
  MustStep(&v1::PlanService::Stub::CompletePlan, kManager,
           v1::PLAN_STATUS_COMPLETED);
  EXPECT_THAT(overdue_activities(), ElementsAre());
  // Other roles get nothing.
  grpc::ClientContext ctx;
  SignAs(MakePrincipal("mo", v1::ROLE_MONITORING_OFFICER, {"office-dakar"}),
         &ctx);
  v1::ListOverduePlansResponse refused;
  EXPECT_EQ(
      plans_->ListOverduePlans(&ctx, v1::ListOverduePlansRequest(), &refused)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(PlanServiceTest, RolesOutsideCaseWorkAndOtherOfficesAreRefused) {
  ASSERT_NO_FATAL_FAILURE(RegisterCase());
  MustStep(&v1::PlanService::Stub::AgreePlan, kManager, v1::PLAN_STATUS_AGREED);
  MustStep(&v1::PlanService::Stub::SubmitPlan, kManager,
           v1::PLAN_STATUS_SUBMITTED);
  Plan out;
  // Only supervisors approve.
  EXPECT_EQ(
      Step(&v1::PlanService::Stub::ApprovePlan, kManager, &out).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  for (const auto& who :
       {MakePrincipal("mo", v1::ROLE_MONITORING_OFFICER, {"office-dakar"}),
        MakePrincipal("admin", v1::ROLE_ADMINISTRATOR, {"office-dakar"}),
        MakePrincipal("partner", v1::ROLE_PARTNER_AGENCY, {}),
        MakePrincipal("cm-thies", v1::ROLE_CASE_MANAGER, {"office-thies"})}) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::GetPlanRequest r;
    r.set_case_id(case_id_);
    EXPECT_EQ(plans_->GetPlan(&ctx, r, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << who.user_id();
    EXPECT_EQ(Step(&v1::PlanService::Stub::ApprovePlan, who, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << who.user_id();
  }
  EXPECT_EQ(Get().status(), v1::PLAN_STATUS_SUBMITTED);
}

TEST_F(PlanServiceTest, SubmissionRefusedForCoverageBudgetAndFeasibility) {
  ASSERT_NO_FATAL_FAILURE(RegisterCase());
  // A draft that answers nothing, goes over the ceiling and leaves a failed
  // feasibility check unjustified.
  Plan bad = CoveringPlan();
  bad.mutable_activities(0)->clear_need_ids();
  bad.mutable_activities(0)->clear_feasibility_justification();
  bad.mutable_activities(1)->clear_concern_ids();
  bad.mutable_purchases(0)->mutable_estimated_cost()->set_amount_minor(1500001);
  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  v1::UpdatePlanRequest update;
  *update.mutable_plan() = bad;
  update.mutable_plan()->set_etag(Get().etag());
  Plan out;
  ASSERT_TRUE(plans_->UpdatePlan(&ctx, update, &out).ok());
  MustStep(&v1::PlanService::Stub::AgreePlan, kManager, v1::PLAN_STATUS_AGREED);

  grpc::Status s = Step(&v1::PlanService::Stub::SubmitPlan, kManager, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(s),
              UnorderedElementsAre("activities", "activities", "purchases",
                                   "activities[0].feasibility_justification"));
  EXPECT_THAT(s.error_message(), HasSubstr(high_need_));
  EXPECT_THAT(s.error_message(), HasSubstr(concern_));
  EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr(low_need_)));
  EXPECT_EQ(Get().status(), v1::PLAN_STATUS_AGREED);

  // Fixing it takes the agreed plan back to draft: the returnee agrees to
  // the corrected plan before it is submitted again.
  grpc::ClientContext fix_ctx;
  SignAs(kManager, &fix_ctx);
  v1::UpdatePlanRequest fix;
  *fix.mutable_plan() = CoveringPlan();
  const Plan agreed = Get();
  for (int i = 0; i < 2; ++i) {
    fix.mutable_plan()->mutable_activities(i)->set_activity_id(
        agreed.activities(i).activity_id());
  }
  fix.mutable_plan()->set_etag(agreed.etag());
  const grpc::Status fixed = plans_->UpdatePlan(&fix_ctx, fix, &out);
  ASSERT_TRUE(fixed.ok()) << fixed.error_message();
  EXPECT_EQ(out.status(), v1::PLAN_STATUS_DRAFT);
  EXPECT_FALSE(out.has_agreement());
  MustStep(&v1::PlanService::Stub::AgreePlan, kManager, v1::PLAN_STATUS_AGREED);
  MustStep(&v1::PlanService::Stub::SubmitPlan, kManager,
           v1::PLAN_STATUS_SUBMITTED);
}

TEST_F(PlanServiceTest, CoverageNotesAnswerWhatNoActivityDoes) {
  ASSERT_NO_FATAL_FAILURE(RegisterCase());
  Plan noted = CoveringPlan();
  noted.mutable_activities(1)->clear_concern_ids();
  auto* note = noted.add_coverage_notes();
  note->set_concern_id(concern_);
  note->set_reason("handled by the national referral mechanism");
  grpc::ClientContext ctx;
  SignAs(kManager, &ctx);
  v1::UpdatePlanRequest update;
  *update.mutable_plan() = noted;
  update.mutable_plan()->set_etag(Get().etag());
  Plan out;
  ASSERT_TRUE(plans_->UpdatePlan(&ctx, update, &out).ok());
  MustStep(&v1::PlanService::Stub::AgreePlan, kManager, v1::PLAN_STATUS_AGREED);
  MustStep(&v1::PlanService::Stub::SubmitPlan, kManager,
           v1::PLAN_STATUS_SUBMITTED);
}

TEST_F(PlanServiceTest, StaleEtagIsAbortedAndUnknownReferencesRefused) {
  ASSERT_NO_FATAL_FAILURE(RegisterCase());
  const Plan before = Get();
  {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::PlanStepRequest r;
    r.set_case_id(case_id_);
    r.set_etag("999");
    *r.mutable_agreement()->mutable_agreed_date() = Day(2025, 11, 10);
    r.mutable_agreement()->set_method(v1::AGREEMENT_METHOD_SIGNED);
    Plan out;
    EXPECT_EQ(plans_->AgreePlan(&ctx, r, &out).error_code(),
              grpc::StatusCode::ABORTED);
  }
  {
    Plan unknown = CoveringPlan();
    unknown.mutable_activities(0)->add_need_ids("N-unknown");
    unknown.mutable_activities(0)->set_beneficiary_member_id("M9");
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::UpdatePlanRequest update;
    *update.mutable_plan() = unknown;
    update.mutable_plan()->set_etag(before.etag());
    Plan out;
    grpc::Status s = plans_->UpdatePlan(&ctx, update, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(FieldsOf(s), UnorderedElementsAre(
                                 "plan.activities[0].need_ids[1]",
                                 "plan.activities[0].beneficiary_member_id"));
  }
  EXPECT_EQ(Get().etag(), before.etag());
  // One plan per case; repeating the create's request id is a replay.
  Plan again;
  EXPECT_TRUE(Create(CoveringPlan(), "create-1", &again).ok());
  EXPECT_EQ(again.etag(), before.etag());
  EXPECT_EQ(Create(CoveringPlan(), "create-2").error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(PlanServiceTest, RevisionKeepsHistoryAndTakesOverWhenActivated) {
  ASSERT_NO_FATAL_FAILURE(RegisterCase());
  MustStep(&v1::PlanService::Stub::AgreePlan, kManager, v1::PLAN_STATUS_AGREED);
  MustStep(&v1::PlanService::Stub::SubmitPlan, kManager,
           v1::PLAN_STATUS_SUBMITTED);
  MustStep(&v1::PlanService::Stub::ReturnPlan, kSupervisor,
           v1::PLAN_STATUS_RETURNED, "add the costs of training");
  {
    // Editing a returned plan takes it back to draft. Activities keep their
    // ids; one without an id is new.
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::UpdatePlanRequest update;
    *update.mutable_plan() = CoveringPlan();
    update.mutable_plan()->mutable_activities(0)->set_activity_id("AC1");
    update.mutable_plan()->mutable_activities(1)->set_activity_id("AC2");
    *update.mutable_plan()->add_activities() =
        Activity(v1::DIMENSION_ECONOMIC, "skills_training");
    update.mutable_plan()->set_etag(Get().etag());
    Plan out;
    ASSERT_TRUE(plans_->UpdatePlan(&ctx, update, &out).ok());
    EXPECT_EQ(out.status(), v1::PLAN_STATUS_DRAFT);
    ASSERT_EQ(out.activities_size(), 3);
    EXPECT_EQ(out.activities(2).activity_id(), "AC3");
  }
  MustStep(&v1::PlanService::Stub::AgreePlan, kManager, v1::PLAN_STATUS_AGREED);
  MustStep(&v1::PlanService::Stub::SubmitPlan, kManager,
           v1::PLAN_STATUS_SUBMITTED);
  MustStep(&v1::PlanService::Stub::ApprovePlan, kSupervisor,
           v1::PLAN_STATUS_APPROVED);
  MustStep(&v1::PlanService::Stub::ActivatePlan, kManager,
           v1::PLAN_STATUS_ACTIVE);
  MustStep(&v1::PlanService::Stub::RevisePlan, kManager, v1::PLAN_STATUS_DRAFT,
           "returnee moved to Thies");
  Plan revision = Get();
  EXPECT_EQ(revision.version(), 2);
  EXPECT_EQ(revision.revision_reason(), "returnee moved to Thies");
  EXPECT_EQ(Get(1).status(), v1::PLAN_STATUS_ACTIVE);
  // Delivery goes on in version 1 while version 2 is prepared.
  Plan out;
  ASSERT_TRUE(SetActivity("AC1", v1::ACTIVITY_STATUS_IN_PROGRESS, &out).ok());
  EXPECT_EQ(out.version(), 1);
  MustStep(&v1::PlanService::Stub::AgreePlan, kManager, v1::PLAN_STATUS_AGREED);
  MustStep(&v1::PlanService::Stub::SubmitPlan, kManager,
           v1::PLAN_STATUS_SUBMITTED);
  MustStep(&v1::PlanService::Stub::ApprovePlan, kSupervisor,
           v1::PLAN_STATUS_APPROVED);
  MustStep(&v1::PlanService::Stub::ActivatePlan, kManager,
           v1::PLAN_STATUS_ACTIVE);

  const Plan v1_after = Get(1);
  const Plan v2_after = Get(2);
  EXPECT_EQ(v1_after.status(), v1::PLAN_STATUS_SUPERSEDED);
  EXPECT_EQ(v2_after.status(), v1::PLAN_STATUS_ACTIVE);
  EXPECT_EQ(v2_after.plan_id(), v1_after.plan_id());
  EXPECT_EQ(v2_after.activities(0).status(), v1::ACTIVITY_STATUS_IN_PROGRESS);
  {
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::ListPlanVersionsRequest r;
    r.set_case_id(case_id_);
    v1::ListPlanVersionsResponse versions;
    ASSERT_TRUE(plans_->ListPlanVersions(&ctx, r, &versions).ok());
    ASSERT_EQ(versions.plans_size(), 2);
    EXPECT_EQ(versions.plans(0).version(), 1);
    EXPECT_EQ(versions.plans(1).version(), 2);
  }
  EXPECT_THAT(
      PlanEvents(),
      ElementsAre(v1::Event::kPlanCreated, v1::Event::kPlanApproved,
                  v1::Event::kActivityStatusChanged, v1::Event::kPlanRevised));
}

// Either service restarting loses no event and applies none twice: the
// assessment service marks the approved plan's need BEING_ADDRESSED once,
// across its own restart, and the planning service learns of a need added
// while it was down and counts it once.
TEST_F(PlanServiceTest, RestartsOfEitherServiceLoseAndRepeatNothing) {
  ASSERT_NO_FATAL_FAILURE(RegisterCase());
  ASSERT_NO_FATAL_FAILURE(RestartAssessment());  // now following planning
  MustStep(&v1::PlanService::Stub::AgreePlan, kManager, v1::PLAN_STATUS_AGREED);
  MustStep(&v1::PlanService::Stub::SubmitPlan, kManager,
           v1::PLAN_STATUS_SUBMITTED);
  MustStep(&v1::PlanService::Stub::ApprovePlan, kSupervisor,
           v1::PLAN_STATUS_APPROVED);
  const absl::Time deadline = absl::Now() + kCatchUpTimeout;
  while (GetNeed(high_need_).status() != v1::NEED_STATUS_BEING_ADDRESSED &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(GetNeed(high_need_).status(), v1::NEED_STATUS_BEING_ADDRESSED);
  ASSERT_NO_FATAL_FAILURE(RestartAssessment());
  // Let the restarted follower replay whatever it would: a planning write
  // after the restart must reach it before the check below.
  MustStep(&v1::PlanService::Stub::ActivatePlan, kManager,
           v1::PLAN_STATUS_ACTIVE);
  Plan out;
  ASSERT_TRUE(
      SetActivity("AC2", v1::ACTIVITY_STATUS_DROPPED, &out, "handled elsewhere")
          .ok());
  while (GetNeed(high_need_).addressed_by_size() != 1 &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  const v1::Need addressed = GetNeed(high_need_);
  EXPECT_EQ(addressed.addressed_by_size(), 1);
  int being_addressed = 0;
  for (const auto& change : addressed.history()) {
    if (change.status() == v1::NEED_STATUS_BEING_ADDRESSED) ++being_addressed;
  }
  EXPECT_EQ(being_addressed, 1);

  // A need added while planning is down reaches it after its restart.
  planning_->Shutdown(absl::Seconds(5));
  const std::string later_need =
      AddNeed("financial_counselling", v1::NEED_PRIORITY_HIGH);
  ASSERT_NO_FATAL_FAILURE(RestartPlanning());
  MustStep(&v1::PlanService::Stub::RevisePlan, kManager, v1::PLAN_STATUS_DRAFT,
           "new need");
  // An activity may name the need once planning has learned of it.
  auto update = [&](bool answer_later_need) {
    Plan revision = Get();
    revision.mutable_activities()->erase(revision.activities().begin() + 2,
                                         revision.activities().end());
    if (answer_later_need) {
      v1::PlanActivity a =
          Activity(v1::DIMENSION_ECONOMIC, "financial_counselling");
      a.add_need_ids(later_need);
      *revision.add_activities() = a;
    }
    grpc::ClientContext ctx;
    SignAs(kManager, &ctx);
    v1::UpdatePlanRequest r;
    *r.mutable_plan() = revision;
    Plan ignored;
    return plans_->UpdatePlan(&ctx, r, &ignored);
  };
  grpc::Status learned;
  while (!(learned = update(true)).ok() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(learned.ok()) << learned.error_message();
  ASSERT_TRUE(update(false).ok());
  MustStep(&v1::PlanService::Stub::AgreePlan, kManager, v1::PLAN_STATUS_AGREED);
  const grpc::Status refused =
      Step(&v1::PlanService::Stub::SubmitPlan, kManager, &out);
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << refused.error_message();
  EXPECT_THAT(FieldsOf(refused), ElementsAre("activities"));
  EXPECT_THAT(refused.error_message(), HasSubstr(later_need));
}

// Stage tracking across services' events: the assessment service, following
// the planning and follow-up feeds, moves the case as its plan is created,
// approved and completed and as the case is closed; the planning service
// then refuses changes of the closed case.
TEST_F(PlanServiceTest, CaseStageFollowsThePlanAndTheClosure) {
  ASSERT_NO_FATAL_FAILURE(RegisterCase());  // with its plan created
  ASSERT_NO_FATAL_FAILURE(StartFollowUpFeed());
  ASSERT_NO_FATAL_FAILURE(RestartAssessment());  // now following both feeds
  ASSERT_NO_FATAL_FAILURE(RestartPlanning());
  EXPECT_EQ(AwaitStage(v1::CASE_STAGE_PLANNING).stage(),
            v1::CASE_STAGE_PLANNING);
  MustStep(&v1::PlanService::Stub::AgreePlan, kManager, v1::PLAN_STATUS_AGREED);
  MustStep(&v1::PlanService::Stub::SubmitPlan, kManager,
           v1::PLAN_STATUS_SUBMITTED);
  MustStep(&v1::PlanService::Stub::ApprovePlan, kSupervisor,
           v1::PLAN_STATUS_APPROVED);
  EXPECT_EQ(AwaitStage(v1::CASE_STAGE_DELIVERY).stage(),
            v1::CASE_STAGE_DELIVERY);
  MustStep(&v1::PlanService::Stub::ActivatePlan, kManager,
           v1::PLAN_STATUS_ACTIVE);
  MustStep(&v1::PlanService::Stub::CompletePlan, kManager,
           v1::PLAN_STATUS_COMPLETED);
  EXPECT_EQ(AwaitStage(v1::CASE_STAGE_MONITORING).stage(),
            v1::CASE_STAGE_MONITORING);
  ASSERT_NO_FATAL_FAILURE(AppendFollowUpEvent(
      CaseClosedEvent(v1::CLOSURE_REASON_SUPPORT_COMPLETED)));
  const v1::Case closed = AwaitStage(v1::CASE_STAGE_CLOSED);
  ASSERT_EQ(closed.stage(), v1::CASE_STAGE_CLOSED);
  std::vector<std::string> causes;
  for (const auto& change : closed.stage_history()) {
    causes.push_back(change.cause());
  }
  EXPECT_THAT(causes,
              ElementsAre("CaseRegistered", "PlanCreated", "PlanApproved",
                          "PlanCompleted", "CaseClosed"));
  // The completed plan is final: the closure leaves it as it is.
  EXPECT_EQ(Get().status(), v1::PLAN_STATUS_COMPLETED);
  // Once the planning service learns of the stage, it refuses changes.
  const absl::Time deadline = absl::Now() + kCatchUpTimeout;
  grpc::Status s;
  do {
    Plan out;
    s = Step(&v1::PlanService::Stub::RevisePlan, kManager, &out, "again");
    if (PreconditionType(s) == "CASE_CLOSED") break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < deadline);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(PreconditionType(s), "CASE_CLOSED") << s.error_message();
}

// A follow-up contact asking for a revision shows on the plan until a
// revision becomes active; the case's closure then cancels the plan.
TEST_F(PlanServiceTest, FollowUpAsksForARevisionAndClosureCancelsThePlan) {
  ASSERT_NO_FATAL_FAILURE(StartFollowUpFeed());
  ASSERT_NO_FATAL_FAILURE(RestartPlanning());  // now following follow-up
  ASSERT_NO_FATAL_FAILURE(RegisterCase());
  MustStep(&v1::PlanService::Stub::AgreePlan, kManager, v1::PLAN_STATUS_AGREED);
  MustStep(&v1::PlanService::Stub::SubmitPlan, kManager,
           v1::PLAN_STATUS_SUBMITTED);
  MustStep(&v1::PlanService::Stub::ApprovePlan, kSupervisor,
           v1::PLAN_STATUS_APPROVED);
  MustStep(&v1::PlanService::Stub::ActivatePlan, kManager,
           v1::PLAN_STATUS_ACTIVE);
  {
    v1::Event recorded;
    auto* contact = recorded.mutable_follow_up_recorded()->mutable_contact();
    contact->set_contact_id("M03");
    contact->set_case_id(case_id_);
    *contact->mutable_contact_date() = Day(2026, 1, 5);
    contact->set_plan_revision_needed(true);
    contact->set_plan_revision_reason("the shop's premises were lost");
    ASSERT_NO_FATAL_FAILURE(AppendFollowUpEvent(recorded));
  }
  const absl::Time deadline = absl::Now() + kCatchUpTimeout;
  while (Get().revision_request().contact_id() != "M03" &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  const Plan asked = Get();
  ASSERT_EQ(asked.revision_request().contact_id(), "M03");
  EXPECT_EQ(asked.revision_request().reason(), "the shop's premises were lost");
  EXPECT_EQ(asked.revision_request().requested_by(), "cm-1");
  EXPECT_EQ(asked.status(), v1::PLAN_STATUS_ACTIVE);

  MustStep(&v1::PlanService::Stub::RevisePlan, kManager, v1::PLAN_STATUS_DRAFT,
           "premises lost");
  // Still asked while the revision is prepared.
  EXPECT_EQ(Get().revision_request().contact_id(), "M03");
  MustStep(&v1::PlanService::Stub::AgreePlan, kManager, v1::PLAN_STATUS_AGREED);
  MustStep(&v1::PlanService::Stub::SubmitPlan, kManager,
           v1::PLAN_STATUS_SUBMITTED);
  MustStep(&v1::PlanService::Stub::ApprovePlan, kSupervisor,
           v1::PLAN_STATUS_APPROVED);
  MustStep(&v1::PlanService::Stub::ActivatePlan, kManager,
           v1::PLAN_STATUS_ACTIVE);
  EXPECT_FALSE(Get().has_revision_request());

  ASSERT_NO_FATAL_FAILURE(
      AppendFollowUpEvent(CaseClosedEvent(v1::CLOSURE_REASON_MOVED_AWAY)));
  while (Get().status() != v1::PLAN_STATUS_CANCELLED &&
         absl::Now() < deadline + kCatchUpTimeout) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  const Plan cancelled = Get();
  ASSERT_EQ(cancelled.status(), v1::PLAN_STATUS_CANCELLED);
  EXPECT_EQ(cancelled.history().rbegin()->comment(),
            "case closed: CLOSURE_REASON_MOVED_AWAY");
  EXPECT_EQ(PlanEvents().back(), v1::Event::kPlanCancelled);
}

}  // namespace
}  // namespace homeward
