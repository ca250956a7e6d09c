// The two indexes behind the planning service's overdue queues, and the
// writes that keep them, added to the WriteSet of the change they follow:
//
//   "planning_awaiting_plan"  one entry per known case whose plan still waits
//                             for its first approval, "<return date>/<case>";
//                             the case-context projection adds and moves it
//                             (case_context.h), the write that approves or
//                             cancels version 1 removes it (LeavePlanQueue).
//   "planning_activity_due"   one entry per PLANNED or IN_PROGRESS activity
//                             with a due date of the case's ACTIVE plan
//                             version, "<due date>/<case>/<activity>"; every
//                             write that changes which version is ACTIVE or
//                             the activities of the ACTIVE one updates it
//                             (UpdateActivityQueue).
//
// Both live in the case's partition under the index value "" and sort by
// date, so that a queue reads oldest first (PlanQueues, plan_queues.h). The
// store orders index ids by length before content, so every id is padded
// with spaces (no identifier holds one) to one width: the date then decides
// the order. An entry is a hint, not the truth: the reader checks it against
// the case context and the stored plan, so an entry left behind by a race
// (a case event re-adding a case whose plan was just approved) never shows.
//
//   PlanStore::Change change;  // the write that approves version 1
//   LeavePlanQueue(partition, context.return_date(), case_id, change.also);
//   // ...and one that changes the ACTIVE version (activate, revise, set an
//   // activity's status, complete, cancel):
//   UpdateActivityQueue(partition, &active_before, &active_after,
//                       change.also);
#ifndef HOMEWARD_SERVICES_PLANNING_PLAN_QUEUE_INDEX_H_
#define HOMEWARD_SERVICES_PLANNING_PLAN_QUEUE_INDEX_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/storage/write_set.h"
#include "homeward/v1/common.pb.h"
#include "homeward/v1/planning.pb.h"

namespace homeward::planning {

inline constexpr char kAwaitingPlanIndex[] = "planning_awaiting_plan";
inline constexpr char kActivityDueIndex[] = "planning_activity_due";
// The index value both queues are kept under: one range per partition.
inline constexpr char kQueueIndexValue[] = "";
// Every entry id is padded to this width: a date, a case id and an activity
// id of at most 64 characters each (api::kMaxIdentifierLength) and two '/'.
// A longer id is still listed, after the padded ones of its partition.
inline constexpr size_t kQueueEntryWidth = 10 + 1 + 64 + 1 + 64;

// What an entry id names. `activity_id` is empty in the awaiting-plan queue.
struct QueueEntry {
  absl::CivilDay date;
  std::string case_id;
  std::string activity_id;
};

// The entry ids; empty when `date` is not a calendar day (no entry then).
std::string AwaitingPlanEntry(const homeward::v1::Date& return_date,
                              absl::string_view case_id);
std::string ActivityDueEntry(const homeward::v1::Date& due_date,
                             absl::string_view case_id,
                             absl::string_view activity_id);
// Reads an id written by AwaitingPlanEntry (`with_activity` false) or
// ActivityDueEntry (true); false when it is not one.
bool ParseQueueEntry(absl::string_view id, bool with_activity, QueueEntry* out);

// Whether a case whose latest plan version is `latest` (nullptr: no plan)
// still waits for its plan's first approval: no plan, or version 1 not yet
// approved (DRAFT, AGREED, SUBMITTED, RETURNED). A plan approved once (a
// later version exists) or cancelled no longer waits.
bool PlanAwaitsApproval(const homeward::v1::Plan* latest);

// Adds the case to the awaiting-plan queue under `return_date` (nothing when
// it is not a calendar day).
void JoinPlanQueue(uint32_t partition, const homeward::v1::Date& return_date,
                   absl::string_view case_id, storage::WriteSet& set);
// Removes the case's entry under `return_date`, the case context's return
// date (nothing when it is not a calendar day). For the write that approves
// or cancels version 1 of a plan; harmless when there is no such entry.
void LeavePlanQueue(uint32_t partition, const homeward::v1::Date& return_date,
                    absl::string_view case_id, storage::WriteSet& set);

// Moves the activity queue from `before` to `after`, the case's ACTIVE plan
// version before and after a write (nullptr when there is none: `before` when
// a plan is first activated, `after` when the ACTIVE version is completed or
// cancelled; a revision that becomes ACTIVE is `after`, the version it
// supersedes `before`). Deletes the entries of `before` that `after` does
// not have and puts those of `after` that `before` does not have (an entry
// both have is in the index already: every write of the ACTIVE version
// keeps it); nothing when both are nullptr.
void UpdateActivityQueue(uint32_t partition, const homeward::v1::Plan* before,
                         const homeward::v1::Plan* after,
                         storage::WriteSet& set);
// The same for a change of one activity of the ACTIVE version of the plan
// of `case_id` (SetActivityStatus), from `before` to `after`: at most one
// entry deleted and one put, without going through the plan.
void UpdateActivityQueueEntry(uint32_t partition, absl::string_view case_id,
                              const homeward::v1::PlanActivity& before,
                              const homeward::v1::PlanActivity& after,
                              storage::WriteSet& set);

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_PLAN_QUEUE_INDEX_H_
