// Hashing and the signed internal principal.
#include <sys/stat.h>

#include <fstream>

#include "common/auth/crypto.h"
#include "common/auth/principal_token.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
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

}  // namespace
}  // namespace homeward::auth
