// Fuzzes the signed principal services verify on every internal call
// (common/auth/principal_token.h).
//
// Input: byte 0 chooses the mode, the rest is
//   even: a token as a caller could send it in x-homeward-principal. It is
//         refused as UNAUTHENTICATED unless it was signed with the secret;
//         one that verifies re-encodes, under the secret, to a token for the
//         same principal.
//   odd:  a serialized Principal the gateway signs; the token verifies to
//         the same principal (stamped with the signing period) exactly when
//         the principal names a user, and fails under another secret.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/auth/principal_token.h"
#include "google/protobuf/util/message_differencer.h"
#include "homeward/internal/v1/principal.pb.h"
#include "tests/fuzz/fuzz_checks.h"

namespace homeward::fuzz {
namespace {

using homeward::internal::v1::Principal;

// The secret of the committed seed tokens (tests/fuzz/make-corpus.sh).
constexpr char kSecret[] = "fuzz-secret-0123456789abcdef0123456789";
constexpr char kOtherSecret[] = "another-secret-0123456789abcdef012345678";

// No age limit, so that committed seed tokens, minted long ago, still reach
// the end of verification; the age rule is table-tested in auth_test.
const auth::PrincipalVerifier& Verifier() {
  static const auto* verifier =
      new auth::PrincipalVerifier(kSecret, absl::InfiniteDuration());
  return *verifier;
}

void FuzzVerify(absl::string_view token) {
  absl::StatusOr<Principal> principal = Verifier().VerifyToken(token);
  if (!principal.ok()) {
    FUZZ_CHECK(principal.status().code() == absl::StatusCode::kUnauthenticated);
    CheckRefusal(principal.status());
    return;
  }
  FUZZ_CHECK(!principal->user_id().empty());
  // Only the secret's holder made it: the signed bytes are those of the
  // principal returned, so the canonical token for it verifies alike.
  const std::string canonical = auth::EncodePrincipalToken(kSecret, *principal);
  absl::StatusOr<Principal> again = Verifier().VerifyToken(canonical);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(
      google::protobuf::util::MessageDifferencer::Equals(*again, *principal));
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  FUZZ_CHECK(parts.size() == 3);
  std::string payload;
  FUZZ_CHECK(absl::WebSafeBase64Unescape(parts[1], &payload));
  Principal signed_principal;
  FUZZ_CHECK(signed_principal.ParseFromString(payload));
  FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(
      signed_principal, *principal));
}

void FuzzSign(absl::string_view bytes) {
  Principal principal;
  if (!principal.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return;
  }
  const auth::PrincipalSigner signer(kSecret);
  const std::string token = signer.TokenFor(principal);
  absl::StatusOr<Principal> verified = Verifier().VerifyToken(token);
  FUZZ_CHECK(verified.ok() == !principal.user_id().empty());
  if (verified.ok()) {
    principal.set_issued_at_unix(verified->issued_at_unix());
    FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(*verified,
                                                                  principal));
    // Within the signing period and the clock-skew allowance of now.
    const int64_t age =
        absl::ToUnixSeconds(absl::Now()) - verified->issued_at_unix();
    FUZZ_CHECK(age >= 0 && age <= 2 * auth::kIssuedAtGranularitySeconds);
  }
  const auth::PrincipalVerifier other(kOtherSecret, absl::InfiniteDuration());
  FUZZ_CHECK(!other.VerifyToken(token).ok());
}

}  // namespace
}  // namespace homeward::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const absl::string_view rest(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  if (data[0] % 2 == 0) {
    homeward::fuzz::FuzzVerify(rest);
  } else {
    homeward::fuzz::FuzzSign(rest);
  }
  return 0;
}
