// What the planning service does with the follow-up service's feed:
// - CaseClosed ends the case's plan: an ACTIVE plan (no revision in
//   preparation) whose activities are all DONE or DROPPED becomes COMPLETED
//   (PlanCompleted), any other plan not final yet (DRAFT to ACTIVE, a
//   revision in preparation with the version it revises) CANCELLED
//   (PlanCancelled), with the comment "case closed: <ClosureReason name>"
//   (e.g. "case closed: CLOSURE_REASON_MOVED_AWAY"), written as
//   CompletePlan and CancelPlan write it (plan_changes.h EndingChange:
//   queues, events, history);
// - FollowUpRecorded with plan_revision_needed gives the plan's latest
//   version a revision request (Plan.revision_request: the contact's id and
//   date, the reason, the user who recorded it), which shows on the
//   planning side until a revision becomes ACTIVE (ActivatePlan clears it).
//   A plan already COMPLETED or CANCELLED takes no request.
// Each change goes through PlanStore::PrepareChange (audit entry by the
// event's user acting through the service, method "feed/follow_up"),
// returned as a WriteSet that the feed follower commits with its cursor; a
// write of the plan in between fails the commit and the follower applies
// the event again on the plan as it then is. Redelivery changes nothing: an
// ended plan is final, and a request naming the same contact is kept.
//
//   auto* follow_up =
//       parts.Own(std::make_unique<PlanFollowUp>(plans, context));
//   RETURN_IF_ERROR(service::FollowUpstream(parts, "follow_up", follow_up,
//                                           channels).status());
#ifndef HOMEWARD_SERVICES_PLANNING_PLAN_FOLLOW_UP_H_
#define HOMEWARD_SERVICES_PLANNING_PLAN_FOLLOW_UP_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/feeds/event_consumer.h"
#include "common/storage/write_set.h"
#include "homeward/v1/events.pb.h"
#include "services/planning/case_context.h"
#include "services/planning/plan_store.h"

namespace homeward::planning {

class PlanFollowUp : public feeds::EventConsumer {
 public:
  static constexpr char kName[] = "planning_follow_up";
  // The method the audit entries of these changes name.
  static constexpr char kMethod[] = "feed/follow_up";

  // Neither owned; both must outlive this. `cases` gives a cancelled
  // version 1's return date (its awaiting-plan queue entry).
  PlanFollowUp(const PlanStore* plans, const CaseContextProjection* cases)
      : plans_(plans), cases_(cases) {}

  std::string name() const override { return kName; }
  // An empty set for other events, cases without a plan here, and events
  // that change nothing.
  absl::StatusOr<storage::WriteSet> Apply(
      const homeward::v1::Event& event) override;
  // It reads the case's plan and context, in the event's (the case's)
  // partition.
  bool ReadsOwnProjection() const override { return true; }
  bool ReadsOnlyEventPartition() const override { return true; }
  // CaseClosed and FollowUpRecorded.
  homeward::v1::EventSelection Selection() const override;

 private:
  const PlanStore* plans_;
  const CaseContextProjection* cases_;
};

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_PLAN_FOLLOW_UP_H_
