// Paging policy; see paging.h.
#include "common/api/paging.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace homeward::api {

void CheckPageRequest(errors::FieldViolations& bad,
                      const homeward::v1::PageRequest& page) {
  if (page.page_size() < 0) {
    bad.Add(
        "page.page_size",
        absl::StrCat("must be 0 (default ", kDefaultPageSize,
                     ") or positive; at most ", kMaxPageSize, " are returned"));
  }
}

int EffectivePageSize(const homeward::v1::PageRequest& page) {
  if (page.page_size() <= 0) return kDefaultPageSize;
  return std::min(page.page_size(), kMaxPageSize);
}

}  // namespace homeward::api
