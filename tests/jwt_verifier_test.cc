// OIDC bearer tokens (docs/OIDC.md) against real keys: the verifier
// (jwt_verifier.h) with RSA and EC keys made by OpenSSL and a JWKS file in a
// temp dir, every refusal (algorithm confusion, alg none, unknown kid,
// tampering, expiry...) checked for what its message says and for never
// quoting the token; the JWKS file's reload; and the CallerAuthenticator's
// choice between API key and token.
#include "services/gateway/jwt_verifier.h"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/config.pb.h"
#include "services/gateway/caller_authenticator.h"
#include "services/gateway/jwks.h"
#include "tests/fixtures/jwt_signer.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::gateway {
namespace {

using ::homeward::testing::HmacJwt;
using ::homeward::testing::IsOk;
using ::homeward::testing::SignedJwt;
using ::homeward::testing::SigningKey;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::testing::UnsignedJwt;
using ::homeward::testing::WriteFileAtomically;
using ::homeward::testing::WriteJwks;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kIssuer[] = "https://idp.example.org/realms/homeward";
constexpr char kAudience[] = "homeward-gateway";
constexpr int64_t kNow = 1'800'000'000;

absl::Time At(int64_t unix_seconds) {
  return absl::FromUnixSeconds(unix_seconds);
}

// A case manager's claims, valid around `now`.
std::string Claims(int64_t now = kNow, const std::string& iss = kIssuer,
                   const std::string& aud = kAudience) {
  return absl::StrCat(R"({"iss":")", iss, R"(","aud":")", aud,
                      R"(","sub":"cm-1","iat":)", now, R"(,"nbf":)", now - 5,
                      R"(,"exp":)", now + 300,
                      R"(,"homeward_role":"case_manager",)",
                      R"("homeward_offices":["office-dakar"]})");
}

homeward::internal::v1::OidcConfig Config(const std::string& jwks_file) {
  homeward::internal::v1::OidcConfig config;
  config.set_jwks_file(jwks_file);
  config.set_issuer(kIssuer);
  config.set_audience(kAudience);
  return config;
}

// Keys are slow to make (RSA above all): one set for the whole suite.
class JwtVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new SigningKey(SigningKey::Rsa("rsa-1"));
    rsa_other_ = new SigningKey(SigningKey::Rsa("rsa-1"));  // same kid
    ec_ = new SigningKey(SigningKey::EcP256("ec-1"));
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete rsa_other_;
    delete ec_;
  }

  void SetUp() override {
    jwks_path_ = dir_.path() + "/jwks.json";
    WriteJwks(jwks_path_, {rsa_, ec_});
    auto verifier = JwtVerifier::Create(Config(jwks_path_));
    ASSERT_THAT(verifier, IsOk());
    verifier_ = *std::move(verifier);
  }

  // Refused UNAUTHENTICATED with `message` in the message, which never
  // contains the token or any of its three segments.
  void ExpectRefused(const std::string& token, const std::string& message,
                     int64_t now = kNow) {
    absl::StatusOr<AuthenticatedCaller> caller =
        verifier_->Verify(token, At(now));
    ASSERT_THAT(caller, StatusIs(absl::StatusCode::kUnauthenticated,
                                 HasSubstr(message)));
    const std::string text(caller.status().message());
    EXPECT_THAT(text, Not(HasSubstr(token)));
    for (absl::string_view part : absl::StrSplit(token, '.')) {
      if (part.size() >= 8) {
        EXPECT_THAT(text, Not(HasSubstr(part))) << part;
      }
    }
  }

  static SigningKey* rsa_;
  static SigningKey* rsa_other_;
  static SigningKey* ec_;
  TempDir dir_;
  std::string jwks_path_;
  std::unique_ptr<JwtVerifier> verifier_;
};

SigningKey* JwtVerifierTest::rsa_ = nullptr;
SigningKey* JwtVerifierTest::rsa_other_ = nullptr;
SigningKey* JwtVerifierTest::ec_ = nullptr;

TEST_F(JwtVerifierTest, Rs256TokenIsAccepted) {
  absl::StatusOr<AuthenticatedCaller> caller =
      verifier_->Verify(SignedJwt(*rsa_, Claims()), At(kNow));
  ASSERT_THAT(caller, IsOk());
  EXPECT_EQ(caller->key_id, "oidc:rsa-1");
  EXPECT_EQ(caller->principal.user_id(), "cm-1");
  EXPECT_EQ(caller->principal.role(), homeward::v1::ROLE_CASE_MANAGER);
  EXPECT_THAT(caller->principal.office_ids(), ElementsAre("office-dakar"));
}

