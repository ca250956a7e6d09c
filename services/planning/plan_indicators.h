// The planning service's part of the programme indicators
// (indicator_parts.proto): the "plan_timeliness" table, one row "ALL",
// added up case by case from what planning knows about the case (its scope
// and context: return date, programme, vulnerability) and its plan. Pure:
// the period and the programme are passed in. The deadline is the one the
// overdue queue uses (PlanDeadline, PlanIsOverdue, PlanAwaitsApproval in
// plan_checks.h and plan_queue_index.h), so "overdue now" counts exactly the
// cases ListOverduePlans lists for the office as of the same day.
//
//   indicators::IndicatorCells cells;
//   StartPlanTimelinessCells(&cells);  // the count cells, at 0
//   for (each case of the office) {
//     AddPlanTimelinessCells(context, first_version, latest_version,
//                            programme, period, &cells);
//   }
#ifndef HOMEWARD_SERVICES_PLANNING_PLAN_INDICATORS_H_
#define HOMEWARD_SERVICES_PLANNING_PLAN_INDICATORS_H_

#include <optional>

#include "common/indicators/indicator_cells.h"
#include "common/indicators/indicator_request.h"
#include "google/protobuf/timestamp.pb.h"
#include "homeward/v1/planning.pb.h"
#include "homeward/v1/taxonomy.pb.h"
#include "services/planning/case_context.h"

namespace homeward::planning {

inline constexpr char kPlanTimelinessTable[] = "plan_timeliness";
inline constexpr char kAllRow[] = "ALL";

// The count cells ("approved", "within_deadline", "overdue_now") at 0. The
// mean and the distribution are left out until a plan adds to them.
void StartPlanTimelinessCells(indicators::IndicatorCells* cells);

// When a plan was first approved: the first APPROVED entry of the history
// of its version 1 (`first_version`); nullopt when it never was (a later
// version's approval is a revision's, not the plan's first).
std::optional<google::protobuf::Timestamp> FirstApproval(
    const homeward::v1::Plan& first_version);

// One case's plan. `first_version` is version 1 of its plan and
// `latest_version` the latest (the same plan when there is one version;
// both nullptr when the case has no plan); `programme` is the case's
// programme as the deadline rule reads it (an empty one gives the default
// deadline). When the first approval's UTC day is in the period: one more
// "approved", the days from the return date to that day into
// "median_days_to_approval" (distribution) and "mean_days_to_approval", and
// one more "within_deadline" when that day is on or before the deadline
// (PlanDeadline: the programme's days, or its longer days for a highly
// vulnerable returnee). One more "overdue_now" when the case is open and
// PlanAwaitsApproval and PlanIsOverdue as of period.as_of. A case without a
// return date that is a calendar day adds only to "approved".
void AddPlanTimelinessCells(const CaseContext& c,
                            const homeward::v1::Plan* first_version,
                            const homeward::v1::Plan* latest_version,
                            const homeward::v1::Programme& programme,
                            const indicators::IndicatorPeriod& period,
                            indicators::IndicatorCells* cells);

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_PLAN_INDICATORS_H_
