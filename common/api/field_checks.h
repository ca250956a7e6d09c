// Field checks every Homeward service's validation rules share, so that
// identifiers and dates are held to the same rules everywhere (an agency id
// accepted in a consent is one that case intake and a referral accept too).
//
//   errors::FieldViolations bad;
//   CheckRequestId(bad, request.request_id());
//   CheckIdentifier(bad, "agency_id", id, /*required=*/false);
//   absl::CivilDay day;
//   CheckPastDate(bad, "decision_date", d, has_d, today, 1950, &day);
#ifndef HOMEWARD_COMMON_API_FIELD_CHECKS_H_
#define HOMEWARD_COMMON_API_FIELD_CHECKS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "homeward/v1/common.pb.h"

namespace homeward::api {

inline constexpr size_t kMaxIdentifierLength = 64;

// Ids of offices, users, agencies and requests: short and printable with no
// spaces, so that they are safe in keys, logs and URLs.
bool IsIdentifier(absl::string_view id,
                  size_t max_length = kMaxIdentifierLength);
// "must be 1 to N characters from letters, digits and - _ . : @"
std::string IdentifierRule(size_t max_length = kMaxIdentifierLength);
// Adds a violation when `id` is empty (if required) or not an identifier.
void CheckIdentifier(errors::FieldViolations& bad, const std::string& field,
                     absl::string_view id, bool required = true,
                     size_t max_length = kMaxIdentifierLength);
// Optional idempotency key of a create: empty, or storage::IsRequestId (1 to
// 128 printable ASCII characters, no spaces), the same rule as x-request-id.
void CheckRequestId(errors::FieldViolations& bad, absl::string_view request_id);

// Today's date in UTC: what handlers pass to rules that take `today`, so
// that the rules stay pure and testable with any date.
absl::CivilDay TodayUtc();

// The calendar day `date` names; false when there is no such day (e.g. 30
// February) or a part is out of range.
bool ToCivilDay(const homeward::v1::Date& date, absl::CivilDay* day);
// The Date message naming `day`.
homeward::v1::Date ToDate(absl::CivilDay day);
// Whether `date` names `day` (false for a date that names no day).
bool SameDay(const homeward::v1::Date& date, absl::CivilDay day);
// Whether `a` is a day before `b`, comparing year, month and day (an unset
// date is the earliest).
bool DateBefore(const homeward::v1::Date& a, const homeward::v1::Date& b);
bool IsSet(const homeward::v1::Date& date);
// A required date: a real calendar day and (when `earliest_year` > 0) not
// before that year. Returns true and sets `*day` when valid.
bool CheckDate(errors::FieldViolations& bad, const std::string& field,
               const homeward::v1::Date& date, bool has_date, int earliest_year,
               absl::CivilDay* day);
// A required date of something that already happened: CheckDate, and not
// after `today`. Returns true and sets `*day` when valid.
bool CheckPastDate(errors::FieldViolations& bad, const std::string& field,
                   const homeward::v1::Date& date, bool has_date,
                   absl::CivilDay today, int earliest_year,
                   absl::CivilDay* day);

}  // namespace homeward::api

#endif  // HOMEWARD_COMMON_API_FIELD_CHECKS_H_
