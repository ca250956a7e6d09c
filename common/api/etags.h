// Etags of versioned records, the same in every service: the record's
// storage version in decimal. Clients send it back to update only the
// version they read (optimistic concurrency, AIP-154).
//
//   response->set_etag(api::EtagOf(version));
//   ASSIGN_OR_RETURN(uint64_t expected, api::ParseEtag(request.etag(),
//   "etag"));
#ifndef HOMEWARD_COMMON_API_ETAGS_H_
#define HOMEWARD_COMMON_API_ETAGS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace homeward::api {

std::string EtagOf(uint64_t version);
// The version `etag` names; INVALID_ARGUMENT on `field` for anything that
// EtagOf could not have produced.
absl::StatusOr<uint64_t> ParseEtag(absl::string_view etag,
                                   absl::string_view field);

}  // namespace homeward::api

#endif  // HOMEWARD_COMMON_API_ETAGS_H_