TEST_F(JwtVerifierTest, Es256TokenIsAccepted) {
  absl::StatusOr<AuthenticatedCaller> caller =
      verifier_->Verify(SignedJwt(*ec_, Claims()), At(kNow));
  ASSERT_THAT(caller, IsOk());
  EXPECT_EQ(caller->key_id, "oidc:ec-1");
  EXPECT_EQ(caller->principal.user_id(), "cm-1");
}

TEST_F(JwtVerifierTest, ClaimChecksRunAfterTheSignature) {
  ExpectRefused(SignedJwt(*rsa_, Claims(kNow - 1000)), "token expired");
  ExpectRefused(SignedJwt(*ec_, Claims(kNow + 1000)), "token not yet valid");
  ExpectRefused(SignedJwt(*rsa_, Claims(kNow, "https://other-idp.example")),
                "issuer 'https://other-idp.example' not accepted");
  ExpectRefused(SignedJwt(*ec_, Claims(kNow, kIssuer, "some-other-app")),
                "audience 'some-other-app' not accepted");
}

// The classic forgery: the attacker knows the RSA public key (it is public)
// and uses it as an HMAC secret, hoping the verifier feeds the same key
// bytes to HMAC because the token says HS256.
TEST_F(JwtVerifierTest, Hs256KeyedWithTheRsaPublicKeyIsRefused) {
  const std::string header = rsa_->Header("HS256");
  for (const std::string& secret :
       {rsa_->PublicPem(), rsa_->RsaModulus(),
        absl::StrCat(rsa_->RsaModulus(), rsa_->RsaExponent()),
        rsa_->PublicJwk()}) {
    ExpectRefused(HmacJwt(secret, header, Claims()),
                  "algorithm HS256 not allowed for an RSA key: only RS256");
  }
}

TEST_F(JwtVerifierTest, AlgorithmIsPinnedToTheKeyType) {
  ExpectRefused(UnsignedJwt(rsa_->Header("none"), Claims()),
                "algorithm none not allowed for an RSA key");
  ExpectRefused(UnsignedJwt(ec_->Header("none"), Claims()),
                "algorithm none not allowed for an EC P-256 key");
  // A genuine RS256 signature presented as RS512, PS256 or ES256.
  for (const std::string alg : {"RS512", "PS256", "ES256", "HS512"}) {
    ExpectRefused(SignedJwt(*rsa_, Claims(), rsa_->Header(alg)),
                  absl::StrCat("algorithm ", alg,
                               " not allowed for an RSA "
                               "key"));
  }
  // An EC key verifies ES256 only: an RS256 header naming it is refused.
  ExpectRefused(SignedJwt(*rsa_, Claims(), ec_->Header("RS256")),
                "algorithm RS256 not allowed for an EC P-256 key: only ES256");
  ExpectRefused(HmacJwt(ec_->PublicPem(), ec_->Header("HS256"), Claims()),
                "algorithm HS256 not allowed for an EC P-256 key");
}

TEST_F(JwtVerifierTest, KeyIsChosenByKid) {
  // No kid at all.
  ExpectRefused(SignedJwt(*rsa_, Claims(), R"({"alg":"RS256","typ":"JWT"})"),
                "unknown key id: the token's header names none");
  // A kid the JWKS does not hold.
  SigningKey stranger = SigningKey::EcP256("stranger");
  ExpectRefused(SignedJwt(stranger, Claims()), "unknown key id 'stranger'");
  // The right kid, signed by another key: the signature is the judge.
  ExpectRefused(SignedJwt(*rsa_other_, Claims()), "signature does not verify");
}

