// Fuzzes the field checks every service's request rules share
// (common/api/field_checks.h, etags.h, iso_codes.h): identifiers, request
// ids, etags, ISO codes and dates, each against the rule its comment states.
//
// Input: byte 0 picks the field kind, the rest is the value (text, or for
// dates three little-endian int32: year, month, day).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/ascii.h"
#include "common/api/etags.h"
#include "common/api/field_checks.h"
#include "common/api/iso_codes.h"
#include "common/storage/ids.h"
#include "homeward/v1/common.pb.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/request_checks.h"

namespace homeward::fuzz {
namespace {

bool PrintableWithoutSpace(absl::string_view text) {
  for (char c : text) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

void FuzzIdentifier(absl::string_view id) {
  errors::FieldViolations bad;
  api::CheckIdentifier(bad, "office_id", id);
  CheckViolations(bad);
  FUZZ_CHECK(bad.empty() == api::IsIdentifier(id));
  if (bad.empty()) {
    FUZZ_CHECK(!id.empty() && id.size() <= api::kMaxIdentifierLength);
    FUZZ_CHECK(PrintableWithoutSpace(id));
  }
  errors::FieldViolations optional;
  api::CheckIdentifier(optional, "agency_id", id, /*required=*/false);
  FUZZ_CHECK(optional.empty() == (id.empty() || api::IsIdentifier(id)));
}

void FuzzRequestId(absl::string_view id) {
  errors::FieldViolations bad;
  api::CheckRequestId(bad, id);
  CheckViolations(bad);
  FUZZ_CHECK(bad.empty() == (id.empty() || storage::IsRequestId(id)));
  if (!id.empty() && bad.empty()) FUZZ_CHECK(PrintableWithoutSpace(id));
}

// "anything EtagOf could not have produced" is refused.
void FuzzEtag(absl::string_view etag) {
  absl::StatusOr<uint64_t> version = api::ParseEtag(etag, "etag");
  if (!version.ok()) {
    FUZZ_CHECK(version.status().code() == absl::StatusCode::kInvalidArgument);
    CheckRefusal(version.status());
    return;
  }
  FUZZ_CHECK(api::EtagOf(*version) == etag);
}

void FuzzIsoCodes(absl::string_view code) {
  if (api::IsIsoCountryCode(code)) {
    FUZZ_CHECK(code.size() == 2 && absl::ascii_isupper(code[0]) &&
               absl::ascii_isupper(code[1]));
  }
  if (api::IsIsoLanguageCode(code)) {
    FUZZ_CHECK(code.size() == 2 && absl::ascii_islower(code[0]) &&
               absl::ascii_islower(code[1]));
  }
}

void FuzzDate(absl::string_view bytes) {
  int32_t parts[3] = {0, 0, 0};
  std::memcpy(parts, bytes.data(), std::min(bytes.size(), sizeof(parts)));
  homeward::v1::Date date;
  date.set_year(parts[0]);
  date.set_month(parts[1]);
  date.set_day(parts[2]);
  absl::CivilDay day;
  const bool real = api::ToCivilDay(date, &day);
  if (real) {
    FUZZ_CHECK(api::SameDay(date, day));
    const homeward::v1::Date again = api::ToDate(day);
    FUZZ_CHECK(again.year() == date.year() && again.month() == date.month() &&
               again.day() == date.day());
  }
  errors::FieldViolations bad;
  absl::CivilDay checked;
  const bool ok =
      api::CheckDate(bad, "return_date", date, true, 1900, &checked);
  CheckViolations(bad);
  FUZZ_CHECK(ok == bad.empty());
  if (ok) FUZZ_CHECK(real && checked == day && checked.year() >= 1900);
  errors::FieldViolations past;
  const bool ok_past = api::CheckPastDate(past, "decision_date", date, true,
                                          kToday, 0, &checked);
  CheckViolations(past);
  if (ok_past) FUZZ_CHECK(real && checked <= kToday);
}

}  // namespace
}  // namespace homeward::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const absl::string_view rest(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  switch (data[0] % 5) {
    case 0:
      homeward::fuzz::FuzzIdentifier(rest);
      break;
    case 1:
      homeward::fuzz::FuzzRequestId(rest);
      break;
    case 2:
      homeward::fuzz::FuzzEtag(rest);
      break;
    case 3:
      homeward::fuzz::FuzzIsoCodes(rest);
      break;
    default:
      homeward::fuzz::FuzzDate(rest);
      break;
  }
  return 0;
}
