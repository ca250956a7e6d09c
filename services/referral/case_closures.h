// What the referral service does with the follow-up service's feed: a
// CaseClosed cancels the case's referrals not final yet (DRAFT included)
// with reason "case closed" (side REQUESTER, user the event's actor), each
// with its ReferralStatusChanged, through ReferralStore::PrepareChange (so a
// handler's write in between fails the commit and the follower applies the
// event again on the referral as it then is). A closed case refuses new
// referrals through the case directory the assessment feed keeps
// (case_events.h: the case's stage CLOSED), which the assessment service
// moves on the same CaseClosed. Redelivery changes nothing: a cancelled
// referral is final and skipped.
//
//   auto* closures =
//   parts.Own(std::make_unique<ReferralCaseClosures>(referrals));
//   RETURN_IF_ERROR(service::FollowUpstream(parts, "follow_up", closures,
//                                           channels).status());
#ifndef HOMEWARD_SERVICES_REFERRAL_CASE_CLOSURES_H_
#define HOMEWARD_SERVICES_REFERRAL_CASE_CLOSURES_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/feeds/event_consumer.h"
#include "common/storage/write_set.h"
#include "homeward/v1/events.pb.h"
#include "services/referral/referral_store.h"

namespace homeward::referral {

inline constexpr char kCaseClosedReason[] = "case closed";

class ReferralCaseClosures : public feeds::EventConsumer {
 public:
  static constexpr char kName[] = "referral_case_closures";
  // The method the audit entries of these changes name.
  static constexpr char kMethod[] = "feed/follow_up";

  // Not owned; must outlive this.
  explicit ReferralCaseClosures(const ReferralStore* referrals)
      : referrals_(referrals) {}

  std::string name() const override { return kName; }
  // The cancellations of a CaseClosed; an empty set for other events and a
  // case without open referrals here.
  absl::StatusOr<storage::WriteSet> Apply(
      const homeward::v1::Event& event) override;
  // Reads the case's referrals, all in the event's partition.
  bool ReadsOwnProjection() const override { return true; }
  bool ReadsOnlyEventPartition() const override { return true; }
  // CaseClosed only.
  homeward::v1::EventSelection Selection() const override;

 private:
  const ReferralStore* referrals_;
};

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_CASE_CLOSURES_H_
