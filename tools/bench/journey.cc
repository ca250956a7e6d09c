// The journey mixed workload; see journey.h.
#include "tools/bench/journey.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/api/field_checks.h"
#include "common/auth/crypto.h"
#include "common/status/status_macros.h"
#include "grpcpp/client_context.h"
#include "homeward/v1/assessments.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/consent.grpc.pb.h"
#include "homeward/v1/counselling.grpc.pb.h"
#include "homeward/v1/follow_up.grpc.pb.h"
#include "homeward/v1/instruments.grpc.pb.h"
#include "homeward/v1/needs.grpc.pb.h"
#include "homeward/v1/overview.grpc.pb.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "homeward/v1/referral.grpc.pb.h"
#include "services/gateway/api_keys.h"
#include "tools/bench/scenarios.h"

namespace homeward::bench {
namespace {

namespace v1 = homeward::v1;

constexpr auto kCallDeadline = std::chrono::seconds(30);
// How long a journey waits for a service to apply what another wrote
// (the machine is small and shared: generous).
constexpr absl::Duration kFeedTimeout = absl::Seconds(60);
constexpr absl::Duration kPoll = absl::Milliseconds(5);
constexpr absl::Duration kRetryPause = absl::Milliseconds(20);
constexpr int kPageSize = 50;
// Back three weeks ago: every point of the example programme's cadence
// (months 1 to 12 after return) lies ahead of a plan approved today.
constexpr int kReturnedDaysAgo = 21;

// The DoMV factors answered "yes": a protection flag with another severe
// risk, so the screening raises a protection concern.
constexpr const char* kDomvYes[] = {"trafficking_indicators",
                                    "violence_survivor"};
// RSS answers (the worked example of docs/INSTRUMENTS.md section 7).
constexpr std::pair<const char*, const char*> kRssAnswers[] = {
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

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec +
                                    usage.ru_stime.tv_usec);
}

std::string CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i < 17 ? kNames[i] : absl::StrCat("CODE_", i);
}

absl::CivilDay Today() {
  return absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
}

// Every call's outcome, per method; latencies only for calls completed in
// the measured window.
class CallLog {
 public:
  void SetWindow(absl::Time start, absl::Time end) {
    absl::MutexLock lock(&mu_);
    window_start_ = start;
    window_end_ = end;
  }
  bool InWindow(absl::Time t) {
    absl::MutexLock lock(&mu_);
    return t >= window_start_ && t < window_end_;
  }
  void Record(const std::string& method, absl::Time start, absl::Time end,
              const grpc::Status& status, bool retried, bool journey) {
    absl::MutexLock lock(&mu_);
    MethodReport& m = methods_[method];
    if (status.ok()) {
      if (end >= window_start_ && end < window_end_) {
        ++m.ok;
        ++calls_;
        if (journey) ++journey_calls_;
        m.latencies_us.push_back(static_cast<uint32_t>(std::min<int64_t>(
            absl::ToInt64Microseconds(end - start), UINT32_MAX)));
      }
      return;
    }
    if (retried) {
      ++m.retried;
      return;
    }
    ++m.failures[CodeName(status.error_code())];
    if (m.first_error.empty()) {
      m.first_error = absl::StrCat(CodeName(status.error_code()), ": ",
                                   status.error_message());
    }
  }
  void Fill(JourneyReport& report) {
    absl::MutexLock lock(&mu_);
    report.methods = methods_;
    for (auto& [name, m] : report.methods) {
      std::sort(m.latencies_us.begin(), m.latencies_us.end());
    }
    report.calls = calls_;
    report.journey_calls = journey_calls_;
  }

 private:
  absl::Mutex mu_;
  absl::Time window_start_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  absl::Time window_end_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  std::map<std::string, MethodReport> methods_ ABSL_GUARDED_BY(mu_);
  uint64_t calls_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t journey_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

// The stubs of every service the mix calls, over one channel.
struct Stubs {
  explicit Stubs(const std::shared_ptr<grpc::Channel>& channel)
      : cases(v1::CaseService::NewStub(channel)),
        consents(v1::ConsentService::NewStub(channel)),
        counselling(v1::CounsellingService::NewStub(channel)),
        assessments(v1::AssessmentService::NewStub(channel)),
        instruments(v1::InstrumentService::NewStub(channel)),
        needs(v1::NeedService::NewStub(channel)),
        plans(v1::PlanService::NewStub(channel)),
        referrals(v1::ReferralService::NewStub(channel)),
        partner(v1::PartnerReferralService::NewStub(channel)),
        follow_up(v1::FollowUpService::NewStub(channel)),
        closure(v1::CaseClosureService::NewStub(channel)),
        overview(v1::CaseOverviewService::NewStub(channel)) {}
  std::unique_ptr<v1::CaseService::Stub> cases;
  std::unique_ptr<v1::ConsentService::Stub> consents;
  std::unique_ptr<v1::CounsellingService::Stub> counselling;
  std::unique_ptr<v1::AssessmentService::Stub> assessments;
  std::unique_ptr<v1::InstrumentService::Stub> instruments;
  std::unique_ptr<v1::NeedService::Stub> needs;
  std::unique_ptr<v1::PlanService::Stub> plans;
  std::unique_ptr<v1::ReferralService::Stub> referrals;
  std::unique_ptr<v1::PartnerReferralService::Stub> partner;
  std::unique_ptr<v1::FollowUpService::Stub> follow_up;
  std::unique_ptr<v1::CaseClosureService::Stub> closure;
  std::unique_ptr<v1::CaseOverviewService::Stub> overview;
};

// Which of the outcomes of a call are expected and retried.
enum class Retry {
  kNever,
  // NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION: retried by Call until
  // the service has applied its feeds.
  kUntilFeedApplied,
  // ABORTED (the etag is stale: the record changed meanwhile): returned to
  // the caller, who reads the record again and retries, as a client should.
  kRereadOnAborted,
};

class Mix {
 public:
  Mix(const JourneyTarget& target, const JourneyMix& mix,
      std::vector<std::unique_ptr<Stubs>> stubs, v1::InstrumentDefinition domv,
      int rss_version)
      : target_(target),
        mix_(mix),
        stubs_(std::move(stubs)),
        domv_(std::move(domv)),
        rss_version_(rss_version),
        prefix_(absl::StrCat("journey-", crypto::RandomHex(4), "-")) {}

