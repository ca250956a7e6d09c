// The CaseClosureService handlers as their callers meet them: a real gRPC
// server on a loopback port (a test-local ServiceHost composition of the
// follow-up parts over one real RocksDB store), principals signed as the
// gateway signs them, and the assessment, planning and referral feeds'
// events applied to the views as the feed follower applies them. Dates are
// relative to today (UTC), as the handlers read it.
#include "services/follow_up/closure_service.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/api/field_checks.h"
#include "common/programme/programme_catalogs.h"
#include "common/service/service_host.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "homeward/v1/follow_up.grpc.pb.h"
#include "services/follow_up/closure_store.h"
#include "services/follow_up/contact_store.h"
#include "services/follow_up/follow_up_cases.h"
#include "services/follow_up/plan_view.h"
#include "services/follow_up/referral_view.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/consumer_loop.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::follow_up {
namespace {

using ::homeward::testing::ApplyAndCommit;
using ::homeward::testing::IsOk;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;
using v1::Closure;

constexpr uint32_t kPartitions = 64;  // LoopbackServiceConfig's
const char kCase[] = "C00000000000000000001";
const char kFreeCase[] = "C00000000000000000002";  // programme without approval
const char kOffice[] = "office-dakar";
const char kProgramme[] = "prog_closure";
const char kFreeProgramme[] = "prog_no_approval";

const auto kManager = MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {kOffice});
const auto kSupervisor = MakePrincipal("sup-1", v1::ROLE_SUPERVISOR, {kOffice});
const auto kOtherOffice =
    MakePrincipal("cm-9", v1::ROLE_CASE_MANAGER, {"office-thies"});
const auto kMonitoring =
    MakePrincipal("mo-1", v1::ROLE_MONITORING_OFFICER, {kOffice});

uint32_t PartitionOf(const std::string& case_id) {
  return storage::PartitionOf(case_id, kPartitions);
}

absl::CivilDay Today() { return api::TodayUtc(); }
v1::Date DateOf(absl::CivilDay day) { return api::ToDate(day); }

// Returned 45 days ago, plan approved 40 days ago: the month-1 contact is
// due about two weeks ago (scheduled, overdue), the others after today.
absl::CivilDay ReturnDay() { return Today() - 45; }
absl::CivilDay ApprovalDay() { return Today() - 40; }

v1::Event About(const std::string& case_id, absl::CivilDay day = Today()) {
  v1::Event e;
  e.set_partition(PartitionOf(case_id));
  e.set_subject_id(case_id);
  e.set_actor_user_id("cm-1");
  const absl::Time t =
      absl::FromCivil(absl::CivilSecond(day) + 9 * 3600, absl::UTCTimeZone());
  e.mutable_time()->set_seconds(absl::ToUnixSeconds(t));
  return e;
}

v1::Event CaseRegistered(const std::string& case_id,
                         const std::string& programme) {
  v1::Event e = About(case_id, ReturnDay());
  v1::Case& c = *e.mutable_case_registered()->mutable_case_();
  c.set_case_id(case_id);
  c.set_etag("1");
  c.set_partition(PartitionOf(case_id));
  c.set_office_id(kOffice);
  c.set_case_manager_id("cm-1");
  c.set_programme_id(programme);
  c.set_stage(v1::CASE_STAGE_PLANNING);
  *c.mutable_return_info()->mutable_return_date() = DateOf(ReturnDay());
  return e;
}

// Version 1 of the case's plan approved: AC1 PLANNED, AC2 DONE.
v1::Event PlanApproved(const std::string& case_id) {
  v1::Event e = About(case_id, ApprovalDay());
  v1::Plan& plan = *e.mutable_plan_approved()->mutable_plan();
  plan.set_plan_id(absl::StrCat("P-", case_id));
  plan.set_case_id(case_id);
  plan.set_version(1);
  plan.set_status(v1::PLAN_STATUS_APPROVED);
  v1::PlanActivity* a1 = plan.add_activities();
  a1->set_activity_id("AC1");
  a1->set_dimension(v1::DIMENSION_ECONOMIC);
  a1->set_status(v1::ACTIVITY_STATUS_PLANNED);
  v1::PlanActivity* a2 = plan.add_activities();
  a2->set_activity_id("AC2");
  a2->set_dimension(v1::DIMENSION_SOCIAL);
  a2->set_status(v1::ACTIVITY_STATUS_DONE);
  return e;
}

