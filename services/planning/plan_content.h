// What a CreatePlan or UpdatePlan makes of the plan the caller sent: the
// editable fields taken from the request, the output-only fields the service
// owns (status, ids, agreement, history...) kept from the version being
// edited, the derived fields recomputed (total cost, the programme's ceiling,
// the latest baseline RSS, the programme id), activity ids assigned, each
// activity's delivery status kept, and each feasibility check evaluated
// against its grid. Every problem is one field violation. Pure: the grids,
// the case's context and the time come in.
//
//   PlanInputs in{.context = &case_context, .programme = &programme,
//                 .taxonomy = &taxonomy, .grid = grid_lookup,
//                 .user_id = actor.principal.user_id(), .now = now};
//   ASSIGN_OR_RETURN(Plan next, EditedPlan(&latest, request.plan(), in));
#ifndef HOMEWARD_SERVICES_PLANNING_PLAN_CONTENT_H_
#define HOMEWARD_SERVICES_PLANNING_PLAN_CONTENT_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "homeward/v1/planning.pb.h"
#include "homeward/v1/taxonomy.pb.h"
#include "services/planning/case_context.h"

namespace homeward::planning {

// A published feasibility grid by id and version (NOT_FOUND when it is not
// published).
using GridLookup = std::function<absl::StatusOr<homeward::v1::FeasibilityGrid>(
    absl::string_view grid_id, int32_t version)>;

struct PlanInputs {
  const CaseContext* context = nullptr;                // the case, its needs...
  const homeward::v1::Programme* programme = nullptr;  // the case's
  const homeward::v1::Taxonomy* taxonomy = nullptr;    // the programme's
  GridLookup grid;
  std::string user_id;  // who makes the change (feasibility checked_by)
  google::protobuf::Timestamp now;
};

// The plan `given` describes, as an edit of `previous` (nullptr: a new
// plan). INVALID_ARGUMENT with one violation per bad field (paths under
// "plan.": plan.activities[1].component...). A feasibility check must name
// the programme's grid (any published version of it) and is evaluated
// (EvaluateFeasibility); checked_by and check_time are stamped when the
// check is new or its answers changed, and kept otherwise. Purchases are
// checked for currency and sign; the ceiling itself is checked at
// submission (a draft may exceed it while it is being built).
absl::StatusOr<homeward::v1::Plan> EditedPlan(
    const homeward::v1::Plan* previous, const homeward::v1::Plan& given,
    const PlanInputs& in);

// The checks of a submission (SubmitPlan): coverage of the case's open
// high-priority needs and open protection concerns, the budget ceiling, and
// a justification for each failed feasibility check; INVALID_ARGUMENT with
// one violation each.
absl::Status CheckSubmission(const homeward::v1::Plan& plan,
                             const CaseContext& context,
                             const homeward::v1::Programme& programme);

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_PLAN_CONTENT_H_
