// The follow-up service's indicator counts; see follow_up_indicators.h.
#include "services/follow_up/follow_up_indicators.h"

#include <string>

#include "absl/time/civil_time.h"
#include "common/api/field_checks.h"
#include "services/follow_up/closure_rules.h"

namespace homeward::follow_up {
namespace {

using homeward::v1::ClosureReason;
using homeward::v1::FollowUpContact;

constexpr char kAllRow[] = "ALL";
constexpr char kDone[] = "done";
constexpr char kMissed[] = "missed";
constexpr char kOverdueNow[] = "overdue_now";
constexpr char kClosed[] = "closed";
constexpr char kPlanned[] = "planned";
constexpr char kUnplanned[] = "unplanned";

// Whether `date` names a day of the period (false for a date naming none).
bool InPeriod(const homeward::v1::Date& date,
              const indicators::IndicatorPeriod& period) {
  absl::CivilDay day;
  return api::ToCivilDay(date, &day) && period.Contains(day);
}

}  // namespace

void AddFollowUpIndicatorRows(indicators::IndicatorCells& cells) {
  for (const char* column : {kDone, kMissed, kOverdueNow}) {
    cells.Count(kFollowUpsTable, kAllRow, column, 0);
  }
  for (int i = homeward::v1::ClosureReason_MIN;
       i <= homeward::v1::ClosureReason_MAX; ++i) {
    if (i == homeward::v1::CLOSURE_REASON_UNSPECIFIED ||
        !homeward::v1::ClosureReason_IsValid(i)) {
      continue;
    }
    const std::string row =
        homeward::v1::ClosureReason_Name(static_cast<ClosureReason>(i));
    for (const char* column : {kClosed, kPlanned, kUnplanned}) {
      cells.Count(kClosuresTable, row, column, 0);
    }
  }
}

void CountRecordedContact(const FollowUpContact& contact,
                          absl::string_view office_id,
                          const indicators::IndicatorPeriod& period,
                          indicators::IndicatorCells& cells) {
  if (contact.office_id() != office_id) return;
  switch (contact.status()) {
    case homeward::v1::FOLLOW_UP_CONTACT_STATUS_DONE:
      if (InPeriod(contact.contact_date(), period)) {
        cells.Count(kFollowUpsTable, kAllRow, kDone);
      }
      break;
    case homeward::v1::FOLLOW_UP_CONTACT_STATUS_MISSED:
      if (InPeriod(contact.missed().attempted_date(), period)) {
        cells.Count(kFollowUpsTable, kAllRow, kMissed);
      }
      break;
    default:
      break;
  }
}

void CountOverdueContact(const FollowUpContact& contact,
                         absl::string_view office_id,
                         const indicators::IndicatorPeriod& period,
                         indicators::IndicatorCells& cells) {
  if (contact.office_id() != office_id ||
      contact.status() != homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED) {
    return;
  }
  absl::CivilDay due;
  if (api::ToCivilDay(contact.due_date(), &due) && due < period.as_of) {
    cells.Count(kFollowUpsTable, kAllRow, kOverdueNow);
  }
}

void CountClosure(const homeward::v1::Closure& closure,
                  absl::string_view office_id,
                  const indicators::IndicatorPeriod& period,
                  indicators::IndicatorCells& cells) {
  if (closure.office_id() != office_id ||
      closure.reason() == homeward::v1::CLOSURE_REASON_UNSPECIFIED ||
      !homeward::v1::ClosureReason_IsValid(closure.reason())) {
    return;
  }
  homeward::v1::ClosureKind kind = closure.kind();
  if (kind == homeward::v1::CLOSURE_KIND_UNSPECIFIED) {
    kind = ClosureKindOf(closure.reason());
  }
  const std::string row = homeward::v1::ClosureReason_Name(closure.reason());
  for (const homeward::v1::ClosureStatusChange& change : closure.history()) {
    if (change.status() != homeward::v1::CLOSURE_STATUS_CLOSED ||
        !period.Contains(change.time())) {
      continue;
    }
    cells.Count(kClosuresTable, row, kClosed);
    cells.Count(
        kClosuresTable, row,
        kind == homeward::v1::CLOSURE_KIND_PLANNED ? kPlanned : kUnplanned);
  }
}

}  // namespace homeward::follow_up