v1::Event ActivityDone(const std::string& case_id, const std::string& id) {
  v1::Event e = About(case_id);
  auto* changed = e.mutable_activity_status_changed();
  changed->set_case_id(case_id);
  changed->set_plan_id(absl::StrCat("P-", case_id));
  changed->set_plan_version(1);
  changed->mutable_activity()->set_activity_id(id);
  changed->mutable_activity()->set_dimension(v1::DIMENSION_ECONOMIC);
  changed->mutable_activity()->set_status(v1::ACTIVITY_STATUS_DONE);
  return e;
}

v1::Event ReferralChanged(const std::string& case_id,
                          const std::string& referral_id,
                          v1::ReferralStatus status) {
  v1::Event e = About(case_id);
  v1::Referral& r = *e.mutable_referral_status_changed()->mutable_referral();
  r.set_referral_id(referral_id);
  r.set_case_id(case_id);
  r.set_service_id("svc-1");
  r.set_organization_id("org-1");
  r.set_status(status);
  return e;
}

v1::Event ConcernChanged(const std::string& case_id,
                         const std::string& concern_id, v1::NeedStatus status) {
  v1::Event e = About(case_id);
  v1::ProtectionConcern& c =
      *e.mutable_protection_concern_changed()->mutable_concern();
  c.set_concern_id(concern_id);
  c.set_case_id(case_id);
  c.set_code("SUSPECTED_TRAFFICKING_VICTIM");
  c.set_label("Suspected trafficking victim");
  c.set_priority(v1::NEED_PRIORITY_HIGH);
  c.set_response_category("counter_trafficking");
  c.set_status(status);
  return e;
}

v1::Event RssCompleted(const std::string& case_id, const std::string& id,
                       v1::AssessmentOccasion occasion) {
  v1::Event e = About(case_id);
  v1::AssessmentCompleted& a = *e.mutable_assessment_completed();
  a.set_assessment_id(id);
  a.set_case_id(case_id);
  a.set_kind(v1::INSTRUMENT_KIND_RSS);
  a.set_occasion(occasion);
  *a.mutable_assessment_date() = DateOf(Today() - 1);
  a.mutable_scores()->set_composite(0.6);
  return e;
}

// A request that passes every check: support completed, no final RSS (with
// the reason), the closing session held by phone yesterday.
v1::CloseCaseRequest CloseRequest(const std::string& case_id,
                                  const std::string& request_id) {
  v1::CloseCaseRequest r;
  r.set_request_id(request_id);
  Closure& c = *r.mutable_closure();
  c.set_case_id(case_id);
  c.set_reason(v1::CLOSURE_REASON_SUPPORT_COMPLETED);
  c.set_details("all activities delivered");
  c.set_no_final_rss_reason("returnee declined the survey");
  c.mutable_closing_session()->set_held(true);
  *c.mutable_closing_session()->mutable_date() = DateOf(Today() - 1);
  c.mutable_closing_session()->set_mode(v1::FOLLOW_UP_MODE_PHONE);
  return r;
}

std::vector<std::string> ViolationFields(const grpc::Status& s) {
  std::vector<std::string> fields;
  for (const auto& v : errors::FieldViolationsOf(FromGrpcStatus(s))) {
    fields.push_back(v.field);
  }
  return fields;
}

// The (type, subject) of each precondition a FAILED_PRECONDITION names.
std::vector<std::pair<std::string, std::string>> Preconditions(
    const grpc::Status& s) {
  std::vector<std::pair<std::string, std::string>> out;
  auto payload =
      FromGrpcStatus(s).GetPayload(errors::kPreconditionFailureTypeUrl);
  if (!payload.has_value()) return out;
  google::rpc::PreconditionFailure failure;
  if (!failure.ParseFromString(std::string(*payload))) return out;
  for (const auto& v : failure.violations()) {
    out.emplace_back(v.type(), v.subject());
  }
  return out;
}

class ClosureServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(Start());
    for (const char* id : {kCase, kFreeCase}) {
      ASSERT_NO_FATAL_FAILURE(
          Feed(*cases_,
               CaseRegistered(id, id == std::string(kCase) ? kProgramme
                                                           : kFreeProgramme)));
      ASSERT_NO_FATAL_FAILURE(Feed(*plans_, PlanApproved(id)));
      ASSERT_NO_FATAL_FAILURE(Feed(*plans_, ActivityDone(id, "AC1")));
    }
  }
  void TearDown() override {
    if (host_ != nullptr) host_->Shutdown(absl::Seconds(5));
  }

  void Start() {
    const service::ServiceDefinition definition{
        "follow_up", [this](service::ServiceParts& parts) -> absl::Status {
          store_ = parts.store();
          programmes_ = parts.Own(std::make_unique<programme::ProgrammeCatalog>(
              parts.store(), programme::kProgrammeSchema));
          RETURN_IF_ERROR(PublishProgramme(kProgramme, true));
          RETURN_IF_ERROR(PublishProgramme(kFreeProgramme, false));
          contacts_ = parts.Own(
              std::make_unique<ContactStore>(parts.store(), programmes_));
          closures_ = parts.Own(std::make_unique<ClosureStore>(parts.store()));
          cases_ = parts.Own(std::make_unique<FollowUpCases>(
              parts.store(), *parts.owned(), contacts_));
          plans_ = parts.Own(std::make_unique<PlanView>(
              parts.store(), *parts.owned(), cases_, contacts_, programmes_));
          referrals_ = parts.Own(
              std::make_unique<ReferralView>(parts.store(), *parts.owned()));
          FollowUpParts fp;
          fp.contacts = contacts_;
          fp.closures = closures_;
          fp.cases = cases_;
          fp.plans = plans_;
          fp.referrals = referrals_;
          fp.programmes = programmes_;
          fp.verifier = parts.verifier();
          parts.AddService<v1::CaseClosureService>(
              std::make_unique<CaseClosureServiceImpl>(fp));
          return absl::OkStatus();
        }};
    auto host = service::ServiceHost::Start(
        definition,
        homeward::testing::LoopbackServiceConfig(dir_.path() + "/follow_up"),
        homeward::testing::kTestSecret);
    ASSERT_THAT(host.status(), IsOk());
    host_ = std::move(*host);
    stub_ = v1::CaseClosureService::NewStub(
        homeward::testing::LoopbackChannel(host_->port()));
  }

  // Months 1, 2, 3, 6, 9, 12 after return, an RSS at 3 and 12.
  absl::Status PublishProgramme(const std::string& id, bool approval) {
    service::Actor admin;
    admin.principal = MakePrincipal("admin", v1::ROLE_ADMINISTRATOR, {});
    admin.method = "test";
    v1::Programme p;
    p.set_programme_id(id);
    p.set_version(1);
    p.set_closure_requires_approval(approval);
    p.set_taxonomy_id("reintegration");
    p.set_taxonomy_version(1);
    for (int m : {1, 2, 3, 6, 9, 12}) {
      p.mutable_follow_up()->add_months_after_return(m);
    }
    for (int m : {3, 12}) p.mutable_follow_up()->add_rss_at_months(m);
    return programmes_->Publish(admin, p).status();
  }

  // Applies `event` to `view` with the next sequence of its partition, as
  // the feed follower would.
  void Feed(feeds::EventConsumer& view, v1::Event event) {
    event.set_sequence(++sequence_[view.name()]);
    ASSERT_THAT(ApplyAndCommit(view, *store_, event), IsOk());
  }

  grpc::Status Close(const internal::v1::Principal& who,
                     const v1::CloseCaseRequest& request, Closure* out) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    return stub_->CloseCase(&ctx, request, out);
  }
  grpc::Status Step(const internal::v1::Principal& who, bool approve,
                    const Closure& c, const std::string& reason, Closure* out,
                    const std::string& etag = "") {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::ClosureStepRequest r;
    r.set_case_id(c.case_id());
    r.set_closure_id(c.closure_id());
    r.set_etag(etag.empty() ? c.etag() : etag);
    r.set_reason(reason);
    return approve ? stub_->ApproveClosure(&ctx, r, out)
                   : stub_->DeclineClosure(&ctx, r, out);
  }
  grpc::Status Reopen(const internal::v1::Principal& who, const Closure& c,
                      const std::string& request_id, const std::string& reason,
                      Closure* out) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::ReopenCaseRequest r;
    r.set_request_id(request_id);
    r.set_case_id(c.case_id());
    r.set_closure_id(c.closure_id());
    r.set_etag(c.etag());
    r.set_reason(reason);
    return stub_->ReopenCase(&ctx, r, out);
  }
  grpc::Status GetClosure(const internal::v1::Principal& who,
                          const std::string& case_id,
                          const std::string& closure_id, Closure* out) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::GetClosureRequest r;
    r.set_case_id(case_id);
    r.set_closure_id(closure_id);
    return stub_->GetClosure(&ctx, r, out);
  }
  grpc::Status Checks(const internal::v1::Principal& who,
                      const std::string& case_id, v1::ClosureChecks* out) {
    grpc::ClientContext ctx;
    SignAs(who, &ctx);
    v1::GetClosureChecksRequest r;
    r.set_case_id(case_id);
    return stub_->GetClosureChecks(&ctx, r, out);
  }

  // Closes `case_id` as `who` with acknowledged checks; the closure.
  Closure MustClose(const internal::v1::Principal& who,
                    const std::string& case_id, const std::string& request_id,
                    v1::ClosureStatus expected) {
    v1::CloseCaseRequest r = CloseRequest(case_id, request_id);
    r.set_acknowledge_checks(true);
    Closure c;
    grpc::Status s = Close(who, r, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(c.status(), expected);
    return c;
  }

  // The case's contacts as (contact id, status), by due date.
  std::vector<std::pair<std::string, v1::FollowUpContactStatus>> Contacts(
      const std::string& case_id) {
    auto contacts = contacts_->ListForCase(PartitionOf(case_id), case_id);
    EXPECT_THAT(contacts.status(), IsOk());
    std::vector<std::pair<std::string, v1::FollowUpContactStatus>> out;
    if (!contacts.ok()) return out;
    for (const auto& c : *contacts)
      out.emplace_back(c.contact_id(), c.status());
    return out;
  }
  int Scheduled(const std::string& case_id) {
    int n = 0;
    for (const auto& [id, status] : Contacts(case_id)) {
      n += status == v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED ? 1 : 0;
    }
    return n;
  }

  // The follow-up events of the case's partition, oldest first.
  std::vector<v1::Event> ClosureEvents(const std::string& case_id) {
    auto events = store_->ReadEvents(PartitionOf(case_id), 0, 10000);
    EXPECT_THAT(events.status(), IsOk());
    std::vector<v1::Event> out;
    if (!events.ok()) return out;
    for (const auto& e : *events) {
      if (e.subject_id() == case_id &&
          (e.has_case_closed() || e.has_case_reopened())) {
        out.push_back(e);
      }
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<service::ServiceHost> host_;
  std::unique_ptr<v1::CaseClosureService::Stub> stub_;
  storage::Store* store_ = nullptr;
  programme::ProgrammeCatalog* programmes_ = nullptr;
  ContactStore* contacts_ = nullptr;
  ClosureStore* closures_ = nullptr;
  FollowUpCases* cases_ = nullptr;
  PlanView* plans_ = nullptr;
  ReferralView* referrals_ = nullptr;
  std::map<std::string, uint64_t> sequence_;
};

TEST_F(ClosureServiceTest, EveryBadFieldIsNamedAndNothingIsWritten) {
  ASSERT_NO_FATAL_FAILURE(
      Feed(*cases_,
           RssCompleted(kCase, "A-rss-1", v1::ASSESSMENT_OCCASION_BASELINE)));
  v1::CloseCaseRequest r = CloseRequest(kCase, "bad id");
  Closure& c = *r.mutable_closure();
  c.set_reason(v1::CLOSURE_REASON_CHOSE_TO_STOP);  // without returnee reasons
  c.set_returnee_reasons_notes("notes");           // without reasons
  c.set_final_rss_assessment_id("A-unknown");      // and a reason too
  c.mutable_closing_session()->set_mode(v1::FOLLOW_UP_MODE_UNSPECIFIED);
  *c.mutable_closing_session()->mutable_date() = DateOf(Today() + 1);
  Closure out;
  grpc::Status s = Close(kManager, r, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationFields(s),
              ElementsAre("request_id", "closure.returnee_reasons",
                          "closure.returnee_reasons_notes",
                          "closure.no_final_rss_reason",
                          "closure.final_rss_assessment_id",
                          "closure.closing_session.date",
                          "closure.closing_session.mode"));

  // Each reason that needs details, without them.
  for (v1::ClosureReason reason :
       {v1::CLOSURE_REASON_NO_LONGER_ELIGIBLE, v1::CLOSURE_REASON_TRANSFERRED,
        v1::CLOSURE_REASON_INVOLUNTARY_FUNDING,
        v1::CLOSURE_REASON_INVOLUNTARY_SECURITY}) {
    v1::CloseCaseRequest d = CloseRequest(kCase, "close-1");
    d.mutable_closure()->set_reason(reason);
    d.mutable_closure()->clear_details();
    EXPECT_THAT(ViolationFields(Close(kManager, d, &out)),
                ElementsAre("closure.details"))
        << reason;
  }
  // No closing session at all; not held without a reason.
  v1::CloseCaseRequest n = CloseRequest(kCase, "close-1");
  n.mutable_closure()->clear_closing_session();
  EXPECT_THAT(ViolationFields(Close(kManager, n, &out)),
              ElementsAre("closure.closing_session"));
  n.mutable_closure()->mutable_closing_session()->set_held(false);
  EXPECT_THAT(ViolationFields(Close(kManager, n, &out)),
              ElementsAre("closure.closing_session.not_held_reason"));
  // The RSS the feed announced is accepted as the final one.
  v1::CloseCaseRequest ok = CloseRequest(kCase, "close-1");
  ok.mutable_closure()->clear_no_final_rss_reason();
  ok.mutable_closure()->set_final_rss_assessment_id("A-rss-1");
  ok.set_acknowledge_checks(true);
  EXPECT_TRUE(Close(kManager, ok, &out).ok());

  EXPECT_THAT(ClosureEvents(kCase), IsEmpty());
}

TEST_F(ClosureServiceTest, RolesAndOfficesAreChecked) {
  Closure out;
  v1::CloseCaseRequest r = CloseRequest(kCase, "close-1");
  r.set_acknowledge_checks(true);
  EXPECT_EQ(Close(kOtherOffice, r, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Close(kMonitoring, r, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ClosureChecks checks;
  EXPECT_EQ(Checks(kOtherOffice, kCase, &checks).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetClosure(kOtherOffice, kCase, "", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext unsigned_ctx;
  EXPECT_EQ(stub_->CloseCase(&unsigned_ctx, r, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // An unknown case: NOT_FOUND, as the assessment service answers.
  v1::CloseCaseRequest unknown = CloseRequest("C99999999999999999999", "x");
  EXPECT_EQ(Close(kManager, unknown, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ClosureServiceTest, ChecksAreReportedThenAcknowledged) {
  // What is open: R1 in progress (R2 completed), the concern PC1 (PC2
  // resolved), no final RSS; AC1 was done in SetUp.
  ASSERT_NO_FATAL_FAILURE(
      Feed(*referrals_,
           ReferralChanged(kCase, "R1", v1::REFERRAL_STATUS_IN_PROGRESS)));
  ASSERT_NO_FATAL_FAILURE(
      Feed(*referrals_,
           ReferralChanged(kCase, "R2", v1::REFERRAL_STATUS_COMPLETED)));
  ASSERT_NO_FATAL_FAILURE(
      Feed(*cases_, ConcernChanged(kCase, "PC1", v1::NEED_STATUS_OPEN)));
  ASSERT_NO_FATAL_FAILURE(
      Feed(*cases_, ConcernChanged(kCase, "PC2", v1::NEED_STATUS_RESOLVED)));

  v1::ClosureChecks checks;
  ASSERT_TRUE(Checks(kManager, kCase, &checks).ok());
  EXPECT_EQ(checks.case_id(), kCase);
  EXPECT_TRUE(checks.approval_required());
  std::vector<std::pair<v1::ClosureCheckKind, std::string>> listed;
  for (const auto& c : checks.checks()) {
    listed.emplace_back(c.kind(), c.subject_id());
  }
  EXPECT_THAT(
      listed,
      ElementsAre(Pair(v1::CLOSURE_CHECK_KIND_OPEN_REFERRAL, "R1"),
                  Pair(v1::CLOSURE_CHECK_KIND_OPEN_PROTECTION_CONCERN, "PC1"),
                  Pair(v1::CLOSURE_CHECK_KIND_NO_FINAL_RSS, kCase)));

  // Not acknowledged: one precondition per open item; nothing written.
  Closure out;
  grpc::Status s = Close(kManager, CloseRequest(kCase, "close-1"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("CLOSURE_CHECKS"));
  EXPECT_THAT(
      Preconditions(s),
      ElementsAre(Pair("CLOSURE_CHECK_KIND_OPEN_REFERRAL", "R1"),
                  Pair("CLOSURE_CHECK_KIND_OPEN_PROTECTION_CONCERN", "PC1"),
                  Pair("CLOSURE_CHECK_KIND_NO_FINAL_RSS", kCase)));
  EXPECT_EQ(GetClosure(kManager, kCase, "", &out).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Acknowledged: the closure keeps what was open.
  Closure pending = MustClose(kManager, kCase, "close-1",
                              v1::CLOSURE_STATUS_PENDING_APPROVAL);
  EXPECT_EQ(pending.checks_size(), 3);
  EXPECT_EQ(pending.kind(), v1::CLOSURE_KIND_PLANNED);
  EXPECT_EQ(pending.requested_by(), "cm-1");
  EXPECT_EQ(pending.office_id(), kOffice);
}

TEST_F(ClosureServiceTest, UnfinishedActivityOfTheDeliveredPlanIsChecked) {
  // A third case whose plan's AC1 is still PLANNED.
  const std::string id = "C00000000000000000003";
  ASSERT_NO_FATAL_FAILURE(Feed(*cases_, CaseRegistered(id, kProgramme)));
  ASSERT_NO_FATAL_FAILURE(Feed(*plans_, PlanApproved(id)));
  v1::ClosureChecks checks;
  ASSERT_TRUE(Checks(kManager, id, &checks).ok());
  std::vector<std::pair<v1::ClosureCheckKind, std::string>> listed;
  for (const auto& c : checks.checks()) {
    listed.emplace_back(c.kind(), c.subject_id());
  }
  EXPECT_THAT(listed,
              ElementsAre(Pair(v1::CLOSURE_CHECK_KIND_UNFINISHED_ACTIVITY,
                               absl::StrCat("P-", id, "/AC1")),
                          Pair(v1::CLOSURE_CHECK_KIND_NO_FINAL_RSS, id)));
  // A closure RSS known from the feed: no NO_FINAL_RSS check.
  ASSERT_NO_FATAL_FAILURE(Feed(
      *cases_, RssCompleted(id, "A-rss-9", v1::ASSESSMENT_OCCASION_CLOSURE)));
  ASSERT_TRUE(Checks(kManager, id, &checks).ok());
  ASSERT_EQ(checks.checks_size(), 1);
  EXPECT_EQ(checks.checks(0).kind(),
            v1::CLOSURE_CHECK_KIND_UNFINISHED_ACTIVITY);
}

TEST_F(ClosureServiceTest, CaseManagerAsksSupervisorApprovesAndContactsEnd) {
  const int scheduled = Scheduled(kCase);
  ASSERT_EQ(scheduled, 6);  // months 1, 2, 3, 6, 9, 12
  Closure pending = MustClose(kManager, kCase, "close-1",
                              v1::CLOSURE_STATUS_PENDING_APPROVAL);
  // Pending: no event, the contacts stay scheduled.
  EXPECT_THAT(ClosureEvents(kCase), IsEmpty());
  EXPECT_EQ(Scheduled(kCase), scheduled);
  EXPECT_EQ(pending.approved_by(), "");

  // A case manager may not approve; a stale etag changes nothing.
  Closure out;
  EXPECT_EQ(Step(kManager, true, pending, "", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Step(kSupervisor, true, pending, "", &out, "99").error_code(),
            grpc::StatusCode::ABORTED);
  EXPECT_EQ(Scheduled(kCase), scheduled);
  EXPECT_THAT(ClosureEvents(kCase), IsEmpty());

  Closure closed;
  grpc::Status s = Step(kSupervisor, true, pending, "", &closed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(closed.status(), v1::CLOSURE_STATUS_CLOSED);
  EXPECT_EQ(closed.approved_by(), "sup-1");
  EXPECT_NE(closed.etag(), pending.etag());

  // CaseClosed without free text, and every scheduled contact cancelled.
  const std::vector<v1::Event> events = ClosureEvents(kCase);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(events[0].has_case_closed());
  EXPECT_EQ(events[0].actor_user_id(), "sup-1");
  EXPECT_EQ(events[0].case_closed().closure().closure_id(),
            closed.closure_id());
  EXPECT_EQ(events[0].case_closed().closure().details(), "");
  EXPECT_EQ(events[0].case_closed().closure().no_final_rss_reason(), "");
  EXPECT_EQ(Scheduled(kCase), 0);
  for (const auto& [id, status] : Contacts(kCase)) {
    EXPECT_EQ(status, v1::FOLLOW_UP_CONTACT_STATUS_CANCELLED) << id;
  }
  // Approving again: the closure is no longer pending.
  EXPECT_EQ(Step(kSupervisor, true, closed, "", &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ClosureServiceTest, SupervisorClosesAtOnce) {
  Closure closed =
      MustClose(kSupervisor, kCase, "close-1", v1::CLOSURE_STATUS_CLOSED);
  EXPECT_EQ(closed.approved_by(), "sup-1");
  EXPECT_EQ(closed.requested_by(), "sup-1");
  EXPECT_EQ(ClosureEvents(kCase).size(), 1u);
  EXPECT_EQ(Scheduled(kCase), 0);
}

TEST_F(ClosureServiceTest, WithoutApprovalACaseManagerClosesAtOnce) {
  v1::ClosureChecks checks;
  ASSERT_TRUE(Checks(kManager, kFreeCase, &checks).ok());
  EXPECT_FALSE(checks.approval_required());
  Closure closed =
      MustClose(kManager, kFreeCase, "close-1", v1::CLOSURE_STATUS_CLOSED);
  EXPECT_EQ(closed.approved_by(), "");
  EXPECT_EQ(ClosureEvents(kFreeCase).size(), 1u);
  EXPECT_EQ(Scheduled(kFreeCase), 0);
}

TEST_F(ClosureServiceTest, DeclineNeedsAReasonAndLeavesTheCaseOpen) {
  Closure pending = MustClose(kManager, kCase, "close-1",
                              v1::CLOSURE_STATUS_PENDING_APPROVAL);
  Closure out;
  grpc::Status s = Step(kSupervisor, false, pending, " ", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationFields(s), ElementsAre("reason"));
  EXPECT_EQ(Step(kManager, false, pending, "no", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  Closure declined;
  ASSERT_TRUE(
      Step(kSupervisor, false, pending, "the referral is still open", &declined)
          .ok());
  EXPECT_EQ(declined.status(), v1::CLOSURE_STATUS_DECLINED);
  ASSERT_EQ(declined.history_size(), 2);
  EXPECT_EQ(declined.history(1).reason(), "the referral is still open");
  EXPECT_THAT(ClosureEvents(kCase), IsEmpty());
  EXPECT_EQ(Scheduled(kCase), 6);
  // The case may be closed again later.
  Closure again = MustClose(kManager, kCase, "close-2",
                            v1::CLOSURE_STATUS_PENDING_APPROVAL);
  EXPECT_NE(again.closure_id(), declined.closure_id());
  ASSERT_TRUE(GetClosure(kManager, kCase, "", &out).ok());
  EXPECT_EQ(out.closure_id(), again.closure_id());
  ASSERT_TRUE(GetClosure(kManager, kCase, declined.closure_id(), &out).ok());
  EXPECT_EQ(out.status(), v1::CLOSURE_STATUS_DECLINED);
  EXPECT_EQ(GetClosure(kManager, kCase, "CL-none", &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ClosureServiceTest, RetryAnswersTheFirstAndASecondClosureIsRefused) {
  Closure first = MustClose(kManager, kCase, "close-1",
                            v1::CLOSURE_STATUS_PENDING_APPROVAL);
  // The same request again: the same closure, nothing written.
  v1::CloseCaseRequest retry = CloseRequest(kCase, "close-1");
  retry.set_acknowledge_checks(true);
  Closure out;
  ASSERT_TRUE(Close(kManager, retry, &out).ok());
  EXPECT_EQ(out.closure_id(), first.closure_id());
  EXPECT_EQ(out.etag(), first.etag());
  // Another request while one is pending: ALREADY_EXISTS.
  v1::CloseCaseRequest other = CloseRequest(kCase, "close-2");
  other.set_acknowledge_checks(true);
  EXPECT_EQ(Close(kManager, other, &out).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  // Approved: the retry still answers it (now CLOSED); another request is
  // refused, since the case is closed.
  Closure closed;
  ASSERT_TRUE(Step(kSupervisor, true, first, "", &closed).ok());
  ASSERT_TRUE(Close(kManager, retry, &out).ok());
  EXPECT_EQ(out.closure_id(), first.closure_id());
  EXPECT_EQ(out.status(), v1::CLOSURE_STATUS_CLOSED);
  grpc::Status s = Close(kSupervisor, other, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr(first.closure_id()));
  EXPECT_EQ(ClosureEvents(kCase).size(), 1u);
}

TEST_F(ClosureServiceTest, ReopenSchedulesTheRestOfTheCadenceAgain) {
  Closure closed =
      MustClose(kSupervisor, kCase, "close-1", v1::CLOSURE_STATUS_CLOSED);
  ASSERT_EQ(Scheduled(kCase), 0);

  Closure out;
  grpc::Status s = Reopen(kManager, closed, "reopen-1", "", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationFields(s), ElementsAre("reason"));
  EXPECT_EQ(Reopen(kOtherOffice, closed, "reopen-1", "back", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  Closure reopened;
  s = Reopen(kManager, closed, "reopen-1", "returnee asked for support again",
             &reopened);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reopened.status(), v1::CLOSURE_STATUS_REOPENED);
  EXPECT_EQ(reopened.reopen_reason(), "returnee asked for support again");

  // CaseReopened; the month-1 contact (due before today) stays cancelled,
  // months 2 to 12 are scheduled again.
  const std::vector<v1::Event> events = ClosureEvents(kCase);
  ASSERT_EQ(events.size(), 2u);
  ASSERT_TRUE(events[1].has_case_reopened());
  EXPECT_EQ(events[1].case_reopened().closure().status(),
            v1::CLOSURE_STATUS_REOPENED);
  EXPECT_EQ(events[1].case_reopened().closure().reopen_reason(), "");
  const auto contacts = Contacts(kCase);
  ASSERT_FALSE(contacts.empty());
  EXPECT_EQ(contacts.front().second, v1::FOLLOW_UP_CONTACT_STATUS_CANCELLED);
  EXPECT_EQ(Scheduled(kCase), 5);

  // A retry answers the reopened closure; reopening again is refused.
  ASSERT_TRUE(Reopen(kManager, closed, "reopen-1",
                     "returnee asked for support again", &out)
                  .ok());
  EXPECT_EQ(out.etag(), reopened.etag());
  EXPECT_EQ(Reopen(kManager, reopened, "reopen-2", "again", &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ClosureEvents(kCase).size(), 2u);

  // The reopened case may be closed again.
  MustClose(kSupervisor, kCase, "close-2", v1::CLOSURE_STATUS_CLOSED);
  EXPECT_EQ(Scheduled(kCase), 0);
}

// Once the retention job anonymised the case, it stays closed: the
// assessment service refuses to move it out of CLOSED, so ReopenCase is
// refused here and changes nothing.
TEST_F(ClosureServiceTest, AnAnonymisedCaseCannotBeReopened) {
  Closure closed =
      MustClose(kSupervisor, kCase, "close-1", v1::CLOSURE_STATUS_CLOSED);
  v1::Event anonymised = About(kCase);
  v1::CaseAnonymised& a = *anonymised.mutable_case_anonymised();
  a.set_case_id(kCase);
  v1::Case& c = *a.mutable_case_();
  c = CaseRegistered(kCase, kProgramme).case_registered().case_();
  c.set_etag("3");
  c.set_stage(v1::CASE_STAGE_CLOSED);
  *c.mutable_anonymise_time() = anonymised.time();
  ASSERT_NO_FATAL_FAILURE(Feed(*cases_, anonymised));
  // Read again: the anonymisation rewrote the closure (a new etag).
  ASSERT_TRUE(GetClosure(kManager, kCase, "", &closed).ok());

  Closure out;
  grpc::Status s = Reopen(kManager, closed, "reopen-1",
                          "returnee asked for support again", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(Preconditions(s),
              ElementsAre(std::make_pair("CASE_ANONYMISED", kCase)));
  EXPECT_EQ(Scheduled(kCase), 0);
  EXPECT_EQ(ClosureEvents(kCase).size(), 1u);
  ASSERT_TRUE(GetClosure(kManager, kCase, "", &out).ok());
  EXPECT_EQ(out.status(), v1::CLOSURE_STATUS_CLOSED);
  // The other case, not anonymised, still reopens.
  Closure free_closed = MustClose(kSupervisor, kFreeCase, "close-free",
                                  v1::CLOSURE_STATUS_CLOSED);
  EXPECT_TRUE(Reopen(kManager, free_closed, "reopen-free", "back", &out).ok());
}

TEST_F(ClosureServiceTest, StaleReopenEtagChangesNothing) {
  Closure closed =
      MustClose(kSupervisor, kCase, "close-1", v1::CLOSURE_STATUS_CLOSED);
  Closure stale = closed;
  stale.set_etag("99");
  Closure out;
  EXPECT_EQ(Reopen(kManager, stale, "reopen-1", "back", &out).error_code(),
            grpc::StatusCode::ABORTED);
  EXPECT_EQ(Scheduled(kCase), 0);
  EXPECT_EQ(ClosureEvents(kCase).size(), 1u);
  ASSERT_TRUE(GetClosure(kManager, kCase, "", &out).ok());
  EXPECT_EQ(out.status(), v1::CLOSURE_STATUS_CLOSED);
}

}  // namespace
}  // namespace homeward::follow_up
