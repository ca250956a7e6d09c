// Hashing and the signed internal principal.
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/auth/crypto.h"
#include "common/auth/principal_token.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::auth {
namespace {

using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::HasSubstr;

TEST(CryptoTest, Sha256MatchesKnownVector) {
  // FIPS 180-2 test vector for "abc".
  EXPECT_EQ(crypto::Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CryptoTest, RandomHexHasTheAskedLengthAndVaries) {
  EXPECT_EQ(crypto::RandomHex(16).size(), 32u);
  EXPECT_NE(crypto::RandomHex(16), crypto::RandomHex(16));
}

TEST(CryptoTest, ConstantTimeEquals) {
  EXPECT_TRUE(crypto::ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(crypto::ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(crypto::ConstantTimeEquals("abc", "ab"));
}

TEST(SecretFileTest, CreatedPrivateAndReadBack) {
  TempDir dir;
  std::string path = dir.path() + "/secret";
  ASSERT_OK(EnsureSecretFile(path));
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
  auto secret = ReadSecretFile(path);
  ASSERT_OK(secret);
  EXPECT_EQ(secret->size(), 64u);
  // A second call keeps the existing secret.
  ASSERT_OK(EnsureSecretFile(path));
  EXPECT_EQ(*ReadSecretFile(path), *secret);
}

TEST(SecretFileTest, RefusesWorldReadableShortOrMissingFiles) {
  TempDir dir;
  EXPECT_THAT(ReadSecretFile(dir.path() + "/none"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("does not exist")));
  std::string open = dir.path() + "/open";
  std::ofstream(open) << std::string(40, 'x');
  chmod(open.c_str(), 0644);
  EXPECT_THAT(
      ReadSecretFile(open),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("chmod 600")));
  std::string shortf = dir.path() + "/short";
  std::ofstream(shortf) << "tiny";
  chmod(shortf.c_str(), 0600);
  EXPECT_THAT(ReadSecretFile(shortf),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("at least 32")));
}

using ::homeward::testing::kTestSecret;

homeward::internal::v1::Principal Manager() {
  return homeward::testing::MakePrincipal(
      "cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"});
}

TEST(PrincipalTokenTest, SignedTokenVerifiesToTheSamePrincipal) {
  PrincipalSigner signer(kTestSecret);
  PrincipalVerifier verifier(kTestSecret, absl::Minutes(5));
  const std::string token = signer.TokenFor(Manager());
  // Plain ASCII without separators other than the two dots, so that it is a
  // valid non-binary gRPC metadata value.
  EXPECT_TRUE(absl::StartsWith(token, "v1."));
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  for (char c : token) {
    EXPECT_TRUE(absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.')
        << c;
  }
  // Verified twice: the second answer comes from the cache and must match.
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<homeward::internal::v1::Principal> p =
        verifier.VerifyToken(token);
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_EQ(p->user_id(), "cm-1");
    EXPECT_EQ(p->role(), homeward::v1::ROLE_CASE_MANAGER);
    EXPECT_THAT(p->office_ids(), ::testing::ElementsAre("office-dakar"));
    EXPECT_EQ(p->issued_at_unix() % kIssuedAtGranularitySeconds, 0);
  }
  // The same principal within a period gets the same token.
  EXPECT_EQ(signer.TokenFor(Manager()), token);
}

TEST(PrincipalTokenTest, PartnerAgencyKeepsItsAgency) {
  PrincipalSigner signer(kTestSecret);
  PrincipalVerifier verifier(kTestSecret, absl::Minutes(5));
  homeward::internal::v1::Principal agency;
  agency.set_user_id("pa-1");
  agency.set_role(homeward::v1::ROLE_PARTNER_AGENCY);
  agency.set_agency_id("agency-health");
  absl::StatusOr<homeward::internal::v1::Principal> p =
      verifier.VerifyToken(signer.TokenFor(agency));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->role(), homeward::v1::ROLE_PARTNER_AGENCY);
  EXPECT_EQ(p->agency_id(), "agency-health");
}

