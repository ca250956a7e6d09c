// The follow-up service's view of the planning service's feed: per case,
// the plan being delivered (version 1 as approved, or the revision that
// became ACTIVE) with each activity's status as ActivityStatusChanged last
// told, kept as a FollowUpPlanRecord ("follow_up_plan", one per case, in the
// case's partition; its store version is the sequence of the last event
// that changed it, so a redelivered event changes nothing). And the
// schedule, in the WriteSet of the event that changes it:
// - PlanApproved of version 1: the contacts of the programme's cadence from
//   the approval day (the event's day, UTC), when the case is known with a
//   return date and a programme; otherwise the approval day is kept in the
//   schedule record and the assessment feed's view (follow_up_cases.h)
//   schedules when the case arrives;
// - PlanRevised (a revision became ACTIVE): the schedule made again from the
//   revision day (ContactStore::ScheduleFrom: new points added, points no
//   longer in the cadence cancelled; done, missed and further attempts
//   kept);
// - PlanCancelled: the case's SCHEDULED contacts cancelled, unless the case
//   was reopened after the cancellation (planning cancels the plan of a
//   closed case; when its PlanCancelled arrives after the case was reopened,
//   the reopening's schedule stands).
// PlanCompleted ends delivery but not the monitoring: contacts stay.
//
//   PlanView plans(store.get(), owned, &cases, &contacts, &programmes);
//   options.consumer = &plans;  // the FeedFollower of the planning feed
//   ASSIGN_OR_RETURN(std::optional<Plan> plan,
//                    plans.Delivered(partition, case_id));
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_PLAN_VIEW_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_PLAN_VIEW_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/feeds/event_consumer.h"
#include "common/programme/programme_catalogs.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "homeward/v1/events.pb.h"
#include "homeward/v1/planning.pb.h"
#include "services/follow_up/closure_store.h"
#include "services/follow_up/contact_store.h"
#include "services/follow_up/follow_up_cases.h"

namespace homeward::follow_up {

class PlanView : public feeds::EventConsumer {
 public:
  static constexpr char kName[] = "follow_up_plans";
  static constexpr const char* kKind = kFollowUpPlanKind;
  // Why PlanCancelled cancels the scheduled contacts.
  static constexpr char kPlanCancelled[] = "the plan was cancelled";

  // None owned; all must outlive this. `programmes` is the catalog the
  // contact store schedules from (kept for the composition's symmetry).
  PlanView(storage::Store* store, storage::PartitionSet owned,
           const FollowUpCases* cases, ContactStore* contacts,
           const programme::ProgrammeCatalog* programmes);

  std::string name() const override { return kName; }
  absl::StatusOr<storage::WriteSet> Apply(
      const homeward::v1::Event& event) override;
  bool ReadsOwnProjection() const override { return true; }
  bool ReadsOnlyEventPartition() const override { return true; }
  homeward::v1::EventSelection Selection() const override;

  // The plan being delivered for the case: version 1 as approved (status
  // APPROVED: the feed does not announce its activation) or the ACTIVE
  // revision, activities with their current status. nullopt when the case
  // has no approved plan yet, or its plan was completed or cancelled.
  absl::StatusOr<std::optional<homeward::v1::Plan>> Delivered(
      uint32_t partition, absl::string_view case_id) const;

 private:
  absl::Status ApplyApproved(const homeward::v1::Event& event,
                             storage::WriteSet& set) const;
  // The schedule made again from the revision day, when it was made and
  // the case is not closed.
  absl::Status Reschedule(const homeward::v1::Event& event,
                          absl::string_view case_id,
                          storage::WriteSet& set) const;

  // Whether the case's latest closure is REOPENED, reopened after `time`.
  absl::StatusOr<bool> ReopenedSince(
      uint32_t partition, absl::string_view case_id,
      const google::protobuf::Timestamp& time) const;

  storage::Store* store_;
  storage::PartitionSet owned_;
  // Read-only: whether a reopening came after a plan's cancellation.
  ClosureStore closures_;
  const FollowUpCases* cases_;
  ContactStore* contacts_;
  const programme::ProgrammeCatalog* programmes_;
};

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_PLAN_VIEW_H_
