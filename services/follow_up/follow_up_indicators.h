// The follow-up service's part of the programme indicators (the tables
// `follow_ups` and `closures` of the gateway's catalogue), counted from its
// contacts and closures. Pure: the office and the period come in; the
// stores hand each record in turn (ContactStore::VisitAll,
// ContactStore::VisitScheduledBefore, ClosureStore::VisitAll).
//
//   indicators::IndicatorCells cells;
//   AddFollowUpIndicatorRows(cells);  // every count cell, 0 until counted
//   CountRecordedContact(contact, office, period, cells);  // each contact
//   CountOverdueContact(scheduled, office, period, cells);  // the due list's
//   CountClosure(closure, office, period, cells);           // each closure
//   *response = cells.ToPart();
//
// What is counted for the office `office_id`:
// - follow_ups/ALL/done: contacts DONE whose contact_date is in the period;
// - follow_ups/ALL/missed: contacts MISSED whose attempted_date is in the
//   period (each missed attempt once; the next attempt is a contact of its
//   own);
// - follow_ups/ALL/overdue_now: contacts still SCHEDULED due before
//   `period.as_of` (a stock, not a flow);
// - closures/<reason>/closed, planned, unplanned: closures that became
//   CLOSED (a history entry) in the period, by reason (ClosureReason names
//   but UNSPECIFIED), planned or unplanned by their kind. A closure pending
//   approval is not counted until approved; one reopened since still
//   counts on the day it closed.
// The office of a recorded contact or a closure is the one it was
// recorded in (its office_id); a scheduled contact's is its case's now.
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_INDICATORS_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_INDICATORS_H_

#include "absl/strings/string_view.h"
#include "common/indicators/indicator_cells.h"
#include "common/indicators/indicator_request.h"
#include "homeward/v1/follow_up.pb.h"

namespace homeward::follow_up {

inline constexpr char kFollowUpsTable[] = "follow_ups";
inline constexpr char kClosuresTable[] = "closures";

// Every count cell of both tables, at 0.
void AddFollowUpIndicatorRows(indicators::IndicatorCells& cells);

// A contact DONE or MISSED (any other status adds nothing).
void CountRecordedContact(const homeward::v1::FollowUpContact& contact,
                          absl::string_view office_id,
                          const indicators::IndicatorPeriod& period,
                          indicators::IndicatorCells& cells);

// A contact SCHEDULED, its office_id its case's current office (any other
// status adds nothing).
void CountOverdueContact(const homeward::v1::FollowUpContact& contact,
                         absl::string_view office_id,
                         const indicators::IndicatorPeriod& period,
                         indicators::IndicatorCells& cells);

void CountClosure(const homeward::v1::Closure& closure,
                  absl::string_view office_id,
                  const indicators::IndicatorPeriod& period,
                  indicators::IndicatorCells& cells);

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_INDICATORS_H_
