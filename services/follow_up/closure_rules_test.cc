// The closure rules, table by table: kind from reason; a valid CloseCase
// passes and each bad field gives exactly the violations named; what is
// still open; the status table by (from, to, role); moves; the event view.
#include "services/follow_up/closure_rules.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

namespace homeward::follow_up {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

const absl::CivilDay kToday(2026, 11, 30);

ClosureMove Move(v1::ClosureStatus to, v1::Role role, std::string user_id,
                 std::string reason, google::protobuf::Timestamp time = {}) {
  ClosureMove move;
  move.to = to;
  move.role = role;
  move.user_id = std::move(user_id);
  move.reason = std::move(reason);
  move.time = time;
  return move;
}
const char kCase[] = "C00000000000000000001";

v1::Date Day(int y, int m, int d) {
  v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

// Support completed, the final RSS given, a closing session held by phone.
v1::CloseCaseRequest ValidClose() {
  v1::CloseCaseRequest r;
  r.set_request_id("close-1");
  v1::Closure& c = *r.mutable_closure();
  c.set_case_id(kCase);
  c.set_reason(v1::CLOSURE_REASON_SUPPORT_COMPLETED);
  c.set_final_rss_assessment_id("A-rss-closure");
  c.mutable_closing_session()->set_held(true);
  *c.mutable_closing_session()->mutable_date() = Day(2026, 11, 28);
  c.mutable_closing_session()->set_mode(v1::FOLLOW_UP_MODE_PHONE);
  return r;
}

const std::vector<std::string> kRssIds = {"A-rss-baseline", "A-rss-closure"};

std::vector<std::string> Fields(const errors::FieldViolations& bad) {
  std::vector<std::string> fields;
  for (const auto& v : bad.violations()) fields.push_back(v.field);
  return fields;
}

TEST(ClosureKindTest, PlannedOnlyForSupportCompletedAndTransferred) {
  const std::vector<std::pair<v1::ClosureReason, v1::ClosureKind>> table = {
      {v1::CLOSURE_REASON_UNSPECIFIED, v1::CLOSURE_KIND_UNSPECIFIED},
      {v1::CLOSURE_REASON_SUPPORT_COMPLETED, v1::CLOSURE_KIND_PLANNED},
      {v1::CLOSURE_REASON_NO_LONGER_ELIGIBLE, v1::CLOSURE_KIND_UNPLANNED},
      {v1::CLOSURE_REASON_CHOSE_TO_STOP, v1::CLOSURE_KIND_UNPLANNED},
      {v1::CLOSURE_REASON_MOVED_AWAY, v1::CLOSURE_KIND_UNPLANNED},
      {v1::CLOSURE_REASON_RE_MIGRATED, v1::CLOSURE_KIND_UNPLANNED},
      {v1::CLOSURE_REASON_DIED, v1::CLOSURE_KIND_UNPLANNED},
      {v1::CLOSURE_REASON_LOST_CONTACT, v1::CLOSURE_KIND_UNPLANNED},
      {v1::CLOSURE_REASON_TRANSFERRED, v1::CLOSURE_KIND_PLANNED},
      {v1::CLOSURE_REASON_INVOLUNTARY_FUNDING, v1::CLOSURE_KIND_UNPLANNED},
      {v1::CLOSURE_REASON_INVOLUNTARY_SECURITY, v1::CLOSURE_KIND_UNPLANNED},
      {static_cast<v1::ClosureReason>(99), v1::CLOSURE_KIND_UNSPECIFIED},
  };
  for (const auto& [reason, kind] : table) {
    EXPECT_EQ(ClosureKindOf(reason), kind) << reason;
  }
}

TEST(ValidateCloseCaseTest, ValidRequestsPass) {
  EXPECT_THAT(Fields(ValidateCloseCase(ValidClose(), kRssIds, kToday)),
              IsEmpty());
  // Chose to stop, no final RSS, no closing session, session today.
  v1::CloseCaseRequest r = ValidClose();
  r.clear_request_id();
  v1::Closure& c = *r.mutable_closure();
  c.set_reason(v1::CLOSURE_REASON_CHOSE_TO_STOP);
  c.add_returnee_reasons(v1::EARLY_EXIT_REASON_STIGMA);
  c.add_returnee_reasons(v1::EARLY_EXIT_REASON_OTHER);
  c.set_returnee_reasons_notes("work abroad offered");
  c.clear_final_rss_assessment_id();
  c.set_no_final_rss_reason("returnee declined the survey");
  c.mutable_closing_session()->Clear();
  c.mutable_closing_session()->set_not_held_reason("returnee unreachable");
  EXPECT_THAT(Fields(ValidateCloseCase(r, kRssIds, kToday)), IsEmpty());
  // Involuntary with details; session held today.
  r = ValidClose();
  r.mutable_closure()->set_reason(v1::CLOSURE_REASON_INVOLUNTARY_SECURITY);
  r.mutable_closure()->set_details("district inaccessible since October");
  *r.mutable_closure()->mutable_closing_session()->mutable_date() =
      Day(2026, 11, 30);
  EXPECT_THAT(Fields(ValidateCloseCase(r, kRssIds, kToday)), IsEmpty());
}

TEST(ValidateCloseCaseTest, EachBadFieldIsNamed) {
  struct Case {
    std::string name;
    std::function<void(v1::CloseCaseRequest&)> spoil;
    std::vector<std::string> fields;
  };
  const std::string long_text(kMaxClosureTextLength + 1, 'x');
  const std::string long_reason(kMaxClosureReasonLength + 1, 'x');
  const std::vector<Case> cases = {
      {"bad request id",
       [](auto& r) { r.set_request_id("a b"); },
       {"request_id"}},
      {"no case",
       [](auto& r) { r.mutable_closure()->clear_case_id(); },
       {"closure.case_id"}},
      {"no reason",
       [](auto& r) { r.mutable_closure()->clear_reason(); },
       {"closure.reason"}},
      {"unknown reason",
       [](auto& r) {
         r.mutable_closure()->set_reason(static_cast<v1::ClosureReason>(42));
       },
       {"closure.reason"}},
      {"chose to stop without returnee reasons",
       [](auto& r) {
         r.mutable_closure()->set_reason(v1::CLOSURE_REASON_CHOSE_TO_STOP);
       },
       {"closure.returnee_reasons"}},
      {"returnee reasons on a planned closure",
       [](auto& r) {
         r.mutable_closure()->add_returnee_reasons(
             v1::EARLY_EXIT_REASON_STIGMA);
       },
       {"closure.returnee_reasons"}},
      {"unspecified and repeated returnee reasons",
       [](auto& r) {
         v1::Closure& c = *r.mutable_closure();
         c.set_reason(v1::CLOSURE_REASON_MOVED_AWAY);
         c.add_returnee_reasons(v1::EARLY_EXIT_REASON_STIGMA);
         c.add_returnee_reasons(v1::EARLY_EXIT_REASON_UNSPECIFIED);
         c.add_returnee_reasons(v1::EARLY_EXIT_REASON_STIGMA);
       },
       {"closure.returnee_reasons[1]", "closure.returnee_reasons[2]"}},
      {"OTHER without notes",
       [](auto& r) {
         v1::Closure& c = *r.mutable_closure();
         c.set_reason(v1::CLOSURE_REASON_CHOSE_TO_STOP);
         c.add_returnee_reasons(v1::EARLY_EXIT_REASON_OTHER);
       },
       {"closure.returnee_reasons_notes"}},
      {"notes without reasons",
       [](auto& r) { r.mutable_closure()->set_returnee_reasons_notes("x"); },
       {"closure.returnee_reasons_notes"}},
      {"no longer eligible without details",
       [](auto& r) {
         r.mutable_closure()->set_reason(v1::CLOSURE_REASON_NO_LONGER_ELIGIBLE);
       },
       {"closure.details"}},
      {"transferred with blank details",
       [](auto& r) {
         r.mutable_closure()->set_reason(v1::CLOSURE_REASON_TRANSFERRED);
         r.mutable_closure()->set_details("  ");
       },
       {"closure.details"}},
      {"funding without details",
       [](auto& r) {
         r.mutable_closure()->set_reason(
             v1::CLOSURE_REASON_INVOLUNTARY_FUNDING);
       },
       {"closure.details"}},
      {"details too long",
       [&](auto& r) { r.mutable_closure()->set_details(long_text); },
       {"closure.details"}},
      {"neither final RSS nor reason",
       [](auto& r) { r.mutable_closure()->clear_final_rss_assessment_id(); },
       {"closure.final_rss_assessment_id"}},
      {"both final RSS and reason",
       [](auto& r) { r.mutable_closure()->set_no_final_rss_reason("none"); },
       {"closure.no_final_rss_reason"}},
      {"final RSS not of the case",
       [](auto& r) {
         r.mutable_closure()->set_final_rss_assessment_id("A-elsewhere");
       },
       {"closure.final_rss_assessment_id"}},
      {"no-RSS reason too long",
       [&](auto& r) {
         r.mutable_closure()->clear_final_rss_assessment_id();
         r.mutable_closure()->set_no_final_rss_reason(long_reason);
       },
       {"closure.no_final_rss_reason"}},
      {"no closing session",
       [](auto& r) { r.mutable_closure()->clear_closing_session(); },
       {"closure.closing_session"}},
      {"held without date or mode",
       [](auto& r) {
         auto* s = r.mutable_closure()->mutable_closing_session();
         s->clear_date();
         s->clear_mode();
       },
       {"closure.closing_session.date", "closure.closing_session.mode"}},
      {"held in the future",
       [](auto& r) {
         *r.mutable_closure()->mutable_closing_session()->mutable_date() =
             Day(2026, 12, 1);
       },
       {"closure.closing_session.date"}},
      {"held on no real day",
       [](auto& r) {
         *r.mutable_closure()->mutable_closing_session()->mutable_date() =
             Day(2026, 2, 30);
       },
       {"closure.closing_session.date"}},
      {"held with a not-held reason",
       [](auto& r) {
         r.mutable_closure()->mutable_closing_session()->set_not_held_reason(
             "x");
       },
       {"closure.closing_session.not_held_reason"}},
      {"not held without reason, with date and mode",
       [](auto& r) {
         r.mutable_closure()->mutable_closing_session()->set_held(false);
       },
       {"closure.closing_session.not_held_reason",
        "closure.closing_session.date", "closure.closing_session.mode"}},
  };
  for (const Case& c : cases) {
    v1::CloseCaseRequest r = ValidClose();
    c.spoil(r);
    EXPECT_EQ(Fields(ValidateCloseCase(r, kRssIds, kToday)), c.fields)
        << c.name;
  }
}

TEST(ValidateClosureStepTest, IdsEtagAndReason) {
  v1::ClosureStepRequest step;
  step.set_case_id(kCase);
  step.set_closure_id("CL1");
  step.set_etag("3");
  EXPECT_THAT(Fields(ValidateClosureStep(step, false)), IsEmpty());
  EXPECT_THAT(Fields(ValidateClosureStep(step, true)), ElementsAre("reason"));
  step.set_reason(std::string(kMaxClosureReasonLength + 1, 'x'));
  EXPECT_THAT(Fields(ValidateClosureStep(step, true)), ElementsAre("reason"));
  EXPECT_THAT(Fields(ValidateClosureStep(v1::ClosureStepRequest(), false)),
              ElementsAre("case_id", "closure_id", "etag"));
  step.clear_reason();
  step.set_etag("not-an-etag");
  EXPECT_THAT(Fields(ValidateClosureStep(step, false)), ElementsAre("etag"));

  v1::ReopenCaseRequest reopen;
  reopen.set_request_id("reopen-1");
  reopen.set_case_id(kCase);
  reopen.set_closure_id("CL1");
  reopen.set_etag("3");
  reopen.set_reason("returnee came back to the office");
  EXPECT_THAT(Fields(ValidateReopenCase(reopen)), IsEmpty());
  reopen.set_reason(" ");
  reopen.set_request_id("bad id");
  EXPECT_THAT(Fields(ValidateReopenCase(reopen)),
              ElementsAre("request_id", "reason"));
}

v1::Referral ReferralIn(const std::string& id, v1::ReferralStatus status) {
  v1::Referral r;
  r.set_referral_id(id);
  r.set_service_id("svc-" + id);
  r.set_status(status);
  return r;
}

std::vector<std::pair<v1::ClosureCheckKind, std::string>> KindsAndSubjects(
    const std::vector<v1::ClosureCheck>& checks) {
  std::vector<std::pair<v1::ClosureCheckKind, std::string>> out;
  for (const auto& c : checks) out.emplace_back(c.kind(), c.subject_id());
  return out;
}

TEST(ClosureChecksTest, ReferralsOpenUnlessFinal) {
  const std::vector<std::pair<v1::ReferralStatus, bool>> table = {
      {v1::REFERRAL_STATUS_DRAFT, true},
      {v1::REFERRAL_STATUS_REQUESTED, true},
      {v1::REFERRAL_STATUS_RECEIVED, true},
      {v1::REFERRAL_STATUS_ACCEPTED, true},
      {v1::REFERRAL_STATUS_REJECTED, false},
      {v1::REFERRAL_STATUS_READY, true},
      {v1::REFERRAL_STATUS_CANCELLED, false},
      {v1::REFERRAL_STATUS_IN_PROGRESS, true},
      {v1::REFERRAL_STATUS_ON_HOLD, true},
      {v1::REFERRAL_STATUS_FAILED, false},
      {v1::REFERRAL_STATUS_COMPLETED, false},
      {v1::REFERRAL_STATUS_ENTERED_IN_ERROR, false},
  };
  for (const auto& [status, open] : table) {
    EXPECT_EQ(IsOpenReferralForClosure(status), open) << status;
  }
}

TEST(ClosureChecksTest, ListsEveryOpenItemInOrder) {
  ClosureFacts facts;
  facts.case_id = kCase;
  facts.referrals = {ReferralIn("R1", v1::REFERRAL_STATUS_COMPLETED),
                     ReferralIn("R2", v1::REFERRAL_STATUS_IN_PROGRESS),
                     ReferralIn("R3", v1::REFERRAL_STATUS_DRAFT),
                     ReferralIn("R4", v1::REFERRAL_STATUS_CANCELLED)};
  v1::Plan plan;
  plan.set_plan_id("P1");
  plan.set_version(2);
  plan.set_status(v1::PLAN_STATUS_ACTIVE);
  const std::vector<std::pair<std::string, v1::ActivityStatus>> activities = {
      {"AC1", v1::ACTIVITY_STATUS_DONE},
      {"AC2", v1::ACTIVITY_STATUS_IN_PROGRESS},
      {"AC3", v1::ACTIVITY_STATUS_DROPPED},
      {"AC4", v1::ACTIVITY_STATUS_PLANNED}};
  for (const auto& [id, status] : activities) {
    v1::PlanActivity* a = plan.add_activities();
    a->set_activity_id(id);
    a->set_status(status);
  }
  facts.delivered_plan = plan;
  const std::vector<std::pair<std::string, v1::NeedStatus>> concerns = {
      {"PC1", v1::NEED_STATUS_OPEN},
      {"PC2", v1::NEED_STATUS_RESOLVED},
      {"PC3", v1::NEED_STATUS_BEING_ADDRESSED},
      {"PC4", v1::NEED_STATUS_NOT_APPLICABLE},
      {"PC5", v1::NEED_STATUS_SUPERSEDED}};
  for (const auto& [id, status] : concerns) {
    v1::ProtectionConcern& c = facts.concerns.emplace_back();
    c.set_concern_id(id);
    c.set_code("SUSPECTED_TRAFFICKING_VICTIM");
    c.set_status(status);
  }
  facts.final_rss = false;

  const std::vector<v1::ClosureCheck> checks = ClosureChecksOf(facts);
  EXPECT_THAT(
      KindsAndSubjects(checks),
      ElementsAre(Pair(v1::CLOSURE_CHECK_KIND_OPEN_REFERRAL, "R2"),
                  Pair(v1::CLOSURE_CHECK_KIND_OPEN_REFERRAL, "R3"),
                  Pair(v1::CLOSURE_CHECK_KIND_UNFINISHED_ACTIVITY, "P1/AC2"),
                  Pair(v1::CLOSURE_CHECK_KIND_UNFINISHED_ACTIVITY, "P1/AC4"),
                  Pair(v1::CLOSURE_CHECK_KIND_OPEN_PROTECTION_CONCERN, "PC1"),
                  Pair(v1::CLOSURE_CHECK_KIND_OPEN_PROTECTION_CONCERN, "PC3"),
                  Pair(v1::CLOSURE_CHECK_KIND_NO_FINAL_RSS, kCase)));
  EXPECT_EQ(checks[0].description(),
            "referral to service svc-R2 is REFERRAL_STATUS_IN_PROGRESS");
  EXPECT_EQ(checks[2].description(),
            "activity AC2 of plan version 2 is ACTIVITY_STATUS_IN_PROGRESS");
  EXPECT_EQ(checks[4].description(),
            "protection concern SUSPECTED_TRAFFICKING_VICTIM is "
            "NEED_STATUS_OPEN");

  // Nothing open, no plan, a final RSS: no checks.
  ClosureFacts clear;
  clear.case_id = kCase;
  clear.referrals = {ReferralIn("R1", v1::REFERRAL_STATUS_COMPLETED)};
  clear.final_rss = true;
  EXPECT_THAT(ClosureChecksOf(clear), IsEmpty());
}

TEST(ClosureChecksTest, NotAcknowledgedListsOneViolationPerCheck) {
  ClosureFacts facts;
  facts.case_id = kCase;
  facts.referrals = {ReferralIn("R2", v1::REFERRAL_STATUS_ACCEPTED)};
  const absl::Status status =
      ClosureChecksNotAcknowledged(kCase, ClosureChecksOf(facts));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("CLOSURE_CHECKS")));
  auto payload = status.GetPayload(errors::kPreconditionFailureTypeUrl);
  ASSERT_TRUE(payload.has_value());
  google::rpc::PreconditionFailure failure;
  ASSERT_TRUE(failure.ParseFromString(std::string(*payload)));
  ASSERT_EQ(failure.violations_size(), 2);
  EXPECT_EQ(failure.violations(0).type(), "CLOSURE_CHECK_KIND_OPEN_REFERRAL");
  EXPECT_EQ(failure.violations(0).subject(), "R2");
  EXPECT_EQ(failure.violations(1).type(), "CLOSURE_CHECK_KIND_NO_FINAL_RSS");
  EXPECT_EQ(failure.violations(1).subject(), kCase);
}

