// Identifiers for records that are listed in creation order: a prefix, the
// creation time in nanoseconds as 16 hex digits, and 6 random hex digits, so
// that ids under one index sort oldest first and never collide in practice.
//
//   std::string id = TimeOrderedId("K");   // e.g. "K187a2b3c4d5e6f70a1b2c3"
#ifndef HOMEWARD_COMMON_STORAGE_IDS_H_
#define HOMEWARD_COMMON_STORAGE_IDS_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "common/auth/crypto.h"

namespace homeward::storage {

inline std::string TimeOrderedId(absl::string_view prefix) {
  uint64_t nanos = static_cast<uint64_t>(absl::GetCurrentTimeNanos());
  return absl::StrCat(prefix, absl::Hex(nanos, absl::kZeroPad16),
                      crypto::RandomHex(3));
}

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_IDS_H_
