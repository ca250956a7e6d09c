// Plan activities delivered by referral, kept in step with their referrals
// from the referral service's feed (ReferralStatusChanged of referrals
// linked to an activity): the activity shows the latest referral made for
// it and that referral's status (PlanActivity.referral_id and
// referral_status), on the latest version of the plan that has the
// activity and on the version being delivered (ACTIVE); and while a version
// is delivered, its PLANNED activity moves to IN_PROGRESS once the
// referral is ACCEPTED, READY or IN_PROGRESS, and to DONE (through
// IN_PROGRESS) once it is COMPLETED, each move with an
// ActivityStatusChanged event and the overdue-activity queue kept
// (plan_queue_index.h), as SetActivityStatus does. Nothing else moves back
// or drops an activity: a rejected or failed referral leaves the case
// manager to make another referral or change the plan.
//
// "Latest referral": referral ids are time-ordered (storage::TimeOrderedId),
// so an event of a referral older than the one the activity shows (an
// earlier referral cancelled or entered in error after its successor was
// made) changes nothing. An event that changes nothing writes nothing, so
// redelivery is harmless. The change is PlanStore's (PrepareChange), with
// its audit entry (actor: the event's user, method "feed/referral"),
// returned as a WriteSet that the feed follower commits with its cursor.
//
//   auto* progress = parts.Own(std::make_unique<ReferralProgress>(plans));
//   ASSIGN_OR_RETURN(feeds::FeedFollower * follower,
//                    service::FollowUpstream(parts, "referral", progress));
#ifndef HOMEWARD_SERVICES_PLANNING_REFERRAL_PROGRESS_H_
#define HOMEWARD_SERVICES_PLANNING_REFERRAL_PROGRESS_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/feeds/event_consumer.h"
#include "common/storage/write_set.h"
#include "homeward/v1/events.pb.h"
#include "services/planning/plan_store.h"

namespace homeward::planning {

class ReferralProgress : public feeds::EventConsumer {
 public:
  static constexpr char kName[] = "planning_referral_progress";
  // The method the audit entries of these changes name.
  static constexpr char kMethod[] = "feed/referral";

  explicit ReferralProgress(const PlanStore* plans) : plans_(plans) {}

  std::string name() const override { return kName; }
  // An empty set for other events, referrals not linked to an activity,
  // and events that change nothing.
  absl::StatusOr<storage::WriteSet> Apply(
      const homeward::v1::Event& event) override;
  // It reads the case's plan, in the event's (the case's) partition.
  bool ReadsOwnProjection() const override { return true; }
  bool ReadsOnlyEventPartition() const override { return true; }

  // Events naming a plan or activity this store does not have (another
  // plan of the case, a partition not held here): skipped, not refused, so
  // that one bad link never holds a partition's feed back.
  int64_t unknown() const { return unknown_.load(std::memory_order_relaxed); }

 private:
  const PlanStore* plans_;
  std::atomic<int64_t> unknown_{0};
};

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_REFERRAL_PROGRESS_H_
