// Table-driven tests of the JWT claim checks and the claim-to-principal
// mapping (jwt_claims.h): every rule, with the time passed in, including the
// clock-skew boundaries to the second.
#include "services/gateway/jwt_claims.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace homeward::gateway {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z
constexpr char kIssuer[] = "https://idp.example.org/realms/homeward";
constexpr char kAudience[] = "homeward-gateway";

ClaimRules Rules() {
  ClaimRules rules;
  rules.issuer = kIssuer;
  rules.audience = kAudience;
  return rules;  // skew 60 s, default claim names
}

// A case manager's claims, valid from kNow - 60 to kNow + 300, with `extra`
// (a JSON fragment of further members, replacing any of the same name)
// merged in.
google::protobuf::Struct Claims(const std::string& extra = "") {
  google::protobuf::Struct base;
  const std::string json = absl::StrCat(
      R"({"iss":")", kIssuer, R"(","aud":")", kAudience,
      R"(","sub":"u-1","exp":)", kNow + 300, R"(,"nbf":)", kNow - 60,
      R"(,"homeward_role":"case_manager","homeward_offices":["office-dakar"]})");
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &base).ok());
  if (extra.empty()) return base;
  google::protobuf::Struct more;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(
                  absl::StrCat("{", extra, "}"), &more)
                  .ok())
      << extra;
  for (const auto& [name, value] : more.fields()) {
    (*base.mutable_fields())[name] = value;
  }
  return base;
}

google::protobuf::Struct Without(google::protobuf::Struct claims,
                                 const std::string& name) {
  claims.mutable_fields()->erase(name);
  return claims;
}

absl::Time At(int64_t unix_seconds) {
  return absl::FromUnixSeconds(unix_seconds);
}

TEST(PrincipalFromClaims, MapsACaseManager) {
  absl::StatusOr<homeward::internal::v1::Principal> p =
      PrincipalFromClaims(Claims(), Rules(), At(kNow));
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->user_id(), "u-1");
  EXPECT_EQ(p->role(), homeward::v1::ROLE_CASE_MANAGER);
  EXPECT_THAT(p->office_ids(), ElementsAre("office-dakar"));
  EXPECT_EQ(p->agency_id(), "");
}

struct Refusal {
  std::string name;
  google::protobuf::Struct claims;
  int64_t now;
  std::string message;  // a substring of the UNAUTHENTICATED message
};