TEST_F(JwtVerifierTest, TamperedTokensAreRefused) {
  const std::string good = SignedJwt(*rsa_, Claims());
  const size_t first_dot = good.find('.');
  const size_t second_dot = good.find('.', first_dot + 1);
  // Payload swapped for one granting a supervisor, signature kept.
  const std::string forged_claims =
      absl::StrReplaceAll(Claims(), {{"\"case_manager\"", "\"supervisor\""}});
  const std::string tampered_payload = absl::StrCat(
      good.substr(0, first_dot + 1),
      homeward::testing::Base64Url(forged_claims), good.substr(second_dot));
  ExpectRefused(tampered_payload, "signature does not verify");
  // One signature bit flipped.
  std::string sig = good.substr(second_dot + 1);
  sig[10] = sig[10] == 'A' ? 'B' : 'A';
  ExpectRefused(absl::StrCat(good.substr(0, second_dot + 1), sig),
                "signature does not verify");
  // An EC signature of the wrong length.
  const std::string ec_good = SignedJwt(*ec_, Claims());
  ExpectRefused(ec_good.substr(0, ec_good.size() - 4),
                "signature does not verify");
  // Signature stripped.
  ExpectRefused(good.substr(0, second_dot + 1), "signature does not verify");
}

TEST_F(JwtVerifierTest, MalformedTokensAreRefused) {
  ExpectRefused("only.two", "malformed token");
  ExpectRefused("a.b.c.d", "malformed token");
  ExpectRefused("a+b.c.d", "malformed token");
  ExpectRefused(absl::StrCat(homeward::testing::Base64Url("not json"), ".",
                             homeward::testing::Base64Url(Claims()), ".sig"),
                "malformed token: its header is not a JSON object");
  ExpectRefused(SignedJwt(*rsa_, Claims(),
                          R"({"alg":"RS256","kid":"rsa-1","crit":["exp"]})"),
                "malformed token: its header lists critical extensions");
  ExpectRefused(SignedJwt(*rsa_, "[1,2,3]"),
                "malformed token: its payload is not a JSON object");
  ExpectRefused(std::string(kMaxTokenBytes + 1, 'a'), "malformed token");
}

