// Owner-only permission check for secret files; see key_file_mode.h.
#include "common/auth/key_file_mode.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace homeward::auth {

absl::Status CheckKeyFileMode(const std::string& path,
                              absl::string_view field) {
  if (path.empty()) return errors::InvalidField(field, "is required");
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return errors::InvalidField(field,
                                absl::StrCat("'", path, "' cannot be read (",
                                             std::strerror(errno), ")"));
  }
  if (!S_ISREG(st.st_mode)) {
    return errors::InvalidField(
        field, absl::StrCat("'", path, "' is not a regular file"));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o",
                  static_cast<unsigned>(st.st_mode & 07777));
    return errors::InvalidField(
        field, absl::StrCat("'", path, "' has mode ", mode,
                            ": readable by group or others; a key file must "
                            "be readable by its owner only (0600 or 0400; "
                            "chmod 600 it)"));
  }
  return absl::OkStatus();
}

}  // namespace homeward::auth