  CallLog& log() { return log_; }

  // One whole journey; its case id is added to the readers' cases at the
  // end. `measured`: its lags count.
  absl::Status Walk(uint64_t n, bool measured);

  // One read, chosen by weight.
  void Read(std::mt19937_64& random, std::string& list_token,
            std::string& due_token);

  void AddCase(std::string case_id) {
    absl::MutexLock lock(&mu_);
    cases_.push_back(std::move(case_id));
  }
  size_t CaseCount() {
    absl::MutexLock lock(&mu_);
    return cases_.size();
  }
  void Lags(JourneyReport& report) {
    absl::MutexLock lock(&mu_);
    report.registration_lag_us = registration_lag_us_;
    report.approval_lag_us = approval_lag_us_;
    std::sort(report.registration_lag_us.begin(),
              report.registration_lag_us.end());
    std::sort(report.approval_lag_us.begin(), report.approval_lag_us.end());
  }

 private:
  Stubs& StubsFor(uint64_t n) { return *stubs_[n % stubs_.size()]; }

  // Calls `method` on `stub` with `key`, recording it under `name`. With
  // kUntilFeedApplied, NOT_FOUND, INVALID_ARGUMENT and FAILED_PRECONDITION
  // answers are retried (counted as retried) until kFeedTimeout.
  template <typename Stub, typename Request, typename Response>
  grpc::Status Call(const char* name, const std::string& key, Stub& stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                 const Request&, Response*),
                    const Request& request, Response* response,
                    bool journey = true, Retry retry = Retry::kNever) {
    const absl::Time give_up = absl::Now() + kFeedTimeout;
    for (;;) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
      context.AddMetadata(gateway::kAuthorizationHeader,
                          absl::StrCat("Bearer ", key));
      const absl::Time start = absl::Now();
      grpc::Status status = (stub.*method)(&context, request, response);
      const absl::Time end = absl::Now();
      const bool again =
          retry == Retry::kUntilFeedApplied && !status.ok() && end < give_up &&
          (status.error_code() == grpc::StatusCode::NOT_FOUND ||
           status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
           status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
      const bool reread = retry == Retry::kRereadOnAborted &&
                          status.error_code() == grpc::StatusCode::ABORTED;
      log_.Record(name, start, end, status, again || reread, journey);
      if (!again) return status;
      absl::SleepFor(kRetryPause);
    }
  }

  // Polls `ready` every kPoll until it holds or kFeedTimeout passes; the
  // time it took from `since`, or an error.
  absl::StatusOr<absl::Duration> WaitFor(absl::Time since,
                                         const std::function<bool()>& ready,
                                         absl::string_view what) {
    const absl::Time give_up = absl::Now() + kFeedTimeout;
    while (!ready()) {
      if (absl::Now() > give_up) {
        return absl::DeadlineExceededError(absl::StrCat(
            what, ": not seen within ", absl::FormatDuration(kFeedTimeout)));
      }
      absl::SleepFor(kPoll);
    }
    return absl::Now() - since;
  }

