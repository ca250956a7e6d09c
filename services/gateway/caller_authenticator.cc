// API key or OIDC token, whichever the caller sent; see caller_authenticator.h.
#include "services/gateway/caller_authenticator.h"

#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"

namespace homeward::gateway {

absl::StatusOr<std::unique_ptr<CallerAuthenticator>>
CallerAuthenticator::Create(
    const homeward::internal::v1::ApiKeyFile& keys,
    const homeward::internal::v1::GatewayConfig& config) {
  errors::FieldViolations bad;
  absl::StatusOr<ApiKeyAuthenticator> api_keys =
      ApiKeyAuthenticator::Create(keys);
  if (!api_keys.ok()) {
    for (const errors::FieldViolation& v :
         errors::FieldViolationsOf(api_keys.status())) {
      bad.Add(absl::StrCat("api_keys_file: ", v.field), v.description);
    }
  }
  std::unique_ptr<JwtVerifier> tokens;
  if (config.has_oidc()) {
    absl::StatusOr<std::unique_ptr<JwtVerifier>> verifier =
        JwtVerifier::Create(config.oidc());
    if (verifier.ok()) {
      tokens = *std::move(verifier);
    } else {
      for (const errors::FieldViolation& v :
           errors::FieldViolationsOf(verifier.status())) {
        bad.Add(v.field, v.description);
      }
    }
  }
  if (!bad.empty()) return bad.ToStatus();
  return std::unique_ptr<CallerAuthenticator>(
      new CallerAuthenticator(*std::move(api_keys), std::move(tokens)));
}

absl::StatusOr<AuthenticatedCaller> CallerAuthenticator::AuthenticateHeaders(
    std::optional<absl::string_view> authorization,
    std::optional<absl::string_view> x_api_key) const {
  absl::StatusOr<std::string> credential =
      ApiKeyFromHeaders(authorization, x_api_key);
  if (!credential.ok()) return credential.status();
  // API keys are "hw_" and hex (GenerateApiKeySecret): never a JWT's shape,
  // so the prefix settles it before the shape is looked at.
  if (!absl::StartsWith(*credential, "hw_") && LooksLikeJwt(*credential)) {
    if (tokens_ == nullptr) {
      return errors::Unauthenticated(
          "bearer tokens (JWT) are not accepted by this gateway: it has no "
          "'oidc' configured; use an API key");
    }
    return tokens_->Verify(*credential, absl::Now());
  }
  return keys_.Authenticate(*credential);
}

}  // namespace homeward::gateway
