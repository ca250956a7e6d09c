// Signing and verifying the internal principal; see principal_token.h.
#include "common/auth/principal_token.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/crypto.h"
#include "common/auth/key_file_mode.h"
#include "common/status/errors.h"

namespace homeward::auth {
namespace {

constexpr absl::string_view kTokenVersion = "v1";

int64_t PeriodOf(int64_t unix_seconds) {
  return unix_seconds - unix_seconds % kIssuedAtGranularitySeconds;
}

int64_t CurrentPeriod() { return PeriodOf(absl::ToUnixSeconds(absl::Now())); }

std::string Signature(absl::string_view secret, absl::string_view payload) {
  return absl::WebSafeBase64Escape(crypto::HmacSha256(secret, payload));
}

}  // namespace

std::string EncodePrincipalToken(
    absl::string_view secret,
    const homeward::internal::v1::Principal& principal) {
  const std::string payload = principal.SerializeAsString();
  return absl::StrCat(kTokenVersion, ".", absl::WebSafeBase64Escape(payload),
                      ".", Signature(secret, payload));
}

absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("principal secret file '", path, "' does not exist"));
  }
  // The same rule as every key file (key_file_mode.h): owner only, or the
  // group of a Kubernetes secret volume named by HOMEWARD_KEY_FILE_GROUP.
  if (const std::string problem =
          KeyFileModeProblem({.mode = static_cast<unsigned>(st.st_mode & 07777),
                              .owner = st.st_uid,
                              .group = st.st_gid},
                             ThisProcess());
      !problem.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("principal secret file '", path, "' ", problem));
  }
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string secret(absl::StripAsciiWhitespace(buf.str()));
  if (secret.size() < 32) {
    return absl::FailedPreconditionError(absl::StrCat(
        "principal secret file '", path, "' must hold at least 32 characters"));
  }
  return secret;
}

absl::Status EnsureSecretFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0) return absl::OkStatus();
  mode_t old = umask(077);
  std::ofstream out(path);
  out << crypto::RandomHex(32) << "\n";
  out.close();
  umask(old);
  if (!out) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write principal secret file '", path, "'"));
  }
  return absl::OkStatus();
}

std::string PrincipalSigner::TokenFor(
    homeward::internal::v1::Principal principal) const {
  const int64_t period = CurrentPeriod();
  principal.set_issued_at_unix(period);
  const std::string key = principal.SerializeAsString();
  if (std::optional<std::string> token = tokens_.Find(period, key)) {
    return *std::move(token);
  }
  std::string token = EncodePrincipalToken(secret_, principal);
  tokens_.Insert(period, key, token);
  return token;
}

void PrincipalSigner::Attach(const homeward::internal::v1::Principal& principal,
                             grpc::ClientContext* context) const {
  context->AddMetadata(kPrincipalMetadataKey, TokenFor(principal));
}

absl::StatusOr<homeward::internal::v1::Principal> PrincipalVerifier::Verify(
    const grpc::ServerContextBase& context) const {
  const auto& md = context.client_metadata();
  auto it = md.find(kPrincipalMetadataKey);
  if (it == md.end()) {
    return errors::Unauthenticated(
        "no signed principal: internal services accept calls only through the "
        "gateway");
  }
  return VerifyToken(absl::string_view(it->second.data(), it->second.size()));
}

absl::StatusOr<homeward::internal::v1::Principal>
PrincipalVerifier::VerifyToken(absl::string_view token) const {
  const int64_t period = CurrentPeriod();
  std::optional<homeward::internal::v1::Principal> principal =
      checked_.Find(period, token);
  if (!principal.has_value()) {
    absl::StatusOr<homeward::internal::v1::Principal> decoded = Decode(token);
    if (!decoded.ok()) return decoded.status();
    principal = *std::move(decoded);
    checked_.Insert(period, token, *principal);
  }
  const absl::Duration age =
      absl::Now() - absl::FromUnixSeconds(principal->issued_at_unix());
  // The signer rounds issued_at down, so allow that much more age.
  if (age > max_age_ + absl::Seconds(kIssuedAtGranularitySeconds)) {
    return errors::Unauthenticated("principal has expired");
  }
  // Rounding down never stamps the future, so only another host's clock
  // running ahead can (see kClockSkewAllowanceSeconds).
  if (age < -absl::Seconds(kClockSkewAllowanceSeconds)) {
    return errors::Unauthenticated(absl::StrCat(
        "principal is stamped ", absl::ToInt64Seconds(-age),
        " s in the future, more than the ", kClockSkewAllowanceSeconds,
        " s clock-skew allowance: the gateway's and this service's clocks "
        "disagree (check time synchronisation)"));
  }
  return *std::move(principal);
}

absl::StatusOr<homeward::internal::v1::Principal> PrincipalVerifier::Decode(
    absl::string_view token) const {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  std::string payload;
  if (parts.size() != 3 || parts[0] != kTokenVersion ||
      !absl::WebSafeBase64Unescape(parts[1], &payload)) {
    return errors::Unauthenticated("principal is malformed");
  }
  // Checked before parsing, so nothing unsigned reaches the parser.
  if (!crypto::ConstantTimeEquals(Signature(secret_, payload), parts[2])) {
    return errors::Unauthenticated("principal signature is not valid");
  }
  homeward::internal::v1::Principal principal;
  if (!principal.ParseFromString(payload) || principal.user_id().empty()) {
    return errors::Unauthenticated("principal is malformed");
  }
  return principal;
}

}  // namespace homeward::auth
