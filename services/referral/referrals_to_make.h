// The plan activities to be delivered by referral, kept from the planning
// service's feed: when a plan is approved (PlanApproved) or a revision
// becomes active (PlanRevised), the ACTIVITY_DELIVERY_REFERRAL activities
// of that version (not DROPPED or DONE) become the case's referrals to make,
// replacing the plan's earlier ones; a completed or cancelled plan
// (PlanCompleted, PlanCancelled) has none left, and an activity dropped or
// done (ActivityStatusChanged) leaves the list. The referral handlers list
// them (ListReferralsToMake), leaving out those that already have a live
// referral.
//
// Storage, in the case's partition: one "referral_to_make" record per
// activity, keyed "<case_id>/<activity_id>", and the index
// "referral_to_make_by_case" (value: the case id) naming the current ones;
// an entry leaves the list by losing its index entry (the store deletes no
// records), and comes back with a new version of its record. Applying an
// event writes only what differs from what is stored, so a redelivered
// event writes nothing; an event about an older version of the plan than
// the one listed changes nothing.
//
//   auto* to_make = parts.Own(std::make_unique<ReferralsToMake>(
//       parts.store(), *parts.owned()));
//   RETURN_IF_ERROR(service::FollowUpstream(parts, "planning", to_make)
//                       .status());
//   ASSIGN_OR_RETURN(ReferralsToMakePage page,
//                    to_make->List(case_id, 50, page_token));
#ifndef HOMEWARD_SERVICES_REFERRAL_REFERRALS_TO_MAKE_H_
#define HOMEWARD_SERVICES_REFERRAL_REFERRALS_TO_MAKE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/feeds/event_consumer.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "common/storage/write_set.h"
#include "homeward/v1/events.pb.h"
#include "homeward/v1/referral.pb.h"

namespace homeward::referral {

struct ReferralsToMakePage {
  std::vector<homeward::v1::ReferralToMake> items;
  std::string next_page_token;  // empty on the last page
};

class ReferralsToMake : public feeds::EventConsumer {
 public:
  static constexpr char kName[] = "referral_referrals_to_make";
  static constexpr char kKind[] = "referral_to_make";
  static constexpr char kByCase[] = "referral_to_make_by_case";

  // `store` is not owned; `owned` are this replica's partitions.
  ReferralsToMake(storage::Store* store, storage::PartitionSet owned)
      : store_(store), owned_(std::move(owned)) {}

  std::string name() const override { return kName; }
  // An empty set for other events and for an event already applied.
  absl::StatusOr<storage::WriteSet> Apply(
      const homeward::v1::Event& event) override;
  // It reads the case's entries, in the event's (the case's) partition.
  bool ReadsOwnProjection() const override { return true; }
  bool ReadsOnlyEventPartition() const override { return true; }
  // The plan events above, and of the activity changes only those into
  // DROPPED or DONE: an activity's other moves leave the list as it is, and
  // they are most of the planning feed once plans are delivered.
  homeward::v1::EventSelection Selection() const override;

  // The case's referrals to make, by activity id (shorter ids first, as the
  // store orders ids: AC2 before AC10). `page_size` > 0 (the handler's
  // api::EffectivePageSize); `page_token` from the previous page of the
  // same case. FAILED_PRECONDITION (PARTITION_NOT_OWNED) for a case of a
  // partition this replica does not own.
  absl::StatusOr<ReferralsToMakePage> List(absl::string_view case_id,
                                           int page_size,
                                           absl::string_view page_token) const;

 private:
  storage::Store* store_;
  storage::PartitionSet owned_;
};

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_REFERRALS_TO_MAKE_H_
