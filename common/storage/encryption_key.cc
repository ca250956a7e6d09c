// Reading and checking the data encryption key file; see encryption_key.h.
#include "common/storage/encryption_key.h"

#include <openssl/crypto.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/auth/crypto.h"
#include "common/auth/key_file_mode.h"
#include "common/status/errors.h"

namespace homeward::storage {
namespace {

// Changing this changes every key id: existing data directories would be
// refused as encrypted with another key.
constexpr absl::string_view kKeyIdDomain = "homeward data encryption key id v1";

// What every refusal says is allowed, so that one message is enough to fix
// the file whatever was wrong with it.
constexpr absl::string_view kAllowed =
    "must name a file of exactly 64 hex characters (32 random bytes, made "
    "with `umask 077; openssl rand -hex 32 > FILE`), mode 0600 or 0400";

// A longer file is not a key: read no more than this to say so.
constexpr size_t kMaxRead = 4096;

bool IsHex(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

EncryptionKey::EncryptionKey(std::string bytes)
    : bytes_(std::move(bytes)), id_(IdOf(bytes_)) {}

EncryptionKey::~EncryptionKey() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

std::string EncryptionKey::IdOf(absl::string_view bytes) {
  // The NUL keeps the domain and the key apart whatever their lengths.
  return crypto::Sha256Hex(
             absl::StrCat(kKeyIdDomain, std::string(1, '\0'), bytes))
      .substr(0, 16);
}

absl::StatusOr<EncryptionKey> EncryptionKey::FromBytes(
    absl::string_view bytes) {
  if (bytes.size() != kBytes) {
    return errors::InvalidField(
        "encryption_key", absl::StrCat("must be exactly ", kBytes, " bytes"));
  }
  return EncryptionKey(std::string(bytes));
}

absl::StatusOr<EncryptionKey> EncryptionKey::ReadFile(const std::string& path,
                                                      absl::string_view field) {
  auto refuse = [&](absl::string_view problem) {
    return errors::InvalidField(
        field, absl::StrCat("'", path, "' ", problem, ": ", kAllowed));
  };
  if (path.empty()) return refuse("is empty");
  // Missing, not a regular file, or open to group or others: the check every
  // secret file gets, with what a key file must hold added.
  if (absl::Status mode = auth::CheckKeyFileMode(path, field); !mode.ok()) {
    return errors::InvalidField(
        field, absl::StrCat(errors::FieldViolationsOf(mode).front().description,
                            ": ", kAllowed));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return refuse("cannot be opened");
  std::string content(kMaxRead + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<size_t>(in.gcount()));
  // The file may end with a newline (an editor or `echo` adds one).
  absl::string_view text = absl::StripTrailingAsciiWhitespace(content);
  // The content is never echoed: it is (or is close to) a secret.
  if (text.size() != 2 * kBytes || !IsHex(text)) {
    std::string described =
        content.size() > kMaxRead
            ? "holds more than 4096 bytes"
            : absl::StrCat("holds ", text.size(), " characters",
                           IsHex(text) ? "" : ", not all hex");
    OPENSSL_cleanse(content.data(), content.size());
    return refuse(described);
  }
  std::string bytes = absl::HexStringToBytes(text);
  OPENSSL_cleanse(content.data(), content.size());
  return EncryptionKey(std::move(bytes));
}

}  // namespace homeward::storage