v1::Closure ClosureIn(v1::ClosureStatus status) {
  v1::Closure c;
  c.set_closure_id("CL1");
  c.set_case_id(kCase);
  c.set_status(status);
  return c;
}

TEST(ClosureStatusTableTest, NewClosureOnlyWhenNoneInForce) {
  EXPECT_THAT(CheckNewClosure(std::nullopt), IsOk());
  EXPECT_THAT(CheckNewClosure(ClosureIn(v1::CLOSURE_STATUS_DECLINED)), IsOk());
  EXPECT_THAT(CheckNewClosure(ClosureIn(v1::CLOSURE_STATUS_REOPENED)), IsOk());
  EXPECT_THAT(CheckNewClosure(ClosureIn(v1::CLOSURE_STATUS_PENDING_APPROVAL)),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("CL1")));
  EXPECT_THAT(CheckNewClosure(ClosureIn(v1::CLOSURE_STATUS_CLOSED)),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST(ClosureStatusTableTest, OpeningStatusByApprovalAndRole) {
  struct Row {
    bool approval;
    v1::Role role;
    v1::ClosureStatus expected;
  };
  const std::vector<Row> rows = {
      {true, v1::ROLE_CASE_MANAGER, v1::CLOSURE_STATUS_PENDING_APPROVAL},
      {true, v1::ROLE_SUPERVISOR, v1::CLOSURE_STATUS_CLOSED},
      {false, v1::ROLE_CASE_MANAGER, v1::CLOSURE_STATUS_CLOSED},
      {false, v1::ROLE_SUPERVISOR, v1::CLOSURE_STATUS_CLOSED},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(OpeningStatus(r.approval, r.role), r.expected)
        << r.approval << " " << r.role;
  }
}

TEST(ClosureStatusTableTest, EveryMoveByRole) {
  using S = v1::ClosureStatus;
  constexpr S kNone = v1::CLOSURE_STATUS_UNSPECIFIED;
  constexpr S kPending = v1::CLOSURE_STATUS_PENDING_APPROVAL;
  constexpr S kClosed = v1::CLOSURE_STATUS_CLOSED;
  constexpr S kDeclined = v1::CLOSURE_STATUS_DECLINED;
  constexpr S kReopened = v1::CLOSURE_STATUS_REOPENED;
  constexpr auto kOk = absl::StatusCode::kOk;
  constexpr auto kDenied = absl::StatusCode::kPermissionDenied;
  constexpr auto kNo = absl::StatusCode::kFailedPrecondition;
  struct Row {
    S from;
    S to;
    absl::StatusCode manager;
    absl::StatusCode supervisor;
  };
  const std::vector<Row> rows = {
      {kNone, kPending, kOk, kDenied},   {kNone, kClosed, kOk, kOk},
      {kNone, kDeclined, kNo, kNo},      {kNone, kReopened, kNo, kNo},
      {kPending, kClosed, kDenied, kOk}, {kPending, kDeclined, kDenied, kOk},
      {kPending, kReopened, kNo, kNo},   {kPending, kPending, kNo, kNo},
      {kClosed, kReopened, kOk, kOk},    {kClosed, kDeclined, kNo, kNo},
      {kClosed, kPending, kNo, kNo},     {kClosed, kClosed, kNo, kNo},
      {kDeclined, kClosed, kNo, kNo},    {kDeclined, kReopened, kNo, kNo},
      {kReopened, kClosed, kNo, kNo},    {kReopened, kPending, kNo, kNo},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(
        CheckClosureMove("CL1", r.from, r.to, v1::ROLE_CASE_MANAGER).code(),
        r.manager)
        << r.from << "->" << r.to << " case manager";
    EXPECT_EQ(CheckClosureMove("CL1", r.from, r.to, v1::ROLE_SUPERVISOR).code(),
              r.supervisor)
        << r.from << "->" << r.to << " supervisor";
    // No other role appears in the table.
    EXPECT_FALSE(IsAllowedClosureMove(r.from, r.to, v1::ROLE_PARTNER_AGENCY));
  }
}

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  return t;
}

