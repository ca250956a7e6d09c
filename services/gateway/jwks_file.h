// The gateway's JWKS file, re-read when it changes on disk so that an identity
// provider's key rotation needs no restart. The file is looked at (stat) at
// most once per check interval, on the next call that needs the keys; it is
// re-read when its inode, size or modification time changed. A new file that
// does not parse (JsonWebKeySet::Parse) is logged as an error and the keys in
// use stay; the next change is tried again.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<JwksFile> file, JwksFile::Load(path));
//   std::shared_ptr<const JsonWebKeySet> keys = file->Keys();
//   const VerificationKey* key = keys->Find(kid);
#ifndef HOMEWARD_SERVICES_GATEWAY_JWKS_FILE_H_
#define HOMEWARD_SERVICES_GATEWAY_JWKS_FILE_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/server/file_version.h"
#include "services/gateway/jwks.h"

namespace homeward::gateway {

inline constexpr absl::Duration kJwksCheckInterval = absl::Seconds(1);

class JwksFile {
 public:
  // Reads and parses `path` now: the start fails (INVALID_ARGUMENT on
  // "oidc.jwks_file") when it is missing or holds no usable key.
  static absl::StatusOr<std::unique_ptr<JwksFile>> Load(
      std::string path, absl::Duration check_interval = kJwksCheckInterval);

  // The keys in force; first re-reads the file if the interval has passed
  // since the last look and the file changed. Thread-safe.
  std::shared_ptr<const JsonWebKeySet> Keys();

 private:
  struct Read {
    server::FileVersion version;
    absl::StatusOr<JsonWebKeySet> keys;
  };
  static Read ReadFile(const std::string& path);

  JwksFile(std::string path, absl::Duration check_interval)
      : path_(std::move(path)), check_interval_(check_interval) {}

  const std::string path_;
  const absl::Duration check_interval_;
  absl::Mutex mu_;
  std::shared_ptr<const JsonWebKeySet> keys_ ABSL_GUARDED_BY(mu_);
  // The version last read, whether or not it parsed: a bad file is reported
  // once, not at every check.
  server::FileVersion seen_ ABSL_GUARDED_BY(mu_);
  absl::Time last_check_ ABSL_GUARDED_BY(mu_);
};

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_JWKS_FILE_H_
