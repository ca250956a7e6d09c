// The referral status table; see referral_transitions.h.
#include "services/referral/referral_transitions.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/errors.h"

namespace homeward::referral {
namespace {

using homeward::v1::Referral;
using homeward::v1::ReferralStatus_Name;
using RS = homeward::v1::ReferralStatus;

constexpr RS kNew = homeward::v1::REFERRAL_STATUS_UNSPECIFIED;
constexpr RS kDraft = homeward::v1::REFERRAL_STATUS_DRAFT;
constexpr RS kRequested = homeward::v1::REFERRAL_STATUS_REQUESTED;
constexpr RS kReceived = homeward::v1::REFERRAL_STATUS_RECEIVED;
constexpr RS kAccepted = homeward::v1::REFERRAL_STATUS_ACCEPTED;
constexpr RS kRejected = homeward::v1::REFERRAL_STATUS_REJECTED;
constexpr RS kReady = homeward::v1::REFERRAL_STATUS_READY;
constexpr RS kCancelled = homeward::v1::REFERRAL_STATUS_CANCELLED;
constexpr RS kInProgress = homeward::v1::REFERRAL_STATUS_IN_PROGRESS;
constexpr RS kOnHold = homeward::v1::REFERRAL_STATUS_ON_HOLD;
constexpr RS kFailed = homeward::v1::REFERRAL_STATUS_FAILED;
constexpr RS kCompleted = homeward::v1::REFERRAL_STATUS_COMPLETED;
constexpr RS kEnteredInError = homeward::v1::REFERRAL_STATUS_ENTERED_IN_ERROR;

constexpr ReferralSide kRequester = homeward::v1::REFERRAL_SIDE_REQUESTER;
constexpr ReferralSide kPerformer = homeward::v1::REFERRAL_SIDE_PERFORMER;

struct Move {
  RS from;
  RS to;
  ReferralSide side;
};

// The table of referral.proto, one row per allowed (from, to, side).
constexpr Move kMoves[] = {
    // Requester: create, send, cancel, mark entered-in-error.
    {kNew, kDraft, kRequester},
    {kNew, kRequested, kRequester},
    {kDraft, kRequested, kRequester},
    {kDraft, kCancelled, kRequester},
    {kRequested, kCancelled, kRequester},
    {kReceived, kCancelled, kRequester},
    {kAccepted, kCancelled, kRequester},
    {kReady, kCancelled, kRequester},
    {kInProgress, kCancelled, kRequester},
    {kOnHold, kCancelled, kRequester},
    {kDraft, kEnteredInError, kRequester},
    {kRequested, kEnteredInError, kRequester},
    {kReceived, kEnteredInError, kRequester},
    {kAccepted, kEnteredInError, kRequester},
    {kRejected, kEnteredInError, kRequester},
    {kReady, kEnteredInError, kRequester},
    {kCancelled, kEnteredInError, kRequester},
    {kInProgress, kEnteredInError, kRequester},
    {kOnHold, kEnteredInError, kRequester},
    {kFailed, kEnteredInError, kRequester},
    {kCompleted, kEnteredInError, kRequester},
    // Performer: receive, accept, reject, ready, start, hold, resume,
    // complete, fail.
    {kRequested, kReceived, kPerformer},
    {kRequested, kAccepted, kPerformer},
    {kRequested, kRejected, kPerformer},
    {kReceived, kAccepted, kPerformer},
    {kReceived, kRejected, kPerformer},
    {kAccepted, kReady, kPerformer},
    {kAccepted, kInProgress, kPerformer},
    {kReady, kInProgress, kPerformer},
    {kInProgress, kOnHold, kPerformer},
    {kOnHold, kInProgress, kPerformer},
    {kInProgress, kCompleted, kPerformer},
    {kInProgress, kFailed, kPerformer},
    {kOnHold, kFailed, kPerformer},
};

std::string StatusName(RS status) {
  return status == kNew ? std::string("(new)") : ReferralStatus_Name(status);
}

}  // namespace

bool IsAllowedReferralMove(RS from, RS to, ReferralSide side) {
  for (const Move& m : kMoves) {
    if (m.from == from && m.to == to && m.side == side) return true;
  }
  return false;
}

std::vector<RS> AllowedNextReferralStatuses(RS from, ReferralSide side) {
  std::vector<RS> allowed;
  for (int i = homeward::v1::ReferralStatus_MIN;
       i <= homeward::v1::ReferralStatus_MAX; ++i) {
    if (!homeward::v1::ReferralStatus_IsValid(i)) continue;
    if (IsAllowedReferralMove(from, static_cast<RS>(i), side)) {
      allowed.push_back(static_cast<RS>(i));
    }
  }
  return allowed;
}

absl::Status CheckReferralMove(RS from, RS to, ReferralSide side) {
  if (IsAllowedReferralMove(from, to, side)) return absl::OkStatus();
  const std::vector<RS> allowed = AllowedNextReferralStatuses(from, side);
  const std::string names =
      allowed.empty()
          ? std::string("none")
          : absl::StrJoin(allowed, ", ", [](std::string* out, RS s) {
              absl::StrAppend(out, ReferralStatus_Name(s));
            });
  const std::string side_name = side == kRequester   ? "the requester"
                                : side == kPerformer ? "the performer"
                                                     : "no side";
  return errors::FailedPrecondition(
      "REFERRAL_STATUS", StatusName(from),
      absl::StrCat("referral is ", StatusName(from), "; ", side_name,
                   " cannot move it to ", StatusName(to),
                   "; allowed: ", names));
}

bool ReferralMoveNeedsReason(RS to) {
  return to == kRejected || to == kCancelled || to == kOnHold || to == kFailed;
}

bool ReferralMoveNeedsOutcome(RS to) { return to == kCompleted; }

absl::Status CheckReferralMoveDetails(RS to, absl::string_view reason,
                                      absl::string_view outcome) {
  if (ReferralMoveNeedsReason(to) &&
      absl::StripAsciiWhitespace(reason).empty()) {
    return errors::InvalidField(
        "reason",
        absl::StrCat("is required when status is ", ReferralStatus_Name(to)));
  }
  if (ReferralMoveNeedsOutcome(to) &&
      absl::StripAsciiWhitespace(outcome).empty()) {
    return errors::InvalidField(
        "outcome",
        absl::StrCat("is required when status is ", ReferralStatus_Name(to)));
  }
  return absl::OkStatus();
}

bool IsFinalReferralStatus(RS status) {
  return status == kRejected || status == kCancelled || status == kFailed ||
         status == kCompleted || status == kEnteredInError;
}

bool IsOpenForPerformer(RS status) {
  return status == kRequested || status == kReceived || status == kAccepted ||
         status == kReady || status == kInProgress || status == kOnHold;
}

absl::Status CheckReferralClaim(const Referral& referral) {
  if (!IsOpenForPerformer(referral.status())) {
    return errors::FailedPrecondition(
        "REFERRAL_STATUS", StatusName(referral.status()),
        absl::StrCat("referral is ", StatusName(referral.status()),
                     "; only a referral that is sent and still open can be "
                     "claimed"));
  }
  if (!referral.performer_id().empty()) {
    return errors::FailedPrecondition("ALREADY_CLAIMED", referral.referral_id(),
                                      "the referral already has a performer");
  }
  return absl::OkStatus();
}

absl::StatusOr<Referral> MoveReferral(const Referral& current,
                                      const ReferralMove& move) {
  absl::Status allowed =
      CheckReferralMove(current.status(), move.to, move.side);
  if (!allowed.ok()) return allowed;
  absl::Status details =
      CheckReferralMoveDetails(move.to, move.reason, move.outcome);
  if (!details.ok()) return details;
  Referral next = current;
  next.set_status(move.to);
  const std::string reason =
      ReferralMoveNeedsReason(move.to) ? move.reason : std::string();
  auto* change = next.add_history();
  change->set_status(move.to);
  change->set_side(move.side);
  change->set_user_id(move.user_id);
  change->set_reason(reason);
  if (move.to == kRejected) {
    change->set_decline_reason(move.decline_reason);
    next.set_decline_reason(move.decline_reason);
  }
  *change->mutable_time() = move.time;
  next.set_status_reason(reason);
  if (ReferralMoveNeedsOutcome(move.to)) next.set_outcome(move.outcome);
  *next.mutable_update_time() = move.time;
  const bool answers =
      move.to == kReceived || move.to == kAccepted || move.to == kRejected;
  if (answers && !next.has_response_time()) {
    *next.mutable_response_time() = move.time;
  }
  if (move.to == kCompleted || move.to == kFailed) {
    *next.mutable_completion_time() = move.time;
  }
  return next;
}

}  // namespace homeward::referral
