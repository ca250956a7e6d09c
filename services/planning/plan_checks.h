// The content rules of a reintegration plan: what SubmitPlan checks
// (coverage of open high-priority needs and open protection concerns, the
// budget ceiling, feasibility justifications), what every write checks
// (ValidatePlanContent, AssignActivityIds), the feasibility outcome of a
// check, and the deadlines the overdue queues use. Pure: no I/O; dates and
// the case's needs, concerns, members and programme data are passed in.
//
//   errors::FieldViolations bad = CheckCoverage(plan, needs, concerns);
//   for (const auto& v : CheckBudget(plan, programme.budget_ceiling())
//            .violations()) bad.Add(v.field, v.description);
//   RETURN_IF_ERROR(bad.ToStatus());
#ifndef HOMEWARD_SERVICES_PLANNING_PLAN_CHECKS_H_
#define HOMEWARD_SERVICES_PLANNING_PLAN_CHECKS_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "homeward/v1/common.pb.h"
#include "homeward/v1/needs.pb.h"
#include "homeward/v1/planning.pb.h"
#include "homeward/v1/taxonomy.pb.h"

namespace homeward::planning {

inline constexpr size_t kMaxReturneeObjectivesBytes = 4000;
// Days from the return date to the plan deadline when the programme sets
// none.
inline constexpr int kDefaultPlanDeadlineDays = 30;

// One violation (field "activities") per need that is OPEN with priority
// HIGH or URGENT, and per protection concern that is OPEN (any priority),
// that no activity lists (need_ids / concern_ids) and no coverage note names
// with a non-blank reason; the description names the id, the category or
// code and the priority. A coverage note naming an id that is not among
// `needs` / `concerns` is a violation on coverage_notes[i].need_id /
// .concern_id, and one naming neither a violation on coverage_notes[i].
errors::FieldViolations CheckCoverage(
    const homeward::v1::Plan& plan,
    const std::vector<homeward::v1::Need>& needs,
    const std::vector<homeward::v1::ProtectionConcern>& concerns);

// The sum of the purchases' estimated costs, in the currency of the plan's
// budget_ceiling (or, when that is not set, of the first purchase).
// Meaningful once CheckBudget passed (one currency, no negative amount); a
// sum beyond int64 is capped at INT64_MAX rather than wrapping.
homeward::v1::Money TotalCost(const homeward::v1::Plan& plan);

// Each purchase in the ceiling's currency (purchases[i].estimated_cost.
// currency_code) with an amount >= 0 (....amount_minor), and the total not
// above the ceiling ("purchases", naming both amounts in minor units and the
// currency). The total is computed without overflow.
errors::FieldViolations CheckBudget(const homeward::v1::Plan& plan,
                                    const homeward::v1::Money& ceiling);

// The outcome of `given` against `grid`: `given` must name the grid's id and
// version and one of its rows, and answer each criterion of the row exactly
// once (violations for a missing, unknown or repeated criterion). Returns
// `given` with all_met and unmet_criteria (in row order) filled in, or
// INVALID_ARGUMENT with one violation each, their paths under `field` (e.g.
// "activities[2].feasibility").
absl::StatusOr<homeward::v1::FeasibilityCheck> EvaluateFeasibility(
    const homeward::v1::FeasibilityGrid& grid,
    const homeward::v1::FeasibilityCheck& given,
    absl::string_view field = "feasibility");

// An activity whose feasibility check has unmet criteria needs a non-blank
// feasibility_justification (activities[i].feasibility_justification).
errors::FieldViolations CheckFeasibilityJustifications(
    const homeward::v1::Plan& plan);

// The day by which a plan should be approved: `return_date` plus the
// programme's plan_deadline_days (kDefaultPlanDeadlineDays when 0), or
// plan_deadline_days_vulnerable when set and `highly_vulnerable`.
// `return_date` is taken to be a valid date (case intake checks it).
homeward::v1::Date PlanDeadline(const homeward::v1::Date& return_date,
                                const homeward::v1::Programme& programme,
                                bool highly_vulnerable);

// Whether a case whose latest plan version is at `status` (UNSPECIFIED: no
// plan yet) is overdue on `as_of`: as_of is after `deadline` and the plan is
// still waiting for approval (none, DRAFT, AGREED, SUBMITTED, RETURNED).
// APPROVED, ACTIVE and COMPLETED plans met the deadline; a CANCELLED plan is
// not overdue either: cancelling is a decision recorded with a reason, not a
// plan still waiting (and SUPERSEDED is never a latest version).
bool PlanIsOverdue(homeward::v1::PlanStatus status,
                   const homeward::v1::Date& deadline, absl::CivilDay as_of);

// The activities of `plan` due before `as_of` (due_date set and earlier)
// and still PLANNED or IN_PROGRESS, in plan order. The caller passes the
// plans whose activities are being delivered (ACTIVE).
std::vector<const homeward::v1::PlanActivity*> OverdueActivities(
    const homeward::v1::Plan& plan, absl::CivilDay as_of);

// Gives each activity of `plan` without an activity_id the next "AC<n>",
// n above the highest AC number in `previous` (the version `plan` replaces
// or revises; nullptr for a new plan) and in `plan`. An activity_id that is
// not one of `previous`'s activities, or that is repeated in `plan`, is a
// violation on activities[i].activity_id; then nothing is assigned. Ids of
// activities removed before `previous` are not remembered (the store passes
// the version the edit starts from).
errors::FieldViolations AssignActivityIds(const homeward::v1::Plan* previous,
                                          homeward::v1::Plan& plan);

// What ValidatePlanContent checks references against: the programme's
// taxonomy (required) and the ids of the case's household members, needs and
// protection concerns.
struct PlanContext {
  const homeward::v1::Taxonomy* taxonomy = nullptr;
  std::set<std::string> member_ids;
  std::set<std::string> need_ids;
  std::set<std::string> concern_ids;
};

// The editable content of `plan`, one violation per bad field with its path
// (activities[2].component, summaries[0].dimension, ...): each activity's
// dimension and a component of it, level, non-blank description, beneficiary
// (empty or a member), need and concern ids known, delivery set and
// referral_component required (a component) iff delivery is REFERRAL, valid
// start and due dates with start <= due; expected improvements only for the
// economic, social and psychosocial dimensions, once each, with
// expected_change in -1..1; summaries' dimension set and not repeated;
// returnee_objectives at most kMaxReturneeObjectivesBytes.
errors::FieldViolations ValidatePlanContent(const homeward::v1::Plan& plan,
                                            const PlanContext& context);

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_PLAN_CHECKS_H_
