// The permission check for files holding secrets (TLS private keys, the
// encryption key at rest, the principal secret, key files named in a
// config): nobody but the process's own account may read them. A key
// readable by others could be copied by any local account, so the process
// refuses to start with it rather than serve with a key it cannot trust.
//
// Owner-only files (0600, 0400) are always accepted. Group-readable ones
// (0440, 0640) are accepted only where the operator has said which group is
// the process's own: HOMEWARD_KEY_FILE_GROUP=<gid> in the environment. That
// is how Kubernetes secret volumes look to a pod with an fsGroup: the kubelet
// makes each file root:<fsGroup> with the group read bit set (defaultMode
// 0400 becomes 0440), and the container's user is not the owner. The file
// must then belong to exactly that group, the process must be in it, the
// group may not write it, and the group may not be root's (gid 0); others
// never get anything. docs/OPERATIONS.md ("Secret files") says
// why.
//
//   RETURN_IF_ERROR(auth::CheckKeyFileMode(
//       tls.private_key_file(), "public_transport.tls.private_key_file"));
#ifndef HOMEWARD_COMMON_AUTH_KEY_FILE_MODE_H_
#define HOMEWARD_COMMON_AUTH_KEY_FILE_MODE_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace homeward::auth {

// The environment variable naming the group whose read bit a key file may
// carry (a decimal gid, the pod's fsGroup).
inline constexpr char kKeyFileGroupVariable[] = "HOMEWARD_KEY_FILE_GROUP";

// What the rule looks at in a key file: its permission bits (st_mode &
// 07777), owner and group.
struct KeyFileFacts {
  unsigned mode = 0;
  uid_t owner = 0;
  gid_t group = 0;
};

// Who reads it: the process's effective uid and every group it is in
// (effective and supplementary), and the group HOMEWARD_KEY_FILE_GROUP names
// (unset: none; `key_group_text` keeps what it said, for messages).
struct KeyFileReader {
  uid_t uid = 0;
  std::vector<gid_t> groups;
  std::optional<gid_t> key_group;
  std::string key_group_text;
};

// Empty when a file with `file`'s facts may hold a key read by `reader`;
// otherwise what is wrong and what is allowed, as one sentence to follow
// "'<path>' ...". Pure, for the table of key_file_mode_test.cc.
std::string KeyFileModeProblem(const KeyFileFacts& file,
                               const KeyFileReader& reader);

// The running process as a KeyFileReader (geteuid, getegid, getgroups and
// HOMEWARD_KEY_FILE_GROUP). A variable that is not a gid is kept as text
// with no key_group, so that the check names it.
KeyFileReader ThisProcess();

// OK when `path` (symbolic links followed) exists, is a regular file and
// KeyFileModeProblem finds nothing for this process. Otherwise
// INVALID_ARGUMENT with one violation of `field` naming the path and, for a
// wrong mode, the mode found and what is allowed.
absl::Status CheckKeyFileMode(const std::string& path, absl::string_view field);

}  // namespace homeward::auth

#endif  // HOMEWARD_COMMON_AUTH_KEY_FILE_MODE_H_
