// The follow-up service's view of the referral feed; see referral_view.h.
#include "services/follow_up/referral_view.h"

#include <algorithm>
#include <utility>

#include "common/cases/case_record_copies.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace homeward::follow_up {

homeward::v1::EventSelection ReferralView::Selection() const {
  homeward::v1::EventSelection selection;
  selection.add_payloads(homeward::v1::Event::kReferralStatusChanged);
  return selection;
}

absl::StatusOr<storage::WriteSet> ReferralView::Apply(
    const homeward::v1::Event& event) {
  storage::WriteSet set;
  if (!owned_.Contains(event.partition()) ||
      !event.has_referral_status_changed()) {
    return set;
  }
  homeward::v1::Referral referral = event.referral_status_changed().referral();
  RETURN_IF_ERROR(cases::CheckEventCaseId(
      event, referral.case_id(), "referral_status_changed.referral.case_id",
      owned_.count()));
  if (referral.referral_id().empty()) {
    return errors::InvalidField("referral_status_changed.referral.referral_id",
                                "is required in this event");
  }
  // The feed carries no summary; a later producer might: it is not kept.
  referral.clear_summary();
  referral.clear_etag();
  RETURN_IF_ERROR(cases::CaseRecordCopies(store_, kKind, kByCase)
                      .PutIfNewer(event, referral.case_id(),
                                  referral.referral_id(), referral, set));
  return set;
}

absl::StatusOr<std::vector<homeward::v1::Referral>> ReferralView::ForCase(
    uint32_t partition, absl::string_view case_id) const {
  ASSIGN_OR_RETURN(std::vector<homeward::v1::Referral> referrals,
                   cases::CaseRecordCopies(store_, kKind, kByCase)
                       .Read<homeward::v1::Referral>(partition, case_id));
  // The index orders ids by length first; referral ids are time-ordered.
  std::sort(
      referrals.begin(), referrals.end(),
      [](const homeward::v1::Referral& a, const homeward::v1::Referral& b) {
        return a.referral_id() < b.referral_id();
      });
  return referrals;
}

}  // namespace homeward::follow_up
