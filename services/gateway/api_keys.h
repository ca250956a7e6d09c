// API-key authentication for the gateway's public faces. Keys are stored only
// as hex SHA-256 digests (ApiKeyFile); a presented key is hashed and compared
// in constant time against every stored digest, and maps to the Principal the
// gateway then signs for the internal call.
//
//   ASSIGN_OR_RETURN(auto auth, ApiKeyAuthenticator::Create(file));
//   ASSIGN_OR_RETURN(std::string key, ApiKeyFromHeaders(authz, x_api_key));
//   ASSIGN_OR_RETURN(AuthenticatedCaller caller, auth.Authenticate(key));
//
// Creating a key (e.g. the development key all-in-one writes on first start):
//   std::string secret = GenerateApiKeySecret();  // show once, never store
//   *file.add_keys() = MakeApiKey("dev", secret, principal);
#ifndef HOMEWARD_SERVICES_GATEWAY_API_KEYS_H_
#define HOMEWARD_SERVICES_GATEWAY_API_KEYS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "homeward/internal/v1/config.pb.h"
#include "homeward/internal/v1/principal.pb.h"

namespace homeward::gateway {

// Header / metadata names that may carry a key (lower case, as gRPC and
// HTTP/2 send them; HTTP/1.1 header lookup is case-insensitive).
inline constexpr char kAuthorizationHeader[] = "authorization";
inline constexpr char kApiKeyHeader[] = "x-api-key";

// Who is calling, once the key checked out.
struct AuthenticatedCaller {
  std::string key_id;  // non-secret label: safe for logs
  homeward::internal::v1::Principal principal;
};

class ApiKeyAuthenticator {
 public:
  // Validates `file` (every problem named, as field violations on
  // "keys[i]..."; a partner agency's key must carry principal.agency_id) and
  // builds the lookup table.
  static absl::StatusOr<ApiKeyAuthenticator> Create(
      const homeward::internal::v1::ApiKeyFile& file);

  // UNAUTHENTICATED when `key` matches no stored digest. The key itself never
  // appears in the error.
  absl::StatusOr<AuthenticatedCaller> Authenticate(absl::string_view key) const;
  // ApiKeyFromHeaders, then Authenticate. The public faces ask
  // CallerAuthenticator (caller_authenticator.h), which does the same for an
  // API key and verifies an OIDC token instead when it is sent one.
  absl::StatusOr<AuthenticatedCaller> AuthenticateHeaders(
      std::optional<absl::string_view> authorization,
      std::optional<absl::string_view> x_api_key) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string sha256_hex;
    AuthenticatedCaller caller;
  };
  std::vector<Entry> entries_;
};

// Picks the key out of the two accepted headers: "authorization: Bearer <key>"
// (scheme case-insensitive) or "x-api-key: <key>". `authorization` wins when
// both are present. UNAUTHENTICATED when neither carries a key.
absl::StatusOr<std::string> ApiKeyFromHeaders(
    std::optional<absl::string_view> authorization,
    std::optional<absl::string_view> x_api_key);

// A new random secret key: "hw_" followed by 48 hex characters (192 bits).
std::string GenerateApiKeySecret();

// The stored form of `secret_key`: its SHA-256 and the principal it stands for.
homeward::internal::v1::ApiKey MakeApiKey(
    absl::string_view key_id, absl::string_view secret_key,
    const homeward::internal::v1::Principal& principal);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_API_KEYS_H_
