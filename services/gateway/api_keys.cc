// API-key authentication; see api_keys.h.
#include "services/gateway/api_keys.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/auth/crypto.h"
#include "common/status/errors.h"

namespace homeward::gateway {
namespace {

bool IsLowerHexSha256(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

absl::Status Validate(const homeward::internal::v1::ApiKeyFile& file) {
  errors::FieldViolations bad;
  for (int i = 0; i < file.keys_size(); ++i) {
    const homeward::internal::v1::ApiKey& key = file.keys(i);
    const std::string at = absl::StrCat("keys[", i, "]");
    if (key.key_id().empty()) bad.Add(at + ".key_id", "is required");
    if (!IsLowerHexSha256(key.sha256_hex())) {
      bad.Add(at + ".sha256_hex",
              "must be the lower-case hex SHA-256 of the key (64 characters "
              "0-9a-f)");
    }
    if (key.principal().user_id().empty()) {
      bad.Add(at + ".principal.user_id", "is required");
    }
    if (key.principal().role() == homeward::v1::ROLE_UNSPECIFIED) {
      bad.Add(at + ".principal.role", "is required");
    }
    // Services scope a partner agency to its own organisation by this id;
    // without it the agency would match nothing, or, worse, an empty id.
    if (key.principal().role() == homeward::v1::ROLE_PARTNER_AGENCY &&
        key.principal().agency_id().empty()) {
      bad.Add(at + ".principal.agency_id",
              "is required for ROLE_PARTNER_AGENCY: it names the agency whose "
              "records the key may see");
    }
    for (int j = 0; j < i; ++j) {
      if (file.keys(j).sha256_hex() == key.sha256_hex() &&
          !key.sha256_hex().empty()) {
        bad.Add(at + ".sha256_hex",
                absl::StrCat("is the same key as keys[", j, "]"));
      }
      if (file.keys(j).key_id() == key.key_id() && !key.key_id().empty()) {
        bad.Add(at + ".key_id",
                absl::StrCat("'", key.key_id(), "' is also used by keys[", j,
                             "]: key ids label keys in logs and must be "
                             "unique"));
      }
    }
  }
  return bad.ToStatus();
}

}  // namespace

absl::StatusOr<ApiKeyAuthenticator> ApiKeyAuthenticator::Create(
    const homeward::internal::v1::ApiKeyFile& file) {
  absl::Status valid = Validate(file);
  if (!valid.ok()) return valid;
  ApiKeyAuthenticator auth;
  for (const homeward::internal::v1::ApiKey& key : file.keys()) {
    auth.entries_.push_back(
        {key.sha256_hex(), {key.key_id(), key.principal()}});
  }
  return auth;
}

absl::StatusOr<AuthenticatedCaller> ApiKeyAuthenticator::Authenticate(
    absl::string_view key) const {
  const std::string digest = crypto::Sha256Hex(key);
  // Compare against every entry without stopping at the first match, so that
  // the time taken does not depend on which key (if any) matched. Key files
  // hold few keys, so the linear scan costs nothing measurable.
  const Entry* found = nullptr;
  for (const Entry& entry : entries_) {
    if (crypto::ConstantTimeEquals(entry.sha256_hex, digest)) found = &entry;
  }
  if (found == nullptr) {
    return errors::Unauthenticated(
        "the API key is not valid: check that it was copied whole and has not "
        "been revoked");
  }
  return found->caller;
}

absl::StatusOr<AuthenticatedCaller> ApiKeyAuthenticator::AuthenticateHeaders(
    std::optional<absl::string_view> authorization,
    std::optional<absl::string_view> x_api_key) const {
  absl::StatusOr<std::string> key = ApiKeyFromHeaders(authorization, x_api_key);
  if (!key.ok()) return key.status();
  return Authenticate(*key);
}

absl::StatusOr<std::string> ApiKeyFromHeaders(
    std::optional<absl::string_view> authorization,
    std::optional<absl::string_view> x_api_key) {
  if (authorization.has_value() && !authorization->empty()) {
    absl::string_view value = absl::StripAsciiWhitespace(*authorization);
    constexpr absl::string_view kBearer = "bearer ";
    if (value.size() <= kBearer.size() ||
        !absl::StartsWithIgnoreCase(value, kBearer)) {
      return errors::Unauthenticated(
          "the authorization header must be 'Bearer <API key>'");
    }
    value.remove_prefix(kBearer.size());
    value = absl::StripAsciiWhitespace(value);
    if (value.empty()) {
      return errors::Unauthenticated(
          "the authorization header must be 'Bearer <API key>'");
    }
    return std::string(value);
  }
  if (x_api_key.has_value()) {
    absl::string_view value = absl::StripAsciiWhitespace(*x_api_key);
    if (!value.empty()) return std::string(value);
  }
  return errors::Unauthenticated(
      "no API key: send it as 'authorization: Bearer <key>' or "
      "'x-api-key: <key>'");
}

std::string GenerateApiKeySecret() {
  return absl::StrCat("hw_", crypto::RandomHex(24));
}

homeward::internal::v1::ApiKey MakeApiKey(
    absl::string_view key_id, absl::string_view secret_key,
    const homeward::internal::v1::Principal& principal) {
  homeward::internal::v1::ApiKey key;
  key.set_key_id(std::string(key_id));
  key.set_sha256_hex(crypto::Sha256Hex(secret_key));
  *key.mutable_principal() = principal;
  return key;
}

}  // namespace homeward::gateway