TEST_F(JwtVerifierTest, AddedKeyIsAcceptedAndRemovedKeyRefusedWithinSeconds) {
  SigningKey added = SigningKey::EcP256("ec-2");
  const std::string token = SignedJwt(added, Claims());
  ExpectRefused(token, "unknown key id 'ec-2'");

  WriteJwks(jwks_path_, {rsa_, ec_, &added});
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (!verifier_->Verify(token, At(kNow)).ok() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_THAT(verifier_->Verify(token, At(kNow)), IsOk());

  // Rotated out: ec-1 is gone.
  const std::string old_token = SignedJwt(*ec_, Claims());
  ASSERT_THAT(verifier_->Verify(old_token, At(kNow)), IsOk());
  WriteJwks(jwks_path_, {rsa_, &added});
  const absl::Time deadline2 = absl::Now() + absl::Seconds(15);
  while (verifier_->Verify(old_token, At(kNow)).ok() &&
         absl::Now() < deadline2) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  ExpectRefused(old_token, "unknown key id 'ec-1'");
  EXPECT_THAT(verifier_->Verify(token, At(kNow)), IsOk());
}

TEST_F(JwtVerifierTest, BadNewFileKeepsTheKeysInForceAndLogsAnError) {
  const std::string token = SignedJwt(*rsa_, Claims());
  for (const std::string& bad :
       {std::string("{\"keys\": [ half written"),
        std::string(R"({"keys":[{"kty":"oct","kid":"k","k":"c2VjcmV0"}]})")}) {
    SCOPED_TRACE(bad);
    ::testing::internal::CaptureStderr();
    WriteFileAtomically(jwks_path_, bad);
    // Past the check interval, the next call looks at the file.
    absl::SleepFor(kJwksCheckInterval + absl::Milliseconds(300));
    EXPECT_THAT(verifier_->Verify(token, At(kNow)), IsOk());
    EXPECT_THAT(verifier_->Verify(SignedJwt(*ec_, Claims()), At(kNow)), IsOk());
    const std::string log = ::testing::internal::GetCapturedStderr();
    EXPECT_THAT(log, HasSubstr("jwks reload failed"));
    EXPECT_THAT(log, HasSubstr("oidc.jwks_file"));
  }
  // Fixed again: read as usual.
  SigningKey added = SigningKey::EcP256("ec-3");
  WriteJwks(jwks_path_, {&added});
  const std::string new_token = SignedJwt(added, Claims());
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (!verifier_->Verify(new_token, At(kNow)).ok() &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_THAT(verifier_->Verify(new_token, At(kNow)), IsOk());
  ExpectRefused(token, "unknown key id 'rsa-1'");
}

TEST(JwtVerifierCreate, RefusesBadSettingsNamingEachField) {
  TempDir dir;
  homeward::internal::v1::OidcConfig config;
  config.set_jwks_file(dir.path() + "/missing.json");
  config.set_clock_skew_seconds(301);
  absl::StatusOr<std::unique_ptr<JwtVerifier>> verifier =
      JwtVerifier::Create(config);
  ASSERT_THAT(verifier, StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<std::string> fields;
  for (const errors::FieldViolation& v :
       errors::FieldViolationsOf(verifier.status())) {
    fields.push_back(v.field);
  }
  EXPECT_THAT(fields, ElementsAre("oidc.issuer", "oidc.audience",
                                  "oidc.clock_skew_seconds", "oidc.jwks_file"));
  config.clear_jwks_file();
  EXPECT_THAT(JwtVerifier::Create(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("oidc.jwks_file: is required")));
}

TEST(JsonWebKeySetParse, KeepsOnlyKeysItCanPinAnAlgorithmTo) {
  SigningKey rsa = SigningKey::Rsa("rsa");
  SigningKey weak = SigningKey::Rsa("weak", 1024);
  SigningKey ec = SigningKey::EcP256("ec");
  const std::string jwks = absl::StrCat(
      R"({"keys":[)", rsa.PublicJwk(), ",", weak.PublicJwk(), ",",
      ec.PublicJwk(), ",", R"({"kty":"oct","kid":"hmac","k":"c2VjcmV0"},)",
      R"({"kty":"EC","kid":"p384","crv":"P-384",)",
      R"("x":"AAAA","y":"AAAA"},)",
      absl::StrReplaceAll(rsa.PublicJwk(),
                          {{"\"kid\":\"rsa\"", "\"kid\":\"enc\""},
                           {"\"use\":\"sig\"", "\"use\":\"enc\""}}),
      ",",
      absl::StrReplaceAll(
          rsa.PublicJwk(),
          {{"\"kid\":\"rsa\"", "\"kid\":\"rs512\""}, {"RS256", "RS512"}}),
      ",", R"({"kty":"RSA","n":"AQAB","e":"AQAB"})", "]}");
  absl::StatusOr<JsonWebKeySet> set = JsonWebKeySet::Parse(jwks);
  ASSERT_THAT(set, IsOk());
  EXPECT_EQ(set->size(), 2u);
  ASSERT_NE(set->Find("rsa"), nullptr);
  EXPECT_EQ(set->Find("rsa")->type, KeyType::kRsa);
  ASSERT_NE(set->Find("ec"), nullptr);
  EXPECT_EQ(set->Find("ec")->type, KeyType::kEcP256);
  for (const char* skipped : {"weak", "hmac", "p384", "enc", "rs512"}) {
    EXPECT_EQ(set->Find(skipped), nullptr) << skipped;
  }
  EXPECT_EQ(set->skipped().size(), 6u);
}

TEST(JsonWebKeySetParse, RefusesFilesThatCannotServe) {
  SigningKey rsa = SigningKey::Rsa("dup");
  SigningKey ec = SigningKey::EcP256("dup");
  EXPECT_THAT(JsonWebKeySet::Parse(homeward::testing::JwksJson({&rsa, &ec})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("two keys with kid 'dup'")));
  EXPECT_THAT(JsonWebKeySet::Parse(R"({"keys":[]})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("holds no usable key")));
  EXPECT_THAT(JsonWebKeySet::Parse(R"([1])"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("\"keys\" array")));
  EXPECT_THAT(JsonWebKeySet::Parse("{"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not valid JSON")));
}

// ---------------------------------------------------------------------------
// CallerAuthenticator: API key or token

constexpr char kApiKey[] =
    "hw_0123456789abcdef0123456789abcdef0123456789abcdef";

homeward::internal::v1::ApiKeyFile KeyFile() {
  homeward::internal::v1::Principal p;
  p.set_user_id("cm-1");
  p.set_role(homeward::v1::ROLE_CASE_MANAGER);
  p.add_office_ids("office-dakar");
  homeward::internal::v1::ApiKeyFile file;
  *file.add_keys() = MakeApiKey("key-cm", kApiKey, p);
  return file;
}

std::string Bearer(const std::string& credential) {
  return absl::StrCat("Bearer ", credential);
}

TEST(CallerAuthenticator, AcceptsApiKeysAndTokensSideBySide) {
  TempDir dir;
  SigningKey ec = SigningKey::EcP256("ec-1");
  WriteJwks(dir.path() + "/jwks.json", {&ec});
  homeward::internal::v1::GatewayConfig config;
  *config.mutable_oidc() = Config(dir.path() + "/jwks.json");
  absl::StatusOr<std::unique_ptr<CallerAuthenticator>> callers =
      CallerAuthenticator::Create(KeyFile(), config);
  ASSERT_THAT(callers, IsOk());
  EXPECT_TRUE((*callers)->accepts_tokens());

  absl::StatusOr<AuthenticatedCaller> by_key =
      (*callers)->AuthenticateHeaders(Bearer(kApiKey), std::nullopt);
  ASSERT_THAT(by_key, IsOk());
  EXPECT_EQ(by_key->key_id, "key-cm");

  const std::string token =
      SignedJwt(ec, Claims(absl::ToUnixSeconds(absl::Now())));
  absl::StatusOr<AuthenticatedCaller> by_token =
      (*callers)->AuthenticateHeaders(Bearer(token), std::nullopt);
  ASSERT_THAT(by_token, IsOk());
  EXPECT_EQ(by_token->key_id, "oidc:ec-1");
  EXPECT_EQ(by_token->principal.user_id(), by_key->principal.user_id());
  EXPECT_EQ(by_token->principal.role(), by_key->principal.role());
  // Also in x-api-key, as API keys may be.
  EXPECT_THAT((*callers)->AuthenticateHeaders(std::nullopt, token), IsOk());

  // A wrong API key is still an API key refusal, not a token one.
  EXPECT_THAT((*callers)->AuthenticateHeaders(Bearer("hw_nope"), std::nullopt),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("API key is not valid")));
  // An expired token says so.
  EXPECT_THAT(
      (*callers)->AuthenticateHeaders(
          Bearer(
              SignedJwt(ec, Claims(absl::ToUnixSeconds(absl::Now()) - 3600))),
          std::nullopt),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("token expired")));
}

TEST(CallerAuthenticator, WithoutOidcATokenIsRefusedClearly) {
  absl::StatusOr<std::unique_ptr<CallerAuthenticator>> callers =
      CallerAuthenticator::Create(KeyFile(), {});
  ASSERT_THAT(callers, IsOk());
  EXPECT_FALSE((*callers)->accepts_tokens());
  SigningKey ec = SigningKey::EcP256("ec-1");
  EXPECT_THAT((*callers)->AuthenticateHeaders(Bearer(SignedJwt(ec, Claims())),
                                              std::nullopt),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("no 'oidc' configured")));
  EXPECT_THAT((*callers)->AuthenticateHeaders(Bearer(kApiKey), std::nullopt),
              IsOk());
}

TEST(CallerAuthenticator, NamesEveryBadSettingOfBothSources) {
  homeward::internal::v1::ApiKeyFile keys = KeyFile();
  keys.mutable_keys(0)->clear_key_id();
  homeward::internal::v1::GatewayConfig config;
  config.mutable_oidc()->set_jwks_file("/nonexistent/jwks.json");
  config.mutable_oidc()->set_issuer(kIssuer);
  config.mutable_oidc()->set_audience(kAudience);
  absl::StatusOr<std::unique_ptr<CallerAuthenticator>> callers =
      CallerAuthenticator::Create(keys, config);
  ASSERT_THAT(callers, StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<std::string> fields;
  for (const errors::FieldViolation& v :
       errors::FieldViolationsOf(callers.status())) {
    fields.push_back(v.field);
  }
  EXPECT_THAT(fields,
              ElementsAre("api_keys_file: keys[0].key_id", "oidc.jwks_file"));
}

TEST(LooksLikeJwt, ShapeOnly) {
  EXPECT_TRUE(LooksLikeJwt("aGVhZA.Ym9keQ.c2ln"));
  EXPECT_TRUE(LooksLikeJwt("aGVhZA.Ym9keQ."));  // unsigned
  EXPECT_FALSE(LooksLikeJwt("hw_0123abcd"));
  EXPECT_FALSE(LooksLikeJwt("a.b"));
  EXPECT_FALSE(LooksLikeJwt(".b.c"));
  EXPECT_FALSE(LooksLikeJwt("a.b.c.d"));
  EXPECT_FALSE(LooksLikeJwt("a=.b.c"));
}

}  // namespace
}  // namespace homeward::gateway