TEST(OpenClosureTest, FillsOutputOnlyFields) {
  v1::Closure asked = ValidClose().closure();
  asked.set_closure_id("client-made");
  asked.set_etag("9");
  asked.set_approved_by("someone");
  asked.set_reopen_reason("x");
  asked.add_history()->set_status(v1::CLOSURE_STATUS_CLOSED);
  ClosureOpening opening;
  opening.approval_required = true;
  opening.role = v1::ROLE_CASE_MANAGER;
  opening.user_id = "cm-1";
  opening.office_id = "office-dakar";
  opening.checks.emplace_back().set_kind(
      v1::CLOSURE_CHECK_KIND_OPEN_PROTECTION_CONCERN);
  opening.time = At(1000);

  v1::Closure c = OpenClosure(asked, opening);
  EXPECT_EQ(c.status(), v1::CLOSURE_STATUS_PENDING_APPROVAL);
  EXPECT_EQ(c.kind(), v1::CLOSURE_KIND_PLANNED);
  EXPECT_EQ(c.closure_id(), "");
  EXPECT_EQ(c.etag(), "");
  EXPECT_EQ(c.approved_by(), "");
  EXPECT_EQ(c.reopen_reason(), "");
  EXPECT_EQ(c.requested_by(), "cm-1");
  EXPECT_EQ(c.office_id(), "office-dakar");
  EXPECT_EQ(c.checks_size(), 1);
  ASSERT_EQ(c.history_size(), 1);
  EXPECT_EQ(c.history(0).status(), v1::CLOSURE_STATUS_PENDING_APPROVAL);
  EXPECT_EQ(c.history(0).user_id(), "cm-1");
  EXPECT_EQ(c.create_time().seconds(), 1000);

  opening.role = v1::ROLE_SUPERVISOR;
  opening.user_id = "sup-1";
  c = OpenClosure(asked, opening);
  EXPECT_EQ(c.status(), v1::CLOSURE_STATUS_CLOSED);
  EXPECT_EQ(c.approved_by(), "sup-1");

  // Closed at once by a case manager: nobody approved it.
  opening.approval_required = false;
  opening.role = v1::ROLE_CASE_MANAGER;
  opening.user_id = "cm-1";
  c = OpenClosure(asked, opening);
  EXPECT_EQ(c.status(), v1::CLOSURE_STATUS_CLOSED);
  EXPECT_EQ(c.approved_by(), "");
}

