// The plan timeliness indicator table; see plan_indicators.h.
#include "services/planning/plan_indicators.h"

#include "absl/time/civil_time.h"
#include "common/api/field_checks.h"
#include "services/planning/plan_checks.h"
#include "services/planning/plan_queue_index.h"

namespace homeward::planning {

void StartPlanTimelinessCells(indicators::IndicatorCells* cells) {
  for (const char* column : {"approved", "within_deadline", "overdue_now"}) {
    cells->Count(kPlanTimelinessTable, kAllRow, column, 0);
  }
}

std::optional<google::protobuf::Timestamp> FirstApproval(
    const homeward::v1::Plan& first_version) {
  for (const homeward::v1::PlanStatusChange& change : first_version.history()) {
    if (change.status() == homeward::v1::PLAN_STATUS_APPROVED) {
      return change.time();
    }
  }
  return std::nullopt;
}

void AddPlanTimelinessCells(const CaseContext& c,
                            const homeward::v1::Plan* first_version,
                            const homeward::v1::Plan* latest_version,
                            const homeward::v1::Programme& programme,
                            const indicators::IndicatorPeriod& period,
                            indicators::IndicatorCells* cells) {
  const homeward::v1::Date& return_date = c.context.return_date();
  absl::CivilDay returned;
  const bool has_return = api::ToCivilDay(return_date, &returned);
  homeward::v1::Date deadline;
  absl::CivilDay deadline_day;
  if (has_return) {
    deadline =
        PlanDeadline(return_date, programme, c.context.highly_vulnerable());
    api::ToCivilDay(deadline, &deadline_day);
  }
  if (first_version != nullptr) {
    const std::optional<google::protobuf::Timestamp> approved =
        FirstApproval(*first_version);
    if (approved.has_value() && period.Contains(*approved)) {
      cells->Count(kPlanTimelinessTable, kAllRow, "approved");
      if (has_return) {
        const absl::CivilDay day = indicators::DayOf(*approved);
        const int64_t days = day - returned;
        cells->AddToDistribution(kPlanTimelinessTable, kAllRow,
                                 "median_days_to_approval", days);
        cells->AddToMean(kPlanTimelinessTable, kAllRow, "mean_days_to_approval",
                         static_cast<double>(days));
        if (day <= deadline_day) {
          cells->Count(kPlanTimelinessTable, kAllRow, "within_deadline");
        }
      }
    }
  }
  if (has_return && !c.scope.closed() && PlanAwaitsApproval(latest_version)) {
    const homeward::v1::PlanStatus status =
        latest_version != nullptr ? latest_version->status()
                                  : homeward::v1::PLAN_STATUS_UNSPECIFIED;
    if (PlanIsOverdue(status, deadline, period.as_of)) {
      cells->Count(kPlanTimelinessTable, kAllRow, "overdue_now");
    }
  }
}

}  // namespace homeward::planning
