// The follow-up service's view of the referral service's feed: every
// referral of the cases of this replica's partitions, as the latest
// ReferralStatusChanged carries it (without its summary), one
// homeward.v1.Referral record ("follow_up_referral", keyed
// "<case id>/<referral id>") in the case's partition, listed under
// "follow_up_referral_by_case" (case id). A record's store version is the
// sequence of the last event that wrote it: a redelivered event changes
// nothing. A contact's referral outcomes and the closure checks read it.
//
//   ReferralView referrals(store.get(), owned);
//   options.consumer = &referrals;  // the FeedFollower of the referral feed
//   ASSIGN_OR_RETURN(std::vector<Referral> all,
//                    referrals.ForCase(partition, case_id));
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_REFERRAL_VIEW_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_REFERRAL_VIEW_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/feeds/event_consumer.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "homeward/v1/events.pb.h"
#include "homeward/v1/referral.pb.h"

namespace homeward::follow_up {

class ReferralView : public feeds::EventConsumer {
 public:
  static constexpr char kName[] = "follow_up_referrals";
  static constexpr char kKind[] = "follow_up_referral";
  static constexpr char kByCase[] = "follow_up_referral_by_case";

  // `store` not owned, must outlive this.
  ReferralView(storage::Store* store, storage::PartitionSet owned)
      : store_(store), owned_(std::move(owned)) {}

  std::string name() const override { return kName; }
  absl::StatusOr<storage::WriteSet> Apply(
      const homeward::v1::Event& event) override;
  bool ReadsOwnProjection() const override { return true; }
  bool ReadsOnlyEventPartition() const override { return true; }
  homeward::v1::EventSelection Selection() const override;

  // Every referral of the case, oldest first (ids are time-ordered).
  absl::StatusOr<std::vector<homeward::v1::Referral>> ForCase(
      uint32_t partition, absl::string_view case_id) const;

 private:
  storage::Store* store_;
  storage::PartitionSet owned_;
};

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_REFERRAL_VIEW_H_