TEST(MoveClosureTest, ApproveDeclineReopen) {
  v1::Closure pending = ClosureIn(v1::CLOSURE_STATUS_PENDING_APPROVAL);
  pending.set_requested_by("cm-1");

  absl::StatusOr<v1::Closure> approved =
      MoveClosure(pending, Move(v1::CLOSURE_STATUS_CLOSED, v1::ROLE_SUPERVISOR,
                                "sup-1", "", At(2000)));
  ASSERT_THAT(approved, IsOk());
  EXPECT_EQ(approved->status(), v1::CLOSURE_STATUS_CLOSED);
  EXPECT_EQ(approved->approved_by(), "sup-1");
  ASSERT_EQ(approved->history_size(), 1);
  EXPECT_EQ(approved->history(0).user_id(), "sup-1");
  EXPECT_EQ(approved->update_time().seconds(), 2000);

  EXPECT_THAT(
      MoveClosure(pending, Move(v1::CLOSURE_STATUS_DECLINED,
                                v1::ROLE_SUPERVISOR, "sup-1", " ")),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason")));
  EXPECT_THAT(MoveClosure(pending, Move(v1::CLOSURE_STATUS_DECLINED,
                                        v1::ROLE_CASE_MANAGER, "cm-1", "no")),
              StatusIs(absl::StatusCode::kPermissionDenied));
  absl::StatusOr<v1::Closure> declined = MoveClosure(
      pending, Move(v1::CLOSURE_STATUS_DECLINED, v1::ROLE_SUPERVISOR, "sup-1",
                    "referral still open"));
  ASSERT_THAT(declined, IsOk());
  EXPECT_EQ(declined->status(), v1::CLOSURE_STATUS_DECLINED);
  EXPECT_EQ(declined->history(0).reason(), "referral still open");
  EXPECT_EQ(declined->approved_by(), "");

  absl::StatusOr<v1::Closure> reopened = MoveClosure(
      *approved, Move(v1::CLOSURE_STATUS_REOPENED, v1::ROLE_CASE_MANAGER,
                      "cm-1", "returnee asked for support again"));
  ASSERT_THAT(reopened, IsOk());
  EXPECT_EQ(reopened->status(), v1::CLOSURE_STATUS_REOPENED);
  EXPECT_EQ(reopened->reopen_reason(), "returnee asked for support again");
  EXPECT_EQ(reopened->history_size(), 2);
  EXPECT_THAT(
      MoveClosure(*reopened, Move(v1::CLOSURE_STATUS_REOPENED,
                                  v1::ROLE_CASE_MANAGER, "cm-1", "again")),
      StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(ClosureForEventTest, DropsFreeTextKeepsCodes) {
  v1::Closure c = ValidClose().closure();
  c.set_closure_id("CL1");
  c.set_status(v1::CLOSURE_STATUS_REOPENED);
  c.set_reason(v1::CLOSURE_REASON_CHOSE_TO_STOP);
  c.set_details("private story");
  c.add_returnee_reasons(v1::EARLY_EXIT_REASON_STIGMA);
  c.set_returnee_reasons_notes("private notes");
  c.set_no_final_rss_reason("private why");
  c.mutable_closing_session()->set_not_held_reason("private session");
  c.set_reopen_reason("private reopen");
  c.set_etag("4");
  auto* h = c.add_history();
  h->set_status(v1::CLOSURE_STATUS_DECLINED);
  h->set_reason("private decline");
  h->set_user_id("sup-1");

  const v1::Closure e = ClosureForEvent(c);
  EXPECT_EQ(e.details(), "");
  EXPECT_EQ(e.returnee_reasons_notes(), "");
  EXPECT_EQ(e.no_final_rss_reason(), "");
  EXPECT_EQ(e.closing_session().not_held_reason(), "");
  EXPECT_EQ(e.reopen_reason(), "");
  EXPECT_EQ(e.etag(), "");
  EXPECT_EQ(e.history(0).reason(), "");
  EXPECT_EQ(e.history(0).user_id(), "sup-1");
  EXPECT_EQ(e.closure_id(), "CL1");
  EXPECT_EQ(e.reason(), v1::CLOSURE_REASON_CHOSE_TO_STOP);
  EXPECT_EQ(e.returnee_reasons_size(), 1);
  EXPECT_EQ(e.final_rss_assessment_id(), "A-rss-closure");
  EXPECT_EQ(e.closing_session().mode(), v1::FOLLOW_UP_MODE_PHONE);
}

}  // namespace
}  // namespace homeward::follow_up