TEST(PrincipalTokenTest, TamperedForeignOrMalformedTokensAreRefused) {
  PrincipalVerifier verifier(kTestSecret, absl::Minutes(5));
  homeward::internal::v1::Principal p = Manager();
  p.set_issued_at_unix(absl::ToUnixSeconds(absl::Now()));
  const std::string token = EncodePrincipalToken(kTestSecret, p);
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  ASSERT_EQ(parts.size(), 3u);

  homeward::internal::v1::Principal supervisor = p;
  supervisor.set_role(homeward::v1::ROLE_SUPERVISOR);
  const std::string other_payload =
      absl::WebSafeBase64Escape(supervisor.SerializeAsString());
  // Partner agencies are scoped by agency_id, so it is signed like the rest.
  homeward::internal::v1::Principal other_agency = p;
  other_agency.set_agency_id("agency-other");
  const std::string other_agency_payload =
      absl::WebSafeBase64Escape(other_agency.SerializeAsString());
  struct Case {
    std::string name;
    std::string token;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"payload swapped, signature kept",
       absl::StrCat("v1.", other_payload, ".", parts[2]), "signature"},
      {"agency swapped, signature kept",
       absl::StrCat("v1.", other_agency_payload, ".", parts[2]), "signature"},
      {"signed with another secret",
       EncodePrincipalToken("another-secret-0123456789abcdef012345", p),
       "signature"},
      {"signature missing", absl::StrCat("v1.", parts[1]), "malformed"},
      {"unknown version", absl::StrCat("v9.", parts[1], ".", parts[2]),
       "malformed"},
      {"payload not base64url", absl::StrCat("v1.***.", parts[2]), "malformed"},
      {"empty", "", "malformed"},
      {"signed but no user",
       EncodePrincipalToken(kTestSecret, homeward::internal::v1::Principal()),
       "malformed"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(
        verifier.VerifyToken(c.token),
        StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr(c.error)))
        << c.name;
  }
  // The genuine token still verifies after the refusals.
  EXPECT_TRUE(verifier.VerifyToken(token).ok());
}

TEST(PrincipalTokenTest, TokensOutsideTheAllowedAgeAreRefused) {
  PrincipalVerifier verifier(kTestSecret, absl::Minutes(5));
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  struct Case {
    int64_t issued_offset_seconds;
    bool accepted;
    const char* refusal;  // a part of the message when refused
  };
  // Allowed: up to 5 min plus the one-minute rounding old, and no more than
  // the 10 s clock-skew allowance ahead. Offsets keep seconds of margin from
  // each limit, since the verifier reads the clock a little later.
  const std::vector<Case> cases = {
      {0, true, ""},
      {-300, true, ""},
      {-350, true, ""},
      {-370, false, "expired"},
      {-3600, false, "expired"},
      {5, true, ""},
      {8, true, ""},
      {15, false, "in the future"},
      {60, false, "clock-skew allowance"},
      {290, false, "in the future"},
      {400, false, "in the future"},
  };
  for (const Case& c : cases) {
    homeward::internal::v1::Principal p = Manager();
    p.set_issued_at_unix(now + c.issued_offset_seconds);
    absl::StatusOr<homeward::internal::v1::Principal> got =
        verifier.VerifyToken(EncodePrincipalToken(kTestSecret, p));
    if (c.accepted) {
      EXPECT_TRUE(got.ok()) << c.issued_offset_seconds << ": " << got.status();
    } else {
      EXPECT_THAT(got, StatusIs(absl::StatusCode::kUnauthenticated,
                                HasSubstr(c.refusal)))
          << c.issued_offset_seconds;
    }
  }
}

// The signer rounds issued_at down, so a token signed on the verifier's host
// is never from the future, even with the tightest skew allowance.
TEST(PrincipalTokenTest, TokensSignedOnTheSameHostAreNeverFromTheFuture) {
  PrincipalSigner signer(kTestSecret);
  PrincipalVerifier verifier(kTestSecret, absl::Minutes(5));
  for (int i = 0; i < 100; ++i) {
    const std::string token = signer.TokenFor(Manager());
    homeward::internal::v1::Principal decoded;
    std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
    ASSERT_EQ(parts.size(), 3u);
    std::string payload;
    ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[1], &payload));
    ASSERT_TRUE(decoded.ParseFromString(payload));
    EXPECT_LE(decoded.issued_at_unix(), absl::ToUnixSeconds(absl::Now()));
    EXPECT_TRUE(verifier.VerifyToken(token).ok());
  }
}

}  // namespace
}  // namespace homeward::auth