TEST(PrincipalFromClaims, RefusesEachFailedCheckNamingIt) {
  const std::vector<Refusal> cases = {
      {"expired", Claims(absl::StrCat(R"("exp":)", kNow - 61)), kNow,
       "token expired"},
      {"no exp", Without(Claims(), "exp"), kNow, "'exp' claim is required"},
      {"exp not a number", Claims(R"("exp":"tomorrow")"), kNow,
       "malformed token: its 'exp' claim must be a number"},
      {"not yet valid", Claims(absl::StrCat(R"("nbf":)", kNow + 61)), kNow,
       "token not yet valid"},
      {"nbf not a number", Claims(R"("nbf":true)"), kNow,
       "malformed token: its 'nbf' claim must be a number"},
      {"wrong issuer", Claims(R"("iss":"https://evil.example")"), kNow,
       "issuer 'https://evil.example' not accepted"},
      {"issuer differs in case",
       Claims(R"("iss":"HTTPS://idp.example.org/realms/homeward")"), kNow,
       "not accepted"},
      {"no issuer", Without(Claims(), "iss"), kNow, "issuer not accepted"},
      {"wrong audience", Claims(R"("aud":"another-app")"), kNow,
       "audience 'another-app' not accepted"},
      {"audience array without ours", Claims(R"("aud":["a","b"])"), kNow,
       "audience 'a', 'b' not accepted"},
      {"no audience", Without(Claims(), "aud"), kNow, "audience not accepted"},
      {"no sub", Without(Claims(), "sub"), kNow, "'sub' claim must be"},
      {"empty sub", Claims(R"("sub":"")"), kNow, "'sub' claim must be"},
      {"no role", Without(Claims(), "homeward_role"), kNow,
       "'homeward_role' claim must be"},
      {"unknown role", Claims(R"("homeward_role":"superuser")"), kNow,
       "role 'superuser' (claim 'homeward_role') not accepted"},
      {"service role", Claims(R"("homeward_role":"ROLE_SERVICE")"), kNow,
       "role 'ROLE_SERVICE'"},
      {"role in the wrong case", Claims(R"("homeward_role":"Case_Manager")"),
       kNow, "not accepted"},
      {"offices not strings", Claims(R"("homeward_offices":[1,2])"), kNow,
       "'homeward_offices' claim must be an array"},
      {"partner agency without agency",
       Claims(R"("homeward_role":"partner_agency")"), kNow,
       "'homeward_agency' claim must be a non-empty string"},
      {"agency not a string",
       Claims(R"("homeward_role":"partner_agency","homeward_agency":7)"), kNow,
       "'homeward_agency' claim must be"},
  };
  for (const Refusal& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_THAT(
        PrincipalFromClaims(c.claims, Rules(), At(c.now)),
        StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr(c.message)));
  }
}

struct Boundary {
  std::string name;
  google::protobuf::Struct claims;
  int64_t now;
  bool accepted;
};

// exp: valid while now < exp + skew. nbf: valid from nbf - skew on.
TEST(PrincipalFromClaims, ClockSkewEdgesToTheSecond) {
  const int64_t exp = kNow;
  const int64_t nbf = kNow;
  const std::string at_exp = absl::StrCat(R"("exp":)", exp, R"(,"nbf":0)");
  const std::string at_nbf =
      absl::StrCat(R"("nbf":)", nbf, R"(,"exp":)", nbf + 3600);
  const std::vector<Boundary> cases = {
      {"exp: one second inside the skew", Claims(at_exp), exp + 59, true},
      {"exp: exactly exp + skew", Claims(at_exp), exp + 60, false},
      {"exp: exactly at exp", Claims(at_exp), exp, true},
      {"nbf: exactly nbf - skew", Claims(at_nbf), nbf - 60, true},
      {"nbf: one second before nbf - skew", Claims(at_nbf), nbf - 61, false},
      {"fractional exp: 0.5 s inside",
       Claims(absl::StrCat(R"("exp":)", exp, ".5")), exp + 60, true},
  };
  for (const Boundary& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<homeward::internal::v1::Principal> p =
        PrincipalFromClaims(c.claims, Rules(), At(c.now));
    EXPECT_EQ(p.ok(), c.accepted) << p.status();
  }
}

TEST(PrincipalFromClaims, ConfiguredSkewIsUsed) {
  ClaimRules rules = Rules();
  rules.clock_skew = absl::ZeroDuration();
  const google::protobuf::Struct claims =
      Claims(absl::StrCat(R"("exp":)", kNow));
  EXPECT_THAT(
      PrincipalFromClaims(claims, rules, At(kNow)),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("token expired")));
  EXPECT_THAT(PrincipalFromClaims(claims, rules, At(kNow - 1)), IsOk());
}

TEST(PrincipalFromClaims, AudienceMayBeAnArrayContainingOurs) {
  EXPECT_THAT(PrincipalFromClaims(Claims(absl::StrCat(R"("aud":["account",")",
                                                      kAudience, R"("])")),
                                  Rules(), At(kNow)),
              IsOk());
}

TEST(PrincipalFromClaims, MapsEveryRoleByEitherSpelling) {
  struct Row {
    std::string claim;
    homeward::v1::Role role;
  };
  const std::vector<Row> rows = {
      {"case_manager", homeward::v1::ROLE_CASE_MANAGER},
      {"ROLE_CASE_MANAGER", homeward::v1::ROLE_CASE_MANAGER},
      {"supervisor", homeward::v1::ROLE_SUPERVISOR},
      {"ROLE_SUPERVISOR", homeward::v1::ROLE_SUPERVISOR},
      {"monitoring_officer", homeward::v1::ROLE_MONITORING_OFFICER},
      {"ROLE_MONITORING_OFFICER", homeward::v1::ROLE_MONITORING_OFFICER},
      {"administrator", homeward::v1::ROLE_ADMINISTRATOR},
      {"ROLE_ADMINISTRATOR", homeward::v1::ROLE_ADMINISTRATOR},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.claim);
    absl::StatusOr<homeward::internal::v1::Principal> p = PrincipalFromClaims(
        Claims(absl::StrCat(R"("homeward_role":")", row.claim, R"(")")),
        Rules(), At(kNow));
    ASSERT_THAT(p, IsOk());
    EXPECT_EQ(p->role(), row.role);
  }
  EXPECT_EQ(RoleFromClaim("ROLE_SERVICE"), std::nullopt);
  EXPECT_EQ(RoleFromClaim("ROLE_UNSPECIFIED"), std::nullopt);
  EXPECT_EQ(RoleFromClaim(""), std::nullopt);
}

