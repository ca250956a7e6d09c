// The referral service's indicator counts; see referral_indicators.h.
#include "services/referral/referral_indicators.h"

#include <cstdint>

namespace homeward::referral {
namespace {

using homeward::v1::Referral;
using homeward::v1::ReferralDeclineReason;
using homeward::v1::ReferralStatus;

constexpr char kAllRow[] = "ALL";
constexpr char kDeclinedColumn[] = "declined";
constexpr char kMedianResponseHours[] = "median_response_hours";

// The status a history entry moves to and the column that counts it.
struct CountedMove {
  ReferralStatus status;
  const char* column;
};
constexpr CountedMove kCountedMoves[] = {
    {homeward::v1::REFERRAL_STATUS_ACCEPTED, "accepted"},
    {homeward::v1::REFERRAL_STATUS_REJECTED, kDeclinedColumn},
    {homeward::v1::REFERRAL_STATUS_COMPLETED, "completed"},
    {homeward::v1::REFERRAL_STATUS_FAILED, "failed"},
    {homeward::v1::REFERRAL_STATUS_CANCELLED, "cancelled"},
};
constexpr char kMadeColumn[] = "made";

bool HasTime(const google::protobuf::Timestamp& t) {
  return t.seconds() != 0 || t.nanos() != 0;
}

}  // namespace

std::string DeclineReasonRow(ReferralDeclineReason reason) {
  if (reason == homeward::v1::REFERRAL_DECLINE_REASON_UNSPECIFIED ||
      !homeward::v1::ReferralDeclineReason_IsValid(reason)) {
    return kNotCodedRow;
  }
  return homeward::v1::ReferralDeclineReason_Name(reason);
}

void AddReferralIndicatorRows(indicators::IndicatorCells& cells) {
  cells.Count(kReferralsTable, kAllRow, kMadeColumn, 0);
  for (const CountedMove& move : kCountedMoves) {
    cells.Count(kReferralsTable, kAllRow, move.column, 0);
  }
  for (int i = homeward::v1::ReferralDeclineReason_MIN;
       i <= homeward::v1::ReferralDeclineReason_MAX; ++i) {
    if (!homeward::v1::ReferralDeclineReason_IsValid(i)) continue;
    cells.Count(kReferralDeclinesTable,
                DeclineReasonRow(static_cast<ReferralDeclineReason>(i)),
                kDeclinedColumn, 0);
  }
}

void CountReferral(const Referral& referral, absl::string_view office_id,
                   const indicators::IndicatorPeriod& period,
                   indicators::IndicatorCells& cells) {
  if (referral.office_id() != office_id) return;
  // Recorded by mistake: as if it had never been.
  if (referral.status() == homeward::v1::REFERRAL_STATUS_ENTERED_IN_ERROR) {
    return;
  }
  // Made when sent to the organization (the first REQUESTED entry): a
  // draft never sent was never made.
  const google::protobuf::Timestamp* sent = nullptr;
  for (const homeward::v1::ReferralStatusChange& change : referral.history()) {
    if (change.status() == homeward::v1::REFERRAL_STATUS_REQUESTED) {
      sent = &change.time();
      break;
    }
  }
  if (sent != nullptr && period.Contains(*sent)) {
    cells.Count(kReferralsTable, kAllRow, kMadeColumn);
  }
  for (const homeward::v1::ReferralStatusChange& change : referral.history()) {
    if (!period.Contains(change.time())) continue;
    for (const CountedMove& move : kCountedMoves) {
      if (change.status() != move.status) continue;
      cells.Count(kReferralsTable, kAllRow, move.column);
      if (move.status == homeward::v1::REFERRAL_STATUS_REJECTED) {
        // The entry's own code; the referral's for an entry written before
        // entries carried one.
        ReferralDeclineReason reason = change.decline_reason();
        if (reason == homeward::v1::REFERRAL_DECLINE_REASON_UNSPECIFIED) {
          reason = referral.decline_reason();
        }
        cells.Count(kReferralDeclinesTable, DeclineReasonRow(reason),
                    kDeclinedColumn);
      }
    }
  }
  if (sent != nullptr && HasTime(*sent) &&
      period.Contains(referral.response_time())) {
    const int64_t seconds =
        referral.response_time().seconds() - sent->seconds();
    // Whole hours, rounded down; clocks of different replicas never make
    // an answer come before its referral.
    cells.AddToDistribution(kReferralsTable, kAllRow, kMedianResponseHours,
                            seconds > 0 ? seconds / 3600 : 0);
  }
}

}  // namespace homeward::referral
