// The workflow of a reintegration plan: which step may move a plan from which
// status, and who may take it (the table of planning.proto's PlanStatus
// comment), and the life of a plan activity while the plan is delivered.
// Pure: no I/O; the store applies the status these functions allow.
//
//   ASSIGN_OR_RETURN(PlanStatus next,
//                    NextPlanStatus(plan.status(), PlanStep::kSubmit, role));
//   RETURN_IF_ERROR(CheckActivityStatusChange(
//       plan.status(), activity.status(), request.status(), request.reason()));
#ifndef HOMEWARD_SERVICES_PLANNING_PLAN_WORKFLOW_H_
#define HOMEWARD_SERVICES_PLANNING_PLAN_WORKFLOW_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "homeward/v1/planning.pb.h"
#include "homeward/v1/roles.pb.h"

namespace homeward::planning {

// One workflow step, named after the PlanService call that takes it
// (kEdit is UpdatePlan).
enum class PlanStep {
  kEdit,
  kAgree,
  kSubmit,
  kApprove,
  kReturn,
  kActivate,
  kComplete,
  kCancel,
  kRevise,
};

// Every step, in the order above (for tests and messages).
const std::vector<PlanStep>& AllPlanSteps();
// "edit", "agree", "submit", "approve", "return", "activate", "complete",
// "cancel", "revise".
absl::string_view PlanStepName(PlanStep step);

// The status a plan at `from` has after `step` taken by `role`:
//   - PERMISSION_DENIED naming the role when the role may never take the
//     step (case managers take every step but approve and return;
//     supervisors take every step; every other role none);
//   - FAILED_PRECONDITION when the step is not allowed from `from`, naming
//     the current status and the steps this role may take from it, e.g.
//     "plan is PLAN_STATUS_SUBMITTED; allowed: approve, return".
// kEdit of a RETURNED or AGREED plan yields DRAFT (editing reopens it; an
// agreed plan then needs the returnee's agreement again). kRevise of an
// ACTIVE plan yields DRAFT: the status of the NEW version; the revised
// version stays ACTIVE until the new one is activated, when the store marks
// it SUPERSEDED (that is not a step of its own).
absl::StatusOr<homeward::v1::PlanStatus> NextPlanStatus(
    homeward::v1::PlanStatus from, PlanStep step, homeward::v1::Role role);

// The steps `role` may take from `from`, in PlanStep order.
std::vector<PlanStep> AllowedPlanSteps(homeward::v1::PlanStatus from,
                                       homeward::v1::Role role);

// Whether an activity may go from `from` to `to` while its plan is at
// `plan_status`: PLANNED -> IN_PROGRESS -> DONE, and PLANNED or IN_PROGRESS
// -> DROPPED with a non-blank `reason`, only while the plan is ACTIVE.
// FAILED_PRECONDITION (naming the statuses allowed next) for a plan not
// ACTIVE or a move not in the table; INVALID_ARGUMENT on "reason" for a
// drop without one.
absl::Status CheckActivityStatusChange(homeward::v1::PlanStatus plan_status,
                                       homeward::v1::ActivityStatus from,
                                       homeward::v1::ActivityStatus to,
                                       absl::string_view reason);

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_PLAN_WORKFLOW_H_
