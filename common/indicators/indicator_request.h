// What every service's programme-indicator part (indicator_parts.proto)
// checks before it counts anything: the request names an office and a real
// period, and the caller may see that office's aggregates. Monitoring
// officers and supervisors see their own offices, administrators every
// office; case managers, partner agencies and services are refused, since a
// part is only ever asked for by the gateway on behalf of those roles.
//
//   ASSIGN_OR_RETURN(indicators::IndicatorPeriod period,
//                    indicators::CheckIndicatorPartRequest(
//                        request, principal, api::TodayUtc()));
//   if (period.Contains(referral.create_time())) cells.Count(...);
#ifndef HOMEWARD_COMMON_INDICATORS_INDICATOR_REQUEST_H_
#define HOMEWARD_COMMON_INDICATORS_INDICATOR_REQUEST_H_

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/timestamp.pb.h"
#include "homeward/internal/v1/indicator_parts.pb.h"
#include "homeward/internal/v1/principal.pb.h"

namespace homeward::indicators {

// The longest period one request may cover, in days (both ends included): a
// year, leap years included.
inline constexpr int kMaxPeriodDays = 366;

// The days a request counts: flows whose day (UTC) is in [start, end], and
// stocks as of `as_of`.
struct IndicatorPeriod {
  absl::CivilDay start;
  absl::CivilDay end;
  absl::CivilDay as_of;

  bool Contains(absl::CivilDay day) const { return start <= day && day <= end; }
  // Whether the UTC day of `time` is in the period; an unset time (0) is not.
  bool Contains(const google::protobuf::Timestamp& time) const;
};

// The UTC day of `time`.
absl::CivilDay DayOf(const google::protobuf::Timestamp& time);

// INVALID_ARGUMENT with one violation per bad field (office_id, period_start,
// period_end, as_of); PERMISSION_DENIED for a role that may not read
// indicators or an office outside a non-administrator's offices. An unset
// as_of means `today`.
absl::StatusOr<IndicatorPeriod> CheckIndicatorPartRequest(
    const homeward::internal::v1::IndicatorPartRequest& request,
    const homeward::internal::v1::Principal& principal, absl::CivilDay today);

}  // namespace homeward::indicators

#endif  // HOMEWARD_COMMON_INDICATORS_INDICATOR_REQUEST_H_
