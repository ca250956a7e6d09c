// Shared identifier and date checks; see field_checks.h.
#include "common/api/field_checks.h"

#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/storage/ids.h"

namespace homeward::api {

bool IsIdentifier(absl::string_view id, size_t max_length) {
  if (id.empty() || id.size() > max_length) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.' &&
        c != ':' && c != '@') {
      return false;
    }
  }
  return true;
}

std::string IdentifierRule(size_t max_length) {
  return absl::StrCat("must be 1 to ", max_length,
                      " characters from letters, digits and - _ . : @");
}

void CheckIdentifier(errors::FieldViolations& bad, const std::string& field,
                     absl::string_view id, bool required, size_t max_length) {
  if (id.empty()) {
    if (required) bad.Add(field, "is required");
  } else if (!IsIdentifier(id, max_length)) {
    bad.Add(field, IdentifierRule(max_length));
  }
}

void CheckRequestId(errors::FieldViolations& bad,
                    absl::string_view request_id) {
  if (!request_id.empty() && !storage::IsRequestId(request_id)) {
    bad.Add("request_id", std::string(storage::kRequestIdRule));
  }
}

absl::CivilDay TodayUtc() {
  return absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
}

bool ToCivilDay(const homeward::v1::Date& date, absl::CivilDay* day) {
  if (date.year() < 1 || date.year() > 9999 || date.month() < 1 ||
      date.month() > 12 || date.day() < 1 || date.day() > 31) {
    return false;
  }
  *day = absl::CivilDay(date.year(), date.month(), date.day());
  // CivilDay normalises 31 April to 1 May: a changed month means no such day.
  return day->month() == date.month() && day->day() == date.day();
}

homeward::v1::Date ToDate(absl::CivilDay day) {
  homeward::v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

bool SameDay(const homeward::v1::Date& date, absl::CivilDay day) {
  absl::CivilDay given;
  return ToCivilDay(date, &given) && given == day;
}

bool DateBefore(const homeward::v1::Date& a, const homeward::v1::Date& b) {
  return std::make_tuple(a.year(), a.month(), a.day()) <
         std::make_tuple(b.year(), b.month(), b.day());
}

bool IsSet(const homeward::v1::Date& date) {
  return date.year() != 0 || date.month() != 0 || date.day() != 0;
}

bool CheckDate(errors::FieldViolations& bad, const std::string& field,
               const homeward::v1::Date& date, bool has_date, int earliest_year,
               absl::CivilDay* day) {
  if (!has_date || !IsSet(date)) {
    bad.Add(field, "is required");
    return false;
  }
  if (!ToCivilDay(date, day)) {
    bad.Add(field, absl::StrCat("is not a calendar date (", date.year(), "-",
                                date.month(), "-", date.day(), ")"));
    return false;
  }
  if (earliest_year > 0 && day->year() < earliest_year) {
    bad.Add(field, absl::StrCat("must be in ", earliest_year, " or later"));
    return false;
  }
  return true;
}

bool CheckPastDate(errors::FieldViolations& bad, const std::string& field,
                   const homeward::v1::Date& date, bool has_date,
                   absl::CivilDay today, int earliest_year,
                   absl::CivilDay* day) {
  if (!CheckDate(bad, field, date, has_date, earliest_year, day)) return false;
  if (*day > today) {
    bad.Add(field, "cannot be in the future");
    return false;
  }
  return true;
}

}  // namespace homeward::api
