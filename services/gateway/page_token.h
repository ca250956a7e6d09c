// The gateway's ListCases page token. A cross-case list is served by every
// replica in turn (replica 0's cases, then replica 1's, ...); the token says
// which replica to resume at and that replica's own page token, plus the
// route fingerprint so that a token minted under another partition map is
// refused instead of skipping or repeating cases. Opaque to clients:
// web-safe base64 of "gw1:<fingerprint>:<replica>:<replica token>".
//
//   std::string token = EncodeListCursor({1, "abc"}, routes.fingerprint());
//   ASSIGN_OR_RETURN(ListCursor c,
//                    DecodeListCursor(token, routes.fingerprint(),
//                                     routes.replica_count()));
#ifndef HOMEWARD_SERVICES_GATEWAY_PAGE_TOKEN_H_
#define HOMEWARD_SERVICES_GATEWAY_PAGE_TOKEN_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace homeward::gateway {

// Field path named when a token is refused.
inline constexpr char kPageTokenField[] = "page.page_token";

struct ListCursor {
  size_t replica = 0;
  std::string replica_token;  // empty: that replica's first page
  bool operator==(const ListCursor& o) const {
    return replica == o.replica && replica_token == o.replica_token;
  }
};

std::string EncodeListCursor(const ListCursor& cursor,
                             absl::string_view fingerprint);

// An empty token is the first page ({0, ""}). INVALID_ARGUMENT on field
// "page.page_token" when the token is malformed, from another topology, or
// names a replica that does not exist.
absl::StatusOr<ListCursor> DecodeListCursor(absl::string_view token,
                                            absl::string_view fingerprint,
                                            size_t replica_count);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_PAGE_TOKEN_H_
