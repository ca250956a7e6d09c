// Etags; see etags.h.
#include "common/api/etags.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace homeward::api {

std::string EtagOf(uint64_t version) { return absl::StrCat(version); }

absl::StatusOr<uint64_t> ParseEtag(absl::string_view etag,
                                   absl::string_view field) {
  uint64_t version = 0;
  if (!absl::SimpleAtoi(etag, &version) || version == 0) {
    return errors::InvalidField(field,
                                "is not an etag returned by this service");
  }
  return version;
}

}  // namespace homeward::api
