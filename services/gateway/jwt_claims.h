// The checks a JWT's claims must pass once its signature has verified, and
// the mapping of its claims to the Principal the gateway signs (docs/OIDC.md).
// Pure: no I/O, the time is passed in, so every rule has a table-driven test
// (jwt_claims_test.cc).
//
//   ASSIGN_OR_RETURN(ClaimRules rules, ClaimRulesFrom(config.oidc()));
//   google::protobuf::Struct claims = ...;  // the token's payload
//   ASSIGN_OR_RETURN(Principal p, PrincipalFromClaims(claims, rules, now));
#ifndef HOMEWARD_SERVICES_GATEWAY_JWT_CLAIMS_H_
#define HOMEWARD_SERVICES_GATEWAY_JWT_CLAIMS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "homeward/internal/v1/config.pb.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/v1/roles.pb.h"

namespace homeward::gateway {

inline constexpr absl::Duration kDefaultClockSkew = absl::Seconds(60);
// A larger allowance would keep a revoked user's expired token usable for
// longer than identity providers expect.
inline constexpr absl::Duration kMaxClockSkew = absl::Seconds(300);

// What a token's claims must say, from OidcConfig with its defaults applied.
struct ClaimRules {
  std::string issuer;    // the one accepted `iss`, compared exactly
  std::string audience;  // must be `aud`, or one of its elements
  absl::Duration clock_skew = kDefaultClockSkew;
  std::string user_claim = "sub";
  std::string role_claim = "homeward_role";
  std::string offices_claim = "homeward_offices";
  std::string agency_claim = "homeward_agency";
};

// The rules `config` describes. INVALID_ARGUMENT with a violation on
// "oidc.<field>" for each problem: issuer and audience are required,
// clock_skew_seconds is at most 300.
absl::StatusOr<ClaimRules> ClaimRulesFrom(
    const homeward::internal::v1::OidcConfig& config);

// Checks `claims` at time `now`, then maps them to a principal:
// - `iss` equals rules.issuer;
// - `aud` (a string or an array of strings) contains rules.audience;
// - `exp` (required, seconds since the epoch): refused from exp + skew on;
// - `nbf` (optional): refused before nbf - skew;
// - the user claim is a non-empty string (the principal's user_id);
// - the role claim is one of RoleFromClaim's names;
// - the offices claim, if present, is an array of strings (or one string);
// - the agency claim is a non-empty string, required for a partner agency.
// UNAUTHENTICATED otherwise, the message saying which check failed (e.g.
// "token expired: ...", "issuer 'x' not accepted: ..."). Values quoted from
// the claims pass through ShownInMessage.
absl::StatusOr<homeward::internal::v1::Principal> PrincipalFromClaims(
    const google::protobuf::Struct& claims, const ClaimRules& rules,
    absl::Time now);

// The role a role claim names: "case_manager", "supervisor",
// "partner_agency", "monitoring_officer", "administrator", or the enum's own
// names ("ROLE_CASE_MANAGER", ...), exactly as spelled. ROLE_SERVICE is never
// granted to a token (it is for Homeward's own components), nor
// ROLE_UNSPECIFIED: both give nullopt, as does anything else.
std::optional<homeward::v1::Role> RoleFromClaim(absl::string_view value);

// `value` made safe to quote in an error message: printable ASCII only (any
// other byte shown as '?') and at most 64 characters (then "...").
std::string ShownInMessage(absl::string_view value);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_JWT_CLAIMS_H_
