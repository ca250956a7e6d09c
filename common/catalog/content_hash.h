// The content hash of a catalog entry: what tells "the same entry published
// again" from "different content under a published version". It covers the
// entry's own fields only: fields the catalog stamps (the hash itself, the
// publish time) and unknown fields are left out, and map entries are hashed
// in key order, so that a file and an API client listing the same content in
// another order get the same hash.
//
//   std::string hash = catalog::ContentSha256(
//       definition, {"publish_time", "content_sha256"});
#ifndef HOMEWARD_COMMON_CATALOG_CONTENT_HASH_H_
#define HOMEWARD_COMMON_CATALOG_CONTENT_HASH_H_

#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace homeward::catalog {

// Lower-case hex SHA-256 of `entry`'s deterministic serialization, with the
// fields named in `output_only` (names of top-level fields of its type;
// names it does not have are ignored) and unknown fields cleared.
std::string ContentSha256(const google::protobuf::Message& entry,
                          std::initializer_list<absl::string_view> output_only);

}  // namespace homeward::catalog

#endif  // HOMEWARD_COMMON_CATALOG_CONTENT_HASH_H_
