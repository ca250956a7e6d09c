// The principal the gateway attaches to every internal call, signed with the
// deployment secret so that a service refuses a principal that did not come
// from the gateway.
//
// Wire form: one ASCII metadata entry
//   x-homeward-principal: v1.<payload>.<signature>
// where <payload> is the serialized homeward.internal.v1.Principal and
// <signature> its HMAC-SHA256 under the secret, both unpadded base64url. One
// plain-text entry rather than a "-bin" one: gRPC 1.51 sends application
// metadata as an unindexed literal on every call, and base64-plus-Huffman codes
// binary values each time at both ends, which cost a loaded service more than
// its storage read.
//
//   PrincipalSigner signer(secret);
//   signer.Attach(principal, &client_context);          // gateway side
//   PrincipalVerifier verifier(secret, absl::Minutes(5));
//   ASSIGN_OR_RETURN(Principal p, verifier.Verify(server_context));  // service
#ifndef HOMEWARD_COMMON_AUTH_PRINCIPAL_TOKEN_H_
#define HOMEWARD_COMMON_AUTH_PRINCIPAL_TOKEN_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"
#include "homeward/internal/v1/principal.pb.h"

namespace homeward::auth {

inline constexpr char kPrincipalMetadataKey[] = "x-homeward-principal";
inline constexpr char kRequestIdKey[] = "x-request-id";
inline constexpr int64_t kIssuedAtGranularitySeconds = 60;
// How far in the future a principal's issued_at may lie. The signer rounds
// issued_at DOWN to kIssuedAtGranularitySeconds, so a principal signed on the
// verifier's own host is never stamped after the verifier's clock: any
// principal from the future comes from another host's clock running ahead.
// Hosts kept in step by NTP differ by milliseconds; 10 s absorbs a host whose
// sync is loose without letting a principal stamped minutes ahead (which
// would live minutes longer than max_age) through.
inline constexpr int64_t kClockSkewAllowanceSeconds = 10;

// Reads the deployment secret from `path` (trailing whitespace ignored);
// refuses files that are missing, empty, shorter than 32 characters, or
// readable by group or others.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path);
// Creates `path` with a fresh random secret (mode 0600) if it does not exist.
absl::Status EnsureSecretFile(const std::string& path);

// The token of `principal` exactly as given (issued_at included) under
// `secret`. PrincipalSigner stamps the time and caches; this is the codec.
std::string EncodePrincipalToken(
    absl::string_view secret,
    const homeward::internal::v1::Principal& principal);

// Values computed for the current issued_at period, by key: a caller's
// principal is the same for a whole period, so it is signed (or checked) once
// per period instead of once per call. Thread-safe.
template <typename Value>
class PeriodCache {
 public:
  std::optional<Value> Find(int64_t period, absl::string_view key) {
    absl::MutexLock lock(&mu_);
    if (period != period_) return std::nullopt;
    auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  void Insert(int64_t period, absl::string_view key, Value value) {
    absl::MutexLock lock(&mu_);
    // A new period makes every entry stale; a full cache (many principals)
    // simply starts over.
    if (period != period_ || values_.size() >= kMaxEntries) {
      values_.clear();
      period_ = period;
    }
    values_.insert_or_assign(std::string(key), std::move(value));
  }

 private:
  static constexpr size_t kMaxEntries = 4096;
  absl::Mutex mu_;
  int64_t period_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, Value> values_ ABSL_GUARDED_BY(mu_);
};

class PrincipalSigner {
 public:
  explicit PrincipalSigner(std::string secret) : secret_(std::move(secret)) {}
  // The token for `principal` stamped with the current time, rounded down to
  // kIssuedAtGranularitySeconds.
  std::string TokenFor(homeward::internal::v1::Principal principal) const;
  // Attaches TokenFor(principal) to an outgoing call.
  void Attach(const homeward::internal::v1::Principal& principal,
              grpc::ClientContext* context) const;

 private:
  std::string secret_;
  // Tokens by serialized principal.
  mutable PeriodCache<std::string> tokens_;
};

class PrincipalVerifier {
 public:
  PrincipalVerifier(std::string secret, absl::Duration max_age)
      : secret_(std::move(secret)), max_age_(max_age) {}
  // UNAUTHENTICATED when the principal is missing, badly signed, malformed,
  // older than max_age (plus the rounding of issued_at) or stamped more than
  // kClockSkewAllowanceSeconds in the future.
  absl::StatusOr<homeward::internal::v1::Principal> Verify(
      const grpc::ServerContextBase& context) const;
  // The same checks on a token taken from elsewhere.
  absl::StatusOr<homeward::internal::v1::Principal> VerifyToken(
      absl::string_view token) const;

 private:
  // Signature and syntax only; the age is checked on every call.
  absl::StatusOr<homeward::internal::v1::Principal> Decode(
      absl::string_view token) const;

  std::string secret_;
  absl::Duration max_age_;
  // Principals of tokens already checked, so a repeated token costs a lookup.
  mutable PeriodCache<homeward::internal::v1::Principal> checked_;
};

}  // namespace homeward::auth

#endif  // HOMEWARD_COMMON_AUTH_PRINCIPAL_TOKEN_H_
