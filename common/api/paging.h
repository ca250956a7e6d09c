// The paging policy of every List call in Homeward, at the gateway (fan-out
// lists) and in every service: a negative page size is refused, 0 means the
// default, and sizes above the maximum are lowered to it (AIP-158).
//
//   errors::FieldViolations bad;
//   api::CheckPageRequest(bad, request.page());
//   RETURN_IF_ERROR(bad.ToStatus());
//   int size = api::EffectivePageSize(request.page());
#ifndef HOMEWARD_COMMON_API_PAGING_H_
#define HOMEWARD_COMMON_API_PAGING_H_

#include "common/status/errors.h"
#include "homeward/v1/common.pb.h"

namespace homeward::api {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

// Adds a violation on "page.page_size" when it is negative.
void CheckPageRequest(errors::FieldViolations& bad,
                      const homeward::v1::PageRequest& page);
// The number of items a page holds for a checked `page`.
int EffectivePageSize(const homeward::v1::PageRequest& page);

}  // namespace homeward::api

#endif  // HOMEWARD_COMMON_API_PAGING_H_
