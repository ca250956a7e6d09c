// The closure rules; see closure_rules.h.
#include "services/follow_up/closure_rules.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/etags.h"
#include "common/api/field_checks.h"

namespace homeward::follow_up {
namespace {

using homeward::v1::Closure;
using homeward::v1::ClosureCheck;
using homeward::v1::ClosureReason;
using homeward::v1::ClosureStatus;
using homeward::v1::Role;

constexpr ClosureStatus kNone = homeward::v1::CLOSURE_STATUS_UNSPECIFIED;
constexpr ClosureStatus kPending =
    homeward::v1::CLOSURE_STATUS_PENDING_APPROVAL;
constexpr ClosureStatus kClosed = homeward::v1::CLOSURE_STATUS_CLOSED;
constexpr ClosureStatus kDeclined = homeward::v1::CLOSURE_STATUS_DECLINED;
constexpr ClosureStatus kReopened = homeward::v1::CLOSURE_STATUS_REOPENED;

constexpr Role kManager = homeward::v1::ROLE_CASE_MANAGER;
constexpr Role kSupervisor = homeward::v1::ROLE_SUPERVISOR;

// The earliest year a closing session may be dated: before the programme
// existed is a typing error.
constexpr int kEarliestYear = 2000;

struct Row {
  ClosureStatus from;
  ClosureStatus to;
  Role role;
};

// The table of closure_rules.h, one row per (from, to, role). Who may open
// a closure straight into CLOSED also depends on the programme
// (OpeningStatus): the table says which roles may ever.
constexpr Row kRows[] = {
    {kNone, kPending, kManager},        {kNone, kClosed, kManager},
    {kNone, kClosed, kSupervisor},      {kPending, kClosed, kSupervisor},
    {kPending, kDeclined, kSupervisor}, {kClosed, kReopened, kManager},
    {kClosed, kReopened, kSupervisor},
};

bool IsBlank(const std::string& text) {
  return absl::StripAsciiWhitespace(text).empty();
}

void CheckLength(errors::FieldViolations& bad, const std::string& field,
                 const std::string& text, size_t max) {
  if (text.size() > max) {
    bad.Add(field, absl::StrCat("must be at most ", max, " characters"));
  }
}

bool IsKnownReason(ClosureReason reason) {
  return homeward::v1::ClosureReason_IsValid(reason) &&
         reason != homeward::v1::CLOSURE_REASON_UNSPECIFIED;
}

void CheckReturneeReasons(errors::FieldViolations& bad,
                          const Closure& closure) {
  const ClosureReason reason = closure.reason();
  const int count = closure.returnee_reasons_size();
  if (reason == homeward::v1::CLOSURE_REASON_CHOSE_TO_STOP && count == 0) {
    bad.Add("closure.returnee_reasons",
            "at least one is required when the returnee chose to stop");
  } else if (count > 0 &&
             ClosureKindOf(reason) == homeward::v1::CLOSURE_KIND_PLANNED) {
    bad.Add("closure.returnee_reasons",
            "are the reasons for leaving early: not for a planned closure "
            "(SUPPORT_COMPLETED, TRANSFERRED)");
  }
  absl::flat_hash_set<int> seen;
  bool other = false;
  for (int i = 0; i < count; ++i) {
    const int value = closure.returnee_reasons(i);
    const std::string field = absl::StrCat("closure.returnee_reasons[", i, "]");
    if (!homeward::v1::EarlyExitReason_IsValid(value) ||
        value == homeward::v1::EARLY_EXIT_REASON_UNSPECIFIED) {
      bad.Add(field, "must be a known EarlyExitReason, not UNSPECIFIED");
    } else if (!seen.insert(value).second) {
      bad.Add(field, "is given twice; give each reason once");
    }
    other = other || value == homeward::v1::EARLY_EXIT_REASON_OTHER;
  }
  const std::string& notes = closure.returnee_reasons_notes();
  if (other && IsBlank(notes)) {
    bad.Add("closure.returnee_reasons_notes",
            "is required when the returnee's reasons include OTHER");
  } else if (count == 0 && !notes.empty()) {
    bad.Add("closure.returnee_reasons_notes",
            "is allowed only with returnee_reasons");
  }
  CheckLength(bad, "closure.returnee_reasons_notes", notes,
              kMaxClosureTextLength);
}

void CheckFinalRss(errors::FieldViolations& bad, const Closure& closure,
                   const std::vector<std::string>& case_rss_ids) {
  const std::string& id = closure.final_rss_assessment_id();
  const std::string& why_not = closure.no_final_rss_reason();
  if (id.empty() && IsBlank(why_not)) {
    bad.Add("closure.final_rss_assessment_id",
            "one of final_rss_assessment_id (the final RSS assessment) and "
            "no_final_rss_reason (why there is none) is required");
    return;
  }
  if (!id.empty() && !why_not.empty()) {
    bad.Add("closure.no_final_rss_reason",
            "must be empty when final_rss_assessment_id is given");
  }
  if (!id.empty() && std::find(case_rss_ids.begin(), case_rss_ids.end(), id) ==
                         case_rss_ids.end()) {
    bad.Add("closure.final_rss_assessment_id",
            absl::StrCat("must be an RSS assessment of the case ('", id,
                         "' is not one the follow-up service knows)"));
  }
  CheckLength(bad, "closure.no_final_rss_reason", why_not,
              kMaxClosureReasonLength);
}

void CheckClosingSession(errors::FieldViolations& bad, const Closure& closure,
                         absl::CivilDay today) {
  if (!closure.has_closing_session()) {
    bad.Add("closure.closing_session",
            "is required: held (with date and mode) or not held (with "
            "not_held_reason)");
    return;
  }
  const homeward::v1::ClosingSession& s = closure.closing_session();
  if (s.held()) {
    absl::CivilDay day;
    api::CheckPastDate(bad, "closure.closing_session.date", s.date(),
                       s.has_date() && api::IsSet(s.date()), today,
                       kEarliestYear, &day);
    if (!homeward::v1::FollowUpMode_IsValid(s.mode()) ||
        s.mode() == homeward::v1::FOLLOW_UP_MODE_UNSPECIFIED) {
      bad.Add("closure.closing_session.mode",
              "is required when the session was held: VISIT, OFFICE, PHONE "
              "or REMOTE");
    }
    if (!s.not_held_reason().empty()) {
      bad.Add("closure.closing_session.not_held_reason",
              "must be empty when the session was held");
    }
    return;
  }
  if (IsBlank(s.not_held_reason())) {
    bad.Add("closure.closing_session.not_held_reason",
            "is required when no closing session was held");
  }
  CheckLength(bad, "closure.closing_session.not_held_reason",
              s.not_held_reason(), kMaxClosureReasonLength);
  if (s.has_date() && api::IsSet(s.date())) {
    bad.Add("closure.closing_session.date",
            "must be unset when no closing session was held");
  }
  if (s.mode() != homeward::v1::FOLLOW_UP_MODE_UNSPECIFIED) {
    bad.Add("closure.closing_session.mode",
            "must be unset when no closing session was held");
  }
}

void CheckStepIds(errors::FieldViolations& bad, const std::string& case_id,
                  const std::string& closure_id, const std::string& etag) {
  if (case_id.empty()) bad.Add("case_id", "is required");
  if (closure_id.empty()) bad.Add("closure_id", "is required");
  if (etag.empty()) {
    bad.Add("etag", "is required: the closure's etag as last read");
  } else if (!api::ParseEtag(etag, "etag").ok()) {
    bad.Add("etag", "must be an etag as GetClosure answered it");
  }
}

void CheckStepReason(errors::FieldViolations& bad, const std::string& reason,
                     bool required, absl::string_view what) {
  if (required && IsBlank(reason)) {
    bad.Add("reason", absl::StrCat("is required to ", what));
  }
  CheckLength(bad, "reason", reason, kMaxClosureReasonLength);
}

std::string StatusName(ClosureStatus status) {
  return homeward::v1::ClosureStatus_Name(status);
}

}  // namespace

homeward::v1::ClosureKind ClosureKindOf(ClosureReason reason) {
  switch (reason) {
    case homeward::v1::CLOSURE_REASON_SUPPORT_COMPLETED:
    case homeward::v1::CLOSURE_REASON_TRANSFERRED:
      return homeward::v1::CLOSURE_KIND_PLANNED;
    case homeward::v1::CLOSURE_REASON_NO_LONGER_ELIGIBLE:
    case homeward::v1::CLOSURE_REASON_CHOSE_TO_STOP:
    case homeward::v1::CLOSURE_REASON_MOVED_AWAY:
    case homeward::v1::CLOSURE_REASON_RE_MIGRATED:
    case homeward::v1::CLOSURE_REASON_DIED:
    case homeward::v1::CLOSURE_REASON_LOST_CONTACT:
    case homeward::v1::CLOSURE_REASON_INVOLUNTARY_FUNDING:
    case homeward::v1::CLOSURE_REASON_INVOLUNTARY_SECURITY:
      return homeward::v1::CLOSURE_KIND_UNPLANNED;
    default:
      return homeward::v1::CLOSURE_KIND_UNSPECIFIED;
  }
}

bool ClosureReasonNeedsDetails(ClosureReason reason) {
  return reason == homeward::v1::CLOSURE_REASON_NO_LONGER_ELIGIBLE ||
         reason == homeward::v1::CLOSURE_REASON_TRANSFERRED ||
         reason == homeward::v1::CLOSURE_REASON_INVOLUNTARY_FUNDING ||
         reason == homeward::v1::CLOSURE_REASON_INVOLUNTARY_SECURITY;
}

errors::FieldViolations ValidateCloseCase(
    const homeward::v1::CloseCaseRequest& request,
    const std::vector<std::string>& case_rss_ids, absl::CivilDay today) {
  errors::FieldViolations bad;
  api::CheckRequestId(bad, request.request_id());
  const Closure& closure = request.closure();
  if (closure.case_id().empty()) bad.Add("closure.case_id", "is required");
  if (!IsKnownReason(closure.reason())) {
    bad.Add("closure.reason",
            "is required: a ClosureReason such as SUPPORT_COMPLETED or "
            "CHOSE_TO_STOP");
  } else if (ClosureReasonNeedsDetails(closure.reason()) &&
             IsBlank(closure.details())) {
    bad.Add("closure.details",
            absl::StrCat("is required for ",
                         homeward::v1::ClosureReason_Name(closure.reason()),
                         ": say what happened"));
  }
  CheckLength(bad, "closure.details", closure.details(), kMaxClosureTextLength);
  CheckReturneeReasons(bad, closure);
  CheckFinalRss(bad, closure, case_rss_ids);
  CheckClosingSession(bad, closure, today);
  return bad;
}

errors::FieldViolations ValidateClosureStep(
    const homeward::v1::ClosureStepRequest& request, bool reason_required) {
  errors::FieldViolations bad;
  CheckStepIds(bad, request.case_id(), request.closure_id(), request.etag());
  CheckStepReason(bad, request.reason(), reason_required, "decline a closure");
  return bad;
}

errors::FieldViolations ValidateReopenCase(
    const homeward::v1::ReopenCaseRequest& request) {
  errors::FieldViolations bad;
  api::CheckRequestId(bad, request.request_id());
  CheckStepIds(bad, request.case_id(), request.closure_id(), request.etag());
  CheckStepReason(bad, request.reason(), true, "reopen a case");
  return bad;
}

bool IsOpenReferralForClosure(homeward::v1::ReferralStatus status) {
  switch (status) {
    case homeward::v1::REFERRAL_STATUS_COMPLETED:
    case homeward::v1::REFERRAL_STATUS_REJECTED:
    case homeward::v1::REFERRAL_STATUS_CANCELLED:
    case homeward::v1::REFERRAL_STATUS_FAILED:
    case homeward::v1::REFERRAL_STATUS_ENTERED_IN_ERROR:
      return false;
    default:
      return true;
  }
}

std::vector<ClosureCheck> ClosureChecksOf(const ClosureFacts& facts) {
  std::vector<ClosureCheck> checks;
  auto add = [&](homeward::v1::ClosureCheckKind kind, std::string subject,
                 std::string description) {
    ClosureCheck& check = checks.emplace_back();
    check.set_kind(kind);
    check.set_subject_id(std::move(subject));
    check.set_description(std::move(description));
  };
  for (const homeward::v1::Referral& r : facts.referrals) {
    if (!IsOpenReferralForClosure(r.status())) continue;
    add(homeward::v1::CLOSURE_CHECK_KIND_OPEN_REFERRAL, r.referral_id(),
        absl::StrCat("referral to service ", r.service_id(), " is ",
                     homeward::v1::ReferralStatus_Name(r.status())));
  }
  if (facts.delivered_plan.has_value()) {
    const homeward::v1::Plan& plan = *facts.delivered_plan;
    for (const homeward::v1::PlanActivity& a : plan.activities()) {
      if (a.status() != homeward::v1::ACTIVITY_STATUS_PLANNED &&
          a.status() != homeward::v1::ACTIVITY_STATUS_IN_PROGRESS) {
        continue;
      }
      add(homeward::v1::CLOSURE_CHECK_KIND_UNFINISHED_ACTIVITY,
          absl::StrCat(plan.plan_id(), "/", a.activity_id()),
          absl::StrCat("activity ", a.activity_id(), " of plan version ",
                       plan.version(), " is ",
                       homeward::v1::ActivityStatus_Name(a.status())));
    }
  }
  for (const homeward::v1::ProtectionConcern& c : facts.concerns) {
    if (c.status() != homeward::v1::NEED_STATUS_OPEN &&
        c.status() != homeward::v1::NEED_STATUS_BEING_ADDRESSED) {
      continue;
    }
    add(homeward::v1::CLOSURE_CHECK_KIND_OPEN_PROTECTION_CONCERN,
        c.concern_id(),
        absl::StrCat("protection concern ", c.code(), " is ",
                     homeward::v1::NeedStatus_Name(c.status())));
  }
  if (!facts.final_rss) {
    add(homeward::v1::CLOSURE_CHECK_KIND_NO_FINAL_RSS, facts.case_id,
        "the case is closed without a final RSS");
  }
  return checks;
}

absl::Status ClosureChecksNotAcknowledged(
    absl::string_view case_id, const std::vector<ClosureCheck>& checks) {
  std::vector<errors::PreconditionViolation> violations;
  std::vector<std::string> kinds;
  for (const ClosureCheck& check : checks) {
    violations.push_back({homeward::v1::ClosureCheckKind_Name(check.kind()),
                          check.subject_id(), check.description()});
    kinds.push_back(
        absl::StrCat(homeward::v1::ClosureCheckKind_Name(check.kind()), " ",
                     check.subject_id()));
  }
  return errors::FailedPreconditions(
      violations,
      absl::StrCat("CLOSURE_CHECKS: case ", case_id, " has ", checks.size(),
                   " open item(s) (", absl::StrJoin(kinds, ", "),
                   "); review them (GetClosureChecks) and set "
                   "acknowledge_checks to close it anyway"));
}

absl::Status CheckNewClosure(const std::optional<Closure>& latest) {
  if (!latest.has_value()) return absl::OkStatus();
  if (latest->status() == kPending || latest->status() == kClosed) {
    return errors::AlreadyExists(
        "closure",
        absl::StrCat(latest->closure_id(), " (", StatusName(latest->status()),
                     ") of case ", latest->case_id(),
                     "; a case has one closure in force at a time"));
  }
  return absl::OkStatus();
}

ClosureStatus OpeningStatus(bool approval_required, Role role) {
  return approval_required && role != kSupervisor ? kPending : kClosed;
}

Closure OpenClosure(const Closure& asked, const ClosureOpening& opening) {
  Closure closure = asked;
  closure.clear_closure_id();
  closure.clear_etag();
  closure.clear_reopen_reason();
  closure.clear_approved_by();
  closure.clear_history();
  closure.clear_checks();
  closure.set_status(OpeningStatus(opening.approval_required, opening.role));
  closure.set_kind(ClosureKindOf(asked.reason()));
  for (const ClosureCheck& check : opening.checks) {
    *closure.add_checks() = check;
  }
  closure.set_office_id(opening.office_id);
  closure.set_requested_by(opening.user_id);
  if (closure.status() == kClosed && opening.role == kSupervisor) {
    closure.set_approved_by(opening.user_id);
  }
  auto* change = closure.add_history();
  change->set_status(closure.status());
  change->set_user_id(opening.user_id);
  *change->mutable_time() = opening.time;
  *closure.mutable_create_time() = opening.time;
  *closure.mutable_update_time() = opening.time;
  return closure;
}

bool IsAllowedClosureMove(ClosureStatus from, ClosureStatus to, Role role) {
  return std::any_of(std::begin(kRows), std::end(kRows), [&](const Row& r) {
    return r.from == from && r.to == to && r.role == role;
  });
}

absl::Status CheckClosureMove(absl::string_view closure_id, ClosureStatus from,
                              ClosureStatus to, Role role) {
  if (IsAllowedClosureMove(from, to, role)) return absl::OkStatus();
  const bool any_role =
      std::any_of(std::begin(kRows), std::end(kRows),
                  [&](const Row& r) { return r.from == from && r.to == to; });
  if (any_role) {
    return errors::PermissionDenied(absl::StrCat(
        "a ", homeward::v1::Role_Name(role), " may not move a closure from ",
        StatusName(from), " to ", StatusName(to)));
  }
  return errors::FailedPrecondition(
      "CLOSURE_STATUS", closure_id,
      absl::StrCat("closure ", closure_id, " is ", StatusName(from),
                   "; it cannot become ", StatusName(to)));
}

absl::StatusOr<Closure> MoveClosure(const Closure& current,
                                    const ClosureMove& move) {
  absl::Status allowed = CheckClosureMove(current.closure_id(),
                                          current.status(), move.to, move.role);
  if (!allowed.ok()) return allowed;
  if ((move.to == kDeclined || move.to == kReopened) && IsBlank(move.reason)) {
    return errors::InvalidField(
        "reason", move.to == kDeclined ? "is required to decline a closure"
                                       : "is required to reopen a case");
  }
  Closure next = current;
  next.set_status(move.to);
  if (move.to == kClosed) next.set_approved_by(move.user_id);
  if (move.to == kReopened) next.set_reopen_reason(move.reason);
  auto* change = next.add_history();
  change->set_status(move.to);
  change->set_reason(move.reason);
  change->set_user_id(move.user_id);
  *change->mutable_time() = move.time;
  *next.mutable_update_time() = move.time;
  return next;
}

Closure ClosureForEvent(const Closure& closure) {
  Closure out = closure;
  out.clear_details();
  out.clear_returnee_reasons_notes();
  out.clear_no_final_rss_reason();
  if (out.has_closing_session()) {
    out.mutable_closing_session()->clear_not_held_reason();
  }
  out.clear_reopen_reason();
  out.clear_etag();
  for (auto& change : *out.mutable_history()) change.clear_reason();
  return out;
}

}  // namespace homeward::follow_up
