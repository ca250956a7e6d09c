// Etags; see etags.h.
#include "common/api/etags.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace homeward::api {

std::string EtagOf(uint64_t version) { return absl::StrCat(version); }

absl::StatusOr<uint64_t> ParseEtag(absl::string_view etag,
                                   absl::string_view field) {
  // Exactly what EtagOf writes: decimal digits without a sign, spaces or
  // leading zeros (SimpleAtoi alone takes all three).
  const bool canonical =
      !etag.empty() && etag[0] != '0' &&
      std::all_of(etag.begin(), etag.end(), absl::ascii_isdigit);
  uint64_t version = 0;
  if (!canonical || !absl::SimpleAtoi(etag, &version)) {
    return errors::InvalidField(field,
                                "is not an etag returned by this service");
  }
  return version;
}

}  // namespace homeward::api
