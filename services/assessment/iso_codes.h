// The ISO code lists case intake validates against: ISO 3166-1 alpha-2
// country codes (the 249 officially assigned ones) and ISO 639-1 language
// codes (the 183 two-letter codes).
#ifndef HOMEWARD_SERVICES_ASSESSMENT_ISO_CODES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_ISO_CODES_H_

#include "absl/strings/string_view.h"

namespace homeward::assessment {

// True for an officially assigned code in upper case, e.g. "SN".
bool IsIsoCountryCode(absl::string_view code);
// True for an ISO 639-1 code in lower case, e.g. "wo".
bool IsIsoLanguageCode(absl::string_view code);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_ISO_CODES_H_
