// JWT claim checks and claim-to-principal mapping; see jwt_claims.h.
#include "services/gateway/jwt_claims.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/errors.h"

namespace homeward::gateway {
namespace {

using ::google::protobuf::Value;
using ::homeward::internal::v1::Principal;
using ::homeward::v1::Role;

constexpr size_t kMaxShown = 64;

const Value* Find(const google::protobuf::Struct& claims,
                  const std::string& name) {
  auto it = claims.fields().find(name);
  return it == claims.fields().end() ? nullptr : &it->second;
}

std::string Quoted(absl::string_view value) {
  return absl::StrCat("'", ShownInMessage(value), "'");
}

std::string SkewText(const ClaimRules& rules) {
  return absl::StrCat(absl::ToInt64Seconds(rules.clock_skew), " s");
}

// A NumericDate (RFC 7519: seconds since the epoch, possibly fractional).
absl::StatusOr<absl::Time> TimeClaim(const Value& value,
                                     absl::string_view name) {
  if (value.kind_case() != Value::kNumberValue ||
      !std::isfinite(value.number_value())) {
    return errors::Unauthenticated(
        absl::StrCat("malformed token: its '", name,
                     "' claim must be a number (seconds since the epoch)"));
  }
  return absl::UnixEpoch() + absl::Seconds(value.number_value());
}

std::string TimeText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

absl::Status CheckIssuer(const google::protobuf::Struct& claims,
                         const ClaimRules& rules) {
  const Value* iss = Find(claims, "iss");
  if (iss == nullptr || iss->kind_case() != Value::kStringValue) {
    return errors::Unauthenticated(
        absl::StrCat("issuer not accepted: the token has no 'iss' string; "
                     "the gateway accepts tokens issued by ",
                     Quoted(rules.issuer)));
  }
  if (iss->string_value() != rules.issuer) {
    return errors::Unauthenticated(
        absl::StrCat("issuer ", Quoted(iss->string_value()),
                     " not accepted: the gateway accepts tokens issued by ",
                     Quoted(rules.issuer)));
  }
  return absl::OkStatus();
}

absl::Status CheckAudience(const google::protobuf::Struct& claims,
                           const ClaimRules& rules) {
  const Value* aud = Find(claims, "aud");
  std::vector<std::string> given;
  if (aud != nullptr && aud->kind_case() == Value::kStringValue) {
    given.push_back(aud->string_value());
  } else if (aud != nullptr && aud->kind_case() == Value::kListValue) {
    for (const Value& v : aud->list_value().values()) {
      if (v.kind_case() == Value::kStringValue) {
        given.push_back(v.string_value());
      }
    }
  }
  for (const std::string& a : given) {
    if (a == rules.audience) return absl::OkStatus();
  }
  if (given.empty()) {
    return errors::Unauthenticated(absl::StrCat(
        "audience not accepted: the token names none ('aud'); it must "
        "contain ",
        Quoted(rules.audience)));
  }
  // Only the first few: a long list would flood the message.
  std::vector<std::string> shown;
  for (size_t i = 0; i < given.size() && i < 3; ++i) {
    shown.push_back(Quoted(given[i]));
  }
  return errors::Unauthenticated(absl::StrCat(
      "audience ", absl::StrJoin(shown, ", "), given.size() > 3 ? ", ..." : "",
      " not accepted: the token's 'aud' must contain ",
      Quoted(rules.audience)));
}

absl::Status CheckTimes(const google::protobuf::Struct& claims,
                        const ClaimRules& rules, absl::Time now) {
  const Value* exp = Find(claims, "exp");
  if (exp == nullptr) {
    return errors::Unauthenticated(
        "token has no expiry: the 'exp' claim is required");
  }
  absl::StatusOr<absl::Time> expires = TimeClaim(*exp, "exp");
  if (!expires.ok()) return expires.status();
  // Valid strictly before exp (RFC 7519 4.1.4), stretched by the skew.
  if (now >= *expires + rules.clock_skew) {
    return errors::Unauthenticated(
        absl::StrCat("token expired: its 'exp' is ", TimeText(*expires),
                     ", more than the allowed clock skew (", SkewText(rules),
                     ") ago; get a new token"));
  }
  if (const Value* nbf = Find(claims, "nbf"); nbf != nullptr) {
    absl::StatusOr<absl::Time> not_before = TimeClaim(*nbf, "nbf");
    if (!not_before.ok()) return not_before.status();
    // Valid from nbf on (RFC 7519 4.1.5), brought forward by the skew.
    if (now < *not_before - rules.clock_skew) {
      return errors::Unauthenticated(absl::StrCat(
          "token not yet valid: its 'nbf' is ", TimeText(*not_before),
          ", more than the allowed clock skew (", SkewText(rules),
          ") ahead of the gateway's clock"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RequiredString(
    const google::protobuf::Struct& claims, const std::string& name,
    absl::string_view what) {
  const Value* v = Find(claims, name);
  if (v == nullptr || v->kind_case() != Value::kStringValue ||
      v->string_value().empty()) {
    return errors::Unauthenticated(
        absl::StrCat("the token's ", Quoted(name),
                     " claim must be a non-empty string: it names ", what));
  }
  return v->string_value();
}

absl::Status AddOffices(const google::protobuf::Struct& claims,
                        const std::string& name, Principal* principal) {
  const Value* v = Find(claims, name);
  if (v == nullptr) return absl::OkStatus();
  const std::string bad =
      absl::StrCat("the token's ", Quoted(name),
                   " claim must be an array of non-empty office ids (strings)");
  if (v->kind_case() == Value::kStringValue && !v->string_value().empty()) {
    // Some identity providers flatten a one-element array to its element.
    principal->add_office_ids(v->string_value());
    return absl::OkStatus();
  }
  if (v->kind_case() != Value::kListValue) {
    return errors::Unauthenticated(bad);
  }
  for (const Value& office : v->list_value().values()) {
    if (office.kind_case() != Value::kStringValue ||
        office.string_value().empty()) {
      return errors::Unauthenticated(bad);
    }
    principal->add_office_ids(office.string_value());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ClaimRules> ClaimRulesFrom(
    const homeward::internal::v1::OidcConfig& config) {
  errors::FieldViolations bad;
  ClaimRules rules;
  if (config.issuer().empty()) {
    bad.Add("oidc.issuer",
            "is required: the identity provider's issuer, exactly as its "
            "tokens' 'iss' claim spells it");
  }
  if (config.audience().empty()) {
    bad.Add("oidc.audience",
            "is required: the audience the identity provider puts in 'aud' "
            "for tokens meant for Homeward");
  }
  if (config.has_clock_skew_seconds()) {
    if (absl::Seconds(config.clock_skew_seconds()) > kMaxClockSkew) {
      bad.Add(
          "oidc.clock_skew_seconds",
          absl::StrCat("must be at most ", absl::ToInt64Seconds(kMaxClockSkew),
                       " (unset: 60): a larger allowance keeps expired "
                       "tokens usable"));
    }
    rules.clock_skew = absl::Seconds(config.clock_skew_seconds());
  }
  if (!bad.empty()) return bad.ToStatus();
  rules.issuer = config.issuer();
  rules.audience = config.audience();
  if (!config.user_claim().empty()) rules.user_claim = config.user_claim();
  if (!config.role_claim().empty()) rules.role_claim = config.role_claim();
  if (!config.offices_claim().empty()) {
    rules.offices_claim = config.offices_claim();
  }
  if (!config.agency_claim().empty()) {
    rules.agency_claim = config.agency_claim();
  }
  return rules;
}

absl::StatusOr<Principal> PrincipalFromClaims(
    const google::protobuf::Struct& claims, const ClaimRules& rules,
    absl::Time now) {
  if (absl::Status s = CheckIssuer(claims, rules); !s.ok()) return s;
  if (absl::Status s = CheckAudience(claims, rules); !s.ok()) return s;
  if (absl::Status s = CheckTimes(claims, rules, now); !s.ok()) return s;

  Principal principal;
  absl::StatusOr<std::string> user =
      RequiredString(claims, rules.user_claim, "the user");
  if (!user.ok()) return user.status();
  principal.set_user_id(*std::move(user));

  absl::StatusOr<std::string> role_name =
      RequiredString(claims, rules.role_claim, "the user's Homeward role");
  if (!role_name.ok()) return role_name.status();
  std::optional<Role> role = RoleFromClaim(*role_name);
  if (!role.has_value()) {
    return errors::Unauthenticated(absl::StrCat(
        "role ", Quoted(*role_name), " (claim ", Quoted(rules.role_claim),
        ") not accepted: one of case_manager, supervisor, partner_agency, "
        "monitoring_officer, administrator"));
  }
  principal.set_role(*role);

  if (absl::Status s = AddOffices(claims, rules.offices_claim, &principal);
      !s.ok()) {
    return s;
  }

  const Value* agency = Find(claims, rules.agency_claim);
  if (agency != nullptr || *role == homeward::v1::ROLE_PARTNER_AGENCY) {
    // Services scope a partner agency to its own organisation by this id:
    // without it the agency would match nothing, or an empty id.
    absl::StatusOr<std::string> agency_id = RequiredString(
        claims, rules.agency_claim, "the partner agency the user acts for");
    if (!agency_id.ok()) return agency_id.status();
    principal.set_agency_id(*std::move(agency_id));
  }
  return principal;
}

std::optional<Role> RoleFromClaim(absl::string_view value) {
  struct Name {
    absl::string_view claim;
    absl::string_view enum_name;
    Role role;
  };
  static constexpr Name kNames[] = {
      {"case_manager", "ROLE_CASE_MANAGER", homeward::v1::ROLE_CASE_MANAGER},
      {"supervisor", "ROLE_SUPERVISOR", homeward::v1::ROLE_SUPERVISOR},
      {"partner_agency", "ROLE_PARTNER_AGENCY",
       homeward::v1::ROLE_PARTNER_AGENCY},
      {"monitoring_officer", "ROLE_MONITORING_OFFICER",
       homeward::v1::ROLE_MONITORING_OFFICER},
      {"administrator", "ROLE_ADMINISTRATOR", homeward::v1::ROLE_ADMINISTRATOR},
  };
  for (const Name& name : kNames) {
    if (value == name.claim || value == name.enum_name) return name.role;
  }
  return std::nullopt;
}

std::string ShownInMessage(absl::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size() && i < kMaxShown; ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  if (value.size() > kMaxShown) out.append("...");
  return out;
}

}  // namespace homeward::gateway
