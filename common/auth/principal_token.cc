// Signing and verifying the internal principal; see principal_token.h.
#include "common/auth/principal_token.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/auth/crypto.h"
#include "common/status/errors.h"

namespace homeward::auth {
namespace {

std::string Sign(const std::string& secret, const std::string& bytes) {
  return absl::BytesToHexString(crypto::HmacSha256(secret, bytes));
}

int64_t PeriodOf(int64_t unix_seconds) {
  return unix_seconds - unix_seconds % kIssuedAtGranularitySeconds;
}

}  // namespace

std::optional<std::string> SignatureCache::Find(int64_t period,
                                                const std::string& bytes) {
  absl::MutexLock lock(&mu_);
  if (period != period_) return std::nullopt;
  auto it = signatures_.find(bytes);
  if (it == signatures_.end()) return std::nullopt;
  return it->second;
}

void SignatureCache::Insert(int64_t period, const std::string& bytes,
                            std::string signature) {
  absl::MutexLock lock(&mu_);
  // A new period makes every cached entry stale; a full cache (many
  // principals) simply starts over.
  if (period != period_ || signatures_.size() >= kMaxEntries) {
    signatures_.clear();
    period_ = period;
  }
  signatures_[bytes] = std::move(signature);
}

absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("principal secret file '", path, "' does not exist"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("principal secret file '", path,
                     "' is readable by group or others: chmod 600 it"));
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

void PrincipalSigner::Attach(homeward::v1::Principal principal,
                             grpc::ClientContext* context) const {
  // Whole minutes: a caller's metadata then repeats byte for byte for a
  // minute, which lets HTTP/2 header compression send it as an index
  // instead of a fresh literal on every call. Verifiers allow for it.
  const int64_t period = PeriodOf(absl::ToUnixSeconds(absl::Now()));
  principal.set_issued_at_unix(period);
  std::string bytes = principal.SerializeAsString();
  std::optional<std::string> signature = cache_.Find(period, bytes);
  if (!signature.has_value()) {
    signature = Sign(secret_, bytes);
    cache_.Insert(period, bytes, *signature);
  }
  context->AddMetadata(kPrincipalSignatureKey, *signature);
  context->AddMetadata(kPrincipalMetadataKey, bytes);
}

absl::StatusOr<homeward::v1::Principal> PrincipalVerifier::Verify(
    const grpc::ServerContextBase& context) const {
  const auto& md = context.client_metadata();
  auto p = md.find(kPrincipalMetadataKey);
  auto s = md.find(kPrincipalSignatureKey);
  if (p == md.end() || s == md.end()) {
    return errors::Unauthenticated(
        "no signed principal: internal services accept calls only through the "
        "gateway");
  }
  std::string bytes(p->second.data(), p->second.size());
  std::string sig(s->second.data(), s->second.size());
  const int64_t period = PeriodOf(absl::ToUnixSeconds(absl::Now()));
  std::optional<std::string> expected = checked_.Find(period, bytes);
  if (!expected.has_value()) {
    expected = Sign(secret_, bytes);
    if (crypto::ConstantTimeEquals(*expected, sig)) {
      checked_.Insert(period, bytes, *expected);
    }
  }
  if (!crypto::ConstantTimeEquals(*expected, sig)) {
    return errors::Unauthenticated("principal signature is not valid");
  }
  homeward::v1::Principal principal;
  if (!principal.ParseFromString(bytes) || principal.user_id().empty()) {
    return errors::Unauthenticated("principal is malformed");
  }
  absl::Time issued = absl::FromUnixSeconds(principal.issued_at_unix());
  absl::Duration age = absl::Now() - issued;
  // The signer rounds issued_at down, so allow that much more age.
  if (age > max_age_ + absl::Seconds(kIssuedAtGranularitySeconds) ||
      age < -max_age_) {
    return errors::Unauthenticated("principal has expired");
  }
  return principal;
}

}  // namespace homeward::auth
