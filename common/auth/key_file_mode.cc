// Permission check for secret files; see key_file_mode.h.
#include "common/auth/key_file_mode.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace homeward::auth {
namespace {

std::string Octal(unsigned mode) {
  char text[8];
  std::snprintf(text, sizeof(text), "%04o", mode & 07777);
  return text;
}

}  // namespace

std::string KeyFileModeProblem(const KeyFileFacts& file,
                               const KeyFileReader& reader) {
  const std::string has = absl::StrCat("has mode ", Octal(file.mode));
  constexpr char kOwnerOnly[] =
      "a key file must be readable by its owner only (0600 or 0400; chmod "
      "600 it)";
  if ((file.mode & S_IRWXO) != 0) {
    return absl::StrCat(has, ": readable by group or others; ", kOwnerOnly);
  }
  if ((file.mode & S_IRWXG) == 0) return "";  // owner only: always fine
  if (!reader.key_group.has_value()) {
    if (!reader.key_group_text.empty()) {
      return absl::StrCat(has, ": readable by group or others, and ",
                          kKeyFileGroupVariable, "='", reader.key_group_text,
                          "' is not a group id; ", kOwnerOnly);
    }
    return absl::StrCat(has, ": readable by group or others; ", kOwnerOnly,
                        ", or, in a Kubernetes secret volume, set ",
                        kKeyFileGroupVariable, " to the pod's fsGroup");
  }
  const gid_t key_group = *reader.key_group;
  if ((file.mode & (S_IWGRP | S_IXGRP)) != 0) {
    return absl::StrCat(has,
                        ": its group may write or execute it; a group-"
                        "readable key file must be 0440 or 0640");
  }
  if (key_group == 0) {
    return absl::StrCat(has, ": ", kKeyFileGroupVariable,
                        " names group 0 (root's, shared by every root "
                        "process); name the pod's own fsGroup");
  }
  if (file.group != key_group) {
    return absl::StrCat(has, " and group ", file.group, ", not ",
                        kKeyFileGroupVariable, " (", key_group,
                        "): only that group may read a key file");
  }
  if (std::find(reader.groups.begin(), reader.groups.end(), key_group) ==
      reader.groups.end()) {
    return absl::StrCat(has, ": the process is not in group ", key_group, " (",
                        kKeyFileGroupVariable,
                        "); run it with that group (the pod's fsGroup)");
  }
  if (file.owner != 0 && file.owner != reader.uid) {
    return absl::StrCat(has, " and owner ", file.owner,
                        ": neither root nor this process (uid ", reader.uid,
                        ") owns it, so another account can read it");
  }
  return "";
}

KeyFileReader ThisProcess() {
  KeyFileReader reader;
  reader.uid = geteuid();
  reader.groups.push_back(getegid());
  const int count = getgroups(0, nullptr);
  if (count > 0) {
    std::vector<gid_t> more(count);
    const int got = getgroups(count, more.data());
    if (got > 0)
      reader.groups.insert(reader.groups.end(), more.begin(),
                           more.begin() + got);
  }
  if (const char* text = std::getenv(kKeyFileGroupVariable);
      text != nullptr && *text != '\0') {
    reader.key_group_text = text;
    uint32_t gid = 0;
    if (absl::SimpleAtoi(text, &gid)) reader.key_group = gid;
  }
  return reader;
}

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
  const std::string problem =
      KeyFileModeProblem({.mode = static_cast<unsigned>(st.st_mode & 07777),
                          .owner = st.st_uid,
                          .group = st.st_gid},
                         ThisProcess());
  if (!problem.empty()) {
    return errors::InvalidField(field, absl::StrCat("'", path, "' ", problem));
  }
  return absl::OkStatus();
}

}  // namespace homeward::auth
