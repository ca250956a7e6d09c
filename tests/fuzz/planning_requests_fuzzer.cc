// Fuzzes the request checks the planning service runs before any write: the
// requests themselves (every workflow step), the plan's content against the
// shipped taxonomy, its budget against the shipped programme's ceiling and
// each activity's feasibility check against the shipped grid. See
// request_checks.h for the input's shape; the table's order is the corpus's
// (append only).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "services/planning/plan_checks.h"
#include "services/planning/plan_requests.h"
#include "services/planning/plan_workflow.h"
#include "tests/fuzz/request_checks.h"
#include "tests/fuzz/shipped_definitions.h"

namespace homeward::fuzz {
namespace {

namespace v1 = homeward::v1;
using namespace homeward::planning;  // NOLINT: the rules under test

// What an edit is checked against (plan_content.cc): the case's household
// members, needs and concerns, and the programme's taxonomy.
void CheckPlan(const v1::Plan& plan) {
  PlanContext context;
  context.taxonomy = &ShippedTaxonomy();
  context.member_ids = {"M1", "M2"};
  context.need_ids = {"N1", "N2"};
  context.concern_ids = {"P1"};
  CheckViolations(ValidatePlanContent(plan, context));
  const errors::FieldViolations budget =
      CheckBudget(plan, ShippedProgramme().budget_ceiling());
  CheckViolations(budget);
  if (budget.empty()) {
    FUZZ_CHECK(TotalCost(plan).amount_minor() >= 0);
  }
  CheckViolations(CheckFeasibilityJustifications(plan));
  for (const v1::PlanActivity& activity : plan.activities()) {
    if (!activity.has_feasibility()) continue;
    absl::StatusOr<v1::FeasibilityCheck> evaluated =
        EvaluateFeasibility(ShippedGrid(), activity.feasibility());
    if (!evaluated.ok()) {
      FUZZ_CHECK(evaluated.status().code() ==
                 absl::StatusCode::kInvalidArgument);
      CheckRefusal(evaluated.status());
    } else {
      FUZZ_CHECK(evaluated->all_met() ==
                 (evaluated->unmet_criteria_size() == 0));
    }
  }
}

const std::vector<RequestCheck>& Checks() {
  static const auto* checks = new std::vector<RequestCheck>{
      Violations(&ValidateCreatePlan),        // 0
      Violations(&ValidateGetPlan),           // 1
      Violations(&ValidateListPlanVersions),  // 2
      Violations(&ValidateUpdatePlan),        // 3
      CheckOf<v1::PlanStepRequest>(
          [](const v1::PlanStepRequest& request) {  // 4
            for (PlanStep step : AllPlanSteps()) {
              CheckViolations(ValidatePlanStep(request, step, kToday));
            }
          }),
      Violations(&ValidateSetActivityStatus),  // 5
      CheckOf<v1::Plan>(&CheckPlan),           // 6
  };
  return *checks;
}

}  // namespace
}  // namespace homeward::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return homeward::fuzz::FuzzRequestChecks(homeward::fuzz::Checks(), data,
                                           size);
}
