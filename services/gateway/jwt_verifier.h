// Verifies an OpenID Connect bearer token: a compact-serialised JWS whose
// header names its key (`kid`) in the gateway's JWKS file (jwks_file.h). The
// algorithm is the key's, never the token's choice: an RSA key verifies only
// RS256 and an EC P-256 key only ES256, so an HS256 token keyed with an RSA
// public key, or an "alg": "none" token, is refused before any cryptography.
// The signature is checked by libcjose, then the claims by
// PrincipalFromClaims (jwt_claims.h). Every refusal is UNAUTHENTICATED and
// says which check failed, never quoting the token (docs/OIDC.md lists them).
//
//   ASSIGN_OR_RETURN(std::unique_ptr<JwtVerifier> verifier,
//                    JwtVerifier::Create(config.oidc()));
//   if (LooksLikeJwt(credential)) {
//     ASSIGN_OR_RETURN(AuthenticatedCaller caller,
//                      verifier->Verify(credential, absl::Now()));
//   }
#ifndef HOMEWARD_SERVICES_GATEWAY_JWT_VERIFIER_H_
#define HOMEWARD_SERVICES_GATEWAY_JWT_VERIFIER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "homeward/internal/v1/config.pb.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/jwks_file.h"
#include "services/gateway/jwt_claims.h"

namespace homeward::gateway {

// Longer bearer tokens are refused as malformed without being decoded.
inline constexpr size_t kMaxTokenBytes = 16 * 1024;
// The audit/log label of a token caller: "oidc:<kid>", the key that signed
// it. Never the token, and never a claim (a `sub` may be an e-mail address);
// who the caller is travels in the signed principal.
inline constexpr absl::string_view kTokenKeyIdPrefix = "oidc:";

// Whether `credential` has a JWS compact serialisation's shape: three
// base64url segments separated by dots, the first two non-empty (an unsigned
// "alg": "none" token has an empty third). Says nothing of its validity.
bool LooksLikeJwt(absl::string_view credential);

class JwtVerifier {
 public:
  // Validates `config` (INVALID_ARGUMENT with a violation per problem on
  // "oidc.<field>") and reads the JWKS file.
  static absl::StatusOr<std::unique_ptr<JwtVerifier>> Create(
      const homeward::internal::v1::OidcConfig& config,
      absl::Duration jwks_check_interval = kJwksCheckInterval);

  // The caller `token` stands for at time `now`, its key_id
  // "oidc:<kid>". UNAUTHENTICATED, naming the failed check, otherwise.
  // Thread-safe.
  absl::StatusOr<AuthenticatedCaller> Verify(absl::string_view token,
                                             absl::Time now) const;

  const ClaimRules& rules() const { return rules_; }

 private:
  JwtVerifier(ClaimRules rules, std::unique_ptr<JwksFile> jwks)
      : rules_(std::move(rules)), jwks_(std::move(jwks)) {}

  const ClaimRules rules_;
  const std::unique_ptr<JwksFile> jwks_;
};

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_JWT_VERIFIER_H_
