// JWKS parsing with libcjose and jansson; see jwks.h.
#include "services/gateway/jwks.h"

#include <cjose/jwk.h>
#include <jansson.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "services/gateway/jwt_claims.h"

namespace homeward::gateway {
namespace {

// RSA keys shorter than this are refused (NIST SP 800-131A).
constexpr size_t kMinRsaBits = 2048;
constexpr char kField[] = "oidc.jwks_file";

struct JsonDeleter {
  void operator()(json_t* json) const { json_decref(json); }
};
using JsonPtr = std::unique_ptr<json_t, JsonDeleter>;

// The member `name` of `object` when it is a string, else nullptr.
const char* StringMember(const json_t* object, const char* name) {
  const json_t* member = json_object_get(object, name);
  return json_is_string(member) ? json_string_value(member) : nullptr;
}

}  // namespace

absl::string_view AlgorithmFor(KeyType type) {
  return type == KeyType::kRsa ? "RS256" : "ES256";
}

absl::string_view KeyTypeText(KeyType type) {
  return type == KeyType::kRsa ? "an RSA key" : "an EC P-256 key";
}

absl::StatusOr<JsonWebKeySet> JsonWebKeySet::Parse(absl::string_view json) {
  if (json.size() > kMaxFileBytes) {
    return errors::InvalidField(
        kField, absl::StrCat("is larger than ", kMaxFileBytes,
                             " bytes: a JWKS holds a handful of public keys"));
  }
  json_error_t parse_error;
  JsonPtr root(json_loadb(json.data(), json.size(), JSON_REJECT_DUPLICATES,
                          &parse_error));
  if (root == nullptr) {
    return errors::InvalidField(
        kField, absl::StrCat("is not valid JSON (line ", parse_error.line,
                             ", column ", parse_error.column, ")"));
  }
  const json_t* keys = json_object_get(root.get(), "keys");
  if (!json_is_array(keys)) {
    return errors::InvalidField(
        kField, "must be a JSON Web Key Set: an object with a \"keys\" array");
  }
  JsonWebKeySet set;
  for (size_t i = 0; i < json_array_size(keys); ++i) {
    json_t* entry = json_array_get(keys, i);
    std::string at = absl::StrCat("keys[", i, "]");
    auto skip = [&](absl::string_view why) {
      set.skipped_.push_back(absl::StrCat(at, ": ", why));
    };
    if (!json_is_object(entry)) {
      skip("is not a JSON object");
      continue;
    }
    const char* kid = StringMember(entry, "kid");
    if (kid == nullptr || *kid == '\0') {
      skip("has no kid: tokens choose their key by kid");
      continue;
    }
    absl::StrAppend(&at, " (kid '", ShownInMessage(kid), "')");
    const char* kty = StringMember(entry, "kty");
    KeyType type;
    if (kty != nullptr && absl::string_view(kty) == "RSA") {
      type = KeyType::kRsa;
    } else if (kty != nullptr && absl::string_view(kty) == "EC") {
      type = KeyType::kEcP256;
    } else {
      // "oct" above all: a shared secret never verifies a token here.
      skip(absl::StrCat("kty '", ShownInMessage(kty == nullptr ? "" : kty),
                        "' is not used: only RSA (RS256) and EC P-256 "
                        "(ES256) keys are"));
      continue;
    }
    if (const char* use = StringMember(entry, "use");
        use != nullptr && absl::string_view(use) != "sig") {
      skip(absl::StrCat("use '", ShownInMessage(use),
                        "' is not for signatures"));
      continue;
    }
    if (const char* alg = StringMember(entry, "alg");
        alg != nullptr && absl::string_view(alg) != AlgorithmFor(type)) {
      skip(absl::StrCat("alg '", ShownInMessage(alg), "' is not ",
                        AlgorithmFor(type), ", the only one used with ",
                        KeyTypeText(type)));
      continue;
    }
    cjose_err err;
    std::shared_ptr<_cjose_jwk_int> jwk(
        cjose_jwk_import_json(reinterpret_cast<cjose_header_t*>(entry), &err),
        [](cjose_jwk_t* k) { cjose_jwk_release(k); });
    if (jwk == nullptr) {
      skip(absl::StrCat("is not a valid ", kty, " key"));
      continue;
    }
    if (type == KeyType::kRsa &&
        cjose_jwk_get_keysize(jwk.get(), &err) < kMinRsaBits) {
      skip(absl::StrCat("RSA key shorter than ", kMinRsaBits, " bits"));
      continue;
    }
    if (type == KeyType::kEcP256 &&
        cjose_jwk_EC_get_curve(jwk.get(), &err) != CJOSE_JWK_EC_P_256) {
      skip("EC key not on P-256: only ES256 is used");
      continue;
    }
    if (set.keys_.count(kid) > 0) {
      return errors::InvalidField(
          kField, absl::StrCat("has two keys with kid '", ShownInMessage(kid),
                               "': a token could not say which it means"));
    }
    set.keys_.emplace(kid, VerificationKey{kid, type, std::move(jwk)});
  }
  if (set.keys_.empty()) {
    return errors::InvalidField(
        kField,
        absl::StrCat("holds no usable key (an RSA key of at least 2048 bits "
                     "or an EC P-256 key, each with a kid)",
                     set.skipped_.empty() ? "" : ": ",
                     set.skipped_.empty() ? "" : set.skipped_.front()));
  }
  return set;
}

const VerificationKey* JsonWebKeySet::Find(absl::string_view kid) const {
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace homeward::gateway
