// The ISO code lists the API validates against: ISO 3166-1 alpha-2 country
// codes (the 249 officially assigned ones) and ISO 639-1 language codes (the
// 183 two-letter codes). Case intake checks nationality and countries of
// return with them; programme configuration checks the countries it runs in.
//
//   if (!api::IsIsoCountryCode(programme.countries(i))) bad.Add(...);
#ifndef HOMEWARD_COMMON_API_ISO_CODES_H_
#define HOMEWARD_COMMON_API_ISO_CODES_H_

#include "absl/strings/string_view.h"

namespace homeward::api {

// True for an officially assigned code in upper case, e.g. "SN".
bool IsIsoCountryCode(absl::string_view code);
// True for an ISO 639-1 code in lower case, e.g. "wo".
bool IsIsoLanguageCode(absl::string_view code);

}  // namespace homeward::api

#endif  // HOMEWARD_COMMON_API_ISO_CODES_H_
