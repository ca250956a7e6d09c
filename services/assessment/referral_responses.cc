// Referrals answering needs and concerns; see referral_responses.h.
#include "services/assessment/referral_responses.h"

#include "common/status/status_macros.h"

namespace homeward::assessment {
namespace {

using homeward::v1::Event;
using homeward::v1::Referral;
using homeward::v1::ReferralStatus;

// What a referral in `status` asks of the record it answers.
enum class Response { kNone, kAnswer, kWithdraw };

Response ResponseTo(ReferralStatus status) {
  switch (status) {
    case homeward::v1::REFERRAL_STATUS_REQUESTED:
    case homeward::v1::REFERRAL_STATUS_RECEIVED:
    case homeward::v1::REFERRAL_STATUS_ACCEPTED:
    case homeward::v1::REFERRAL_STATUS_READY:
    case homeward::v1::REFERRAL_STATUS_IN_PROGRESS:
    case homeward::v1::REFERRAL_STATUS_ON_HOLD:
    // Completed: the service was given; the record stays BEING_ADDRESSED
    // until the case manager resolves it (listed again if it was not yet:
    // a change that finds the responder listed writes nothing).
    case homeward::v1::REFERRAL_STATUS_COMPLETED:
      return Response::kAnswer;
    case homeward::v1::REFERRAL_STATUS_REJECTED:
    case homeward::v1::REFERRAL_STATUS_CANCELLED:
    case homeward::v1::REFERRAL_STATUS_FAILED:
    case homeward::v1::REFERRAL_STATUS_ENTERED_IN_ERROR:
      return Response::kWithdraw;
    default:  // DRAFT: not sent, answers nothing yet
      return Response::kNone;
  }
}

}  // namespace

homeward::v1::EventSelection ReferralResponses::Selection() const {
  homeward::v1::EventSelection selection;
  selection.add_payloads(Event::kReferralStatusChanged);
  return selection;
}

absl::StatusOr<storage::WriteSet> ReferralResponses::Apply(const Event& event) {
  if (!event.has_referral_status_changed()) return storage::WriteSet();
  const Referral& referral = event.referral_status_changed().referral();
  const Response response = ResponseTo(referral.status());
  if (response == Response::kNone ||
      (referral.link_case() != Referral::kNeedId &&
       referral.link_case() != Referral::kConcernId)) {
    return storage::WriteSet();
  }
  homeward::v1::Responder responder;
  responder.set_kind(homeward::v1::RESPONDER_KIND_REFERRAL);
  responder.set_id(referral.referral_id());
  NeedStore::ResponderChange change;
  (response == Response::kAnswer ? change.add : change.withdraw)
      .push_back(responder);
  ResponderChanges changes;
  if (referral.link_case() == Referral::kNeedId) {
    changes.needs[referral.need_id()] = change;
  } else {
    changes.concerns[referral.concern_id()] = change;
  }
  if (referral.referral_id().empty()) {
    skipped_.Unknown();
    return storage::WriteSet();
  }
  storage::WriteSet set;
  RETURN_IF_ERROR(PlanResponderChanges(*needs_, FeedActor(event, kMethod),
                                       event, referral.case_id(), changes,
                                       kName, skipped_, set));
  return set;
}

}  // namespace homeward::assessment