TEST(PrincipalFromClaims, MapsAPartnerAgencyWithItsAgency) {
  absl::StatusOr<homeward::internal::v1::Principal> p = PrincipalFromClaims(
      Claims(R"("homeward_role":"partner_agency","homeward_agency":"ag-7")"),
      Rules(), At(kNow));
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->role(), homeward::v1::ROLE_PARTNER_AGENCY);
  EXPECT_EQ(p->agency_id(), "ag-7");
}

TEST(PrincipalFromClaims, OfficesMayBeOneStringOrAbsent) {
  absl::StatusOr<homeward::internal::v1::Principal> one = PrincipalFromClaims(
      Claims(R"("homeward_offices":"office-thies")"), Rules(), At(kNow));
  ASSERT_THAT(one, IsOk());
  EXPECT_THAT(one->office_ids(), ElementsAre("office-thies"));
  absl::StatusOr<homeward::internal::v1::Principal> none = PrincipalFromClaims(
      Without(Claims(), "homeward_offices"), Rules(), At(kNow));
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->office_ids().empty());
}

TEST(PrincipalFromClaims, ConfiguredClaimNamesAreRead) {
  ClaimRules rules = Rules();
  rules.user_claim = "preferred_username";
  rules.role_claim = "hw/role";
  rules.offices_claim = "hw/offices";
  rules.agency_claim = "hw/agency";
  absl::StatusOr<homeward::internal::v1::Principal> p = PrincipalFromClaims(
      Claims(R"("preferred_username":"awa.d","hw/role":"supervisor",
                "hw/offices":["o-1","o-2"],"hw/agency":"ag-1")"),
      rules, At(kNow));
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->user_id(), "awa.d");
  EXPECT_EQ(p->role(), homeward::v1::ROLE_SUPERVISOR);
  EXPECT_THAT(p->office_ids(), ElementsAre("o-1", "o-2"));
  EXPECT_EQ(p->agency_id(), "ag-1");
}

TEST(ClaimRulesFrom, DefaultsAndValidation) {
  homeward::internal::v1::OidcConfig config;
  config.set_issuer(kIssuer);
  config.set_audience(kAudience);
  absl::StatusOr<ClaimRules> rules = ClaimRulesFrom(config);
  ASSERT_THAT(rules, IsOk());
  EXPECT_EQ(rules->clock_skew, absl::Seconds(60));
  EXPECT_EQ(rules->user_claim, "sub");
  EXPECT_EQ(rules->role_claim, "homeward_role");
  EXPECT_EQ(rules->offices_claim, "homeward_offices");
  EXPECT_EQ(rules->agency_claim, "homeward_agency");

  config.set_clock_skew_seconds(0);
  ASSERT_THAT(ClaimRulesFrom(config), IsOk());
  EXPECT_EQ(ClaimRulesFrom(config)->clock_skew, absl::ZeroDuration());
  config.set_clock_skew_seconds(300);
  EXPECT_THAT(ClaimRulesFrom(config), IsOk());

  config.set_clock_skew_seconds(301);
  config.clear_issuer();
  config.clear_audience();
  absl::StatusOr<ClaimRules> bad = ClaimRulesFrom(config);
  ASSERT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<std::string> fields;
  for (const errors::FieldViolation& v :
       errors::FieldViolationsOf(bad.status())) {
    fields.push_back(v.field);
  }
  EXPECT_THAT(fields, ElementsAre("oidc.issuer", "oidc.audience",
                                  "oidc.clock_skew_seconds"));
}

TEST(ShownInMessage, KeepsPrintableAsciiAndCaps) {
  EXPECT_EQ(ShownInMessage("abc"), "abc");
  EXPECT_EQ(ShownInMessage("a\nb\x01"), "a?b?");
  EXPECT_EQ(ShownInMessage(std::string(100, 'x')),
            absl::StrCat(std::string(64, 'x'), "..."));
}

}  // namespace
}  // namespace homeward::gateway