  absl::Status Fail(absl::string_view step, const grpc::Status& status) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat(step, ": ", status.error_message()));
  }

  v1::SubmitAssessmentRequest Rss(const std::string& case_id,
                                  const std::string& request_id,
                                  v1::AssessmentOccasion occasion) const {
    v1::SubmitAssessmentRequest r;
    r.set_request_id(request_id);
    r.set_case_id(case_id);
    r.set_instrument_id("rss");
    r.set_instrument_version(rss_version_);
    *r.mutable_assessment_date() = api::ToDate(Today());
    r.set_occasion(occasion);
    r.set_assessor_role(v1::ASSESSOR_ROLE_CASE_MANAGER);
    r.set_mode(v1::CONTACT_MODE_IN_PERSON);
    for (const auto& [item, option] : kRssAnswers) {
      v1::Answer& a = *r.add_answers();
      a.set_item_id(item);
      a.set_option_id(option);
    }
    return r;
  }

  const JourneyTarget target_;
  const JourneyMix mix_;
  std::vector<std::unique_ptr<Stubs>> stubs_;
  const v1::InstrumentDefinition domv_;
  const int rss_version_;
  const std::string prefix_;
  CallLog log_;
  std::atomic<uint64_t> reads_{0};

  absl::Mutex mu_;
  std::vector<std::string> cases_ ABSL_GUARDED_BY(mu_);
  std::vector<uint32_t> registration_lag_us_ ABSL_GUARDED_BY(mu_);
  std::vector<uint32_t> approval_lag_us_ ABSL_GUARDED_BY(mu_);
};

uint32_t Micros(absl::Duration d) {
  return static_cast<uint32_t>(
      std::clamp<int64_t>(absl::ToInt64Microseconds(d), 0, UINT32_MAX));
}

