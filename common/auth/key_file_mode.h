// The permission check for files holding secrets (TLS private keys, the
// encryption key at rest, key files named in a config): only their owner may
// read them. A key readable by group or others could be copied by any local
// account, so the process refuses to start with it rather than serve with a key
// it cannot trust.
//
//   RETURN_IF_ERROR(auth::CheckKeyFileMode(
//       tls.private_key_file(), "public_transport.tls.private_key_file"));
#ifndef HOMEWARD_COMMON_AUTH_KEY_FILE_MODE_H_
#define HOMEWARD_COMMON_AUTH_KEY_FILE_MODE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace homeward::auth {

// OK when `path` (symbolic links followed) exists and grants nothing to
// group or others: mode 0600 or 0400. Otherwise INVALID_ARGUMENT with one
// violation of `field` naming the path and, for a wrong mode, the mode found
// and what is allowed.
absl::Status CheckKeyFileMode(const std::string& path, absl::string_view field);

}  // namespace homeward::auth

#endif  // HOMEWARD_COMMON_AUTH_KEY_FILE_MODE_H_
