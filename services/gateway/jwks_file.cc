// The reloaded JWKS file; see jwks_file.h.
#include "services/gateway/jwks_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/server/log.h"
#include "common/status/errors.h"

namespace homeward::gateway {
namespace {

constexpr char kField[] = "oidc.jwks_file";

}  // namespace

JwksFile::Read JwksFile::ReadFile(const std::string& path) {
  Read read{server::FileVersion{}, absl::UnknownError("")};
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    read.keys = errors::InvalidField(
        kField, absl::StrCat("cannot be opened ('", path,
                             "'): ", std::strerror(errno)));
    return read;
  }
  // The version of the file actually read, from the open descriptor: a
  // rename between stat and open cannot pair one file's version with another
  // file's keys.
  struct stat st;
  if (::fstat(fd, &st) == 0) read.version = server::FileVersionOf(st);
  std::string text;
  char buffer[8192];
  while (text.size() <= JsonWebKeySet::kMaxFileBytes) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      read.keys = errors::InvalidField(
          kField, absl::StrCat("cannot be read ('", path,
                               "'): ", std::strerror(error)));
      return read;
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  read.keys = JsonWebKeySet::Parse(text);
  return read;
}

absl::StatusOr<std::unique_ptr<JwksFile>> JwksFile::Load(
    std::string path, absl::Duration check_interval) {
  if (path.empty()) {
    return errors::InvalidField(
        kField, "is required: the identity provider's signing keys (JWKS)");
  }
  Read read = ReadFile(path);
  if (!read.keys.ok()) return read.keys.status();
  for (const std::string& line : read.keys->skipped()) {
    server::Log("warn", "jwks key skipped", {{"file", path}, {"key", line}});
  }
  std::unique_ptr<JwksFile> file(new JwksFile(std::move(path), check_interval));
  absl::MutexLock lock(&file->mu_);
  file->keys_ = std::make_shared<const JsonWebKeySet>(*std::move(read.keys));
  file->seen_ = read.version;
  file->last_check_ = absl::Now();
  return file;
}

std::shared_ptr<const JsonWebKeySet> JwksFile::Keys() {
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    if (now - last_check_ < check_interval_) return keys_;
    // Claimed under the lock: one caller looks, the others go on with the
    // keys in force meanwhile.
    last_check_ = now;
    if (server::FileVersionOf(path_) == seen_) return keys_;
  }
  Read read = ReadFile(path_);
  absl::MutexLock lock(&mu_);
  if (read.version == seen_) return keys_;
  seen_ = read.version;
  if (!read.keys.ok()) {
    // Mid-rotation the file may be briefly missing or half written: keep
    // verifying with the keys in force, and say so.
    server::Log("error", "jwks reload failed: keeping the keys in force",
                {{"file", path_},
                 {"reason", std::string(read.keys.status().message())}});
    return keys_;
  }
  for (const std::string& line : read.keys->skipped()) {
    server::Log("warn", "jwks key skipped", {{"file", path_}, {"key", line}});
  }
  keys_ = std::make_shared<const JsonWebKeySet>(*std::move(read.keys));
  server::Log("info", "jwks reloaded",
              {{"file", path_}, {"keys", absl::StrCat(keys_->size())}});
  return keys_;
}

}  // namespace homeward::gateway
