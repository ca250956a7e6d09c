// The referral service's follow-up-feed consumer; see case_closures.h.
#include "services/referral/case_closures.h"

#include <utility>

#include "common/service/actor.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "services/referral/referral_transitions.h"

namespace homeward::referral {
namespace {

using homeward::v1::Event;
using homeward::v1::Referral;

constexpr int kCasePage = 500;

// The follow-up service acting: the user who closed the case.
service::Actor ActorOf(const Event& event) {
  service::Actor actor;
  actor.principal.set_user_id(event.actor_user_id());
  actor.principal.set_role(homeward::v1::ROLE_SERVICE);
  actor.request_id = event.request_id();
  actor.method = ReferralCaseClosures::kMethod;
  return actor;
}

}  // namespace

homeward::v1::EventSelection ReferralCaseClosures::Selection() const {
  homeward::v1::EventSelection selection;
  selection.add_payloads(Event::kCaseClosed);
  return selection;
}

absl::StatusOr<storage::WriteSet> ReferralCaseClosures::Apply(
    const Event& event) {
  storage::WriteSet set;
  if (!event.has_case_closed()) return set;
  const std::string& case_id = event.case_closed().closure().case_id().empty()
                                   ? event.subject_id()
                                   : event.case_closed().closure().case_id();
  if (case_id.empty()) return set;
  const service::Actor actor = ActorOf(event);
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        storage::Page<Referral> page,
        referrals_->ListByCase(event.partition(), case_id, kCasePage, token));
    for (const Referral& current : page.items) {
      if (IsFinalReferralStatus(current.status())) continue;
      ReferralMove move;
      move.to = homeward::v1::REFERRAL_STATUS_CANCELLED;
      move.side = homeward::v1::REFERRAL_SIDE_REQUESTER;
      move.user_id = event.actor_user_id();
      move.reason = kCaseClosedReason;
      move.time = storage::NowTimestamp();
      ASSIGN_OR_RETURN(Referral next, MoveReferral(current, move));
      ASSIGN_OR_RETURN(
          ReferralStore::Prepared prepared,
          referrals_->PrepareChange(actor, current, std::move(next)));
      set.Append(std::move(prepared.set));
    }
    token = std::move(page.next_page_token);
  } while (!token.empty());
  return set;
}

}  // namespace homeward::referral
