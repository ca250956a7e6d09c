// The closed loop of a referral on the FHIR Task status codes: which side
// (requester: the case manager's programme; performer: the receiving
// organization) may move a referral from which status to which, what each
// move requires (a reason for REJECTED, CANCELLED, ON_HOLD and FAILED, an
// outcome for COMPLETED), and the referral after a move (status, history
// entry, latest reason, outcome, response and completion times). Pure: the
// time comes in. The table is the one in referral.proto's comment on
// ReferralStatus; REFERRAL_STATUS_UNSPECIFIED as `from` means "not created
// yet" (a creation).
//
//   RETURN_IF_ERROR(CheckReferralMove(current.status(), to,
//                                     REFERRAL_SIDE_PERFORMER));
//   ReferralMove move;
//   move.to = REFERRAL_STATUS_ON_HOLD;
//   move.side = REFERRAL_SIDE_PERFORMER;
//   move.user_id = "staff-1";
//   move.reason = request.reason();
//   move.time = storage::NowTimestamp();
//   ASSIGN_OR_RETURN(Referral next, MoveReferral(current, move));
#ifndef HOMEWARD_SERVICES_REFERRAL_REFERRAL_TRANSITIONS_H_
#define HOMEWARD_SERVICES_REFERRAL_REFERRAL_TRANSITIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "homeward/v1/referral.pb.h"

namespace homeward::referral {

using homeward::v1::ReferralSide;
using homeward::v1::ReferralStatus;

// Whether `side` may move a referral from `from` (UNSPECIFIED: creating it)
// to `to`.
bool IsAllowedReferralMove(ReferralStatus from, ReferralStatus to,
                           ReferralSide side);

// The statuses `side` may move a referral in `from` to, in enum order.
std::vector<ReferralStatus> AllowedNextReferralStatuses(ReferralStatus from,
                                                        ReferralSide side);

// OK when the move is in the table; FAILED_PRECONDITION
// (REFERRAL_STATUS) naming the current status and the statuses this side
// may move it to ("none" when it may move it nowhere) otherwise.
absl::Status CheckReferralMove(ReferralStatus from, ReferralStatus to,
                               ReferralSide side);

// Whether moving to `to` requires a reason (REJECTED, CANCELLED, ON_HOLD,
// FAILED) or an outcome (COMPLETED).
bool ReferralMoveNeedsReason(ReferralStatus to);
bool ReferralMoveNeedsOutcome(ReferralStatus to);

// INVALID_ARGUMENT naming `reason` or `outcome` when the move to `to`
// requires it and it is blank; OK otherwise.
absl::Status CheckReferralMoveDetails(ReferralStatus to,
                                      absl::string_view reason,
                                      absl::string_view outcome);

// REJECTED, CANCELLED, FAILED, COMPLETED and ENTERED_IN_ERROR.
bool IsFinalReferralStatus(ReferralStatus status);
// The statuses that still need the organization: REQUESTED, RECEIVED,
// ACCEPTED, READY, IN_PROGRESS, ON_HOLD.
bool IsOpenForPerformer(ReferralStatus status);

// OK when a staff member of the organization may claim `referral` (name
// themselves its performer): it was sent and is still open for the
// performer (IsOpenForPerformer) and has no performer yet.
// FAILED_PRECONDITION (REFERRAL_STATUS) for a referral not open,
// (ALREADY_CLAIMED) for one that has a performer; neither names the
// performer.
absl::Status CheckReferralClaim(const homeward::v1::Referral& referral);

struct ReferralMove {
  ReferralStatus to = homeward::v1::REFERRAL_STATUS_UNSPECIFIED;
  ReferralSide side = homeward::v1::REFERRAL_SIDE_UNSPECIFIED;
  std::string user_id;
  std::string reason;   // kept when the move takes one
  std::string outcome;  // kept when moving to COMPLETED
  // Kept when moving to REJECTED (ValidateChangeReferralStatus requires it
  // there and refuses it elsewhere).
  homeward::v1::ReferralDeclineReason decline_reason =
      homeward::v1::REFERRAL_DECLINE_REASON_UNSPECIFIED;
  google::protobuf::Timestamp time;
};

// `current` after `move`: CheckReferralMove and CheckReferralMoveDetails
// first (their errors), then the status, a history entry (status, side,
// user, reason, decline reason on REJECTED, time), decline_reason on
// REJECTED, status_reason (the move's reason, cleared by a move
// without one), outcome, and update_time; response_time on the first of
// RECEIVED, ACCEPTED or REJECTED, completion_time on COMPLETED or FAILED.
absl::StatusOr<homeward::v1::Referral> MoveReferral(
    const homeward::v1::Referral& current, const ReferralMove& move);

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_REFERRAL_TRANSITIONS_H_
