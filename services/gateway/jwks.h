// A JSON Web Key Set (RFC 7517) reduced to the keys the gateway verifies
// tokens with: RSA keys (only ever used with RS256) and EC P-256 keys (only
// ever ES256), each found by its key id. The algorithm belongs to the key,
// never to the token: that is what refuses an HS256 token "signed" with an RSA
// public key as its HMAC secret. Keys are imported by libcjose.
//
//   ASSIGN_OR_RETURN(JsonWebKeySet set, JsonWebKeySet::Parse(file_text));
//   const VerificationKey* key = set.Find(kid);  // nullptr: unknown kid
//   if (alg != AlgorithmFor(key->type)) ...      // refused
#ifndef HOMEWARD_SERVICES_GATEWAY_JWKS_H_
#define HOMEWARD_SERVICES_GATEWAY_JWKS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

// libcjose's key type (cjose/jwk.h), kept out of the gateway's headers.
struct _cjose_jwk_int;

namespace homeward::gateway {

enum class KeyType { kRsa, kEcP256 };

// The one JWS algorithm a key of `type` verifies: "RS256" or "ES256".
absl::string_view AlgorithmFor(KeyType type);
// "an RSA key" / "an EC P-256 key", for messages.
absl::string_view KeyTypeText(KeyType type);

struct VerificationKey {
  std::string kid;
  KeyType type;
  // Released with cjose_jwk_release.
  std::shared_ptr<_cjose_jwk_int> jwk;
};

class JsonWebKeySet {
 public:
  // Larger files are refused: a JWKS holds a handful of public keys.
  static constexpr size_t kMaxFileBytes = 1 << 20;

  // Parses `json` ({"keys": [...]}). A key is kept when it has a non-empty
  // kid, kty RSA (at least 2048 bits) or EC on P-256, no "use" other than
  // "sig" and no "alg" other than its type's algorithm; any other key is
  // skipped (skipped() says why: identity providers publish encryption keys
  // too). INVALID_ARGUMENT when the text is not such a JSON object, when two
  // keys share a kid, or when no key is kept.
  static absl::StatusOr<JsonWebKeySet> Parse(absl::string_view json);

  // The key with this kid, or nullptr.
  const VerificationKey* Find(absl::string_view kid) const;
  size_t size() const { return keys_.size(); }
  // One line per skipped key, e.g. "keys[2] (kid 'enc-1'): use 'enc' is not
  // for signatures". Identifiers only: no key material.
  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  std::map<std::string, VerificationKey, std::less<>> keys_;
  std::vector<std::string> skipped_;
};

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_JWKS_H_