absl::Status Mix::Walk(uint64_t n, bool measured) {
  Stubs& s = StubsFor(n);
  const std::string& manager = target_.manager_key;
  const std::string id = absl::StrCat(prefix_, n);
  const absl::CivilDay today = Today();
  grpc::Status status;

  // Registration.
  v1::RegisterCaseRequest registration;
  registration.set_request_id(absl::StrCat(id, "-register"));
  {
    v1::Case& c = *registration.mutable_case_();
    v1::Returnee& p = *c.mutable_returnee();
    p.set_given_name("Journey");
    p.set_family_name(absl::StrCat(n));
    p.set_sex(n % 2 == 0 ? v1::SEX_FEMALE : v1::SEX_MALE);
    *p.mutable_date_of_birth() = api::ToDate(absl::CivilDay(1990, 5, 17));
    p.set_nationality("SN");
    p.add_languages("wo");
    p.add_languages("fr");
    v1::ReturnInfo& info = *c.mutable_return_info();
    info.set_country("SN");
    info.set_region("Dakar");
    info.set_locality("Pikine");
    *info.mutable_return_date() = api::ToDate(today - kReturnedDaysAgo);
    info.set_return_type(v1::RETURN_TYPE_ASSISTED_VOLUNTARY);
    c.set_office_id(target_.office_id);
    c.set_case_manager_id(target_.case_manager_id);
    c.set_programme_id("sn_reintegration");
  }
  v1::Case registered;
  status =
      Call("homeward.v1.CaseService/RegisterCase", manager, *s.cases,
           &v1::CaseService::Stub::RegisterCase, registration, &registered);
  if (!status.ok()) return Fail("RegisterCase", status);
  const absl::Time registered_at = absl::Now();
  const std::string case_id = registered.case_id();

  // Lag probe: until planning knows the case, GetPlan answers that the case
  // is not found; then, before any plan, that the plan is not found.
  {
    v1::GetPlanRequest get;
    get.set_case_id(case_id);
    absl::StatusOr<absl::Duration> lag = WaitFor(
        registered_at,
        [&] {
          grpc::ClientContext context;
          context.set_deadline(std::chrono::system_clock::now() +
                               kCallDeadline);
          context.AddMetadata(gateway::kAuthorizationHeader,
                              absl::StrCat("Bearer ", manager));
          v1::Plan plan;
          const grpc::Status st = s.plans->GetPlan(&context, get, &plan);
          return st.ok() || (st.error_code() == grpc::StatusCode::NOT_FOUND &&
                             absl::StartsWith(st.error_message(), "plan "));
        },
        "the planning service learning of the case");
    if (!lag.ok()) return lag.status();
    if (measured) {
      absl::MutexLock lock(&mu_);
      registration_lag_us_.push_back(Micros(*lag));
    }
  }

  // Consent to share with the partner for referrals.
  v1::RecordConsentRequest consent;
  consent.set_request_id(absl::StrCat(id, "-consent"));
  consent.mutable_consent()->set_case_id(case_id);
  consent.mutable_consent()->set_purpose(v1::CONSENT_PURPOSE_REFERRAL);
  consent.mutable_consent()->set_recipient_agency_id(
      target_.partner_organization);
  consent.mutable_consent()->set_granted(true);
  *consent.mutable_consent()->mutable_decision_date() = api::ToDate(today);
  consent.mutable_consent()->set_method(v1::CONSENT_METHOD_WRITTEN);
  v1::ConsentRecord recorded;
  status =
      Call("homeward.v1.ConsentService/RecordConsent", manager, *s.consents,
           &v1::ConsentService::Stub::RecordConsent, consent, &recorded);
  if (!status.ok()) return Fail("RecordConsent", status);

  // Counselling session.
  v1::RecordCounsellingSessionRequest session;
  session.set_request_id(absl::StrCat(id, "-counselling"));
  {
    v1::CounsellingSession& c = *session.mutable_session();
    c.set_case_id(case_id);
    *c.mutable_session_date() = api::ToDate(today);
    c.set_mode(v1::CONTACT_MODE_IN_PERSON);
    c.add_participants("returnee");
    c.add_topics("housing");
    c.set_observations("journey counselling");
    c.add_agreed_next_steps("screening");
  }
  v1::CounsellingSession held;
  status = Call("homeward.v1.CounsellingService/RecordCounsellingSession",
                manager, *s.counselling,
                &v1::CounsellingService::Stub::RecordCounsellingSession,
                session, &held);
  if (!status.ok()) return Fail("RecordCounsellingSession", status);

  // DoMV screening raising a protection concern.
  v1::SubmitAssessmentRequest screening;
  screening.set_request_id(absl::StrCat(id, "-domv"));
  screening.set_case_id(case_id);
  screening.set_instrument_id(domv_.instrument_id());
  screening.set_instrument_version(domv_.version());
  *screening.mutable_assessment_date() = api::ToDate(today);
  screening.set_occasion(v1::ASSESSMENT_OCCASION_ON_ARRIVAL);
  screening.set_assessor_role(v1::ASSESSOR_ROLE_CASE_MANAGER);
  screening.set_mode(v1::CONTACT_MODE_IN_PERSON);
  for (const auto& item : domv_.items()) {
    if (item.factor_type() == v1::FACTOR_TYPE_UNSPECIFIED) continue;
    const bool yes =
        std::any_of(std::begin(kDomvYes), std::end(kDomvYes),
                    [&](const char* factor) { return item.id() == factor; });
    v1::Answer& a = *screening.add_answers();
    a.set_item_id(item.id());
    a.set_option_id(yes ? "yes" : "no");
  }
  v1::Assessment screened;
  status = Call("homeward.v1.AssessmentService/SubmitAssessment", manager,
                *s.assessments, &v1::AssessmentService::Stub::SubmitAssessment,
                screening, &screened);
  if (!status.ok()) return Fail("SubmitAssessment (DoMV)", status);

  // Baseline RSS.
  v1::Assessment baseline;
  status = Call("homeward.v1.AssessmentService/SubmitAssessment", manager,
                *s.assessments, &v1::AssessmentService::Stub::SubmitAssessment,
                Rss(case_id, absl::StrCat(id, "-rss-baseline"),
                    v1::ASSESSMENT_OCCASION_BASELINE),
                &baseline);
  if (!status.ok()) return Fail("SubmitAssessment (baseline RSS)", status);

  // What the plan must cover: the open needs and protection concerns.
  v1::ListNeedsRequest list_needs;
  list_needs.set_case_id(case_id);
  list_needs.add_statuses(v1::NEED_STATUS_OPEN);
  list_needs.mutable_page()->set_page_size(kPageSize);
  v1::ListNeedsResponse needs;
  status = Call("homeward.v1.NeedService/ListNeeds", manager, *s.needs,
                &v1::NeedService::Stub::ListNeeds, list_needs, &needs);
  if (!status.ok()) return Fail("ListNeeds", status);
  v1::ListProtectionConcernsRequest list_concerns;
  list_concerns.set_case_id(case_id);
  list_concerns.add_statuses(v1::NEED_STATUS_OPEN);
  list_concerns.mutable_page()->set_page_size(kPageSize);
  v1::ListProtectionConcernsResponse concerns;
  status = Call("homeward.v1.NeedService/ListProtectionConcerns", manager,
                *s.needs, &v1::NeedService::Stub::ListProtectionConcerns,
                list_concerns, &concerns);
  if (!status.ok()) return Fail("ListProtectionConcerns", status);

  // The plan: retried while planning has not applied the case, its needs
  // or concerns from the assessment feed.
  v1::CreatePlanRequest create;
  create.set_request_id(absl::StrCat(id, "-plan"));
  *create.mutable_plan() = BenchPlan(case_id, 1, today);
  for (const v1::Need& need : needs.needs()) {
    v1::CoverageNote& note = *create.mutable_plan()->add_coverage_notes();
    note.set_need_id(need.need_id());
    note.set_reason("addressed outside this plan (bench)");
  }
  for (const v1::ProtectionConcern& concern : concerns.concerns()) {
    v1::CoverageNote& note = *create.mutable_plan()->add_coverage_notes();
    note.set_concern_id(concern.concern_id());
    note.set_reason("referred to the protection officer (bench)");
  }
  v1::Plan plan;
  status = Call("homeward.v1.PlanService/CreatePlan", manager, *s.plans,
                &v1::PlanService::Stub::CreatePlan, create, &plan, true,
                Retry::kUntilFeedApplied);
  if (!status.ok()) return Fail("CreatePlan", status);
  using Step = grpc::Status (v1::PlanService::Stub::*)(
      grpc::ClientContext*, const v1::PlanStepRequest&, v1::Plan*);
  const struct {
    const char* name;
    Step step;
    const std::string* key;
  } steps[] = {
      {"homeward.v1.PlanService/AgreePlan", &v1::PlanService::Stub::AgreePlan,
       &manager},
      {"homeward.v1.PlanService/SubmitPlan", &v1::PlanService::Stub::SubmitPlan,
       &manager},
      {"homeward.v1.PlanService/ApprovePlan",
       &v1::PlanService::Stub::ApprovePlan, &target_.supervisor_key},
      {"homeward.v1.PlanService/ActivatePlan",
       &v1::PlanService::Stub::ActivatePlan, &manager},
  };
  for (const auto& step : steps) {
    v1::PlanStepRequest request;
    request.set_case_id(case_id);
    request.set_etag(plan.etag());
    if (step.step == &v1::PlanService::Stub::AgreePlan) {
      *request.mutable_agreement()->mutable_agreed_date() = api::ToDate(today);
      request.mutable_agreement()->set_method(v1::AGREEMENT_METHOD_SIGNED);
    }
    v1::Plan next;
    // Submission checks the coverage notes against the needs and concerns
    // planning has applied from the assessment feed: retried until it has.
    status =
        Call(step.name, *step.key, *s.plans, step.step, request, &next, true,
             step.step == &v1::PlanService::Stub::SubmitPlan
                 ? Retry::kUntilFeedApplied
                 : Retry::kNever);
    if (!status.ok()) return Fail(step.name, status);
    plan = std::move(next);
  }
  const absl::Time activated_at = absl::Now();

  // The referral, retried while the referral service has not applied the
  // case from the assessment feed.
  v1::Referral referral;
  status = Call("homeward.v1.ReferralService/CreateReferral", manager,
                *s.referrals, &v1::ReferralService::Stub::CreateReferral,
                BenchReferral(case_id, target_.partner_service,
                              absl::StrCat(id, "-referral"), today),
                &referral, true, Retry::kUntilFeedApplied);
  if (!status.ok()) return Fail("CreateReferral", status);
  // The partner reads it, accepts, starts and completes it.
  v1::GetReferralRequest get_shared;
  get_shared.set_case_id(case_id);
  get_shared.set_referral_id(referral.referral_id());
  v1::SharedReferral shared;
  status = Call("homeward.v1.PartnerReferralService/GetSharedReferral",
                target_.partner_key, *s.partner,
                &v1::PartnerReferralService::Stub::GetSharedReferral,
                get_shared, &shared);
  if (!status.ok()) return Fail("GetSharedReferral", status);
  for (v1::ReferralStatus next :
       {v1::REFERRAL_STATUS_ACCEPTED, v1::REFERRAL_STATUS_IN_PROGRESS,
        v1::REFERRAL_STATUS_COMPLETED}) {
    v1::ChangeReferralStatusRequest change;
    change.set_case_id(case_id);
    change.set_referral_id(referral.referral_id());
    change.set_etag(shared.etag());
    change.set_status(next);
    if (next == v1::REFERRAL_STATUS_COMPLETED) {
      change.set_outcome("service delivered (bench)");
    }
    v1::SharedReferral answered;
    status = Call("homeward.v1.PartnerReferralService/UpdateSharedReferral",
                  target_.partner_key, *s.partner,
                  &v1::PartnerReferralService::Stub::UpdateSharedReferral,
                  change, &answered);
    if (!status.ok()) {
      return Fail(absl::StrCat("UpdateSharedReferral to ",
                               v1::ReferralStatus_Name(next)),
                  status);
    }
    shared = std::move(answered);
  }

  // The follow-up schedule the approval made (lag probe: polled until the
  // follow-up service has applied the approval from the planning feed).
  v1::ListContactsRequest list_contacts;
  list_contacts.set_case_id(case_id);
  list_contacts.set_status(v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
  v1::ListContactsResponse schedule;
  grpc::Status last_poll;
  absl::StatusOr<absl::Duration> lag = WaitFor(
      activated_at,
      [&] {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
        context.AddMetadata(gateway::kAuthorizationHeader,
                            absl::StrCat("Bearer ", manager));
        const absl::Time start = absl::Now();
        last_poll =
            s.follow_up->ListContacts(&context, list_contacts, &schedule);
        if (last_poll.ok() && schedule.contacts_size() > 0) {
          // The answer the journey uses: a ListContacts call of its own.
          log_.Record("homeward.v1.FollowUpService/ListContacts", start,
                      absl::Now(), last_poll, false, true);
          return true;
        }
        return false;
      },
      "the follow-up schedule of the approved plan");
  if (!lag.ok()) {
    return absl::Status(lag.status().code(),
                        absl::StrCat(lag.status().message(), " (last answer ",
                                     CodeName(last_poll.error_code()), " ",
                                     last_poll.error_message(), ")"));
  }
  if (measured) {
    absl::MutexLock lock(&mu_);
    approval_lag_us_.push_back(Micros(*lag));
  }

  // The first contact, held.
  const v1::FollowUpContact& first = schedule.contacts(0);
  v1::RecordContactRequest record;
  record.set_request_id(absl::StrCat(id, "-contact"));
  record.set_etag(first.etag());
  {
    v1::FollowUpContact& c = *record.mutable_contact();
    c.set_case_id(case_id);
    c.set_contact_id(first.contact_id());
    *c.mutable_contact_date() = api::ToDate(today);
    c.set_mode(v1::FOLLOW_UP_MODE_VISIT);
    c.add_participants()->set_kind(v1::PARTICIPANT_KIND_RETURNEE);
    for (const v1::PlanActivity& a : plan.activities()) {
      v1::ActivityProgress& progress = *c.add_activity_progress();
      progress.set_activity_id(a.activity_id());
      progress.set_rating(v1::ACTIVITY_PROGRESS_RATING_ON_TRACK);
    }
    c.set_wellbeing(3);
    c.set_satisfaction(4);
    c.set_w_phase(v1::W_PHASE_REENTRY_SHOCK);
  }
  // The follow-up service may still be updating the contact from its feeds
  // (e.g. the referral's progress): on ABORTED, read it again and retry.
  v1::FollowUpContact contact;
  for (int attempt = 1;; ++attempt) {
    status = Call("homeward.v1.FollowUpService/RecordContact", manager,
                  *s.follow_up, &v1::FollowUpService::Stub::RecordContact,
                  record, &contact, true, Retry::kRereadOnAborted);
    if (status.error_code() != grpc::StatusCode::ABORTED || attempt == 5) break;
    v1::GetContactRequest get;
    get.set_case_id(case_id);
    get.set_contact_id(record.contact().contact_id());
    v1::FollowUpContact current;
    status =
        Call("homeward.v1.FollowUpService/GetContact", manager, *s.follow_up,
             &v1::FollowUpService::Stub::GetContact, get, &current);
    if (!status.ok()) return Fail("GetContact", status);
    record.set_etag(current.etag());
  }
  if (!status.ok()) return Fail("RecordContact", status);

  // Follow-up RSS.
  v1::Assessment follow_up_rss;
  status = Call("homeward.v1.AssessmentService/SubmitAssessment", manager,
                *s.assessments, &v1::AssessmentService::Stub::SubmitAssessment,
                Rss(case_id, absl::StrCat(id, "-rss-follow-up"),
                    v1::ASSESSMENT_OCCASION_FOLLOW_UP),
                &follow_up_rss);
  if (!status.ok()) return Fail("SubmitAssessment (follow-up RSS)", status);

  // The readers may read it from here on (a closed case reads as any).
  AddCase(case_id);

  // Closure, its open items acknowledged; a supervisor approves it when it
  // waits for approval.
  v1::CloseCaseRequest close;
  close.set_request_id(absl::StrCat(id, "-close"));
  {
    v1::Closure& c = *close.mutable_closure();
    c.set_case_id(case_id);
    c.set_reason(v1::CLOSURE_REASON_MOVED_AWAY);
    c.set_no_final_rss_reason("moved to another region (bench)");
    c.mutable_closing_session()->set_held(true);
    *c.mutable_closing_session()->mutable_date() = api::ToDate(today);
    c.mutable_closing_session()->set_mode(v1::FOLLOW_UP_MODE_PHONE);
  }
  close.set_acknowledge_checks(true);
  v1::Closure closure;
  status = Call("homeward.v1.CaseClosureService/CloseCase", manager, *s.closure,
                &v1::CaseClosureService::Stub::CloseCase, close, &closure);
  if (!status.ok()) return Fail("CloseCase", status);
  if (closure.status() == v1::CLOSURE_STATUS_PENDING_APPROVAL) {
    v1::ClosureStepRequest approve;
    approve.set_case_id(case_id);
    approve.set_closure_id(closure.closure_id());
    approve.set_etag(closure.etag());
    v1::Closure approved;
    status =
        Call("homeward.v1.CaseClosureService/ApproveClosure",
             target_.supervisor_key, *s.closure,
             &v1::CaseClosureService::Stub::ApproveClosure, approve, &approved);
    if (!status.ok()) return Fail("ApproveClosure", status);
  }
  return absl::OkStatus();
}

void Mix::Read(std::mt19937_64& random, std::string& list_token,
               std::string& due_token) {
  const ReadWeights& w = mix_.weights;
  const int weights[] = {w.list_cases,  w.get_case, w.case_overview,
                         w.list_needs,  w.get_plan, w.list_referrals,
                         w.due_contacts};
  int total = 0;
  for (int x : weights) total += std::max(0, x);
  if (total == 0) return;
  int pick = static_cast<int>(random() % static_cast<uint64_t>(total));
  int which = 0;
  while (pick >= std::max(0, weights[which])) {
    pick -= std::max(0, weights[which]);
    ++which;
  }
  std::string case_id;
  {
    absl::MutexLock lock(&mu_);
    if (!cases_.empty()) case_id = cases_[random() % cases_.size()];
  }
  // The reads of one case wait for a case to read.
  if (case_id.empty() && which != 0 && which != 6) which = 0;
  Stubs& s = StubsFor(reads_.fetch_add(1));
  const std::string& key = target_.manager_key;
  switch (which) {
    case 0: {
      v1::ListCasesRequest request;
      request.set_office_id(target_.office_id);
      request.mutable_page()->set_page_size(kPageSize);
      request.mutable_page()->set_page_token(list_token);
      v1::ListCasesResponse response;
      if (Call("homeward.v1.CaseService/ListCases", key, *s.cases,
               &v1::CaseService::Stub::ListCases, request, &response, false)
              .ok()) {
        list_token = response.next_page_token();
      }
      return;
    }
    case 1: {
      v1::GetCaseRequest request;
      request.set_case_id(case_id);
      v1::Case response;
      Call("homeward.v1.CaseService/GetCase", key, *s.cases,
           &v1::CaseService::Stub::GetCase, request, &response, false)
          .IgnoreError();
      return;
    }
    case 2: {
      v1::GetCaseOverviewRequest request;
      request.set_case_id(case_id);
      v1::CaseOverview response;
      Call("homeward.v1.CaseOverviewService/GetCaseOverview", key, *s.overview,
           &v1::CaseOverviewService::Stub::GetCaseOverview, request, &response,
           false)
          .IgnoreError();
      return;
    }
    case 3: {
      v1::ListNeedsRequest request;
      request.set_case_id(case_id);
      request.mutable_page()->set_page_size(kPageSize);
      v1::ListNeedsResponse response;
      Call("homeward.v1.NeedService/ListNeeds", key, *s.needs,
           &v1::NeedService::Stub::ListNeeds, request, &response, false)
          .IgnoreError();
      return;
    }
    case 4: {
      v1::GetPlanRequest request;
      request.set_case_id(case_id);
      v1::Plan response;
      Call("homeward.v1.PlanService/GetPlan", key, *s.plans,
           &v1::PlanService::Stub::GetPlan, request, &response, false)
          .IgnoreError();
      return;
    }
    case 5: {
      v1::ListCaseReferralsRequest request;
      request.set_case_id(case_id);
      request.mutable_page()->set_page_size(kPageSize);
      v1::ListCaseReferralsResponse response;
      Call("homeward.v1.ReferralService/ListCaseReferrals", key, *s.referrals,
           &v1::ReferralService::Stub::ListCaseReferrals, request, &response,
           false)
          .IgnoreError();
      return;
    }
    default: {
      v1::ListDueContactsRequest request;
      request.set_office_id(target_.office_id);
      request.set_case_manager_id(target_.case_manager_id);
      request.set_within_days(30);
      request.mutable_page()->set_page_size(kPageSize);
      request.mutable_page()->set_page_token(due_token);
      v1::ListContactsDueResponse response;
      if (Call("homeward.v1.FollowUpService/ListDueContacts", key, *s.follow_up,
               &v1::FollowUpService::Stub::ListDueContacts, request, &response,
               false)
              .ok()) {
        due_token = response.next_page_token();
      }
      return;
    }
  }
}

// The latest version of instrument `id`, read through the gateway.
absl::StatusOr<v1::InstrumentDefinition> LatestInstrument(
    Stubs& stubs, const std::string& key, const std::string& id) {
  v1::GetInstrumentRequest get;
  get.set_instrument_id(id);
  v1::InstrumentDefinition definition;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
  context.AddMetadata(gateway::kAuthorizationHeader,
                      absl::StrCat("Bearer ", key));
  grpc::Status status =
      stubs.instruments->GetInstrument(&context, get, &definition);
  if (!status.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "instrument '", id, "' cannot be read through the gateway (",
        CodeName(status.error_code()), ": ", status.error_message(),
        "): does the assessment service publish "
        "deploy/instruments?"));
  }
  return definition;
}

