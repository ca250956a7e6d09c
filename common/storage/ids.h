// Identifiers shared by the services and the gateway:
// - request ids (a create's idempotency key and the x-request-id header) and
//   the one rule they follow, so that every side accepts the same ones;
// - the case id a registration creates, derived from its office and request
//   id so that the gateway can route it before the case exists;
// - ids of records listed in creation order: a prefix, the creation time in
//   nanoseconds as 16 hex digits, and 6 random hex digits, so that ids under
//   one index sort oldest first and never collide in practice.
//
//   if (!IsRequestId(id)) bad.Add("request_id", kRequestIdRule);
//   std::string case_id = CaseIdForRequest("office-dakar", "demo-1");
//   std::string id = TimeOrderedId("K");   // e.g. "K187a2b3c4d5e6f70a1b2c3"
#ifndef HOMEWARD_COMMON_STORAGE_IDS_H_
#define HOMEWARD_COMMON_STORAGE_IDS_H_

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "common/auth/crypto.h"

namespace homeward::storage {

inline constexpr size_t kMaxRequestIdLength = 128;
// What IsRequestId accepts, worded for an error message.
inline constexpr absl::string_view kRequestIdRule =
    "must be 1 to 128 printable ASCII characters (no spaces or control "
    "characters)";

// 1 to kMaxRequestIdLength characters from printable ASCII without the space
// (0x21 to 0x7E): anything a client generates (UUIDs, "demo-1", base64) and
// nothing that breaks a log line or a header.
inline bool IsRequestId(absl::string_view id) {
  return !id.empty() && id.size() <= kMaxRequestIdLength &&
         std::all_of(id.begin(), id.end(),
                     [](char c) { return c > 0x20 && c < 0x7f; });
}

// The case id a registration with `request_id` in office `office_id`
// creates: "C" + 20 hex digits (80 bits) of SHA-256. Derived so that the
// gateway can route a registration to the replica that will own the case and
// a retried registration lands on the same record; scoped by office so that
// two offices using the same request id (e.g. "demo-1") get two cases. The
// office is length-prefixed so that no (office, request id) pair hashes the
// same text as another. Cases registered before request ids were scoped keep
// the ids they were stored under; nothing re-derives an existing case's id.
inline std::string CaseIdForRequest(absl::string_view office_id,
                                    absl::string_view request_id) {
  return absl::StrCat(
      "C", crypto::Sha256Hex(absl::StrCat("case:", office_id.size(), ":",
                                          office_id, ":", request_id))
               .substr(0, 20));
}

inline std::string TimeOrderedId(absl::string_view prefix) {
  uint64_t nanos = static_cast<uint64_t>(absl::GetCurrentTimeNanos());
  return absl::StrCat(prefix, absl::Hex(nanos, absl::kZeroPad16),
                      crypto::RandomHex(3));
}

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_IDS_H_
