// The follow-up service's view of the referral feed; see referral_view.h.
#include "services/follow_up/referral_view.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace homeward::follow_up {
namespace {

constexpr int kPageSize = 500;

}  // namespace

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
  if (referral.case_id().empty()) {
    return errors::InvalidField("referral_status_changed.referral.case_id",
                                "is required in this event");
  }
  if (storage::PartitionOf(referral.case_id(), owned_.count()) !=
      event.partition()) {
    return errors::InvalidField(
        "referral_status_changed.referral.case_id",
        absl::StrCat("must be a case of the event's partition ",
                     event.partition()));
  }
  if (referral.referral_id().empty()) {
    return errors::InvalidField("referral_status_changed.referral.referral_id",
                                "is required in this event");
  }
  const std::string id =
      absl::StrCat(referral.case_id(), "/", referral.referral_id());
  homeward::v1::Referral stored;
  uint64_t applied = 0;
  ASSIGN_OR_RETURN(bool found, store_->GetRecord(event.partition(), kKind, id,
                                                 &stored, &applied));
  if (found && applied >= event.sequence()) return set;
  // The feed carries no summary; a later producer might: it is not kept.
  referral.clear_summary();
  referral.clear_etag();
  set.PutRecord(event.partition(), kKind, id, event.sequence(), referral);
  if (!found) {
    set.PutIndex(event.partition(), kByCase, referral.case_id(),
                 referral.referral_id());
  }
  return set;
}

absl::StatusOr<std::vector<homeward::v1::Referral>> ReferralView::ForCase(
    uint32_t partition, absl::string_view case_id) const {
  std::vector<homeward::v1::Referral> referrals;
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        storage::IndexPage page,
        store_->ListIndex({partition}, kByCase, case_id, kPageSize, token));
    for (const storage::IndexEntry& entry : page.entries) {
      homeward::v1::Referral referral;
      ASSIGN_OR_RETURN(bool found,
                       store_->GetRecord(partition, kKind,
                                         absl::StrCat(case_id, "/", entry.id),
                                         &referral, nullptr));
      if (found) referrals.push_back(std::move(referral));
    }
    token = std::move(page.next_page_token);
  } while (!token.empty());
  // The index orders ids by length first; referral ids are time-ordered.
  std::sort(
      referrals.begin(), referrals.end(),
      [](const homeward::v1::Referral& a, const homeward::v1::Referral& b) {
        return a.referral_id() < b.referral_id();
      });
  return referrals;
}

}  // namespace homeward::follow_up
