// The whole journey of one returnee's case through the multi-process
// deployment (tests/fixtures/journey_deployment.h: every service a real
// binary in its own process, the gateway in front), over both public faces,
// gRPC and JSON, step by step as docs/JOURNEY.md describes it: registration;
// consent; a counselling session; a vulnerability screening raising a
// protection concern; the baseline RSS; a plan with activities and
// feasibility checks, agreed and approved by the supervisor; a referral the
// partner agency's own key receives, accepts, starts and completes; two
// follow-up contacts with their W phases; the follow-up RSS compared with
// the baseline; the plan completed and the case closed with the supervisor's
// approval. After every step each role's view is checked (who reads what,
// who is refused how), and the concrete state the step leads to.
//
// The same journey is played again with one service killed (SIGKILL) after
// a given step and restarted on its data and port: calls answered
// UNAVAILABLE meanwhile are retried, and the journey must end in the same
// final state (FinalState, a normalised summary without ids or times) as
// the undisturbed run, kExpectedFinalState.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "homeward/v1/assessments.pb.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/consent.pb.h"
#include "homeward/v1/counselling.pb.h"
#include "homeward/v1/directory.pb.h"
#include "homeward/v1/follow_up.pb.h"
#include "homeward/v1/indicators.pb.h"
#include "homeward/v1/needs.pb.h"
#include "homeward/v1/overview.pb.h"
#include "homeward/v1/planning.pb.h"
#include "homeward/v1/referral.pb.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/journey_client.h"
#include "tests/fixtures/journey_deployment.h"

