// The principal the gateway attaches to every internal call, signed with the
// deployment secret so that a service refuses a principal that did not come
// from the gateway.
//
// Wire form, in gRPC metadata:
//   x-homeward-principal-bin: serialized homeward.v1.Principal
//   x-homeward-principal-sig: hex HMAC-SHA256(secret, serialized principal)
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
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"
#include "homeward/v1/principal.pb.h"

namespace homeward::auth {

inline constexpr char kPrincipalMetadataKey[] = "x-homeward-principal-bin";
inline constexpr char kPrincipalSignatureKey[] = "x-homeward-principal-sig";
inline constexpr char kRequestIdKey[] = "x-request-id";
inline constexpr int64_t kIssuedAtGranularitySeconds = 60;

// Reads the deployment secret from `path` (trailing whitespace ignored);
// refuses files that are missing, empty, shorter than 32 characters, or
// readable by group or others.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path);
// Creates `path` with a fresh random secret (mode 0600) if it does not exist.
absl::Status EnsureSecretFile(const std::string& path);

// Signatures of the current issued_at period, by serialized principal: a
// caller's principal is the same for a whole period, so it is signed (or
// checked) once per period instead of once per call. Thread-safe.
class SignatureCache {
 public:
  // The cached signature of `bytes`, if any.
  std::optional<std::string> Find(int64_t period, const std::string& bytes);
  void Insert(int64_t period, const std::string& bytes, std::string signature);

 private:
  static constexpr size_t kMaxEntries = 4096;
  absl::Mutex mu_;
  int64_t period_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, std::string> signatures_
      ABSL_GUARDED_BY(mu_);
};

class PrincipalSigner {
 public:
  explicit PrincipalSigner(std::string secret) : secret_(std::move(secret)) {}
  // Stamps issued_at with the current time (rounded down to
  // kIssuedAtGranularitySeconds), signs and attaches the principal.
  void Attach(homeward::v1::Principal principal,
              grpc::ClientContext* context) const;

 private:
  std::string secret_;
  mutable SignatureCache cache_;
};

class PrincipalVerifier {
 public:
  PrincipalVerifier(std::string secret, absl::Duration max_age)
      : secret_(std::move(secret)), max_age_(max_age) {}
  // UNAUTHENTICATED when the principal is missing, unsigned, badly signed,
  // malformed or older than max_age.
  absl::StatusOr<homeward::v1::Principal> Verify(
      const grpc::ServerContextBase& context) const;

 private:
  std::string secret_;
  absl::Duration max_age_;
  // Signatures already checked, so a repeated principal costs a lookup.
  mutable SignatureCache checked_;
};

}  // namespace homeward::auth

#endif  // HOMEWARD_COMMON_AUTH_PRINCIPAL_TOKEN_H_
