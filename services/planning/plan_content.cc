// What an edit makes of a plan; see plan_content.h.
#include "services/planning/plan_content.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/planning/plan_checks.h"

namespace homeward::planning {
namespace {

using homeward::v1::FeasibilityCheck;
using homeward::v1::Plan;
using homeward::v1::PlanActivity;

const PlanActivity* FindActivity(const Plan* plan, absl::string_view id) {
  if (plan == nullptr || id.empty()) return nullptr;
  for (const auto& a : plan->activities()) {
    if (a.activity_id() == id) return &a;
  }
  return nullptr;
}

// Whether two checks hold the same answers to the same row of the same
// grid version (then the earlier check's author and time stand).
bool SameAnswers(const FeasibilityCheck& a, const FeasibilityCheck& b) {
  if (a.grid_id() != b.grid_id() || a.grid_version() != b.grid_version() ||
      a.row_id() != b.row_id() || a.answers_size() != b.answers_size()) {
    return false;
  }
  for (int i = 0; i < a.answers_size(); ++i) {
    if (!google::protobuf::util::MessageDifferencer::Equals(a.answers(i),
                                                            b.answers(i))) {
      return false;
    }
  }
  return true;
}

// Evaluates activity `i`'s check against the programme's grid; the result
// replaces the given check.
void EvaluateCheck(int i, const PlanActivity* before, const PlanInputs& in,
                   PlanActivity& activity, errors::FieldViolations& bad) {
  const std::string field =
      absl::StrCat("plan.activities[", i, "].feasibility");
  const FeasibilityCheck& given = activity.feasibility();
  const std::string& programme_grid = in.programme->feasibility_grid_id();
  if (programme_grid.empty()) {
    bad.Add(field, absl::StrCat("programme '", in.programme->programme_id(),
                                "' has no feasibility grid; leave it empty"));
    return;
  }
  if (given.grid_id() != programme_grid) {
    bad.Add(
        absl::StrCat(field, ".grid_id"),
        absl::StrCat("must be the programme's grid '", programme_grid, "'"));
    return;
  }
  absl::StatusOr<homeward::v1::FeasibilityGrid> grid =
      in.grid(given.grid_id(), given.grid_version());
  if (!grid.ok()) {
    bad.Add(absl::StrCat(field, ".grid_version"),
            absl::StrCat("grid '", given.grid_id(), "' version ",
                         given.grid_version(),
                         " is not published; the programme uses version ",
                         in.programme->feasibility_grid_version()));
    return;
  }
  absl::StatusOr<FeasibilityCheck> evaluated =
      EvaluateFeasibility(*grid, given, field);
  if (!evaluated.ok()) {
    for (auto& v : errors::FieldViolationsOf(evaluated.status())) {
      bad.Add(std::move(v.field), std::move(v.description));
    }
    return;
  }
  if (before != nullptr && before->has_feasibility() &&
      SameAnswers(before->feasibility(), *evaluated)) {
    evaluated->set_checked_by(before->feasibility().checked_by());
    *evaluated->mutable_check_time() = before->feasibility().check_time();
  } else {
    evaluated->set_checked_by(in.user_id);
    *evaluated->mutable_check_time() = in.now;
  }
  *activity.mutable_feasibility() = std::move(*evaluated);
}

}  // namespace

absl::StatusOr<Plan> EditedPlan(const Plan* previous, const Plan& given,
                                const PlanInputs& in) {
  // Output-only fields come from the version being edited, never from the
  // caller.
  Plan next = previous != nullptr ? *previous : Plan();
  next.set_case_id(given.case_id());
  next.set_returnee_objectives(given.returnee_objectives());
  *next.mutable_summaries() = given.summaries();
  *next.mutable_activities() = given.activities();
  *next.mutable_purchases() = given.purchases();
  *next.mutable_referrals() = given.referrals();
  *next.mutable_expected_improvements() = given.expected_improvements();
  *next.mutable_coverage_notes() = given.coverage_notes();

  errors::FieldViolations bad;
  bad.AddAll(AssignActivityIds(previous, next), "plan.");
  RETURN_IF_ERROR(bad.ToStatus());

  PlanContext refs;
  refs.taxonomy = in.taxonomy;
  for (const auto& m : in.context->context.member_ids()) {
    refs.member_ids.insert(m);
  }
  for (const auto& n : in.context->needs) refs.need_ids.insert(n.need_id());
  for (const auto& c : in.context->concerns) {
    refs.concern_ids.insert(c.concern_id());
  }
  bad.AddAll(ValidatePlanContent(next, refs), "plan.");
  for (int i = 0; i < next.activities_size(); ++i) {
    PlanActivity& activity = *next.mutable_activities(i);
    const PlanActivity* before = FindActivity(previous, activity.activity_id());
    // Delivery status is changed by SetActivityStatus only.
    activity.set_status(before != nullptr
                            ? before->status()
                            : homeward::v1::ACTIVITY_STATUS_PLANNED);
    activity.set_status_reason(before != nullptr ? before->status_reason()
                                                 : "");
    if (activity.has_feasibility()) EvaluateCheck(i, before, in, activity, bad);
  }
  // Currency and sign now; the ceiling at submission.
  const errors::FieldViolations budget =
      CheckBudget(next, in.programme->budget_ceiling());
  for (const auto& v : budget.violations()) {
    if (absl::StartsWith(v.field, "purchases[")) {
      bad.Add(absl::StrCat("plan.", v.field), v.description);
    }
  }
  RETURN_IF_ERROR(bad.ToStatus());

  *next.mutable_budget_ceiling() = in.programme->budget_ceiling();
  *next.mutable_total_cost() = TotalCost(next);
  next.set_programme_id(in.programme->programme_id());
  if (in.context->context.has_baseline()) {
    *next.mutable_baseline() = in.context->context.baseline();
  } else {
    next.clear_baseline();
  }
  return next;
}

absl::Status CheckSubmission(const Plan& plan, const CaseContext& context,
                             const homeward::v1::Programme& programme) {
  errors::FieldViolations bad =
      CheckCoverage(plan, context.needs, context.concerns);
  bad.AddAll(CheckBudget(plan, programme.budget_ceiling()));
  bad.AddAll(CheckFeasibilityJustifications(plan));
  return bad.ToStatus();
}

}  // namespace homeward::planning
