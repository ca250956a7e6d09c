// Hashing, signing and randomness, all from OpenSSL. Used for API-key hashes,
// principal signatures, the audit hash chain and generated identifiers.
#ifndef HOMEWARD_COMMON_AUTH_CRYPTO_H_
#define HOMEWARD_COMMON_AUTH_CRYPTO_H_

#include <string>

#include "absl/strings/string_view.h"

namespace homeward::crypto {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(absl::string_view data);
// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(absl::string_view key, absl::string_view data);
// `bytes` cryptographically random bytes, as lower-case hex (2*bytes chars).
std::string RandomHex(int bytes);
// Constant-time comparison, so that timing does not reveal secrets.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace homeward::crypto

#endif  // HOMEWARD_COMMON_AUTH_CRYPTO_H_