namespace homeward {
namespace {

namespace v1 = ::homeward::v1;
using ::google::protobuf::Message;
using ::homeward::testing::Eventually;
using ::homeward::testing::Face;
using ::homeward::testing::FaceName;
using ::homeward::testing::JourneyClient;
using ::homeward::testing::JourneyDeployment;
using ::homeward::testing::JourneyRole;
using ::homeward::testing::JourneyService;
using ::homeward::testing::kJourneyCaseManagerId;
using ::homeward::testing::kJourneyOffice;
using ::homeward::testing::kJourneyPartnerOrg;
using ::homeward::testing::kJourneyPartnerService;
using ::homeward::testing::kJourneyRoles;
using ::homeward::testing::RoleName;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// The example directory's second organization, whose service the case is
// also referred to (a draft, later cancelled): the partner never sees it.
constexpr char kOtherOrg[] = "org-ecoute-thies";
constexpr char kOtherOrgService[] = "svc-ecoute-individuel";

// The steps of the journey, in order; a disruption names the step after
// which a service is killed and restarted.
enum class Step {
  kDirectory,
  kRegistration,
  kConsent,
  kCounselling,
  kScreening,
  kBaselineRss,
  kPlan,
  kApproval,
  kReferralCreated,
  kReferralCompleted,
  kFirstContact,
  kSecondContact,
  kFollowUpRss,
  kPlanCompleted,
  kClosure,
  kOverviewAndIndicators,
};

struct Disruption {
  JourneyService service;
  Step after;
};

v1::Date DaysFromToday(int days) {
  const absl::CivilDay day =
      absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + days;
  v1::Date date;
  date.set_year(static_cast<int>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

::testing::AssertionResult Ok(const grpc::Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "code " << status.error_code() << ": " << status.error_message();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// A read whose answer each role must get, checked after every step from
// the step that made it meaningful on.
struct Probe {
  std::string label;
  std::string method;  // "CaseService/GetCase"
  std::shared_ptr<Message> request;
  std::shared_ptr<Message> response;  // a prototype of the answer
  std::map<JourneyRole, grpc::StatusCode> expected;
};

// Case records: the office's case manager and supervisor read them; the
// other office's case manager is refused by the service holding the case
// (`other_office`), the partner agency, the monitoring officer and the
// administrator by the gateway (their role may not call the method).
std::map<JourneyRole, grpc::StatusCode> CaseWorkersOnly(
    grpc::StatusCode other_office) {
  return {{JourneyRole::kCaseManager, grpc::StatusCode::OK},
          {JourneyRole::kSupervisor, grpc::StatusCode::OK},
          {JourneyRole::kOtherOffice, other_office},
          {JourneyRole::kPartner, grpc::StatusCode::PERMISSION_DENIED},
          {JourneyRole::kMonitoring, grpc::StatusCode::PERMISSION_DENIED},
          {JourneyRole::kAdministrator, grpc::StatusCode::PERMISSION_DENIED}};
}

// The shared side of a referral: only partner agencies may call it; the
// partner agency gets `partner`.
std::map<JourneyRole, grpc::StatusCode> PartnerOnly(grpc::StatusCode partner) {
  std::map<JourneyRole, grpc::StatusCode> expected;
  for (JourneyRole role : kJourneyRoles) {
    expected[role] = grpc::StatusCode::PERMISSION_DENIED;
  }
  expected[JourneyRole::kPartner] = partner;
  return expected;
}

// The baseline RSS answers: scores worked out by hand with the shipped
// instrument's equal placeholder weights (deploy/instruments/rss.textproto):
//   economic     (0.25 + 0.5 + 0.5 + 0.25 + 0) / 5 = 0.3
//   social       (0.5 + 0.5 + 0.5 + 1) / 4         = 0.625
//   psychosocial (0.5 + 0.5 + 0.5 + 1 + 0.5) / 5   = 0.6
//   composite    (1.5 + 2.5 + 3) / 14              = 0.5
// and one need rule holding: NO_INCOME (employment, high).
const std::vector<std::pair<std::string, std::string>> kBaselineAnswers = {
    {"economic_satisfaction", "dissatisfied"},
    {"food_reduction", "sometimes"},
    {"debt_and_borrowing", "high_debt_can_borrow"},
    {"work_and_income", "support_only"},
    {"assets_and_opportunities", "neither"},
    {"housing", "adequate_insecure"},
    {"health_care", "with_difficulty"},
    {"documents_and_justice", "documents_no_justice"},
    {"drinking_water", "always"},
    {"social_ties", "support_only"},
    {"belonging_and_discrimination", "belonging_discriminated"},
    {"physical_safety", "somewhat_safe"},
    {"distress_and_support", "no_distress"},
    {"able_to_stay", "unsure"},
};
// The follow-up RSS answers:
//   economic     (0.75 + 0.75 + 1 + 0.75 + 0.5) / 5 = 0.75   (+0.45)
//   social       (0.75 + 1 + 1 + 1) / 4             = 0.9375 (+0.3125)
//   psychosocial (1 + 1 + 1 + 1 + 1) / 5            = 1      (+0.4)
//   composite    12.5 / 14 = 0.892857... rounded    = 0.8929 (+0.3929)
const std::vector<std::pair<std::string, std::string>> kFollowUpAnswers = {
    {"economic_satisfaction", "satisfied"},
    {"food_reduction", "rarely"},
    {"debt_and_borrowing", "low_debt_can_borrow"},
    {"work_and_income", "one_regular"},
    {"assets_and_opportunities", "access_only"},
    {"housing", "adequate"},
    {"health_care", "yes"},
    {"documents_and_justice", "documents_and_justice"},
    {"drinking_water", "always"},
    {"social_ties", "both"},
    {"belonging_and_discrimination", "belonging"},
    {"physical_safety", "safe"},
    {"distress_and_support", "no_distress"},
    {"able_to_stay", "can_stay"},
};

// The DoMV v2 factors (deploy/instruments/domv_screening.textproto); the
// screening answers "yes" for trafficking indicators (the flag
// SUSPECTED_TRAFFICKING_VICTIM, a protection concern) and for protective
// factors only, so it raises no need.
const std::vector<std::string> kDomvFactors = {
    "age_under_18",
    "age_over_60",
    "unaccompanied_child",
    "gender_identity",
    "minority_status",
    "disability",
    "serious_medical_condition",
    "mental_health_concerns",
    "gbv_survivor",
    "violence_survivor",
    "trafficking_indicators",
    "literacy_or_skills",
    "single_or_child_headed_household",
    "family_violence",
    "household_debt",
    "family_unsafe_migration",
    "supportive_home_environment",
    "household_livelihood",
    "discrimination_or_stigma",
    "supportive_network",
    "community_safe",
    "services_nearby",
    "conflict_in_area",
    "economic_shocks",
    "documentation_and_rights"};
const std::vector<std::string> kDomvYes = {"trafficking_indicators",
                                           "literacy_or_skills",
                                           "supportive_home_environment",
                                           "household_livelihood",
                                           "supportive_network",
                                           "community_safe",
                                           "services_nearby",
                                           "documentation_and_rights"};

// The journey against one deployment. Play runs every step in order, checks
// each role's view after each, and applies the disruption (if any) after
// its step; FinalState then summarises where the case ended.
class Journey {
 public:
  Journey(JourneyDeployment& deployment, std::optional<Disruption> disruption)
      : deployment_(deployment),
        client_(deployment.grpc_port(), deployment.http_port()),
        disruption_(disruption) {}

  void Play() {
    using StepFunction = void (Journey::*)();
    const std::vector<std::pair<Step, StepFunction>> steps = {
        {Step::kDirectory, &Journey::ImportDirectory},
        {Step::kRegistration, &Journey::Register},
        {Step::kConsent, &Journey::RecordConsent},
        {Step::kCounselling, &Journey::RecordCounselling},
        {Step::kScreening, &Journey::Screen},
        {Step::kBaselineRss, &Journey::SubmitBaseline},
        {Step::kPlan, &Journey::MakePlan},
        {Step::kApproval, &Journey::ApprovePlan},
        {Step::kReferralCreated, &Journey::Refer},
        {Step::kReferralCompleted, &Journey::PartnerWorksTheReferral},
        {Step::kFirstContact, &Journey::FirstContact},
        {Step::kSecondContact, &Journey::SecondContact},
        {Step::kFollowUpRss, &Journey::SubmitFollowUpRss},
        {Step::kPlanCompleted, &Journey::CompletePlan},
        {Step::kClosure, &Journey::Close},
        {Step::kOverviewAndIndicators, &Journey::OverviewAndIndicators},
    };
    for (const auto& [step, run] : steps) {
      SCOPED_TRACE(absl::StrCat("step ", static_cast<int>(step)));
      (this->*run)();
      if (::testing::Test::HasFatalFailure()) return;
      CheckVisibility();
      if (::testing::Test::HasFatalFailure()) return;
      if (disruption_ && disruption_->after == step) {
        // Killed between two steps: every write acknowledged so far must
        // survive. It stays down for a second while the journey goes on
        // (the next step's calls meet it down or starting, and are
        // retried), then starts again on its data and port.
        const JourneyService service = disruption_->service;
        deployment_.Kill(service);
        restarter_ = std::thread([this, service] {
          absl::SleepFor(absl::Seconds(1));
          restarted_ = deployment_.Restart(service);
        });
      }
    }
  }

  ~Journey() { JoinRestarter(); }

  // Whether the disrupted service was restarted (false when there was
  // none), once it was; and how many answers were retried meanwhile.
  bool Restarted() {
    JoinRestarter();
    return restarted_;
  }
  int RetriedAnswers() const { return client_.transient_answers(); }

  // The case's final state, read as the supervisor: what must be the same
  // however the journey went (no ids, etags or times).
  std::string FinalState() {
    std::vector<std::string> lines;
    v1::Case c;
    EXPECT_TRUE(Ok(Call(Face::kGrpc, JourneyRole::kSupervisor,
                        "CaseService/GetCase", GetCaseRequest(), &c)));
    std::vector<std::string> history;
    for (const v1::StageChange& change : c.stage_history()) {
      history.push_back(absl::StrCat(v1::CaseStage_Name(change.stage()), "<-",
                                     change.cause()));
    }
    lines.push_back(absl::StrCat("stage ", v1::CaseStage_Name(c.stage())));
    lines.push_back(absl::StrCat("history ", absl::StrJoin(history, " ")));

    v1::ListConsentsRequest consents_request;
    consents_request.set_case_id(case_id_);
    v1::ListConsentsResponse consents;
    EXPECT_TRUE(
        Ok(Call(Face::kGrpc, JourneyRole::kSupervisor,
                "ConsentService/ListConsents", consents_request, &consents)));
    lines.push_back(absl::StrCat("consents ", consents.consents_size()));
    v1::ListCounsellingSessionsRequest sessions_request;
    sessions_request.set_case_id(case_id_);
    v1::ListCounsellingSessionsResponse sessions;
    EXPECT_TRUE(Ok(Call(Face::kGrpc, JourneyRole::kSupervisor,
                        "CounsellingService/ListCounsellingSessions",
                        sessions_request, &sessions)));
    lines.push_back(absl::StrCat("sessions ", sessions.sessions_size()));

    v1::ListAssessmentsRequest assessments_request;
    assessments_request.set_case_id(case_id_);
    v1::ListAssessmentsResponse assessments;
    EXPECT_TRUE(Ok(Call(Face::kGrpc, JourneyRole::kSupervisor,
                        "AssessmentService/ListAssessments",
                        assessments_request, &assessments)));
    for (const v1::Assessment& a : assessments.assessments()) {
      lines.push_back(absl::StrCat("assessment ", a.instrument_id(), " ",
                                   v1::AssessmentOccasion_Name(a.occasion()),
                                   " scores ", a.scores().ShortDebugString(),
                                   " flags ", a.flags_size(), " needs ",
                                   a.needs_size()));
    }

    const v1::ListNeedsResponse needs = Needs();
    for (const v1::Need& n : needs.needs()) {
      lines.push_back(absl::StrCat("need ", n.category(), " ",
                                   v1::NeedStatus_Name(n.status()), " ",
                                   v1::NeedPriority_Name(n.priority()),
                                   " responders ", n.addressed_by_size()));
    }
    const v1::ListProtectionConcernsResponse concerns = Concerns();
    for (const v1::ProtectionConcern& pc : concerns.concerns()) {
      lines.push_back(absl::StrCat("concern ", pc.code(), " ",
                                   v1::NeedStatus_Name(pc.status()),
                                   " responders ", pc.addressed_by_size()));
    }

    const v1::Plan plan = Plan(JourneyRole::kSupervisor);
    lines.push_back(absl::StrCat("plan v", plan.version(), " ",
                                 v1::PlanStatus_Name(plan.status())));
    for (const v1::PlanActivity& a : plan.activities()) {
      lines.push_back(absl::StrCat(
          "activity ", a.activity_id(), " ", a.component(), " ",
          v1::ActivityStatus_Name(a.status()), " referral ",
          v1::ReferralStatus_Name(a.referral_status()), " feasibility unmet [",
          absl::StrJoin(a.feasibility().unmet_criteria(), ","), "]"));
    }

    v1::ListCaseReferralsRequest referrals_request;
    referrals_request.set_case_id(case_id_);
    v1::ListCaseReferralsResponse referrals;
    EXPECT_TRUE(Ok(Call(Face::kGrpc, JourneyRole::kSupervisor,
                        "ReferralService/ListCaseReferrals", referrals_request,
                        &referrals)));
    for (const v1::Referral& r : referrals.referrals()) {
      std::vector<std::string> statuses;
      for (const v1::ReferralStatusChange& change : r.history()) {
        statuses.push_back(v1::ReferralStatus_Name(change.status()));
      }
      lines.push_back(absl::StrCat("referral ", r.organization_id(), " ",
                                   v1::ReferralStatus_Name(r.status()),
                                   " outcome '", r.outcome(), "' history ",
                                   absl::StrJoin(statuses, ",")));
    }

    v1::ListContactsRequest contacts_request;
    contacts_request.set_case_id(case_id_);
    v1::ListContactsResponse contacts;
    EXPECT_TRUE(
        Ok(Call(Face::kGrpc, JourneyRole::kSupervisor,
                "FollowUpService/ListContacts", contacts_request, &contacts)));
    for (const v1::FollowUpContact& contact : contacts.contacts()) {
      lines.push_back(absl::StrCat(
          "contact month ", contact.months_after_return(), " ",
          v1::FollowUpContactStatus_Name(contact.status()), " ",
          v1::WPhase_Name(contact.w_phase()), " rss_due ", contact.rss_due()));
    }
    const v1::Trajectory trajectory = Trajectory();
    for (const v1::TrajectoryPoint& point : trajectory.contacts()) {
      lines.push_back(absl::StrCat("trajectory ",
                                   v1::WPhase_Name(point.w_phase()),
                                   " wellbeing ", point.wellbeing()));
    }
    for (const v1::RssPoint& point : trajectory.surveys()) {
      lines.push_back(
          absl::StrCat("survey ", v1::AssessmentOccasion_Name(point.occasion()),
                       " ", point.scores().ShortDebugString()));
    }

    v1::GetClosureRequest closure_request;
    closure_request.set_case_id(case_id_);
    v1::Closure closure;
    EXPECT_TRUE(
        Ok(Call(Face::kGrpc, JourneyRole::kSupervisor,
                "CaseClosureService/GetClosure", closure_request, &closure)));
    std::vector<std::string> closure_history;
    for (const v1::ClosureStatusChange& change : closure.history()) {
      closure_history.push_back(v1::ClosureStatus_Name(change.status()));
    }
    lines.push_back(absl::StrCat("closure ",
                                 v1::ClosureStatus_Name(closure.status()), " ",
                                 v1::ClosureKind_Name(closure.kind()), " ",
                                 v1::ClosureReason_Name(closure.reason()),
                                 " checks ", closure.checks_size(), " history ",
                                 absl::StrJoin(closure_history, ",")));
    return absl::StrJoin(lines, "\n");
  }

 private:
  grpc::Status Call(Face face, JourneyRole role, const std::string& method,
                    const Message& request, Message* response) {
    return client_.Call(face, role, "homeward.v1." + method, request, response);
  }

  // Waits until the case's stage is `stage` (moved by the feeds).
  void ExpectStage(v1::CaseStage stage) {
    v1::Case c;
    EXPECT_TRUE(Eventually([&] {
      return Call(Face::kGrpc, JourneyRole::kCaseManager, "CaseService/GetCase",
                  GetCaseRequest(), &c)
                 .ok() &&
             c.stage() == stage;
    })) << "stage "
        << v1::CaseStage_Name(c.stage()) << ", expected "
        << v1::CaseStage_Name(stage);
  }

  v1::GetCaseRequest GetCaseRequest() const {
    v1::GetCaseRequest get;
    get.set_case_id(case_id_);
    return get;
  }

  v1::ListNeedsResponse Needs() {
    v1::ListNeedsRequest request;
    request.set_case_id(case_id_);
    v1::ListNeedsResponse needs;
    EXPECT_TRUE(Ok(Call(Face::kGrpc, JourneyRole::kCaseManager,
                        "NeedService/ListNeeds", request, &needs)));
    return needs;
  }

  v1::ListProtectionConcernsResponse Concerns() {
    v1::ListProtectionConcernsRequest request;
    request.set_case_id(case_id_);
    v1::ListProtectionConcernsResponse concerns;
    EXPECT_TRUE(
        Ok(Call(Face::kJson, JourneyRole::kCaseManager,
                "NeedService/ListProtectionConcerns", request, &concerns)));
    return concerns;
  }

  v1::Plan Plan(JourneyRole role) {
    v1::GetPlanRequest request;
    request.set_case_id(case_id_);
    v1::Plan plan;
    EXPECT_TRUE(
        Ok(Call(Face::kGrpc, role, "PlanService/GetPlan", request, &plan)));
    return plan;
  }

  v1::Trajectory Trajectory() {
    v1::GetTrajectoryRequest request;
    request.set_case_id(case_id_);
    v1::Trajectory trajectory;
    EXPECT_TRUE(
        Ok(Call(Face::kGrpc, JourneyRole::kSupervisor,
                "FollowUpService/GetTrajectory", request, &trajectory)));
    return trajectory;
  }

  // A workflow step on the plan as `role` on `face`; the plan it answers.
  v1::Plan PlanStep(Face face, JourneyRole role, const std::string& step,
                    v1::PlanStepRequest request = {}) {
    request.set_case_id(case_id_);
    request.set_etag(plan_.etag());
    v1::Plan plan;
    EXPECT_TRUE(Ok(Call(face, role, "PlanService/" + step, request, &plan)))
        << step;
    if (!plan.plan_id().empty()) plan_ = plan;
    return plan;
  }

  void AddProbe(std::string label, std::string method,
                std::shared_ptr<Message> request,
                std::shared_ptr<Message> response,
                std::map<JourneyRole, grpc::StatusCode> expected) {
    probes_.push_back({std::move(label), std::move(method), std::move(request),
                       std::move(response), std::move(expected)});
  }

  // Every probe so far, as every role, on both faces.
  void CheckVisibility() {
    for (const Probe& probe : probes_) {
      for (JourneyRole role : kJourneyRoles) {
        for (Face face : {Face::kGrpc, Face::kJson}) {
          std::unique_ptr<Message> response(probe.response->New());
          const grpc::Status status =
              Call(face, role, probe.method, *probe.request, response.get());
          EXPECT_EQ(status.error_code(), probe.expected.at(role))
              << probe.label << " as the " << RoleName(role) << " over "
              << FaceName(face) << ": " << status.error_message();
        }
      }
    }
  }

  // ------------------------------------------------------------- steps

  // The administrator loads the example directory (the partner's
  // organization and services); configuration is the administrator's, not
  // the case manager's.
  void ImportDirectory() {
    v1::ImportHsdsRequest import;
    import.set_request_id("journey-directory");
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                    ReadFile(std::string(HOMEWARD_SOURCE_DIR) +
                             "/deploy/directory/example_directory.json"),
                    import.mutable_document())
                    .ok());
    v1::ImportHsdsResponse imported;
    EXPECT_EQ(Call(Face::kGrpc, JourneyRole::kCaseManager,
                   "DirectoryService/ImportHsds", import, &imported)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    ASSERT_TRUE(Ok(Call(Face::kJson, JourneyRole::kAdministrator,
                        "DirectoryService/ImportHsds", import, &imported)));
  }

  // The case manager registers the case over JSON; it starts at INTAKE.
  // A case manager of another office cannot register in this office.
  void Register() {
    v1::RegisterCaseRequest registration = testing::ValidRegistration(
        "journey-case-1", kJourneyOffice, kJourneyCaseManagerId);
    // Back three weeks ago: every follow-up point (months 1 to 12 after
    // return) still lies ahead when the plan is approved today.
    *registration.mutable_case_()
         ->mutable_return_info()
         ->mutable_return_date() = DaysFromToday(-21);
    v1::Case refused;
    EXPECT_EQ(Call(Face::kGrpc, JourneyRole::kOtherOffice,
                   "CaseService/RegisterCase", registration, &refused)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    v1::Case registered;
    ASSERT_TRUE(
        Ok(Call(Face::kJson, JourneyRole::kCaseManager,
                "CaseService/RegisterCase", registration, &registered)));
    case_id_ = registered.case_id();
    ASSERT_FALSE(case_id_.empty());
    EXPECT_EQ(registered.stage(), v1::CASE_STAGE_INTAKE);
    AddProbe("GetCase", "CaseService/GetCase",
             std::make_shared<v1::GetCaseRequest>(GetCaseRequest()),
             std::make_shared<v1::Case>(),
             CaseWorkersOnly(grpc::StatusCode::PERMISSION_DENIED));
  }

  // Consent for case management, and to share with the partner's
  // organization (and a second organization) for referral; CheckConsent
  // answers per organization.
  void RecordConsent() {
    auto record = [this](const std::string& request_id,
                         v1::ConsentPurpose purpose,
                         const std::string& agency) {
      v1::RecordConsentRequest request;
      request.set_request_id(request_id);
      v1::ConsentRecord* consent = request.mutable_consent();
      consent->set_case_id(case_id_);
      consent->set_purpose(purpose);
      consent->set_recipient_agency_id(agency);
      consent->set_granted(true);
      *consent->mutable_decision_date() = DaysFromToday(0);
      consent->set_method(v1::CONSENT_METHOD_WRITTEN);
      v1::ConsentRecord recorded;
      EXPECT_TRUE(Ok(Call(Face::kGrpc, JourneyRole::kCaseManager,
                          "ConsentService/RecordConsent", request, &recorded)));
      EXPECT_FALSE(recorded.consent_id().empty());
    };
    record("journey-consent-cm", v1::CONSENT_PURPOSE_CASE_MANAGEMENT, "");
    record("journey-consent-partner", v1::CONSENT_PURPOSE_REFERRAL,
           kJourneyPartnerOrg);
    record("journey-consent-other", v1::CONSENT_PURPOSE_REFERRAL, kOtherOrg);

    v1::CheckConsentRequest check;
    check.set_case_id(case_id_);
    check.set_purpose(v1::CONSENT_PURPOSE_REFERRAL);
    check.set_agency_id(kJourneyPartnerOrg);
    v1::CheckConsentResponse checked;
    ASSERT_TRUE(Ok(Call(Face::kJson, JourneyRole::kSupervisor,
                        "ConsentService/CheckConsent", check, &checked)));
    EXPECT_TRUE(checked.allowed());
    check.set_agency_id("org-caisse-kolda");
    ASSERT_TRUE(Ok(Call(Face::kJson, JourneyRole::kSupervisor,
                        "ConsentService/CheckConsent", check, &checked)));
    EXPECT_FALSE(checked.allowed());

    auto list = std::make_shared<v1::ListConsentsRequest>();
    list->set_case_id(case_id_);
    AddProbe("ListConsents", "ConsentService/ListConsents", list,
             std::make_shared<v1::ListConsentsResponse>(),
             CaseWorkersOnly(grpc::StatusCode::PERMISSION_DENIED));
  }

  void RecordCounselling() {
    v1::RecordCounsellingSessionRequest request;
    request.set_request_id("journey-session-1");
    v1::CounsellingSession* session = request.mutable_session();
    session->set_case_id(case_id_);
    *session->mutable_session_date() = DaysFromToday(0);
    session->set_mode(v1::CONTACT_MODE_IN_PERSON);
    session->add_participants("returnee");
    session->add_topics("reintegration options");
    session->set_observations("tired after the journey, wants to work");
    session->add_agreed_next_steps("vulnerability screening");
    v1::CounsellingSession recorded;
    ASSERT_TRUE(Ok(Call(Face::kJson, JourneyRole::kCaseManager,
                        "CounsellingService/RecordCounsellingSession", request,
                        &recorded)));
    EXPECT_FALSE(recorded.session_id().empty());
    auto list = std::make_shared<v1::ListCounsellingSessionsRequest>();
    list->set_case_id(case_id_);
    AddProbe("ListCounsellingSessions",
             "CounsellingService/ListCounsellingSessions", list,
             std::make_shared<v1::ListCounsellingSessionsResponse>(),
             CaseWorkersOnly(grpc::StatusCode::PERMISSION_DENIED));
    // Still at intake: counselling moves no stage.
    ExpectStage(v1::CASE_STAGE_INTAKE);
  }

  // The vulnerability screening raises SUSPECTED_TRAFFICKING_VICTIM: an
  // open, urgent protection concern; the case moves to ASSESSMENT.
  void Screen() {
    v1::SubmitAssessmentRequest request;
    request.set_request_id("journey-domv-1");
    request.set_case_id(case_id_);
    request.set_instrument_id("domv_screening");
    request.set_instrument_version(2);
    *request.mutable_assessment_date() = DaysFromToday(0);
    request.set_occasion(v1::ASSESSMENT_OCCASION_ON_ARRIVAL);
    request.set_assessor_role(v1::ASSESSOR_ROLE_CASE_MANAGER);
    request.set_mode(v1::CONTACT_MODE_IN_PERSON);
    for (const std::string& factor : kDomvFactors) {
      v1::Answer* answer = request.add_answers();
      answer->set_item_id(factor);
      answer->set_option_id(
          std::count(kDomvYes.begin(), kDomvYes.end(), factor) > 0 ? "yes"
                                                                   : "no");
    }
    v1::Assessment screening;
    ASSERT_TRUE(
        Ok(Call(Face::kGrpc, JourneyRole::kCaseManager,
                "AssessmentService/SubmitAssessment", request, &screening)));
    ASSERT_EQ(screening.flags_size(), 1) << screening.ShortDebugString();
    EXPECT_EQ(screening.flags(0).code(), "SUSPECTED_TRAFFICKING_VICTIM");
    EXPECT_EQ(screening.needs_size(), 0);

    const v1::ListProtectionConcernsResponse concerns = Concerns();
    ASSERT_EQ(concerns.concerns_size(), 1);
    concern_id_ = concerns.concerns(0).concern_id();
    EXPECT_EQ(concerns.concerns(0).code(), "SUSPECTED_TRAFFICKING_VICTIM");
    EXPECT_EQ(concerns.concerns(0).status(), v1::NEED_STATUS_OPEN);
    EXPECT_EQ(concerns.concerns(0).priority(), v1::NEED_PRIORITY_URGENT);
    ExpectStage(v1::CASE_STAGE_ASSESSMENT);

    auto list = std::make_shared<v1::ListProtectionConcernsRequest>();
    list->set_case_id(case_id_);
    AddProbe("ListProtectionConcerns", "NeedService/ListProtectionConcerns",
             list, std::make_shared<v1::ListProtectionConcernsResponse>(),
             CaseWorkersOnly(grpc::StatusCode::PERMISSION_DENIED));
  }

  v1::Assessment SubmitRss(
      Face face, const std::string& request_id, v1::AssessmentOccasion occasion,
      const std::vector<std::pair<std::string, std::string>>& answers) {
    v1::SubmitAssessmentRequest request;
    request.set_request_id(request_id);
    request.set_case_id(case_id_);
    request.set_instrument_id("rss");
    request.set_instrument_version(2);
    *request.mutable_assessment_date() = DaysFromToday(0);
    request.set_occasion(occasion);
    request.set_assessor_role(v1::ASSESSOR_ROLE_CASE_MANAGER);
    request.set_mode(v1::CONTACT_MODE_IN_PERSON);
    for (const auto& [item, option] : answers) {
      v1::Answer* answer = request.add_answers();
      answer->set_item_id(item);
      answer->set_option_id(option);
    }
    v1::Assessment rss;
    EXPECT_TRUE(Ok(Call(face, JourneyRole::kCaseManager,
                        "AssessmentService/SubmitAssessment", request, &rss)));
    return rss;
  }

  // The baseline RSS: the hand-worked scores and one high-priority need,
  // employment; the stage stays ASSESSMENT.
  void SubmitBaseline() {
    baseline_ = SubmitRss(Face::kJson, "journey-rss-baseline",
                          v1::ASSESSMENT_OCCASION_BASELINE, kBaselineAnswers);
    ASSERT_FALSE(baseline_.assessment_id().empty());
    EXPECT_DOUBLE_EQ(baseline_.scores().economic(), 0.3);
    EXPECT_DOUBLE_EQ(baseline_.scores().social(), 0.625);
    EXPECT_DOUBLE_EQ(baseline_.scores().psychosocial(), 0.6);
    EXPECT_DOUBLE_EQ(baseline_.scores().composite(), 0.5);
    const v1::ListNeedsResponse needs = Needs();
    ASSERT_EQ(needs.needs_size(), 1) << needs.ShortDebugString();
    need_id_ = needs.needs(0).need_id();
    EXPECT_EQ(needs.needs(0).category(), "employment");
    EXPECT_EQ(needs.needs(0).priority(), v1::NEED_PRIORITY_HIGH);
    EXPECT_EQ(needs.needs(0).status(), v1::NEED_STATUS_OPEN);
    ExpectStage(v1::CASE_STAGE_ASSESSMENT);
  }

  // The case manager drafts the plan: job placement by referral (answering
  // the employment need, its feasibility checked against the programme's
  // grid with one criterion unmet and justified) and a counter-trafficking
  // protection response delivered directly (answering the concern); the
  // returnee agrees. Planning learns of the needs through the assessment
  // feed, so creating is retried until it knows them.
  void MakePlan() {
    v1::CreatePlanRequest create;
    create.set_request_id("journey-plan-1");
    v1::Plan* plan = create.mutable_plan();
    plan->set_case_id(case_id_);
    plan->set_returnee_objectives("Find steady work and feel safe at home");
    v1::ExpectedImprovement* improvement = plan->add_expected_improvements();
    improvement->set_dimension(v1::DIMENSION_ECONOMIC);
    improvement->set_expected_change(0.3);
    v1::PlanActivity* placement = plan->add_activities();
    placement->set_dimension(v1::DIMENSION_ECONOMIC);
    placement->set_component("employment");
    placement->set_level(v1::ASSISTANCE_LEVEL_INDIVIDUAL);
    placement->set_description("job placement with a local employer");
    placement->add_need_ids(need_id_);
    placement->set_delivery(v1::ACTIVITY_DELIVERY_REFERRAL);
    placement->set_referral_component("employment");
    placement->set_responsible_party("partner agency");
    *placement->mutable_start_date() = DaysFromToday(0);
    *placement->mutable_due_date() = DaysFromToday(90);
    v1::FeasibilityCheck* check = placement->mutable_feasibility();
    check->set_grid_id("example_grid");
    check->set_grid_version(1);
    check->set_row_id("job_placement");
    for (const char* criterion :
         {"wants_employment", "relevant_skills", "can_work_regular_hours",
          "employers_hiring_locally", "returnees_accepted", "placement_partner",
          "decent_work"}) {
      v1::FeasibilityAnswer* answer = check->add_answers();
      answer->set_criterion_id(criterion);
      answer->set_met(std::string(criterion) != "employers_hiring_locally");
    }
    placement->set_feasibility_justification(
        "the partner places apprentices with employers in the next town");
    v1::PlanActivity* protection = plan->add_activities();
    protection->set_dimension(v1::DIMENSION_PROTECTION);
    protection->set_component("counter_trafficking");
    protection->set_level(v1::ASSISTANCE_LEVEL_INDIVIDUAL);
    protection->set_description("safety plan and counter-trafficking support");
    protection->add_concern_ids(concern_id_);
    protection->set_delivery(v1::ACTIVITY_DELIVERY_DIRECT);
    protection->set_responsible_party("programme protection officer");
    *protection->mutable_start_date() = DaysFromToday(0);
    *protection->mutable_due_date() = DaysFromToday(60);

    grpc::Status status;
    ASSERT_TRUE(Eventually([&] {
      status = Call(Face::kGrpc, JourneyRole::kCaseManager,
                    "PlanService/CreatePlan", create, &plan_);
      return status.ok();
    })) << status.error_message();
    EXPECT_EQ(plan_.status(), v1::PLAN_STATUS_DRAFT);
    ASSERT_EQ(plan_.activities_size(), 2);
    EXPECT_EQ(plan_.activities(0).activity_id(), "AC1");
    EXPECT_EQ(plan_.activities(1).activity_id(), "AC2");
    EXPECT_FALSE(plan_.activities(0).feasibility().all_met());
    EXPECT_THAT(plan_.activities(0).feasibility().unmet_criteria(),
                ElementsAre("employers_hiring_locally"));
    ExpectStage(v1::CASE_STAGE_PLANNING);

    v1::PlanStepRequest agree;
    *agree.mutable_agreement()->mutable_agreed_date() = DaysFromToday(0);
    agree.mutable_agreement()->set_method(v1::AGREEMENT_METHOD_SIGNED);
    EXPECT_EQ(
        PlanStep(Face::kJson, JourneyRole::kCaseManager, "AgreePlan", agree)
            .status(),
        v1::PLAN_STATUS_AGREED);

    auto get = std::make_shared<v1::GetPlanRequest>();
    get->set_case_id(case_id_);
    AddProbe("GetPlan", "PlanService/GetPlan", get,
             std::make_shared<v1::Plan>(),
             CaseWorkersOnly(grpc::StatusCode::PERMISSION_DENIED));
  }

  // Submitted by the case manager, who may not approve it; approved by the
  // supervisor over JSON and started. Planning's PlanApproved reaches
  // assessment (the need and the concern are being addressed, the case is
  // in DELIVERY), referral (the activity is a referral to make) and
  // follow-up (the contacts of the programme's cadence are scheduled).
  void ApprovePlan() {
    EXPECT_EQ(
        PlanStep(Face::kGrpc, JourneyRole::kCaseManager, "SubmitPlan").status(),
        v1::PLAN_STATUS_SUBMITTED);
    v1::PlanStepRequest approve;
    approve.set_case_id(case_id_);
    approve.set_etag(plan_.etag());
    v1::Plan refused;
    EXPECT_EQ(Call(Face::kGrpc, JourneyRole::kCaseManager,
                   "PlanService/ApprovePlan", approve, &refused)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(
        PlanStep(Face::kJson, JourneyRole::kSupervisor, "ApprovePlan").status(),
        v1::PLAN_STATUS_APPROVED);
    EXPECT_EQ(PlanStep(Face::kGrpc, JourneyRole::kCaseManager, "ActivatePlan")
                  .status(),
              v1::PLAN_STATUS_ACTIVE);
    ASSERT_FALSE(::testing::Test::HasFailure());

    v1::ProtectionConcern concern;
    EXPECT_TRUE(Eventually([&] {
      const auto concerns = Concerns();
      if (concerns.concerns_size() != 1) return false;
      concern = concerns.concerns(0);
      return concern.status() == v1::NEED_STATUS_BEING_ADDRESSED;
    })) << concern.ShortDebugString();
    ASSERT_EQ(concern.addressed_by_size(), 1);
    EXPECT_EQ(concern.addressed_by(0).kind(), v1::RESPONDER_KIND_PLAN_ACTIVITY);
    v1::Need need;
    EXPECT_TRUE(Eventually([&] {
      const auto needs = Needs();
      if (needs.needs_size() != 1) return false;
      need = needs.needs(0);
      return need.status() == v1::NEED_STATUS_BEING_ADDRESSED;
    })) << need.ShortDebugString();
    ExpectStage(v1::CASE_STAGE_DELIVERY);

    v1::ListReferralsToMakeRequest to_make;
    to_make.set_case_id(case_id_);
    v1::ListReferralsToMakeResponse listed;
    EXPECT_TRUE(Eventually([&] {
      return Call(Face::kJson, JourneyRole::kCaseManager,
                  "ReferralService/ListReferralsToMake", to_make, &listed)
                 .ok() &&
             listed.referrals_size() == 1;
    })) << listed.ShortDebugString();
    if (listed.referrals_size() == 1) {
      EXPECT_EQ(listed.referrals(0).activity_id(), "AC1");
      EXPECT_EQ(listed.referrals(0).component(), "employment");
    }

    v1::ListContactsRequest contacts_request;
    contacts_request.set_case_id(case_id_);
    v1::ListContactsResponse contacts;
    ASSERT_TRUE(Eventually([&] {
      return Call(Face::kGrpc, JourneyRole::kCaseManager,
                  "FollowUpService/ListContacts", contacts_request, &contacts)
                 .ok() &&
             contacts.contacts_size() == 6;
    })) << contacts.ShortDebugString();
    std::vector<int> months;
    for (const v1::FollowUpContact& c : contacts.contacts()) {
      months.push_back(c.months_after_return());
    }
    EXPECT_THAT(months, ElementsAre(1, 2, 3, 6, 9, 12));
    AddProbe("ListContacts", "FollowUpService/ListContacts",
             std::make_shared<v1::ListContactsRequest>(contacts_request),
             std::make_shared<v1::ListContactsResponse>(),
             CaseWorkersOnly(grpc::StatusCode::PERMISSION_DENIED));
  }

  // The case manager refers the case to the partner's job placement for the
  // activity (sent at once, with a minimal shared summary), and drafts a
  // second referral to another organization, which the partner never sees.
  void Refer() {
    v1::CreateReferralRequest create;
    create.set_request_id("journey-referral-1");
    create.set_send(true);
    v1::Referral* referral = create.mutable_referral();
    referral->set_case_id(case_id_);
    referral->mutable_activity()->set_plan_id(plan_.plan_id());
    referral->mutable_activity()->set_activity_id("AC1");
    referral->set_service_id(kJourneyPartnerService);
    referral->set_purpose("job placement");
    referral->set_urgency(v1::REFERRAL_URGENCY_ROUTINE);
    *referral->mutable_expected_response_date() = DaysFromToday(14);
    *referral->mutable_expected_completion_date() = DaysFromToday(60);
    referral->mutable_summary()->set_returnee_name("Awa N.");
    referral->mutable_summary()->add_languages("wo");
    referral->mutable_summary()->set_area("Pikine");
    referral->mutable_summary()->set_needs_description(
        "placement in paid work; tailoring experience");
    v1::Referral created;
    ASSERT_TRUE(Ok(Call(Face::kJson, JourneyRole::kCaseManager,
                        "ReferralService/CreateReferral", create, &created)));
    referral_id_ = created.referral_id();
    EXPECT_EQ(created.status(), v1::REFERRAL_STATUS_REQUESTED);
    EXPECT_EQ(created.organization_id(), kJourneyPartnerOrg);
    EXPECT_FALSE(created.consent().consent_id().empty());

    v1::CreateReferralRequest draft;
    draft.set_request_id("journey-referral-2");
    draft.set_send(false);
    referral = draft.mutable_referral();
    referral->set_case_id(case_id_);
    referral->set_service_id(kOtherOrgService);
    referral->set_purpose("individual counselling");
    referral->set_urgency(v1::REFERRAL_URGENCY_ROUTINE);
    *referral->mutable_expected_response_date() = DaysFromToday(14);
    *referral->mutable_expected_completion_date() = DaysFromToday(60);
    v1::Referral drafted;
    ASSERT_TRUE(Ok(Call(Face::kGrpc, JourneyRole::kCaseManager,
                        "ReferralService/CreateReferral", draft, &drafted)));
    other_referral_id_ = drafted.referral_id();
    EXPECT_EQ(drafted.status(), v1::REFERRAL_STATUS_DRAFT);
    EXPECT_EQ(drafted.organization_id(), kOtherOrg);

    auto get = std::make_shared<v1::GetReferralRequest>();
    get->set_case_id(case_id_);
    get->set_referral_id(referral_id_);
    AddProbe("GetReferral", "ReferralService/GetReferral", get,
             std::make_shared<v1::Referral>(),
             CaseWorkersOnly(grpc::StatusCode::PERMISSION_DENIED));
    AddProbe("GetSharedReferral (the partner's)",
             "PartnerReferralService/GetSharedReferral", get,
             std::make_shared<v1::SharedReferral>(),
             PartnerOnly(grpc::StatusCode::OK));
    auto other = std::make_shared<v1::GetReferralRequest>();
    other->set_case_id(case_id_);
    other->set_referral_id(other_referral_id_);
    AddProbe("GetSharedReferral (another organization's)",
             "PartnerReferralService/GetSharedReferral", other,
             std::make_shared<v1::SharedReferral>(),
             PartnerOnly(grpc::StatusCode::NOT_FOUND));
  }

  // The partner agency's own key finds the referral in its inbox (only it,
  // with the summary and nothing of the case), receives, accepts, starts
  // and completes it. The outcome flows back: the requester reads it, and
  // planning moves the activity to DONE with the referral's status.
  void PartnerWorksTheReferral() {
    v1::ListInboxRequest inbox_request;
    v1::ListInboxResponse inbox;
    ASSERT_TRUE(
        Ok(Call(Face::kGrpc, JourneyRole::kPartner,
                "PartnerReferralService/ListInbox", inbox_request, &inbox)));
    ASSERT_EQ(inbox.referrals_size(), 1) << inbox.ShortDebugString();
    v1::SharedReferral shared = inbox.referrals(0);
    EXPECT_EQ(shared.referral_id(), referral_id_);
    EXPECT_EQ(shared.summary().returnee_name(), "Awa N.");
    EXPECT_EQ(shared.status(), v1::REFERRAL_STATUS_REQUESTED);

    const std::vector<std::pair<v1::ReferralStatus, Face>> moves = {
        {v1::REFERRAL_STATUS_RECEIVED, Face::kJson},
        {v1::REFERRAL_STATUS_ACCEPTED, Face::kGrpc},
        {v1::REFERRAL_STATUS_IN_PROGRESS, Face::kJson},
        {v1::REFERRAL_STATUS_COMPLETED, Face::kGrpc}};
    for (const auto& [status, face] : moves) {
      v1::ChangeReferralStatusRequest change;
      change.set_case_id(case_id_);
      change.set_referral_id(referral_id_);
      change.set_etag(shared.etag());
      change.set_status(status);
      if (status == v1::REFERRAL_STATUS_COMPLETED) {
        change.set_outcome("placed as a tailor's assistant");
      }
      v1::SharedReferral changed;
      ASSERT_TRUE(Ok(Call(face, JourneyRole::kPartner,
                          "PartnerReferralService/UpdateSharedReferral", change,
                          &changed)))
          << v1::ReferralStatus_Name(status);
      EXPECT_EQ(changed.status(), status);
      shared = changed;
    }
    // The requester side is not the partner's.
    v1::GetReferralRequest get;
    get.set_case_id(case_id_);
    get.set_referral_id(referral_id_);
    v1::Referral read;
    ASSERT_TRUE(Ok(Call(Face::kJson, JourneyRole::kCaseManager,
                        "ReferralService/GetReferral", get, &read)));
    EXPECT_EQ(read.status(), v1::REFERRAL_STATUS_COMPLETED);
    EXPECT_EQ(read.outcome(), "placed as a tailor's assistant");

    v1::Plan plan;
    EXPECT_TRUE(Eventually([&] {
      plan = Plan(JourneyRole::kCaseManager);
      return plan.activities_size() == 2 &&
             plan.activities(0).referral_status() ==
                 v1::REFERRAL_STATUS_COMPLETED &&
             plan.activities(0).status() == v1::ACTIVITY_STATUS_DONE;
    })) << plan.ShortDebugString();
    EXPECT_EQ(plan.activities(0).referral_id(), referral_id_);
    plan_ = plan;
  }

  // The scheduled contact `index` (0: the soonest still scheduled), once
  // its form shows the partner's referral COMPLETED (from the referral
  // feed), recorded with `phase` and `wellbeing`.
  void RecordNextContact(Face face, const std::string& request_id,
                         v1::WPhase phase, int wellbeing) {
    v1::ListContactsRequest list;
    list.set_case_id(case_id_);
    list.set_status(v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
    v1::ListContactsResponse scheduled;
    ASSERT_TRUE(Ok(Call(face, JourneyRole::kCaseManager,
                        "FollowUpService/ListContacts", list, &scheduled)));
    ASSERT_GT(scheduled.contacts_size(), 0);
    v1::GetContactRequest get;
    get.set_case_id(case_id_);
    get.set_contact_id(scheduled.contacts(0).contact_id());
    v1::FollowUpContact form;
    EXPECT_TRUE(Eventually([&] {
      if (!Call(face, JourneyRole::kCaseManager, "FollowUpService/GetContact",
                get, &form)
               .ok()) {
        return false;
      }
      for (const v1::ReferralOutcome& outcome : form.referral_outcomes()) {
        if (outcome.referral_id() == referral_id_ &&
            outcome.status() == v1::REFERRAL_STATUS_COMPLETED) {
          return true;
        }
      }
      return false;
    })) << form.ShortDebugString();

    v1::RecordContactRequest record;
    record.set_request_id(request_id);
    record.set_etag(form.etag());
    v1::FollowUpContact* contact = record.mutable_contact();
    contact->set_case_id(case_id_);
    contact->set_contact_id(form.contact_id());
    *contact->mutable_contact_date() = DaysFromToday(0);
    contact->set_mode(v1::FOLLOW_UP_MODE_VISIT);
    contact->add_participants()->set_kind(v1::PARTICIPANT_KIND_RETURNEE);
    v1::ActivityProgress* done = contact->add_activity_progress();
    done->set_activity_id("AC1");
    done->set_rating(v1::ACTIVITY_PROGRESS_RATING_COMPLETED);
    v1::ActivityProgress* going = contact->add_activity_progress();
    going->set_activity_id("AC2");
    going->set_rating(v1::ACTIVITY_PROGRESS_RATING_ON_TRACK);
    v1::ReferralOutcome* feedback = contact->add_referral_outcomes();
    feedback->set_referral_id(referral_id_);
    feedback->set_returnee_feedback("likes the work");
    contact->set_wellbeing(wellbeing);
    contact->set_satisfaction(4);
    contact->set_w_phase(phase);
    v1::FollowUpContact recorded;
    ASSERT_TRUE(Ok(Call(face, JourneyRole::kCaseManager,
                        "FollowUpService/RecordContact", record, &recorded)));
    EXPECT_EQ(recorded.status(), v1::FOLLOW_UP_CONTACT_STATUS_DONE);
    EXPECT_EQ(recorded.w_phase(), phase);
  }

  // The protection response starts; the first contact (month 1) finds the
  // returnee in re-entry shock.
  void FirstContact() {
    v1::SetActivityStatusRequest start;
    start.set_case_id(case_id_);
    start.set_etag(plan_.etag());
    start.set_activity_id("AC2");
    start.set_status(v1::ACTIVITY_STATUS_IN_PROGRESS);
    ASSERT_TRUE(Ok(Call(Face::kGrpc, JourneyRole::kCaseManager,
                        "PlanService/SetActivityStatus", start, &plan_)));
    EXPECT_EQ(plan_.activities(1).status(), v1::ACTIVITY_STATUS_IN_PROGRESS);
    RecordNextContact(Face::kGrpc, "journey-contact-1",
                      v1::W_PHASE_REENTRY_SHOCK, 2);
    auto trajectory = std::make_shared<v1::GetTrajectoryRequest>();
    trajectory->set_case_id(case_id_);
    AddProbe("GetTrajectory", "FollowUpService/GetTrajectory", trajectory,
             std::make_shared<v1::Trajectory>(),
             CaseWorkersOnly(grpc::StatusCode::PERMISSION_DENIED));
  }

  // The second contact (month 2), over JSON: readjusting.
  void SecondContact() {
    RecordNextContact(Face::kJson, "journey-contact-2",
                      v1::W_PHASE_READJUSTMENT, 4);
    const v1::Trajectory trajectory = Trajectory();
    std::vector<v1::WPhase> phases;
    for (const auto& point : trajectory.contacts()) {
      phases.push_back(point.w_phase());
    }
    EXPECT_THAT(phases, ElementsAre(v1::W_PHASE_REENTRY_SHOCK,
                                    v1::W_PHASE_READJUSTMENT));
  }

  // The follow-up RSS, compared with the baseline by the supervisor: every
  // dimension improved by the hand-worked amounts; the trajectory shows
  // both surveys once follow-up has them from the assessment feed.
  void SubmitFollowUpRss() {
    follow_up_rss_ =
        SubmitRss(Face::kGrpc, "journey-rss-follow-up",
                  v1::ASSESSMENT_OCCASION_FOLLOW_UP, kFollowUpAnswers);
    ASSERT_FALSE(follow_up_rss_.assessment_id().empty());
    EXPECT_DOUBLE_EQ(follow_up_rss_.scores().economic(), 0.75);
    EXPECT_DOUBLE_EQ(follow_up_rss_.scores().social(), 0.9375);
    EXPECT_DOUBLE_EQ(follow_up_rss_.scores().psychosocial(), 1.0);
    EXPECT_DOUBLE_EQ(follow_up_rss_.scores().composite(), 0.8929);

    v1::CompareAssessmentsRequest compare;
    compare.set_case_id(case_id_);
    compare.set_base_assessment_id(baseline_.assessment_id());
    compare.set_target_assessment_id(follow_up_rss_.assessment_id());
    v1::CompareAssessmentsResponse compared;
    ASSERT_TRUE(
        Ok(Call(Face::kJson, JourneyRole::kSupervisor,
                "AssessmentService/CompareAssessments", compare, &compared)));
    std::map<v1::ScoreKind, double> change;
    for (const v1::ScoreChange& c : compared.changes()) {
      change[c.score()] = c.change();
    }
    EXPECT_DOUBLE_EQ(change[v1::SCORE_KIND_ECONOMIC], 0.45);
    EXPECT_DOUBLE_EQ(change[v1::SCORE_KIND_SOCIAL], 0.3125);
    EXPECT_DOUBLE_EQ(change[v1::SCORE_KIND_PSYCHOSOCIAL], 0.4);
    EXPECT_DOUBLE_EQ(change[v1::SCORE_KIND_COMPOSITE], 0.3929);

    v1::Trajectory trajectory;
    EXPECT_TRUE(Eventually([&] {
      trajectory = Trajectory();
      return trajectory.surveys_size() == 2;
    })) << trajectory.ShortDebugString();
  }

  // The protection response is done and the plan completed: the case moves
  // to MONITORING.
  void CompletePlan() {
    v1::SetActivityStatusRequest done;
    done.set_case_id(case_id_);
    done.set_etag(plan_.etag());
    done.set_activity_id("AC2");
    done.set_status(v1::ACTIVITY_STATUS_DONE);
    ASSERT_TRUE(Ok(Call(Face::kJson, JourneyRole::kCaseManager,
                        "PlanService/SetActivityStatus", done, &plan_)));
    EXPECT_EQ(PlanStep(Face::kGrpc, JourneyRole::kCaseManager, "CompletePlan")
                  .status(),
              v1::PLAN_STATUS_COMPLETED);
    ExpectStage(v1::CASE_STAGE_MONITORING);
  }

  // Before closing, the case manager resolves the concern and the need and
  // cancels the draft referral; once follow-up has learned all that, nothing is
  // left open but the final RSS, which the closure names (the follow-up RSS).
  // The case manager asks to close (the programme requires approval:
  // PENDING_APPROVAL), may not approve it, the supervisor approves; every
  // service then knows the case closed.
  void Close() {
    v1::ProtectionConcern concern = Concerns().concerns(0);
    v1::SetProtectionConcernStatusRequest resolve;
    resolve.set_case_id(case_id_);
    resolve.set_concern_id(concern_id_);
    resolve.set_etag(concern.etag());
    resolve.set_status(v1::NEED_STATUS_RESOLVED);
    ASSERT_TRUE(
        Ok(Call(Face::kGrpc, JourneyRole::kCaseManager,
                "NeedService/SetProtectionConcernStatus", resolve, &concern)));
    EXPECT_EQ(concern.status(), v1::NEED_STATUS_RESOLVED);
    // The placement answered the employment need: the case manager marks it
    // resolved (a completed activity does not resolve a need by itself).
    v1::Need need = Needs().needs(0);
    v1::SetNeedStatusRequest resolve_need;
    resolve_need.set_case_id(case_id_);
    resolve_need.set_need_id(need_id_);
    resolve_need.set_etag(need.etag());
    resolve_need.set_status(v1::NEED_STATUS_RESOLVED);
    ASSERT_TRUE(Ok(Call(Face::kJson, JourneyRole::kCaseManager,
                        "NeedService/SetNeedStatus", resolve_need, &need)));
    EXPECT_EQ(need.status(), v1::NEED_STATUS_RESOLVED);

    v1::GetReferralRequest get;
    get.set_case_id(case_id_);
    get.set_referral_id(other_referral_id_);
    v1::Referral draft;
    ASSERT_TRUE(Ok(Call(Face::kGrpc, JourneyRole::kCaseManager,
                        "ReferralService/GetReferral", get, &draft)));
    v1::ChangeReferralStatusRequest cancel;
    cancel.set_case_id(case_id_);
    cancel.set_referral_id(other_referral_id_);
    cancel.set_etag(draft.etag());
    cancel.set_status(v1::REFERRAL_STATUS_CANCELLED);
    cancel.set_reason("the partner's placement covers it");
    ASSERT_TRUE(
        Ok(Call(Face::kJson, JourneyRole::kCaseManager,
                "ReferralService/ChangeReferralStatus", cancel, &draft)));
    EXPECT_EQ(draft.status(), v1::REFERRAL_STATUS_CANCELLED);

    v1::GetClosureChecksRequest checks_request;
    checks_request.set_case_id(case_id_);
    v1::ClosureChecks checks;
    EXPECT_TRUE(Eventually([&] {
      return Call(Face::kGrpc, JourneyRole::kCaseManager,
                  "CaseClosureService/GetClosureChecks", checks_request,
                  &checks)
                 .ok() &&
             checks.checks_size() == 1;
    })) << checks.ShortDebugString();
    // Only the final RSS is reported missing: GetClosureChecks cannot know
    // which survey the closure will name (none of occasion CLOSURE yet).
    ASSERT_EQ(checks.checks_size(), 1);
    EXPECT_EQ(checks.checks(0).kind(), v1::CLOSURE_CHECK_KIND_NO_FINAL_RSS);
    EXPECT_TRUE(checks.approval_required());

    v1::CloseCaseRequest close;
    close.set_request_id("journey-close-1");
    v1::Closure* closure = close.mutable_closure();
    closure->set_case_id(case_id_);
    closure->set_reason(v1::CLOSURE_REASON_SUPPORT_COMPLETED);
    closure->set_final_rss_assessment_id(follow_up_rss_.assessment_id());
    closure->mutable_closing_session()->set_held(true);
    *closure->mutable_closing_session()->mutable_date() = DaysFromToday(0);
    closure->mutable_closing_session()->set_mode(v1::FOLLOW_UP_MODE_OFFICE);
    v1::Closure pending;
    ASSERT_TRUE(Ok(Call(Face::kJson, JourneyRole::kCaseManager,
                        "CaseClosureService/CloseCase", close, &pending)));
    EXPECT_EQ(pending.status(), v1::CLOSURE_STATUS_PENDING_APPROVAL);
    EXPECT_EQ(pending.kind(), v1::CLOSURE_KIND_PLANNED);

    v1::ClosureStepRequest approve;
    approve.set_case_id(case_id_);
    approve.set_closure_id(pending.closure_id());
    approve.set_etag(pending.etag());
    v1::Closure refused;
    EXPECT_EQ(Call(Face::kGrpc, JourneyRole::kCaseManager,
                   "CaseClosureService/ApproveClosure", approve, &refused)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    v1::Closure closed;
    ASSERT_TRUE(
        Ok(Call(Face::kGrpc, JourneyRole::kSupervisor,
                "CaseClosureService/ApproveClosure", approve, &closed)));
    EXPECT_EQ(closed.status(), v1::CLOSURE_STATUS_CLOSED);

    // Closed everywhere: the case's stage, the schedule, and changes
    // refused by each service.
    ExpectStage(v1::CASE_STAGE_CLOSED);
    v1::ListContactsRequest list;
    list.set_case_id(case_id_);
    list.set_status(v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
    v1::ListContactsResponse scheduled;
    EXPECT_TRUE(Ok(Call(Face::kJson, JourneyRole::kCaseManager,
                        "FollowUpService/ListContacts", list, &scheduled)));
    EXPECT_EQ(scheduled.contacts_size(), 0) << scheduled.ShortDebugString();
    v1::CreateReferralRequest late;
    late.set_request_id("journey-referral-late");
    late.mutable_referral()->set_case_id(case_id_);
    late.mutable_referral()->set_service_id(kJourneyPartnerService);
    late.mutable_referral()->set_purpose("another placement");
    late.mutable_referral()->set_urgency(v1::REFERRAL_URGENCY_ROUTINE);
    *late.mutable_referral()->mutable_expected_response_date() =
        DaysFromToday(14);
    *late.mutable_referral()->mutable_expected_completion_date() =
        DaysFromToday(60);
    v1::Referral not_made;
    grpc::Status status;
    EXPECT_TRUE(Eventually([&] {
      status = Call(Face::kGrpc, JourneyRole::kCaseManager,
                    "ReferralService/CreateReferral", late, &not_made);
      return status.error_code() == grpc::StatusCode::FAILED_PRECONDITION;
    })) << status.error_code()
        << " " << status.error_message();
    v1::PlanStepRequest revise;
    revise.set_case_id(case_id_);
    revise.set_etag(plan_.etag());
    revise.set_comment("new idea");
    v1::Plan not_revised;
    EXPECT_TRUE(Eventually([&] {
      status = Call(Face::kGrpc, JourneyRole::kCaseManager,
                    "PlanService/RevisePlan", revise, &not_revised);
      return status.error_code() == grpc::StatusCode::FAILED_PRECONDITION;
    })) << status.error_code()
        << " " << status.error_message();

    auto get_closure = std::make_shared<v1::GetClosureRequest>();
    get_closure->set_case_id(case_id_);
    AddProbe("GetClosure", "CaseClosureService/GetClosure", get_closure,
             std::make_shared<v1::Closure>(),
             CaseWorkersOnly(grpc::StatusCode::PERMISSION_DENIED));
  }

  // The case overview and the office's indicators once the case is closed.
  // The overview is the case workers' (the other office's case manager gets
  // NOT_FOUND: the overview never says that a case exists); it carries every
  // part, the same on both faces, with the scores' change since the
  // baseline worked out above. The indicators are the monitoring officer's,
  // the supervisor's and the administrator's, never a case manager's or a
  // partner's; with one case in the office every group is 0 or suppressed
  // (below the default threshold of 5), so nothing singles the returnee out,
  // and every service's part arrived.
  void OverviewAndIndicators() {
    auto overview_request = std::make_shared<v1::GetCaseOverviewRequest>();
    overview_request->set_case_id(case_id_);
    AddProbe("GetCaseOverview", "CaseOverviewService/GetCaseOverview",
             overview_request, std::make_shared<v1::CaseOverview>(),
             CaseWorkersOnly(grpc::StatusCode::NOT_FOUND));

    v1::CaseOverview overview;
    ASSERT_TRUE(Ok(Call(Face::kGrpc, JourneyRole::kSupervisor,
                        "CaseOverviewService/GetCaseOverview",
                        *overview_request, &overview)));
    v1::CaseOverview over_json;
    ASSERT_TRUE(Ok(Call(Face::kJson, JourneyRole::kCaseManager,
                        "CaseOverviewService/GetCaseOverview",
                        *overview_request, &over_json)));
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(overview, over_json))
        << overview.ShortDebugString() << "\n"
        << over_json.ShortDebugString();
    EXPECT_THAT(overview.missing_parts(), ::testing::IsEmpty());
    EXPECT_EQ(overview.case_().stage(), v1::CASE_STAGE_CLOSED);
    std::map<v1::ScoreKind, double> changes;
    for (const v1::ScoreChange& change : overview.scores().changes()) {
      changes[change.score()] = change.change();
    }
    EXPECT_THAT(
        changes,
        ElementsAre(Pair(v1::SCORE_KIND_ECONOMIC, DoubleNear(0.45, 1e-6)),
                    Pair(v1::SCORE_KIND_SOCIAL, DoubleNear(0.3125, 1e-6)),
                    Pair(v1::SCORE_KIND_PSYCHOSOCIAL, DoubleNear(0.4, 1e-6)),
                    Pair(v1::SCORE_KIND_COMPOSITE, DoubleNear(0.3929, 1e-6))));
    EXPECT_EQ(overview.plan().status(), v1::PLAN_STATUS_COMPLETED);
    EXPECT_EQ(overview.referrals_size(), 2);
    // Closing the case cancelled every contact still scheduled.
    EXPECT_THAT(overview.upcoming_contacts(), ::testing::IsEmpty());
    EXPECT_THAT(overview.overdue_contacts(), ::testing::IsEmpty());
    std::vector<v1::WPhase> phases;
    for (const v1::TrajectoryPoint& point : overview.trajectory().contacts()) {
      phases.push_back(point.w_phase());
    }
    EXPECT_THAT(phases, ElementsAre(v1::W_PHASE_REENTRY_SHOCK,
                                    v1::W_PHASE_READJUSTMENT));
    // Open means OPEN or BEING_ADDRESSED, as the services list them.
    int open_needs = 0;
    const v1::ListNeedsResponse needs = Needs();
    for (const v1::Need& n : needs.needs()) {
      open_needs += n.status() == v1::NEED_STATUS_OPEN ||
                    n.status() == v1::NEED_STATUS_BEING_ADDRESSED;
    }
    int open_concerns = 0;
    const v1::ListProtectionConcernsResponse concerns = Concerns();
    for (const v1::ProtectionConcern& pc : concerns.concerns()) {
      open_concerns += pc.status() == v1::NEED_STATUS_OPEN ||
                       pc.status() == v1::NEED_STATUS_BEING_ADDRESSED;
    }
    EXPECT_EQ(overview.open_needs_size(), open_needs);
    EXPECT_EQ(overview.open_protection_concerns_size(), open_concerns);

    auto indicators_request =
        std::make_shared<v1::GetProgrammeIndicatorsRequest>();
    indicators_request->set_office_id(kJourneyOffice);
    *indicators_request->mutable_period_start() = DaysFromToday(-30);
    *indicators_request->mutable_period_end() = DaysFromToday(0);
    std::map<JourneyRole, grpc::StatusCode> readers;
    for (JourneyRole role : kJourneyRoles) {
      readers[role] = grpc::StatusCode::PERMISSION_DENIED;
    }
    readers[JourneyRole::kSupervisor] = grpc::StatusCode::OK;
    readers[JourneyRole::kMonitoring] = grpc::StatusCode::OK;
    readers[JourneyRole::kAdministrator] = grpc::StatusCode::OK;
    AddProbe("GetProgrammeIndicators",
             "ProgrammeIndicatorService/GetProgrammeIndicators",
             indicators_request, std::make_shared<v1::ProgrammeIndicators>(),
             readers);

    v1::ProgrammeIndicators indicators;
    ASSERT_TRUE(Ok(Call(Face::kJson, JourneyRole::kMonitoring,
                        "ProgrammeIndicatorService/GetProgrammeIndicators",
                        *indicators_request, &indicators)));
    EXPECT_THAT(indicators.missing_services(), ::testing::IsEmpty());
    EXPECT_EQ(indicators.suppression_threshold(), 5);
    ASSERT_EQ(indicators.tables_size(), 7);
    int suppressed = 0;
    for (const v1::IndicatorTable& table : indicators.tables()) {
      for (const v1::IndicatorRow& row : table.rows()) {
        for (const v1::IndicatorValue& value : row.values()) {
          suppressed += value.suppressed();
          EXPECT_TRUE(value.suppressed() ||
                      (value.has_count() && value.count() == 0) ||
                      value.kind_case() == v1::IndicatorValue::KIND_NOT_SET)
              << table.name() << " " << row.label() << ": "
              << value.ShortDebugString();
        }
      }
    }
    const v1::IndicatorTable& caseload = indicators.tables(0);
    ASSERT_EQ(caseload.name(), "caseload");
    for (const v1::IndicatorRow& row : caseload.rows()) {
      // cases, registered_in_period: the one case is CLOSED and was
      // registered today, so both are suppressed in its row only.
      const bool closed = row.label() == "CASE_STAGE_CLOSED";
      ASSERT_EQ(row.values_size(), 2) << row.label();
      EXPECT_EQ(row.values(0).suppressed(), closed) << row.label();
      EXPECT_EQ(row.values(1).suppressed(), closed) << row.label();
    }
    // Registration, plan, referral, contacts, surveys and closure each left
    // a group of one somewhere.
    EXPECT_GE(suppressed, 10);

    // One table as CSV from the JSON face: the same suppressed cell as "<5".
    httplib::Client http("127.0.0.1", deployment_.http_port());
    v1::GetProgrammeIndicatorsRequest csv_request = *indicators_request;
    csv_request.set_table(v1::INDICATOR_TABLE_CASELOAD);
    std::string body;
    ASSERT_TRUE(
        google::protobuf::util::MessageToJsonString(csv_request, &body).ok());
    httplib::Result csv = http.Post(
        "/homeward.v1.ProgrammeIndicatorService/GetProgrammeIndicators",
        {{"Authorization",
          absl::StrCat("Bearer ", testing::KeyOf(JourneyRole::kMonitoring))},
         {"Accept", "text/csv"}},
        body, "application/json");
    ASSERT_TRUE(csv);
    EXPECT_EQ(csv->status, 200) << csv->body;
    EXPECT_THAT(csv->get_header_value("Content-Type"), HasSubstr("text/csv"));
    EXPECT_THAT(csv->body, HasSubstr("CASE_STAGE_CLOSED,<5,<5"));
    EXPECT_THAT(csv->body, HasSubstr("CASE_STAGE_INTAKE,0,0"));
  }

  void JoinRestarter() {
    if (restarter_.joinable()) restarter_.join();
  }

  JourneyDeployment& deployment_;
  JourneyClient client_;
  std::optional<Disruption> disruption_;
  std::thread restarter_;
  std::atomic<bool> restarted_{false};
  std::vector<Probe> probes_;
  std::string case_id_;
  std::string concern_id_;
  std::string need_id_;
  std::string referral_id_;
  std::string other_referral_id_;
  v1::Assessment baseline_;
  v1::Assessment follow_up_rss_;
  v1::Plan plan_;
};

// The final state of the undisturbed journey (FinalState): what every run,
// disturbed or not, must end in.
constexpr char kExpectedFinalState[] = R"(stage CASE_STAGE_CLOSED
history CASE_STAGE_INTAKE<-CaseRegistered CASE_STAGE_ASSESSMENT<-AssessmentCompleted CASE_STAGE_PLANNING<-PlanCreated CASE_STAGE_DELIVERY<-PlanApproved CASE_STAGE_MONITORING<-PlanCompleted CASE_STAGE_CLOSED<-CaseClosed
consents 3
sessions 1
assessment domv_screening ASSESSMENT_OCCASION_ON_ARRIVAL scores  flags 1 needs 0
assessment rss ASSESSMENT_OCCASION_BASELINE scores economic: 0.3 social: 0.625 psychosocial: 0.6 composite: 0.5 flags 0 needs 1
assessment rss ASSESSMENT_OCCASION_FOLLOW_UP scores economic: 0.75 social: 0.9375 psychosocial: 1 composite: 0.8929 flags 0 needs 0
need employment NEED_STATUS_RESOLVED NEED_PRIORITY_HIGH responders 1
concern SUSPECTED_TRAFFICKING_VICTIM NEED_STATUS_RESOLVED responders 1
plan v1 PLAN_STATUS_COMPLETED
activity AC1 employment ACTIVITY_STATUS_DONE referral REFERRAL_STATUS_COMPLETED feasibility unmet [employers_hiring_locally]
activity AC2 counter_trafficking ACTIVITY_STATUS_DONE referral REFERRAL_STATUS_UNSPECIFIED feasibility unmet []
referral org-atelier-pikine REFERRAL_STATUS_COMPLETED outcome 'placed as a tailor's assistant' history REFERRAL_STATUS_REQUESTED,REFERRAL_STATUS_RECEIVED,REFERRAL_STATUS_ACCEPTED,REFERRAL_STATUS_IN_PROGRESS,REFERRAL_STATUS_COMPLETED
referral org-ecoute-thies REFERRAL_STATUS_CANCELLED outcome '' history REFERRAL_STATUS_DRAFT,REFERRAL_STATUS_CANCELLED
contact month 1 FOLLOW_UP_CONTACT_STATUS_DONE W_PHASE_REENTRY_SHOCK rss_due 0
contact month 2 FOLLOW_UP_CONTACT_STATUS_DONE W_PHASE_READJUSTMENT rss_due 0
contact month 3 FOLLOW_UP_CONTACT_STATUS_CANCELLED W_PHASE_UNSPECIFIED rss_due 1
contact month 6 FOLLOW_UP_CONTACT_STATUS_CANCELLED W_PHASE_UNSPECIFIED rss_due 0
contact month 9 FOLLOW_UP_CONTACT_STATUS_CANCELLED W_PHASE_UNSPECIFIED rss_due 0
contact month 12 FOLLOW_UP_CONTACT_STATUS_CANCELLED W_PHASE_UNSPECIFIED rss_due 1
trajectory W_PHASE_REENTRY_SHOCK wellbeing 2
trajectory W_PHASE_READJUSTMENT wellbeing 4
survey ASSESSMENT_OCCASION_BASELINE economic: 0.3 social: 0.625 psychosocial: 0.6 composite: 0.5
survey ASSESSMENT_OCCASION_FOLLOW_UP economic: 0.75 social: 0.9375 psychosocial: 1 composite: 0.8929
closure CLOSURE_STATUS_CLOSED CLOSURE_KIND_PLANNED CLOSURE_REASON_SUPPORT_COMPLETED checks 0 history CLOSURE_STATUS_PENDING_APPROVAL,CLOSURE_STATUS_CLOSED)";

// Plays the journey on a fresh deployment, killing and restarting
// `disruption`'s service after its step; the final state.
std::string PlayJourney(std::optional<Disruption> disruption) {
  JourneyDeployment deployment;
  if (!deployment.Started()) {
    ADD_FAILURE() << deployment.Logs();
    return "";
  }
  Journey journey(deployment, disruption);
  journey.Play();
  // Waits for the restart (if any) before anything reads the processes.
  const bool restarted = journey.Restarted();
  if (::testing::Test::HasFatalFailure()) {
    ADD_FAILURE() << deployment.Logs();
    return "";
  }
  if (disruption) {
    // The service was down when the next step began: its calls were
    // answered UNAVAILABLE and retried until it was back.
    EXPECT_TRUE(restarted) << deployment.Logs();
    EXPECT_GT(journey.RetriedAnswers(), 0);
  }
  const std::string state = journey.FinalState();
  EXPECT_TRUE(deployment.StopGracefully()) << deployment.Logs();
  // The logs carry identifiers and codes, never the returnee's data.
  EXPECT_THAT(deployment.Logs(), ::testing::Not(HasSubstr("Ndiaye")));
  EXPECT_THAT(deployment.Logs(), ::testing::Not(HasSubstr("tailor")));
  return state;
}

TEST(JourneyTest, WholeJourneyThroughEveryServiceOverBothFaces) {
  const std::string state = PlayJourney(std::nullopt);
  EXPECT_EQ(state, kExpectedFinalState);
}

struct DisruptionCase {
  const char* name;
  Disruption disruption;
};

// Names the case in test names and messages (not its bytes).
void PrintTo(const DisruptionCase& c, std::ostream* os) { *os << c.name; }

class DisruptedJourneyTest : public ::testing::TestWithParam<DisruptionCase> {};

TEST_P(DisruptedJourneyTest, EndsInTheSameStateAsTheUndisturbedJourney) {
  const std::string state = PlayJourney(GetParam().disruption);
  EXPECT_EQ(state, kExpectedFinalState);
}

INSTANTIATE_TEST_SUITE_P(
    ServiceKilledMidway, DisruptedJourneyTest,
    ::testing::Values(
        // Between the referral's creation and the partner's first answer.
        DisruptionCase{"ReferralAfterCreation",
                       {JourneyService::kReferral, Step::kReferralCreated}},
        // Between the two follow-up contacts.
        DisruptionCase{"FollowUpBetweenContacts",
                       {JourneyService::kFollowUp, Step::kFirstContact}}),
    [](const ::testing::TestParamInfo<DisruptionCase>& info) {
      return std::string(info.param.name);
    });

}  // namespace
}  // namespace homeward
