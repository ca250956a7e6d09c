// The follow-up service's part of the programme indicators
// (homeward.internal.v1.FollowUpIndicators/GetIndicatorPart) on a real
// follow-up server following real assessment and planning servers (real
// RocksDB, real gRPC on loopback), every record made through the APIs:
// cases registered in two offices, plans approved (which schedules the
// contacts), contacts done and missed, cases closed by a supervisor and
// asked to be closed by a case manager (pending approval). The part holds
// exactly the hand-counted cells of the caller's office; overdue contacts
// are counted as of the request's as_of; roles and bad fields are refused.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/api/field_checks.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/indicator_parts.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/follow_up.grpc.pb.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/follow_up/follow_up_server.h"
#include "services/planning/planning_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/follow_up_server.h"
#include "tests/fixtures/planning_server.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::TempDir;
using ::homeward::testing::ValidRegistration;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr uint32_t kPartitions = 64;
constexpr char kDakar[] = "office-dakar";
constexpr char kThies[] = "office-thies";

const auto kAdmin = MakePrincipal("admin-1", v1::ROLE_ADMINISTRATOR, {});
const auto kDakarSupervisor =
    MakePrincipal("sup-1", v1::ROLE_SUPERVISOR, {kDakar});
const auto kThiesSupervisor =
    MakePrincipal("sup-2", v1::ROLE_SUPERVISOR, {kThies});
const auto kDakarManager =
    MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {kDakar});
const auto kDakarMonitoring =
    MakePrincipal("mo-1", v1::ROLE_MONITORING_OFFICER, {kDakar});

absl::CivilDay Today() { return api::TodayUtc(); }

std::vector<std::string> FieldsOf(const grpc::Status& s) {
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(s))) {
    fields.push_back(v.field);
  }
  return fields;
}

std::map<std::string, int64_t> CountsOf(
    const internal::v1::IndicatorPart& part) {
  std::map<std::string, int64_t> counts;
  for (const auto& cell : part.cells()) {
    EXPECT_TRUE(cell.has_count()) << cell.ShortDebugString();
    counts[absl::StrCat(cell.table(), "/", cell.row(), "/", cell.column())] =
        cell.count();
  }
  return counts;
}

// Every count cell at 0, with `nonzero` over it.
std::map<std::string, int64_t> Expected(
    const std::map<std::string, int64_t>& nonzero) {
  std::map<std::string, int64_t> counts;
  for (const char* column : {"done", "missed", "overdue_now"}) {
    counts[absl::StrCat("follow_ups/ALL/", column)] = 0;
  }
  for (int i = v1::ClosureReason_MIN + 1; i <= v1::ClosureReason_MAX; ++i) {
    for (const char* column : {"closed", "planned", "unplanned"}) {
      counts[absl::StrCat(
          "closures/",
          v1::ClosureReason_Name(static_cast<v1::ClosureReason>(i)), "/",
          column)] = 0;
    }
  }
  for (const auto& [key, n] : nonzero) counts[key] = n;
  return counts;
}

class FollowUpIndicatorPartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto assessment = assessment::AssessmentServer::Start(
        testing::WithShippedProgrammeData(
            testing::LoopbackServiceConfig(dir_.path() + "/assessment")),
        testing::kTestSecret);
    ASSERT_TRUE(assessment.ok()) << assessment.status();
    assessment_ = std::move(assessment).value();
    auto planning_config =
        testing::LoopbackServiceConfig(dir_.path() + "/planning");
    testing::AddShareRoute(planning_config.mutable_upstream(), "assessment",
                           kPartitions, {assessment_->port()});
    auto planning = planning::PlanningServer::Start(
        testing::WithShippedPlanningData(planning_config),
        testing::kTestSecret);
    ASSERT_TRUE(planning.ok()) << planning.status();
    planning_ = std::move(planning).value();
    auto config = testing::LoopbackServiceConfig(dir_.path() + "/follow_up");
    testing::AddShareRoute(config.mutable_upstream(), "assessment", kPartitions,
                           {assessment_->port()});
    testing::AddShareRoute(config.mutable_upstream(), "planning", kPartitions,
                           {planning_->port()});
    auto follow_up = follow_up::FollowUpServer::Start(
        testing::WithShippedFollowUpData(config), testing::kTestSecret);
    ASSERT_TRUE(follow_up.ok()) << follow_up.status();
    follow_up_ = std::move(follow_up).value();
    cases_ =
        v1::CaseService::NewStub(testing::LoopbackChannel(assessment_->port()));
    plans_ =
        v1::PlanService::NewStub(testing::LoopbackChannel(planning_->port()));
    auto to_follow_up = testing::LoopbackChannel(follow_up_->port());
    contacts_ = v1::FollowUpService::NewStub(to_follow_up);
    closures_ = v1::CaseClosureService::NewStub(to_follow_up);
    indicators_ = internal::v1::FollowUpIndicators::NewStub(to_follow_up);
  }

  // A case of `office` that returned three weeks ago.
  std::string Register(const internal::v1::Principal& supervisor,
                       const std::string& request_id,
                       const std::string& office) {
    v1::RegisterCaseRequest registration =
        ValidRegistration(request_id, office, "cm-1");
    *registration.mutable_case_()
         ->mutable_return_info()
         ->mutable_return_date() = api::ToDate(Today() - 21);
    grpc::ClientContext ctx;
    SignAs(supervisor, &ctx);
    v1::Case c;
    EXPECT_THAT(cases_->RegisterCase(&ctx, registration, &c), IsOk());
    return c.case_id();
  }

  // Creates, agrees, submits and approves the case's plan (retrying
  // CreatePlan while planning has not seen the case); the approved plan.
  v1::Plan ApprovePlan(const internal::v1::Principal& supervisor,
                       const std::string& case_id) {
    v1::CreatePlanRequest create;
    create.set_request_id(absl::StrCat("plan-", case_id));
    create.mutable_plan()->set_case_id(case_id);
    create.mutable_plan()->set_returnee_objectives("Open a tailoring shop");
    v1::PlanActivity* activity = create.mutable_plan()->add_activities();
    activity->set_dimension(v1::DIMENSION_ECONOMIC);
    activity->set_component("business_development");
    activity->set_level(v1::ASSISTANCE_LEVEL_INDIVIDUAL);
    activity->set_description("business coaching");
    activity->set_delivery(v1::ACTIVITY_DELIVERY_DIRECT);
    activity->set_responsible_party("programme");
    *activity->mutable_start_date() = api::ToDate(Today());
    *activity->mutable_due_date() = api::ToDate(Today() + 90);
    v1::Plan plan;
    grpc::Status status;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    do {
      grpc::ClientContext ctx;
      SignAs(supervisor, &ctx);
      status = plans_->CreatePlan(&ctx, create, &plan);
      if (status.ok()) break;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    EXPECT_THAT(status, IsOk());
    for (auto step :
         {&v1::PlanService::Stub::AgreePlan, &v1::PlanService::Stub::SubmitPlan,
          &v1::PlanService::Stub::ApprovePlan}) {
      v1::PlanStepRequest request;
      request.set_case_id(case_id);
      request.set_etag(plan.etag());
      if (step == &v1::PlanService::Stub::AgreePlan) {
        *request.mutable_agreement()->mutable_agreed_date() =
            api::ToDate(Today());
        request.mutable_agreement()->set_method(v1::AGREEMENT_METHOD_SIGNED);
      }
      grpc::ClientContext ctx;
      SignAs(supervisor, &ctx);
      EXPECT_THAT((plans_.get()->*step)(&ctx, request, &plan), IsOk());
    }
    return plan;
  }

  // The case's contacts once the follow-up service has scheduled them
  // (waiting for the feeds, generously: the machine is loaded).
  std::vector<v1::FollowUpContact> Scheduled(const internal::v1::Principal& who,
                                             const std::string& case_id) {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (absl::Now() < deadline) {
      grpc::ClientContext ctx;
      SignAs(who, &ctx);
      v1::ListContactsRequest list;
      list.set_case_id(case_id);
      v1::ListContactsResponse listed;
      if (contacts_->ListContacts(&ctx, list, &listed).ok() &&
          listed.contacts_size() > 0) {
        return {listed.contacts().begin(), listed.contacts().end()};
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    ADD_FAILURE() << "no contacts scheduled for " << case_id;
    return {};
  }

  // An extra contact, done today, for a case whose plan is `plan`.
  void RecordExtra(const internal::v1::Principal& who, const v1::Plan& plan,
                   const std::string& request_id) {
    v1::RecordContactRequest record;
    record.set_request_id(request_id);
    v1::FollowUpContact& c = *record.mutable_contact();
    c.set_case_id(plan.case_id());
    *c.mutable_contact_date() = api::ToDate(Today());
    c.set_mode(v1::FOLLOW_UP_MODE_PHONE);
    c.add_participants()->set_kind(v1::PARTICIPANT_KIND_RETURNEE);
    for (const v1::PlanActivity& a : plan.activities()) {
      auto* progress = c.add_activity_progress();
      progress->set_activity_id(a.activity_id());
      progress->set_rating(v1::ACTIVITY_PROGRESS_RATING_ON_TRACK);
    }
    c.set_wellbeing(3);
    c.set_satisfaction(4);
    c.set_w_phase(v1::W_PHASE_UNCLEAR);
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::FollowUpContact done;
    EXPECT_THAT(contacts_->RecordContact(&ctx, record, &done), IsOk());
    EXPECT_EQ(done.status(), v1::FOLLOW_UP_CONTACT_STATUS_DONE);
  }

  // Closes the case (retrying while the follow-up service has not seen it);
  // the closure's status.
  v1::ClosureStatus Close(const internal::v1::Principal& who,
                          const std::string& case_id,
                          v1::ClosureReason reason) {
    v1::CloseCaseRequest close;
    close.set_request_id(absl::StrCat("close-", case_id));
    close.set_acknowledge_checks(true);
    v1::Closure* closure = close.mutable_closure();
    closure->set_case_id(case_id);
    closure->set_reason(reason);
    closure->set_no_final_rss_reason("the returnee declined the survey");
    closure->mutable_closing_session()->set_held(false);
    closure->mutable_closing_session()->set_not_held_reason("unreachable");
    v1::Closure closed;
    grpc::Status status;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    do {
      grpc::ClientContext ctx;
      SignAs(who, &ctx);
      status = closures_->CloseCase(&ctx, close, &closed);
      if (status.error_code() != grpc::StatusCode::NOT_FOUND) break;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < deadline);
    EXPECT_THAT(status, IsOk()) << case_id;
    return closed.status();
  }

  grpc::Status Part(const internal::v1::Principal* who,
                    const internal::v1::IndicatorPartRequest& request,
                    internal::v1::IndicatorPart* part) {
    grpc::ClientContext ctx;
    if (who != nullptr) SignAs(*who, &ctx);
    return indicators_->GetIndicatorPart(&ctx, request, part);
  }

  static internal::v1::IndicatorPartRequest Request(const std::string& office,
                                                    absl::CivilDay start,
                                                    absl::CivilDay end) {
    internal::v1::IndicatorPartRequest r;
    r.set_office_id(office);
    *r.mutable_period_start() = api::ToDate(start);
    *r.mutable_period_end() = api::ToDate(end);
    return r;
  }

  TempDir dir_;
  std::unique_ptr<assessment::AssessmentServer> assessment_;
  std::unique_ptr<planning::PlanningServer> planning_;
  std::unique_ptr<follow_up::FollowUpServer> follow_up_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::PlanService::Stub> plans_;
  std::unique_ptr<v1::FollowUpService::Stub> contacts_;
  std::unique_ptr<v1::CaseClosureService::Stub> closures_;
  std::unique_ptr<internal::v1::FollowUpIndicators::Stub> indicators_;
};

TEST_F(FollowUpIndicatorPartTest, ThePartCountsTheOfficesFollowUpsAndClosures) {
  // Dakar: A has an extra contact done today; B's first contact was missed
  // today (its next attempt scheduled a week later); C is closed by the
  // supervisor (support completed: planned); D's closure waits for
  // approval. Thiès: T has a contact done and is closed (lost contact).
  const std::string a = Register(kDakarSupervisor, "reg-a", kDakar);
  const std::string b = Register(kDakarSupervisor, "reg-b", kDakar);
  const std::string c = Register(kDakarSupervisor, "reg-c", kDakar);
  const std::string d = Register(kDakarSupervisor, "reg-d", kDakar);
  const std::string t = Register(kThiesSupervisor, "reg-t", kThies);
  const v1::Plan plan_a = ApprovePlan(kDakarSupervisor, a);
  ApprovePlan(kDakarSupervisor, b);
  const v1::Plan plan_t = ApprovePlan(kThiesSupervisor, t);
  ASSERT_FALSE(Scheduled(kDakarManager, a).empty());
  ASSERT_FALSE(Scheduled(kThiesSupervisor, t).empty());
  const std::vector<v1::FollowUpContact> of_b = Scheduled(kDakarManager, b);
  ASSERT_FALSE(of_b.empty());

  RecordExtra(kDakarManager, plan_a, "extra-a");
  {
    v1::RecordMissedContactRequest missed;
    missed.set_case_id(b);
    missed.set_contact_id(of_b[0].contact_id());
    missed.set_etag(of_b[0].etag());
    missed.mutable_missed()->set_reason(v1::MISSED_REASON_UNREACHABLE);
    *missed.mutable_missed()->mutable_attempted_date() = api::ToDate(Today());
    grpc::ClientContext ctx;
    SignAs(kDakarManager, &ctx);
    v1::FollowUpContact out;
    ASSERT_THAT(contacts_->RecordMissedContact(&ctx, missed, &out), IsOk());
  }
  EXPECT_EQ(Close(kDakarSupervisor, c, v1::CLOSURE_REASON_SUPPORT_COMPLETED),
            v1::CLOSURE_STATUS_CLOSED);
  EXPECT_EQ(Close(kDakarManager, d, v1::CLOSURE_REASON_LOST_CONTACT),
            v1::CLOSURE_STATUS_PENDING_APPROVAL);
  RecordExtra(kThiesSupervisor, plan_t, "extra-t");
  EXPECT_EQ(Close(kThiesSupervisor, t, v1::CLOSURE_REASON_LOST_CONTACT),
            v1::CLOSURE_STATUS_CLOSED);

  // Overdue as of a week and a day from now: Dakar's contacts still
  // scheduled and due before then, counted from the lists (B's next
  // attempt, due in seven days, is one of them).
  const absl::CivilDay as_of = Today() + 8;
  int64_t overdue = 0;
  for (const std::string& id : {a, b}) {
    for (const v1::FollowUpContact& contact : Scheduled(kDakarManager, id)) {
      absl::CivilDay due;
      ASSERT_TRUE(api::ToCivilDay(contact.due_date(), &due));
      if (contact.status() == v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED &&
          due < as_of) {
        ++overdue;
      }
    }
  }
  ASSERT_GE(overdue, 1);

  // Around today (a day either side, so that midnight cannot split the
  // test's writes).
  auto request = Request(kDakar, Today() - 1, Today() + 1);
  *request.mutable_as_of() = api::ToDate(as_of);
  internal::v1::IndicatorPart part;
  ASSERT_THAT(Part(&kDakarMonitoring, request, &part), IsOk());
  EXPECT_EQ(
      CountsOf(part),
      Expected({{"follow_ups/ALL/done", 1},
                {"follow_ups/ALL/missed", 1},
                {"follow_ups/ALL/overdue_now", overdue},
                {"closures/CLOSURE_REASON_SUPPORT_COMPLETED/closed", 1},
                {"closures/CLOSURE_REASON_SUPPORT_COMPLETED/planned", 1}}));

  // As of today (as_of unset): nothing is overdue yet.
  request.clear_as_of();
  ASSERT_THAT(Part(&kAdmin, request, &part), IsOk());
  EXPECT_EQ(
      CountsOf(part),
      Expected({{"follow_ups/ALL/done", 1},
                {"follow_ups/ALL/missed", 1},
                {"closures/CLOSURE_REASON_SUPPORT_COMPLETED/closed", 1},
                {"closures/CLOSURE_REASON_SUPPORT_COMPLETED/planned", 1}}));

  // Thiès's part: its own contact and closure, its contacts cancelled by
  // the closure so none overdue.
  auto thies = Request(kThies, Today() - 1, Today() + 1);
  *thies.mutable_as_of() = api::ToDate(as_of);
  ASSERT_THAT(Part(&kThiesSupervisor, thies, &part), IsOk());
  EXPECT_EQ(CountsOf(part),
            Expected({{"follow_ups/ALL/done", 1},
                      {"closures/CLOSURE_REASON_LOST_CONTACT/closed", 1},
                      {"closures/CLOSURE_REASON_LOST_CONTACT/unplanned", 1}}));

  // A period before any of it: every count cell at 0 but the stock.
  request = Request(kDakar, Today() - 60, Today() - 2);
  *request.mutable_as_of() = api::ToDate(as_of);
  ASSERT_THAT(Part(&kDakarMonitoring, request, &part), IsOk());
  EXPECT_EQ(CountsOf(part),
            Expected({{"follow_ups/ALL/overdue_now", overdue}}));
}

TEST_F(FollowUpIndicatorPartTest, RolesAndBadFieldsAreRefused) {
  const auto request = Request(kDakar, Today() - 1, Today());
  internal::v1::IndicatorPart part;
  EXPECT_EQ(Part(nullptr, request, &part).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  auto partner = MakePrincipal("staff-1", v1::ROLE_PARTNER_AGENCY, {});
  partner.set_agency_id("org-1");
  for (const auto& who :
       {kDakarManager, partner,
        MakePrincipal("mo-2", v1::ROLE_MONITORING_OFFICER, {kThies})}) {
    EXPECT_EQ(Part(&who, request, &part).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << who.user_id();
  }
  grpc::Status s = Part(&kDakarMonitoring, {}, &part);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(s),
              UnorderedElementsAre("office_id", "period_start", "period_end"));
  s = Part(&kDakarMonitoring, Request(kDakar, Today() - 400, Today()), &part);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(s), ElementsAre("period_end"));
}

}  // namespace
}  // namespace homeward