// The journeys due to start, which the walkers take in turn.
struct StartQueue {
  absl::Mutex mu;
  std::deque<uint64_t> queue;
  bool no_more = false;  // the walkers return once it is empty
  static bool Ready(StartQueue* q) { return !q->queue.empty() || q->no_more; }
};

}  // namespace

double SortedQuantile(const std::vector<uint32_t>& values, double fraction) {
  if (values.empty()) return 0;
  const size_t rank = static_cast<size_t>(
      std::ceil(fraction * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

absl::StatusOr<JourneyReport> RunJourneyMix(const JourneyTarget& target,
                                            const JourneyMix& mix) {
  if (mix.new_cases_per_second <= 0) {
    return absl::InvalidArgumentError("new_cases_per_second must be positive");
  }
  if (mix.max_journeys_in_flight < 1 || mix.readers < 0 || mix.channels < 1) {
    return absl::InvalidArgumentError(
        "max_journeys_in_flight and channels must be at least 1, readers at "
        "least 0");
  }
  ASSIGN_OR_RETURN(auto channels,
                   ConnectChannels(target.gateway, mix.channels));
  std::vector<std::unique_ptr<Stubs>> stubs;
  for (const auto& channel : channels) {
    stubs.push_back(std::make_unique<Stubs>(channel));
  }
  ASSIGN_OR_RETURN(
      v1::InstrumentDefinition domv,
      LatestInstrument(*stubs[0], target.manager_key, "domv_screening"));
  ASSIGN_OR_RETURN(v1::InstrumentDefinition rss,
                   LatestInstrument(*stubs[0], target.manager_key, "rss"));
  Mix walker(target, mix, std::move(stubs), std::move(domv), rss.version());

  // Seed journeys, side by side, before anything is measured.
  std::atomic<uint64_t> next_journey{0};
  {
    absl::Mutex mu;
    absl::Status first_error;
    std::vector<std::thread> seeds;
    for (int i = 0; i < mix.seed_journeys; ++i) {
      seeds.emplace_back([&] {
        absl::Status s = walker.Walk(next_journey.fetch_add(1), false);
        absl::MutexLock lock(&mu);
        if (!s.ok() && first_error.ok()) first_error = s;
      });
    }
    for (std::thread& t : seeds) t.join();
    if (!first_error.ok()) {
      return absl::Status(
          first_error.code(),
          absl::StrCat("a seed journey failed: ", first_error.message()));
    }
  }

  JourneyReport report;
  const absl::Time start = absl::Now();
  const absl::Time window_start = start + mix.warmup;
  const absl::Time window_end = window_start + mix.duration;
  walker.log().SetWindow(window_start, window_end);

  std::atomic<bool> stop{false};
  StartQueue starts;
  absl::Mutex& mu = starts.mu;
  std::deque<uint64_t>& queue = starts.queue;
  bool& no_more_starts = starts.no_more;
  int idle_walkers = mix.max_journeys_in_flight;
  uint64_t started_in_window = 0, completed_in_window = 0, failed = 0;
  uint64_t skipped_in_window = 0;
  std::string first_journey_error;

  std::vector<std::thread> walkers;
  for (int i = 0; i < mix.max_journeys_in_flight; ++i) {
    walkers.emplace_back([&] {
      for (;;) {
        uint64_t n;
        {
          absl::MutexLock lock(&mu);
          mu.Await(absl::Condition(&StartQueue::Ready, &starts));
          if (queue.empty()) return;
          n = queue.front();
          queue.pop_front();
          --idle_walkers;
        }
        const absl::Time began = absl::Now();
        const bool measured = began >= window_start && began < window_end;
        absl::Status s = walker.Walk(n, measured);
        const absl::Time ended = absl::Now();
        absl::MutexLock lock(&mu);
        ++idle_walkers;
        if (!s.ok()) {
          ++failed;
          if (first_journey_error.empty()) {
            first_journey_error = s.ToString();
          }
        } else if (ended >= window_start && ended < window_end) {
          ++completed_in_window;
        }
      }
    });
  }

  // Readers.
  std::vector<std::thread> readers;
  for (int r = 0; r < mix.readers; ++r) {
    readers.emplace_back([&, r] {
      std::mt19937_64 random(0x5eed + r);
      std::string list_token, due_token;
      const absl::Duration gap =
          mix.reads_per_second > 0
              ? absl::Seconds(mix.readers / mix.reads_per_second)
              : absl::ZeroDuration();
      absl::Time next = absl::Now();
      while (!stop.load()) {
        walker.Read(random, list_token, due_token);
        if (gap > absl::ZeroDuration()) {
          next += gap;
          const absl::Time now = absl::Now();
          if (next > now) absl::SleepFor(next - now);
        }
      }
    });
  }

  // Starts at the rate, until the window ends.
  double cpu_start = 0;
  bool cpu_started = false;
  const absl::Duration interval = absl::Seconds(1 / mix.new_cases_per_second);
  absl::Time next_start = start;
  while (absl::Now() < window_end) {
    const absl::Time now = absl::Now();
    if (!cpu_started && now >= window_start) {
      cpu_start = CpuSeconds();
      cpu_started = true;
    }
    if (now < next_start) {
      absl::SleepFor(std::min(next_start - now, absl::Milliseconds(50)));
      continue;
    }
    const bool in_window = next_start >= window_start;
    next_start += interval;
    absl::MutexLock lock(&mu);
    if (idle_walkers - static_cast<int>(queue.size()) <= 0) {
      if (in_window) ++skipped_in_window;
      continue;
    }
    queue.push_back(next_journey.fetch_add(1));
    if (in_window) ++started_in_window;
  }
  report.cpu_seconds = cpu_started ? CpuSeconds() - cpu_start : 0;
  stop.store(true);
  for (std::thread& t : readers) t.join();
  {
    absl::MutexLock lock(&mu);
    queue.clear();
    no_more_starts = true;
  }
  // Journeys still walking finish (their calls after the window are not
  // counted); a hung one would hang here, but every call has a deadline
  // and every wait a timeout.
  for (std::thread& t : walkers) t.join();

  report.seconds = absl::ToDoubleSeconds(mix.duration);
  report.journeys_started = started_in_window;
  report.journeys_completed = completed_in_window;
  report.journeys_failed = failed;
  report.starts_skipped = skipped_in_window;
  report.first_journey_error = first_journey_error;
  walker.log().Fill(report);
  walker.Lags(report);
  return report;
}

}  // namespace homeward::bench
