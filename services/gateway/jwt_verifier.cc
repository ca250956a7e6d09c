// Bearer-token verification with libcjose; see jwt_verifier.h.
#include "services/gateway/jwt_verifier.h"

#include <cjose/header.h>
#include <cjose/jwk.h>
#include <cjose/jws.h>
#include <jansson.h>

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "google/protobuf/util/json_util.h"

namespace homeward::gateway {
namespace {

bool IsBase64Url(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

absl::Status Malformed(absl::string_view why) {
  return errors::Unauthenticated(absl::StrCat(
      "malformed token: ", why,
      "; a bearer token must be a signed JWT (header.payload.signature, "
      "each base64url)"));
}

struct JsonDeleter {
  void operator()(json_t* json) const { json_decref(json); }
};
struct JwsDeleter {
  void operator()(cjose_jws_t* jws) const { cjose_jws_release(jws); }
};

// What the verifier needs from the token's header, read before any key is
// chosen. Parsed by jansson with the same flags as cjose_jws_import, so both
// read the same `alg` from a header that repeats it.
struct Header {
  std::string alg;
  std::string kid;
};

absl::StatusOr<Header> ReadHeader(absl::string_view encoded) {
  std::string text;
  if (!absl::WebSafeBase64Unescape(encoded, &text)) {
    return Malformed("its header is not base64url");
  }
  std::unique_ptr<json_t, JsonDeleter> header(
      json_loadb(text.data(), text.size(), 0, nullptr));
  if (header == nullptr || !json_is_object(header.get())) {
    return Malformed("its header is not a JSON object");
  }
  // RFC 7515 4.1.11: a token that marks extensions as critical must be
  // refused by a recipient that does not implement them, as here.
  if (json_object_get(header.get(), "crit") != nullptr) {
    return Malformed(
        "its header lists critical extensions ('crit'), which the gateway "
        "does not implement");
  }
  const json_t* alg = json_object_get(header.get(), "alg");
  if (!json_is_string(alg)) {
    return Malformed("its header names no algorithm ('alg')");
  }
  Header out;
  out.alg = json_string_value(alg);
  const json_t* kid = json_object_get(header.get(), "kid");
  if (json_is_string(kid)) out.kid = json_string_value(kid);
  return out;
}

}  // namespace

bool LooksLikeJwt(absl::string_view credential) {
  std::vector<absl::string_view> parts = absl::StrSplit(credential, '.');
  return parts.size() == 3 && !parts[0].empty() && !parts[1].empty() &&
         IsBase64Url(parts[0]) && IsBase64Url(parts[1]) &&
         IsBase64Url(parts[2]);
}

absl::StatusOr<std::unique_ptr<JwtVerifier>> JwtVerifier::Create(
    const homeward::internal::v1::OidcConfig& config,
    absl::Duration jwks_check_interval) {
  absl::StatusOr<ClaimRules> rules = ClaimRulesFrom(config);
  errors::FieldViolations bad;
  if (!rules.ok()) {
    for (const errors::FieldViolation& v :
         errors::FieldViolationsOf(rules.status())) {
      bad.Add(v.field, v.description);
    }
  }
  // The file is read even when the rules are wrong, so that one start names
  // every problem.
  absl::StatusOr<std::unique_ptr<JwksFile>> jwks =
      JwksFile::Load(config.jwks_file(), jwks_check_interval);
  if (!jwks.ok()) {
    for (const errors::FieldViolation& v :
         errors::FieldViolationsOf(jwks.status())) {
      bad.Add(v.field, v.description);
    }
  }
  if (!bad.empty()) return bad.ToStatus();
  return std::unique_ptr<JwtVerifier>(
      new JwtVerifier(*std::move(rules), *std::move(jwks)));
}

absl::StatusOr<AuthenticatedCaller> JwtVerifier::Verify(absl::string_view token,
                                                        absl::Time now) const {
  if (token.size() > kMaxTokenBytes) {
    return Malformed(absl::StrCat("longer than ", kMaxTokenBytes, " bytes"));
  }
  if (!LooksLikeJwt(token)) {
    return Malformed("not three base64url segments separated by dots");
  }
  absl::StatusOr<Header> header = ReadHeader(token.substr(0, token.find('.')));
  if (!header.ok()) return header.status();

  if (header->kid.empty()) {
    return errors::Unauthenticated(
        "unknown key id: the token's header names none ('kid'), and the "
        "gateway chooses the verifying key by it");
  }
  const std::shared_ptr<const JsonWebKeySet> keys = jwks_->Keys();
  const VerificationKey* key = keys->Find(header->kid);
  if (key == nullptr) {
    return errors::Unauthenticated(absl::StrCat(
        "unknown key id '", ShownInMessage(header->kid),
        "': no key of the gateway's JWKS has it (a key rotated out, or a "
        "token from another identity provider)"));
  }
  // The pin: the key decides the algorithm. Checked before cjose sees the
  // token, so that no algorithm the token asks for is ever run.
  if (header->alg != AlgorithmFor(key->type)) {
    return errors::Unauthenticated(absl::StrCat(
        "algorithm ", ShownInMessage(header->alg), " not allowed for ",
        KeyTypeText(key->type), ": only ", AlgorithmFor(key->type)));
  }

  if (token.back() == '.') {
    return errors::Unauthenticated(
        "signature does not verify: the token carries no signature");
  }
  cjose_err err;
  std::unique_ptr<cjose_jws_t, JwsDeleter> jws(
      cjose_jws_import(token.data(), token.size(), &err));
  if (jws == nullptr) return Malformed("it does not decode as a JWS");
  // cjose decoded the header itself: the algorithm it will run must be the
  // pinned one too, whatever a difference between two decoders could do.
  const char* cjose_alg =
      cjose_header_get(cjose_jws_get_protected(jws.get()), CJOSE_HDR_ALG, &err);
  if (cjose_alg == nullptr || AlgorithmFor(key->type) != cjose_alg) {
    return Malformed("its header does not decode the same way twice");
  }
  if (!cjose_jws_verify(jws.get(), key->jwk.get(), &err)) {
    return errors::Unauthenticated(absl::StrCat(
        "signature does not verify with key '", ShownInMessage(key->kid),
        "': the token was altered or not signed by the identity provider"));
  }
  uint8_t* payload = nullptr;
  size_t payload_size = 0;
  if (!cjose_jws_get_plaintext(jws.get(), &payload, &payload_size, &err) ||
      payload == nullptr) {
    return Malformed("its payload cannot be read");
  }
  google::protobuf::Struct claims;
  const std::string payload_text(reinterpret_cast<const char*>(payload),
                                 payload_size);
  if (!google::protobuf::util::JsonStringToMessage(payload_text, &claims)
           .ok()) {
    return Malformed("its payload is not a JSON object of claims");
  }
  absl::StatusOr<homeward::internal::v1::Principal> principal =
      PrincipalFromClaims(claims, rules_, now);
  if (!principal.ok()) return principal.status();
  AuthenticatedCaller caller;
  caller.key_id = absl::StrCat(kTokenKeyIdPrefix, key->kid);
  caller.principal = *std::move(principal);
  return caller;
}

}  // namespace homeward::gateway
