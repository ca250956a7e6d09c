// Gateway list page tokens; see page_token.h.
#include "services/gateway/page_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"

namespace homeward::gateway {
namespace {

constexpr absl::string_view kVersion = "gw1";

absl::Status Malformed() {
  return errors::InvalidField(
      kPageTokenField,
      "is not a page token this gateway issued: pass back next_page_token "
      "unchanged, with the same filters, or leave it empty for the first page");
}

}  // namespace

std::string EncodeListCursor(const ListCursor& cursor,
                             absl::string_view fingerprint) {
  return absl::WebSafeBase64Escape(absl::StrCat(kVersion, ":", fingerprint, ":",
                                                cursor.replica, ":",
                                                cursor.replica_token));
}

absl::StatusOr<ListCursor> DecodeListCursor(absl::string_view token,
                                            absl::string_view fingerprint,
                                            size_t replica_count) {
  if (token.empty()) return ListCursor{};
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return Malformed();
  // The replica's own token may contain ':'; it is everything after the third.
  std::vector<absl::string_view> parts =
      absl::StrSplit(raw, absl::MaxSplits(':', 3));
  if (parts.size() != 4 || parts[0] != kVersion) return Malformed();
  if (parts[1] != fingerprint) {
    return errors::InvalidField(
        kPageTokenField,
        "was issued before the deployment's partition map changed: start the "
        "list again from the first page");
  }
  uint64_t replica = 0;
  if (!absl::SimpleAtoi(parts[2], &replica) || replica >= replica_count) {
    return Malformed();
  }
  return ListCursor{static_cast<size_t>(replica), std::string(parts[3])};
}

}  // namespace homeward::gateway
