// Who is calling the gateway: the one authenticator both public faces ask.
// It takes the bearer credential from the request's headers (ApiKeyFromHeaders:
// "authorization: Bearer <credential>" or "x-api-key: <credential>") and
// decides what it is: a credential starting "hw_" is an API key
// (ApiKeyAuthenticator); one shaped like a JWT (three base64url segments
// separated by dots, LooksLikeJwt) is an OpenID Connect token (JwtVerifier),
// accepted only when GatewayConfig.oidc is set; anything else is tried as an
// API key. The answer is the same AuthenticatedCaller either way.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<CallerAuthenticator> callers,
//                    CallerAuthenticator::Create(api_key_file, config));
//   absl::StatusOr<AuthenticatedCaller> caller = callers->AuthenticateHeaders(
//       headers.authorization, headers.x_api_key);
#ifndef HOMEWARD_SERVICES_GATEWAY_CALLER_AUTHENTICATOR_H_
#define HOMEWARD_SERVICES_GATEWAY_CALLER_AUTHENTICATOR_H_

#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "homeward/internal/v1/config.pb.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/jwt_verifier.h"

namespace homeward::gateway {

class CallerAuthenticator {
 public:
  // The API keys of `keys` and, when `config` has `oidc`, its tokens.
  // INVALID_ARGUMENT naming every problem: the key file's on
  // "api_keys_file: keys[i]...", the OIDC settings' on "oidc.<field>"
  // (including a JWKS file that cannot be read or holds no usable key).
  static absl::StatusOr<std::unique_ptr<CallerAuthenticator>> Create(
      const homeward::internal::v1::ApiKeyFile& keys,
      const homeward::internal::v1::GatewayConfig& config);

  // What both faces call with the two headers that may carry a credential.
  // UNAUTHENTICATED when neither carries one, when an API key matches no
  // stored key, when a token is refused (the message names the check) or
  // when a token arrives and no `oidc` is configured. Never quotes the
  // credential. Thread-safe.
  absl::StatusOr<AuthenticatedCaller> AuthenticateHeaders(
      std::optional<absl::string_view> authorization,
      std::optional<absl::string_view> x_api_key) const;

  size_t api_key_count() const { return keys_.size(); }
  bool accepts_tokens() const { return tokens_ != nullptr; }

 private:
  CallerAuthenticator(ApiKeyAuthenticator keys,
                      std::unique_ptr<JwtVerifier> tokens)
      : keys_(std::move(keys)), tokens_(std::move(tokens)) {}

  const ApiKeyAuthenticator keys_;
  const std::unique_ptr<JwtVerifier> tokens_;  // null: API keys only
};

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_CALLER_AUTHENTICATOR_H_
