// The needs and protection concerns that plan activities answer, kept from
// the planning service's feed: when a plan is approved (PlanApproved) or a
// revision becomes active (PlanRevised), every need and concern an activity
// lists gains the responder {PLAN_ACTIVITY, "<plan_id>/<activity_id>"} and
// an OPEN one becomes BEING_ADDRESSED; a revision withdraws the plan's
// responders that its activities no longer list, and an activity DROPPED
// withdraws its own, as a cancelled plan (PlanCancelled) withdraws all of
// its responders (the last withdrawal makes the record OPEN again). Each
// change is the NeedStore change with its NeedChanged or
// ProtectionConcernChanged event and audit entry (actor: the event's user,
// method "feed/planning"), returned as a WriteSet that the feed follower
// commits with its cursor (responder_changes.h, shared with the referral
// feed's consumer).
//
// The same feed moves the case's stage (case_stages.h, feed_stage_moves.h):
// PlanCreated to PLANNING, PlanApproved to DELIVERY, PlanCompleted to
// MONITORING, each from the stages the table says, in the same WriteSet.
//
//   auto* responses =
//       parts.Own(std::make_unique<PlanResponses>(cases, needs));
//   ASSIGN_OR_RETURN(feeds::FeedFollower * follower,
//                    service::FollowUpstream(parts, "planning", responses));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_PLAN_RESPONSES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_PLAN_RESPONSES_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/feeds/event_consumer.h"
#include "common/storage/write_set.h"
#include "homeward/v1/events.pb.h"
#include "services/assessment/case_store.h"
#include "services/assessment/need_store.h"
#include "services/assessment/responder_changes.h"

namespace homeward::assessment {

class PlanResponses : public feeds::EventConsumer {
 public:
  static constexpr char kName[] = "assessment_plan_responses";
  // The method audit entries and events of these changes name.
  static constexpr char kMethod[] = "feed/planning";

  // What was skipped since start: ids that name no need or concern of the
  // plan's case in this store (another case's, one of a partition this
  // replica does not hold, a typo upstream), and records left alone because
  // they are RESOLVED, NOT_APPLICABLE or SUPERSEDED. Neither stops the feed.
  using Skipped = SkippedRecords;

  PlanResponses(const CaseStore* cases, const NeedStore* needs)
      : cases_(cases), needs_(needs) {}

  std::string name() const override { return kName; }
  // An empty set for events other than PlanCreated, PlanApproved,
  // PlanRevised, PlanCompleted, PlanCancelled and ActivityStatusChanged (to
  // DROPPED), and for an event already applied.
  absl::StatusOr<storage::WriteSet> Apply(
      const homeward::v1::Event& event) override;
  // It reads the records it changes, all in the event's (the case's)
  // partition.
  bool ReadsOwnProjection() const override { return true; }
  bool ReadsOnlyEventPartition() const override { return true; }
  // What Apply acts on: PlanCreated, PlanApproved, PlanRevised,
  // PlanCompleted, PlanCancelled and ActivityStatusChanged to DROPPED. The
  // producer then sends no other activity change (the planning feed's most
  // frequent event).
  homeward::v1::EventSelection Selection() const override;

  Skipped skipped() const { return skipped_.Read(); }

 private:
  const CaseStore* cases_;
  const NeedStore* needs_;
  SkippedTally skipped_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_PLAN_RESPONSES_H_
