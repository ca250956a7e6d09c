// Table-driven tests of who may do what with a case, for every role, with
// and without a partner grant. Expectations are written out by hand from the
// rules in case_access.h.
#include "common/cases/case_access.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/case_fixtures.h"

namespace homeward::cases {
namespace {

using ::homeward::internal::v1::Principal;
using ::homeward::testing::IsOkAndHolds;
using ::homeward::testing::StatusIs;
using ::homeward::v1::Role;
using ::testing::HasSubstr;

using homeward::v1::ROLE_ADMINISTRATOR;
using homeward::v1::ROLE_CASE_MANAGER;
using homeward::v1::ROLE_MONITORING_OFFICER;
using homeward::v1::ROLE_PARTNER_AGENCY;
using homeward::v1::ROLE_SERVICE;
using homeward::v1::ROLE_SUPERVISOR;
using homeward::v1::ROLE_UNSPECIFIED;
constexpr auto kOk = absl::StatusCode::kOk;
constexpr auto kDenied = absl::StatusCode::kPermissionDenied;

Principal Make(Role role, std::vector<std::string> offices,
               std::string agency = "") {
  Principal p = testing::MakePrincipal("u1", role, std::move(offices));
  p.set_agency_id(std::move(agency));
  return p;
}

// What the calling service passes as the case's partner grant.
enum class Grant {
  kNone,         // the service shares nothing with partners (assessment)
  kEmpty,        // it shares, but this case with no agency
  kOwnAgency,    // shared with "caritas" (and another agency)
  kOtherAgency,  // shared with another agency only
};

std::optional<PartnerGrant> GrantOf(Grant g) {
  switch (g) {
    case Grant::kNone:
      return std::nullopt;
    case Grant::kEmpty:
      return PartnerGrant();
    case Grant::kOwnAgency:
      return PartnerGrant({"red-cross", "caritas"});
    case Grant::kOtherAgency:
      return PartnerGrant({"red-cross"});
  }
  return std::nullopt;
}

struct AccessCase {
  std::string name;
  Role role;
  std::vector<std::string> offices;
  std::string agency;
  CaseAction action;
  Grant grant;
  absl::StatusCode expected;
  friend void PrintTo(const AccessCase& c, std::ostream* os) { *os << c.name; }
};

class CaseAccessTest : public ::testing::TestWithParam<AccessCase> {
 protected:
  static CaseScope Scope() {
    CaseScope scope;
    scope.set_case_id("C1");
    scope.set_office_id("dakar");
    scope.set_case_manager_id("cm-1");
    return scope;
  }
};

TEST_P(CaseAccessTest, AllowsOrDeniesAScope) {
  const AccessCase& t = GetParam();
  std::optional<PartnerGrant> grant = GrantOf(t.grant);
  EXPECT_THAT(CheckCaseAccess(Make(t.role, t.offices, t.agency), Scope(),
                              t.action, grant ? &*grant : nullptr),
              StatusIs(t.expected));
}

// The Case overload answers what the scope of the same case answers.
TEST_P(CaseAccessTest, AnswersTheSameForTheWholeCase) {
  const AccessCase& t = GetParam();
  std::optional<PartnerGrant> grant = GrantOf(t.grant);
  homeward::v1::Case c;
  c.set_case_id("C1");
  c.set_office_id("dakar");
  c.set_case_manager_id("cm-1");
  EXPECT_THAT(CheckCaseAccess(Make(t.role, t.offices, t.agency), c, t.action,
                              grant ? &*grant : nullptr),
              StatusIs(t.expected));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, CaseAccessTest,
    ::testing::Values(
        // Case managers: their own offices' cases, never assignment.
        AccessCase{"ManagerReadsOwnOffice",
                   ROLE_CASE_MANAGER,
                   {"dakar"},
                   "",
                   CaseAction::kRead,
                   Grant::kNone,
                   kOk},
        AccessCase{"ManagerUpdatesOwnOffice",
                   ROLE_CASE_MANAGER,
                   {"thies", "dakar"},
                   "",
                   CaseAction::kUpdate,
                   Grant::kNone,
                   kOk},
        AccessCase{"ManagerRegistersInOwnOffice",
                   ROLE_CASE_MANAGER,
                   {"dakar"},
                   "",
                   CaseAction::kRegister,
                   Grant::kNone,
                   kOk},
        AccessCase{"ManagerOfAnotherOfficeIsRefused",
                   ROLE_CASE_MANAGER,
                   {"thies"},
                   "",
                   CaseAction::kRead,
                   Grant::kNone,
                   kDenied},
        AccessCase{"ManagerOfAnotherOfficeCannotUpdate",
                   ROLE_CASE_MANAGER,
                   {"thies"},
                   "",
                   CaseAction::kUpdate,
                   Grant::kNone,
                   kDenied},
        AccessCase{"ManagerRegistersElsewhereIsRefused",
                   ROLE_CASE_MANAGER,
                   {"thies"},
                   "",
                   CaseAction::kRegister,
                   Grant::kNone,
                   kDenied},
        AccessCase{"ManagerCannotReassign",
                   ROLE_CASE_MANAGER,
                   {"dakar"},
                   "",
                   CaseAction::kAssign,
                   Grant::kNone,
                   kDenied},
        AccessCase{"ManagerWithoutOfficeIsRefused",
                   ROLE_CASE_MANAGER,
                   {},
                   "",
                   CaseAction::kRead,
                   Grant::kNone,
                   kDenied},
        // A grant changes nothing for staff roles.
        AccessCase{"GrantDoesNotOpenAnotherOffice",
                   ROLE_CASE_MANAGER,
                   {"thies"},
                   "caritas",
                   CaseAction::kRead,
                   Grant::kOwnAgency,
                   kDenied},
        AccessCase{"GrantDoesNotCloseOwnOffice",
                   ROLE_CASE_MANAGER,
                   {"dakar"},
                   "",
                   CaseAction::kUpdate,
                   Grant::kEmpty,
                   kOk},
        // Supervisors: their own offices' cases, assignment included.
        AccessCase{"SupervisorReadsOwnOffice",
                   ROLE_SUPERVISOR,
                   {"dakar"},
                   "",
                   CaseAction::kRead,
                   Grant::kNone,
                   kOk},
        AccessCase{"SupervisorReassignsInOwnOffice",
                   ROLE_SUPERVISOR,
                   {"dakar"},
                   "",
                   CaseAction::kAssign,
                   Grant::kNone,
                   kOk},
        AccessCase{"SupervisorOfAnotherOfficeCannotRead",
                   ROLE_SUPERVISOR,
                   {"thies"},
                   "",
                   CaseAction::kRead,
                   Grant::kNone,
                   kDenied},
        AccessCase{"SupervisorOfAnotherOfficeCannotReassign",
                   ROLE_SUPERVISOR,
                   {"thies"},
                   "",
                   CaseAction::kAssign,
                   Grant::kNone,
                   kDenied},
        // Partner agencies: read-only, through a grant naming their agency.
        AccessCase{"PartnerSeesNothingWithoutGrant",
                   ROLE_PARTNER_AGENCY,
                   {"dakar"},
                   "caritas",
                   CaseAction::kRead,
                   Grant::kNone,
                   kDenied},
        AccessCase{"PartnerReadsACaseSharedWithIt",
                   ROLE_PARTNER_AGENCY,
                   {},
                   "caritas",
                   CaseAction::kRead,
                   Grant::kOwnAgency,
                   kOk},
        AccessCase{"PartnerCannotUpdateASharedCase",
                   ROLE_PARTNER_AGENCY,
                   {},
                   "caritas",
                   CaseAction::kUpdate,
                   Grant::kOwnAgency,
                   kDenied},
        AccessCase{"PartnerCannotAssignASharedCase",
                   ROLE_PARTNER_AGENCY,
                   {},
                   "caritas",
                   CaseAction::kAssign,
                   Grant::kOwnAgency,
                   kDenied},
        AccessCase{"PartnerCannotRegister",
                   ROLE_PARTNER_AGENCY,
                   {"dakar"},
                   "caritas",
                   CaseAction::kRegister,
                   Grant::kOwnAgency,
                   kDenied},
        AccessCase{"PartnerOfAnotherAgencyIsRefused",
                   ROLE_PARTNER_AGENCY,
                   {},
                   "caritas",
                   CaseAction::kRead,
                   Grant::kOtherAgency,
                   kDenied},
        AccessCase{"PartnerOfACaseSharedWithNoneIsRefused",
                   ROLE_PARTNER_AGENCY,
                   {"dakar"},
                   "caritas",
                   CaseAction::kRead,
                   Grant::kEmpty,
                   kDenied},
        AccessCase{"PartnerWithoutAgencyIsRefused",
                   ROLE_PARTNER_AGENCY,
                   {},
                   "",
                   CaseAction::kRead,
                   Grant::kOwnAgency,
                   kDenied},
        // Everyone else sees no case records, grant or not.
        AccessCase{"MonitoringSeesNoNames",
                   ROLE_MONITORING_OFFICER,
                   {"dakar"},
                   "",
                   CaseAction::kRead,
                   Grant::kNone,
                   kDenied},
        AccessCase{"MonitoringSeesNoNamesEvenWithAGrant",
                   ROLE_MONITORING_OFFICER,
                   {"dakar"},
                   "caritas",
                   CaseAction::kRead,
                   Grant::kOwnAgency,
                   kDenied},
        AccessCase{"AdministratorSeesNoCaseData",
                   ROLE_ADMINISTRATOR,
                   {"dakar"},
                   "",
                   CaseAction::kRead,
                   Grant::kNone,
                   kDenied},
        AccessCase{"AdministratorSeesNoCaseDataEvenWithAGrant",
                   ROLE_ADMINISTRATOR,
                   {"dakar"},
                   "caritas",
                   CaseAction::kRead,
                   Grant::kOwnAgency,
                   kDenied},
        AccessCase{"ServiceSeesNoCaseData",
                   ROLE_SERVICE,
                   {"dakar"},
                   "",
                   CaseAction::kRead,
                   Grant::kNone,
                   kDenied},
        AccessCase{"UnspecifiedRoleSeesNothing",
                   ROLE_UNSPECIFIED,
                   {"dakar"},
                   "caritas",
                   CaseAction::kRead,
                   Grant::kOwnAgency,
                   kDenied}),
    [](const auto& info) { return info.param.name; });

struct RoleCase {
  std::string name;
  Role role;
  CaseAction action;
  PartnerAccess partners;
  absl::StatusCode expected;
  friend void PrintTo(const RoleCase& c, std::ostream* os) { *os << c.name; }
};

class CaseRoleTest : public ::testing::TestWithParam<RoleCase> {};

TEST_P(CaseRoleTest, AllowsOrDeniesTheRole) {
  const RoleCase& t = GetParam();
  EXPECT_THAT(
      CheckCaseRole(Make(t.role, {"dakar"}, "caritas"), t.action, t.partners),
      StatusIs(t.expected));
}

constexpr auto kNoPartners = PartnerAccess::kNone;
constexpr auto kGrants = PartnerAccess::kThroughGrant;

INSTANTIATE_TEST_SUITE_P(
    Rules, CaseRoleTest,
    ::testing::Values(RoleCase{"ManagerRegisters", ROLE_CASE_MANAGER,
                               CaseAction::kRegister, kNoPartners, kOk},
                      RoleCase{"ManagerReads", ROLE_CASE_MANAGER,
                               CaseAction::kRead, kNoPartners, kOk},
                      RoleCase{"ManagerUpdates", ROLE_CASE_MANAGER,
                               CaseAction::kUpdate, kGrants, kOk},
                      RoleCase{"ManagerNeverAssigns", ROLE_CASE_MANAGER,
                               CaseAction::kAssign, kNoPartners, kDenied},
                      RoleCase{"SupervisorAssigns", ROLE_SUPERVISOR,
                               CaseAction::kAssign, kNoPartners, kOk},
                      RoleCase{"PartnerNeverReadsWithoutGrants",
                               ROLE_PARTNER_AGENCY, CaseAction::kRead,
                               kNoPartners, kDenied},
                      RoleCase{"PartnerMayReadThroughGrants",
                               ROLE_PARTNER_AGENCY, CaseAction::kRead, kGrants,
                               kOk},
                      RoleCase{"PartnerNeverUpdates", ROLE_PARTNER_AGENCY,
                               CaseAction::kUpdate, kGrants, kDenied},
                      RoleCase{"PartnerNeverRegisters", ROLE_PARTNER_AGENCY,
                               CaseAction::kRegister, kGrants, kDenied},
                      RoleCase{"PartnerNeverAssigns", ROLE_PARTNER_AGENCY,
                               CaseAction::kAssign, kGrants, kDenied},
                      RoleCase{"MonitoringNeverReads", ROLE_MONITORING_OFFICER,
                               CaseAction::kRead, kGrants, kDenied},
                      RoleCase{"AdministratorNeverReads", ROLE_ADMINISTRATOR,
                               CaseAction::kRead, kGrants, kDenied},
                      RoleCase{"ServiceNeverReads", ROLE_SERVICE,
                               CaseAction::kRead, kNoPartners, kDenied}),
    [](const auto& info) { return info.param.name; });

TEST(CaseAccessMessageTest, SaysWhyInTermsOfTheCase) {
  CaseScope scope;
  scope.set_case_id("C1");
  scope.set_office_id("dakar");
  EXPECT_THAT(CheckCaseAccess(Make(ROLE_CASE_MANAGER, {"thies"}), scope,
                              CaseAction::kRead),
              StatusIs(kDenied, HasSubstr("belongs to office 'dakar'")));
  EXPECT_THAT(
      CheckCaseAccess(Make(ROLE_PARTNER_AGENCY, {}, "caritas"), scope,
                      CaseAction::kRead),
      StatusIs(kDenied, HasSubstr("ROLE_PARTNER_AGENCY has no access")));
  PartnerGrant other({"red-cross"});
  EXPECT_THAT(CheckCaseAccess(Make(ROLE_PARTNER_AGENCY, {}, "caritas"), scope,
                              CaseAction::kRead, &other),
              StatusIs(kDenied, HasSubstr("not been shared with your agency")));
  EXPECT_THAT(CheckCaseAccess(Make(ROLE_PARTNER_AGENCY, {}, "red-cross"), scope,
                              CaseAction::kUpdate, &other),
              StatusIs(kDenied, HasSubstr("may only read")));
}

TEST(PartnerGrantTest, CoversOnlyTheAgenciesItNames) {
  PartnerGrant grant({"caritas", "red-cross"});
  EXPECT_TRUE(grant.Covers("caritas"));
  EXPECT_TRUE(grant.Covers("red-cross"));
  EXPECT_FALSE(grant.Covers("caritas-senegal"));
  EXPECT_FALSE(grant.Covers(""));
  EXPECT_FALSE(PartnerGrant({""}).Covers(""));
  EXPECT_FALSE(PartnerGrant().Covers("caritas"));
}

TEST(ListOfficeTest, ConfinesListsToTheCallersOffices) {
  EXPECT_THAT(ListOffice(Make(ROLE_CASE_MANAGER, {"dakar"}), ""),
              IsOkAndHolds("dakar"));
  EXPECT_THAT(
      ListOffice(Make(ROLE_CASE_MANAGER, {"dakar", "thies"}), ""),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("office_id")));
  EXPECT_THAT(ListOffice(Make(ROLE_CASE_MANAGER, {}), ""), StatusIs(kDenied));
  EXPECT_THAT(ListOffice(Make(ROLE_SUPERVISOR, {"dakar", "thies"}), "thies"),
              IsOkAndHolds("thies"));
  EXPECT_THAT(ListOffice(Make(ROLE_CASE_MANAGER, {"dakar"}), "thies"),
              StatusIs(kDenied));
  EXPECT_THAT(ListOffice(Make(ROLE_MONITORING_OFFICER, {"thies"}), "thies"),
              StatusIs(kDenied));
  EXPECT_THAT(
      ListOffice(Make(ROLE_PARTNER_AGENCY, {"thies"}, "caritas"), "thies"),
      StatusIs(kDenied));
}

TEST(ScopeOfTest, TakesTheFieldsThatDecideAccess) {
  homeward::v1::Case c;
  c.set_case_id("C1");
  c.set_partition(7);
  c.set_office_id("dakar");
  c.set_case_manager_id("cm-1");
  c.set_stage(homeward::v1::CASE_STAGE_PLANNING);
  c.set_etag("3");
  c.mutable_returnee()->set_given_name("Awa");
  CaseScope scope = ScopeOf(c);
  EXPECT_EQ(scope.case_id(), "C1");
  EXPECT_EQ(scope.partition(), 7u);
  EXPECT_EQ(scope.office_id(), "dakar");
  EXPECT_EQ(scope.case_manager_id(), "cm-1");
  EXPECT_EQ(scope.stage(), homeward::v1::CASE_STAGE_PLANNING);
  EXPECT_FALSE(scope.closed());
  EXPECT_EQ(scope.version(), 3u);
  c.set_stage(homeward::v1::CASE_STAGE_CLOSED);
  c.clear_etag();
  scope = ScopeOf(c);
  EXPECT_TRUE(scope.closed());
  EXPECT_EQ(scope.version(), 0u);
}

TEST(CheckCaseOpenTest, OpenCaseAllowedClosedCaseRefusedNamingIt) {
  CaseScope scope;
  scope.set_case_id("C9");
  scope.set_stage(homeward::v1::CASE_STAGE_MONITORING);
  EXPECT_OK(CheckCaseOpen(scope));
  scope.set_stage(homeward::v1::CASE_STAGE_CLOSED);
  scope.set_closed(true);
  EXPECT_THAT(CheckCaseOpen(scope),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("C9 is closed")));
}

}  // namespace
}  // namespace homeward::cases
