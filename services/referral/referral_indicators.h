// The referral service's part of the programme indicators (the tables
// `referrals` and `referral_declines` of the gateway's catalogue), counted
// from the referrals themselves. Pure: the period and the office come in;
// the store hands each referral in turn (ReferralStore::VisitAll).
//
//   indicators::IndicatorCells cells;
//   AddReferralIndicatorRows(cells);  // every count cell, 0 until counted
//   for (const Referral& r : referrals) CountReferral(r, office, period,
//   cells); *response = cells.ToPart();
//
// What is counted, for the referrals of `office_id` (the case's office),
// leaving out those marked ENTERED_IN_ERROR (recorded by mistake):
// - referrals/ALL/made: sent to the organization (the first REQUESTED
//   history entry) in the period; a draft never sent is not counted;
// - referrals/ALL/accepted, declined, completed, failed, cancelled: history
//   entries moving to ACCEPTED, REJECTED, COMPLETED, FAILED, CANCELLED whose
//   time is in the period (each status by the day of its own entry);
// - referrals/ALL/median_response_hours: a distribution of the whole hours
//   from sending to the organization's first answer (response_time:
//   RECEIVED, ACCEPTED or REJECTED), for first answers in the period;
// - referral_declines/<reason>/declined: the REJECTED entries in the period
//   by their coded reason, REFERRAL_DECLINE_REASON_* names, a decline
//   without a code (before codes existed) as NOT_CODED.
// "In the period": the event's day (UTC) in [period.start, period.end].
#ifndef HOMEWARD_SERVICES_REFERRAL_REFERRAL_INDICATORS_H_
#define HOMEWARD_SERVICES_REFERRAL_REFERRAL_INDICATORS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "common/indicators/indicator_cells.h"
#include "common/indicators/indicator_request.h"
#include "homeward/v1/referral.pb.h"

namespace homeward::referral {

inline constexpr char kReferralsTable[] = "referrals";
inline constexpr char kReferralDeclinesTable[] = "referral_declines";
// The row of a decline without a coded reason.
inline constexpr char kNotCodedRow[] = "NOT_CODED";

// The row label of a decline reason: its enum name, NOT_CODED for
// UNSPECIFIED (or a value this build does not know).
std::string DeclineReasonRow(homeward::v1::ReferralDeclineReason reason);

// Every count cell of both tables, at 0.
void AddReferralIndicatorRows(indicators::IndicatorCells& cells);

// Adds what `referral` contributes to the office's part for `period`
// (nothing when it is another office's or was entered in error).
void CountReferral(const homeward::v1::Referral& referral,
                   absl::string_view office_id,
                   const indicators::IndicatorPeriod& period,
                   indicators::IndicatorCells& cells);

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_REFERRAL_INDICATORS_H_
