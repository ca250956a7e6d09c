// The AES-256 key that encrypts a data directory at rest, read from the key
// file named by `service.encryption_key_file`, and its key id: a short public
// name of the key, recorded in every encrypted file's header so that opening
// a data directory with another key is refused by name instead of failing as
// "corruption" (docs/ENCRYPTION.md).
//
// The key file holds exactly 64 hex characters (32 random bytes), optionally
// followed by a newline, and must be readable by its owner only (mode 0600 or
// 0400). Make one with
//   (umask 077 && openssl rand -hex 32 > /etc/homeward/data.key)
//
//   ASSIGN_OR_RETURN(EncryptionKey key,
//                    EncryptionKey::ReadFile(config.encryption_key_file()));
//   Log("info", "data encrypted", {{"key_id", key.id()}});
#ifndef HOMEWARD_COMMON_STORAGE_ENCRYPTION_KEY_H_
#define HOMEWARD_COMMON_STORAGE_ENCRYPTION_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace homeward::storage {

class EncryptionKey {
 public:
  static constexpr size_t kBytes = 32;  // AES-256
  // The config field that names the key file, for error messages.
  static constexpr absl::string_view kConfigField =
      "service.encryption_key_file";

  // Reads and checks the key file at `path`. Every refusal is
  // INVALID_ARGUMENT naming `field` (the config field or flag that gave the
  // path) and what is allowed: the file must exist, be a regular file not
  // readable or writable by group or others, and hold 64 hex characters.
  static absl::StatusOr<EncryptionKey> ReadFile(
      const std::string& path, absl::string_view field = kConfigField);
  // A key from its 32 raw bytes (tests, tools); INVALID_ARGUMENT otherwise.
  static absl::StatusOr<EncryptionKey> FromBytes(absl::string_view bytes);

  EncryptionKey(const EncryptionKey& other) = default;
  EncryptionKey& operator=(const EncryptionKey& other) = default;
  // Wipes the key bytes so that they do not linger in freed memory.
  ~EncryptionKey();

  // The 32 key bytes; never log them.
  const std::string& bytes() const { return bytes_; }
  // 16 lower-case hex characters: the first 8 bytes of a SHA-256 over a
  // domain-separated key (so the id is not a hash an attacker could reuse
  // elsewhere). Safe to log and to write to disk.
  const std::string& id() const { return id_; }

  // The id a key of these bytes has.
  static std::string IdOf(absl::string_view bytes);

 private:
  explicit EncryptionKey(std::string bytes);

  std::string bytes_;
  std::string id_;
};

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_ENCRYPTION_KEY_H_
