#include "services/planning/plan_workflow.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/errors.h"

namespace homeward::planning {
namespace {

using homeward::v1::ActivityStatus;
using homeward::v1::PlanStatus;
using homeward::v1::Role;

struct Move {
  PlanStatus from;
  PlanStep step;
  PlanStatus to;
};

// planning.proto's PlanStatus comment, one row per allowed move. Who may
// take a step is a property of the step (StepAllowedTo), not of the row.
constexpr Move kMoves[] = {
    {homeward::v1::PLAN_STATUS_DRAFT, PlanStep::kEdit,
     homeward::v1::PLAN_STATUS_DRAFT},
    {homeward::v1::PLAN_STATUS_RETURNED, PlanStep::kEdit,
     homeward::v1::PLAN_STATUS_DRAFT},
    // A change after the returnee agreed needs their agreement again (a
    // submission refused for coverage or budget is fixed this way).
    {homeward::v1::PLAN_STATUS_AGREED, PlanStep::kEdit,
     homeward::v1::PLAN_STATUS_DRAFT},
    {homeward::v1::PLAN_STATUS_DRAFT, PlanStep::kAgree,
     homeward::v1::PLAN_STATUS_AGREED},
    {homeward::v1::PLAN_STATUS_AGREED, PlanStep::kSubmit,
     homeward::v1::PLAN_STATUS_SUBMITTED},
    {homeward::v1::PLAN_STATUS_SUBMITTED, PlanStep::kApprove,
     homeward::v1::PLAN_STATUS_APPROVED},
    {homeward::v1::PLAN_STATUS_SUBMITTED, PlanStep::kReturn,
     homeward::v1::PLAN_STATUS_RETURNED},
    {homeward::v1::PLAN_STATUS_APPROVED, PlanStep::kActivate,
     homeward::v1::PLAN_STATUS_ACTIVE},
    {homeward::v1::PLAN_STATUS_ACTIVE, PlanStep::kComplete,
     homeward::v1::PLAN_STATUS_COMPLETED},
    {homeward::v1::PLAN_STATUS_DRAFT, PlanStep::kCancel,
     homeward::v1::PLAN_STATUS_CANCELLED},
    {homeward::v1::PLAN_STATUS_AGREED, PlanStep::kCancel,
     homeward::v1::PLAN_STATUS_CANCELLED},
    {homeward::v1::PLAN_STATUS_RETURNED, PlanStep::kCancel,
     homeward::v1::PLAN_STATUS_CANCELLED},
    {homeward::v1::PLAN_STATUS_APPROVED, PlanStep::kCancel,
     homeward::v1::PLAN_STATUS_CANCELLED},
    {homeward::v1::PLAN_STATUS_ACTIVE, PlanStep::kCancel,
     homeward::v1::PLAN_STATUS_CANCELLED},
    // The new version's status; see NextPlanStatus.
    {homeward::v1::PLAN_STATUS_ACTIVE, PlanStep::kRevise,
     homeward::v1::PLAN_STATUS_DRAFT},
};

bool StepAllowedTo(PlanStep step, Role role) {
  switch (role) {
    case homeward::v1::ROLE_SUPERVISOR:
      return true;
    case homeward::v1::ROLE_CASE_MANAGER:
      return step != PlanStep::kApprove && step != PlanStep::kReturn;
    default:
      return false;
  }
}

struct ActivityMove {
  ActivityStatus from;
  ActivityStatus to;
  bool needs_reason;
};

constexpr ActivityMove kActivityMoves[] = {
    {homeward::v1::ACTIVITY_STATUS_PLANNED,
     homeward::v1::ACTIVITY_STATUS_IN_PROGRESS, false},
    {homeward::v1::ACTIVITY_STATUS_IN_PROGRESS,
     homeward::v1::ACTIVITY_STATUS_DONE, false},
    {homeward::v1::ACTIVITY_STATUS_PLANNED,
     homeward::v1::ACTIVITY_STATUS_DROPPED, true},
    {homeward::v1::ACTIVITY_STATUS_IN_PROGRESS,
     homeward::v1::ACTIVITY_STATUS_DROPPED, true},
};

}  // namespace

const std::vector<PlanStep>& AllPlanSteps() {
  static const auto* const kAll = new std::vector<PlanStep>{
      PlanStep::kEdit,     PlanStep::kAgree,  PlanStep::kSubmit,
      PlanStep::kApprove,  PlanStep::kReturn, PlanStep::kActivate,
      PlanStep::kComplete, PlanStep::kCancel, PlanStep::kRevise};
  return *kAll;
}

absl::string_view PlanStepName(PlanStep step) {
  switch (step) {
    case PlanStep::kEdit:
      return "edit";
    case PlanStep::kAgree:
      return "agree";
    case PlanStep::kSubmit:
      return "submit";
    case PlanStep::kApprove:
      return "approve";
    case PlanStep::kReturn:
      return "return";
    case PlanStep::kActivate:
      return "activate";
    case PlanStep::kComplete:
      return "complete";
    case PlanStep::kCancel:
      return "cancel";
    case PlanStep::kRevise:
      return "revise";
  }
  return "unknown";
}

std::vector<PlanStep> AllowedPlanSteps(PlanStatus from, Role role) {
  std::vector<PlanStep> steps;
  for (PlanStep step : AllPlanSteps()) {
    if (!StepAllowedTo(step, role)) continue;
    for (const Move& m : kMoves) {
      if (m.from == from && m.step == step) {
        steps.push_back(step);
        break;
      }
    }
  }
  return steps;
}

absl::StatusOr<PlanStatus> NextPlanStatus(PlanStatus from, PlanStep step,
                                          Role role) {
  if (!StepAllowedTo(step, role)) {
    return errors::PermissionDenied(
        absl::StrCat(homeward::v1::Role_Name(role), " may not ",
                     PlanStepName(step), " a plan"));
  }
  for (const Move& m : kMoves) {
    if (m.from == from && m.step == step) return m.to;
  }
  std::vector<PlanStep> allowed = AllowedPlanSteps(from, role);
  std::string names =
      allowed.empty()
          ? std::string("none")
          : absl::StrJoin(allowed, ", ", [](std::string* out, PlanStep s) {
              absl::StrAppend(out, PlanStepName(s));
            });
  return errors::FailedPrecondition(
      "PLAN_STATUS", homeward::v1::PlanStatus_Name(from),
      absl::StrCat("cannot ", PlanStepName(step), ": plan is ",
                   homeward::v1::PlanStatus_Name(from), "; allowed: ", names));
}

absl::Status CheckActivityStatusChange(PlanStatus plan_status,
                                       ActivityStatus from, ActivityStatus to,
                                       absl::string_view reason) {
  if (plan_status != homeward::v1::PLAN_STATUS_ACTIVE) {
    return errors::FailedPrecondition(
        "PLAN_STATUS", homeward::v1::PlanStatus_Name(plan_status),
        absl::StrCat("plan is ", homeward::v1::PlanStatus_Name(plan_status),
                     "; activity statuses change only while it is "
                     "PLAN_STATUS_ACTIVE"));
  }
  std::vector<std::string> allowed;
  for (const ActivityMove& m : kActivityMoves) {
    if (m.from != from) continue;
    if (m.to == to) {
      if (m.needs_reason && absl::StripAsciiWhitespace(reason).empty()) {
        return errors::InvalidField(
            "reason", absl::StrCat("is required when status is ",
                                   homeward::v1::ActivityStatus_Name(to)));
      }
      return absl::OkStatus();
    }
    allowed.push_back(homeward::v1::ActivityStatus_Name(m.to));
  }
  return errors::FailedPrecondition(
      "ACTIVITY_STATUS", homeward::v1::ActivityStatus_Name(from),
      absl::StrCat("activity is ", homeward::v1::ActivityStatus_Name(from),
                   "; allowed: ",
                   allowed.empty() ? std::string("none")
                                   : absl::StrJoin(allowed, ", ")));
}

}  // namespace homeward::planning
