// Checks of an indicator part request (indicator_request.h).
#include "common/indicators/indicator_request.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/api/field_checks.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace homeward::indicators {

using homeward::internal::v1::IndicatorPartRequest;
using homeward::internal::v1::Principal;
using homeward::v1::Role;

bool IndicatorPeriod::Contains(const google::protobuf::Timestamp& time) const {
  if (time.seconds() == 0 && time.nanos() == 0) return false;
  return Contains(DayOf(time));
}

absl::CivilDay DayOf(const google::protobuf::Timestamp& time) {
  return absl::ToCivilDay(absl::FromUnixSeconds(time.seconds()),
                          absl::UTCTimeZone());
}

absl::StatusOr<IndicatorPeriod> CheckIndicatorPartRequest(
    const IndicatorPartRequest& request, const Principal& principal,
    absl::CivilDay today) {
  const Role role = principal.role();
  if (role != homeward::v1::ROLE_MONITORING_OFFICER &&
      role != homeward::v1::ROLE_SUPERVISOR &&
      role != homeward::v1::ROLE_ADMINISTRATOR) {
    return errors::PermissionDenied(
        "programme indicators are for monitoring officers, supervisors and "
        "administrators");
  }
  errors::FieldViolations bad;
  api::CheckIdentifier(bad, "office_id", request.office_id());
  IndicatorPeriod period;
  const bool has_start =
      api::CheckDate(bad, "period_start", request.period_start(),
                     request.has_period_start(), 1900, &period.start);
  const bool has_end =
      api::CheckDate(bad, "period_end", request.period_end(),
                     request.has_period_end(), 1900, &period.end);
  if (has_start && has_end) {
    if (period.end < period.start) {
      bad.Add("period_end", "must not be before period_start");
    } else if (period.end - period.start >= kMaxPeriodDays) {
      bad.Add("period_end", absl::StrCat("must be at most ", kMaxPeriodDays,
                                         " days from period_start, both "
                                         "included"));
    }
  }
  period.as_of = today;
  if (request.has_as_of()) {
    api::CheckDate(bad, "as_of", request.as_of(), true, 1900, &period.as_of);
  }
  RETURN_IF_ERROR(bad.ToStatus());
  if (role != homeward::v1::ROLE_ADMINISTRATOR &&
      std::find(principal.office_ids().begin(), principal.office_ids().end(),
                request.office_id()) == principal.office_ids().end()) {
    return errors::PermissionDenied(
        absl::StrCat("the indicators of office ", request.office_id(),
                     " are not among the caller's offices"));
  }
  return period;
}

}  // namespace homeward::indicators
