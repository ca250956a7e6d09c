// The rules of closing and reopening a case, pure (the day and the time
// come in): the kind a reason implies, the checks of a CloseCase request
// and of the step requests (one violation per bad field), what is still
// open when a case is closed (referrals, activities, protection concerns,
// no final RSS), and the closure status table:
//
//   (none, DECLINED, REOPENED) -> PENDING_APPROVAL   case manager, approval
//                                                    required
//   (none, DECLINED, REOPENED) -> CLOSED             supervisor; anyone when
//                                                    no approval is required
//   PENDING_APPROVAL -> CLOSED (approve)             supervisor
//   PENDING_APPROVAL -> DECLINED (reason)            supervisor
//   CLOSED -> REOPENED (reason)                      case manager, supervisor
//
//   RETURN_IF_ERROR(ValidateCloseCase(request, rss_ids, today).ToStatus());
//   RETURN_IF_ERROR(CheckNewClosure(latest));
//   std::vector<ClosureCheck> checks = ClosureChecksOf(facts);
//   Closure c = OpenClosure(request.closure(), opening);
//   ASSIGN_OR_RETURN(Closure next, MoveClosure(c, {.to = CLOSED, ...}));
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_CLOSURE_RULES_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_CLOSURE_RULES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "google/protobuf/timestamp.pb.h"
#include "homeward/v1/follow_up.pb.h"
#include "homeward/v1/needs.pb.h"
#include "homeward/v1/planning.pb.h"
#include "homeward/v1/referral.pb.h"
#include "homeward/v1/roles.pb.h"

namespace homeward::follow_up {

// Longest free text of a closure: details and the returnee's notes; and
// the shorter reasons (no final RSS, no closing session, decline, reopen).
inline constexpr size_t kMaxClosureTextLength = 4000;
inline constexpr size_t kMaxClosureReasonLength = 1000;

// PLANNED for SUPPORT_COMPLETED and TRANSFERRED, UNPLANNED for every other
// reason, UNSPECIFIED for UNSPECIFIED (or a value this build does not know).
homeward::v1::ClosureKind ClosureKindOf(homeward::v1::ClosureReason reason);

// Whether `reason` requires `details` (what happened): NO_LONGER_ELIGIBLE,
// TRANSFERRED, INVOLUNTARY_FUNDING and INVOLUNTARY_SECURITY.
bool ClosureReasonNeedsDetails(homeward::v1::ClosureReason reason);

// Every problem with a CloseCase request, one violation per bad field
// ("closure.reason", "closure.closing_session.date"...):
// - request_id: empty or a request id; closure.case_id required;
// - reason required (a known value);
// - returnee_reasons: at least one for CHOSE_TO_STOP, none for a planned
//   closure, each a known value, none twice; returnee_reasons_notes
//   required when they include OTHER, only with returnee_reasons;
// - details required for the reasons of ClosureReasonNeedsDetails;
// - exactly one of final_rss_assessment_id (one of `case_rss_ids`, the RSS
//   assessments of the case known from the assessment feed) and
//   no_final_rss_reason;
// - closing_session required: held with a date (a real day, not after
//   `today`) and a mode, without not_held_reason; or not held with
//   not_held_reason and without date or mode;
// - text lengths bounded (kMaxClosureTextLength, kMaxClosureReasonLength).
// Output-only fields are ignored (OpenClosure replaces them).
errors::FieldViolations ValidateCloseCase(
    const homeward::v1::CloseCaseRequest& request,
    const std::vector<std::string>& case_rss_ids, absl::CivilDay today);

// ApproveClosure / DeclineClosure: case_id, closure_id and etag required
// (the etag one EtagOf could make), reason required when `reason_required`
// (decline), every reason bounded.
errors::FieldViolations ValidateClosureStep(
    const homeward::v1::ClosureStepRequest& request, bool reason_required);
// ReopenCase: request_id empty or a request id, case_id, closure_id, etag
// and reason required, reason bounded.
errors::FieldViolations ValidateReopenCase(
    const homeward::v1::ReopenCaseRequest& request);

// What is known of a case when it is closed, from the follow-up service's
// projections of the other services' feeds.
struct ClosureFacts {
  std::string case_id;
  // The plan being delivered (PlanView::Delivered); nullopt: none.
  std::optional<homeward::v1::Plan> delivered_plan;
  std::vector<homeward::v1::Referral> referrals;  // the case's, every status
  std::vector<homeward::v1::ProtectionConcern> concerns;  // every status
  // Whether the closure has a final RSS (CloseCase: final_rss_assessment_id
  // given; GetClosureChecks: an RSS of occasion CLOSURE is known).
  bool final_rss = false;
};

// Whether a referral in `status` is still open for a closure: anything but
// COMPLETED, REJECTED, CANCELLED, FAILED and ENTERED_IN_ERROR (a DRAFT is
// open: it was never sent nor withdrawn).
bool IsOpenReferralForClosure(homeward::v1::ReferralStatus status);

// What is still open, in this order: each open referral (subject its id,
// description its status and service), each PLANNED or IN_PROGRESS
// activity of the delivered plan (subject "<plan_id>/<activity_id>"), each
// protection concern OPEN or BEING_ADDRESSED (subject its id, description
// its code and status), and NO_FINAL_RSS (subject the case) without a
// final RSS. Descriptions hold codes and statuses only, never free text.
std::vector<homeward::v1::ClosureCheck> ClosureChecksOf(
    const ClosureFacts& facts);

// FAILED_PRECONDITION (the message starts "CLOSURE_CHECKS") with one
// google.rpc.PreconditionFailure violation per check: type the
// ClosureCheckKind name, subject the check's subject. `checks` not empty.
absl::Status ClosureChecksNotAcknowledged(
    absl::string_view case_id,
    const std::vector<homeward::v1::ClosureCheck>& checks);

// OK when a new closure may be asked for: the case has none, or its latest
// is DECLINED or REOPENED. ALREADY_EXISTS naming the latest when it is
// PENDING_APPROVAL or CLOSED.
absl::Status CheckNewClosure(
    const std::optional<homeward::v1::Closure>& latest);

// The status a new closure starts in: PENDING_APPROVAL when approval is
// required and `role` is not a supervisor, CLOSED otherwise.
homeward::v1::ClosureStatus OpeningStatus(bool approval_required,
                                          homeward::v1::Role role);

// Who asks for a closure, and what the handler learnt of the case.
struct ClosureOpening {
  bool approval_required = false;
  homeward::v1::Role role = homeward::v1::ROLE_UNSPECIFIED;
  std::string user_id;
  std::string office_id;
  std::vector<homeward::v1::ClosureCheck> checks;
  google::protobuf::Timestamp time;
};

// The closure `asked` (the request's, validated) as it is stored: status
// OpeningStatus, kind from the reason, checks, office, requested_by,
// approved_by (the supervisor who closed it at once), one history entry
// and create/update times; closure_id, etag and reopen_reason cleared (the
// store names it).
homeward::v1::Closure OpenClosure(const homeward::v1::Closure& asked,
                                  const ClosureOpening& opening);

// Whether the table above has the row (from, to) for `role`. `from`
// UNSPECIFIED stands for "no closure in force" (none, DECLINED, REOPENED).
bool IsAllowedClosureMove(homeward::v1::ClosureStatus from,
                          homeward::v1::ClosureStatus to,
                          homeward::v1::Role role);

// OK when `role` may move a closure from `from` to `to`;
// FAILED_PRECONDITION (CLOSURE_STATUS) naming the closure's status when no
// role may; PERMISSION_DENIED when other roles may.
absl::Status CheckClosureMove(absl::string_view closure_id,
                              homeward::v1::ClosureStatus from,
                              homeward::v1::ClosureStatus to,
                              homeward::v1::Role role);

struct ClosureMove {
  homeward::v1::ClosureStatus to = homeward::v1::CLOSURE_STATUS_UNSPECIFIED;
  homeward::v1::Role role = homeward::v1::ROLE_UNSPECIFIED;
  std::string user_id;
  std::string reason;  // required to decline and to reopen
  google::protobuf::Timestamp time;
};

// `current` after `move`: CheckClosureMove first (its error), then
// INVALID_ARGUMENT on "reason" when declining or reopening without one;
// then the status, a history entry (status, reason, user, time), approved_by
// (CLOSED), reopen_reason (REOPENED) and update_time.
absl::StatusOr<homeward::v1::Closure> MoveClosure(
    const homeward::v1::Closure& current, const ClosureMove& move);

// The closure as the CaseClosed and CaseReopened events carry it: without
// its free text (details, returnee_reasons_notes, no_final_rss_reason, the
// closing session's not_held_reason, reopen_reason, the history's reasons)
// and without its etag. Codes, ids, dates and statuses stay.
homeward::v1::Closure ClosureForEvent(const homeward::v1::Closure& closure);

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_CLOSURE_RULES_H_
