// Table-driven tests of who may do what with a case.
#include "services/assessment/case_access.h"

#include <utility>

#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/case_fixtures.h"

namespace homeward::assessment {
namespace {

using ::homeward::internal::v1::Principal;
using ::homeward::testing::IsOkAndHolds;
using ::homeward::testing::StatusIs;
using ::homeward::v1::Role;

Principal Make(Role role, std::vector<std::string> offices) {
  return testing::MakePrincipal("u1", role, std::move(offices));
}

struct AccessCase {
  std::string name;
  Role role;
  std::vector<std::string> offices;
  CaseAction action;
  absl::StatusCode expected;
  friend void PrintTo(const AccessCase& c, std::ostream* os) { *os << c.name; }
};

class CaseAccessTest : public ::testing::TestWithParam<AccessCase> {};

TEST_P(CaseAccessTest, AllowsOrDenies) {
  homeward::v1::Case c;
  c.set_case_id("C1");
  c.set_office_id("dakar");
  const AccessCase& t = GetParam();
  EXPECT_THAT(CheckCaseAccess(Make(t.role, t.offices), c, t.action),
              StatusIs(t.expected));
}

using homeward::v1::ROLE_ADMINISTRATOR;
using homeward::v1::ROLE_CASE_MANAGER;
using homeward::v1::ROLE_MONITORING_OFFICER;
using homeward::v1::ROLE_PARTNER_AGENCY;
using homeward::v1::ROLE_SUPERVISOR;
constexpr auto kOk = absl::StatusCode::kOk;
constexpr auto kDenied = absl::StatusCode::kPermissionDenied;

INSTANTIATE_TEST_SUITE_P(
    Rules, CaseAccessTest,
    ::testing::Values(AccessCase{"ManagerReadsOwnOffice",
                                 ROLE_CASE_MANAGER,
                                 {"dakar"},
                                 CaseAction::kRead,
                                 kOk},
                      AccessCase{"ManagerUpdatesOwnOffice",
                                 ROLE_CASE_MANAGER,
                                 {"thies", "dakar"},
                                 CaseAction::kUpdate,
                                 kOk},
                      AccessCase{"ManagerRegistersInOwnOffice",
                                 ROLE_CASE_MANAGER,
                                 {"dakar"},
                                 CaseAction::kRegister,
                                 kOk},
                      AccessCase{"ManagerOfAnotherOfficeIsRefused",
                                 ROLE_CASE_MANAGER,
                                 {"thies"},
                                 CaseAction::kRead,
                                 kDenied},
                      AccessCase{"ManagerRegistersElsewhereIsRefused",
                                 ROLE_CASE_MANAGER,
                                 {"thies"},
                                 CaseAction::kRegister,
                                 kDenied},
                      AccessCase{"ManagerCannotReassign",
                                 ROLE_CASE_MANAGER,
                                 {"dakar"},
                                 CaseAction::kAssign,
                                 kDenied},
                      AccessCase{"SupervisorReassignsInOwnOffice",
                                 ROLE_SUPERVISOR,
                                 {"dakar"},
                                 CaseAction::kAssign,
                                 kOk},
                      AccessCase{"SupervisorOfAnotherOfficeCannotReassign",
                                 ROLE_SUPERVISOR,
                                 {"thies"},
                                 CaseAction::kAssign,
                                 kDenied},
                      AccessCase{"PartnerAgencySeesNoCases",
                                 ROLE_PARTNER_AGENCY,
                                 {"dakar"},
                                 CaseAction::kRead,
                                 kDenied},
                      AccessCase{"MonitoringSeesNoNames",
                                 ROLE_MONITORING_OFFICER,
                                 {"dakar"},
                                 CaseAction::kRead,
                                 kDenied},
                      AccessCase{"AdministratorSeesNoCaseData",
                                 ROLE_ADMINISTRATOR,
                                 {"dakar"},
                                 CaseAction::kRead,
                                 kDenied}),
    [](const auto& info) { return info.param.name; });

TEST(ListOfficeTest, ConfinesListsToTheCallersOffices) {
  homeward::v1::ListCasesRequest r;
  EXPECT_THAT(ListOffice(Make(ROLE_CASE_MANAGER, {"dakar"}), r),
              IsOkAndHolds("dakar"));
  EXPECT_THAT(ListOffice(Make(ROLE_CASE_MANAGER, {"dakar", "thies"}), r),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("office_id")));
  EXPECT_THAT(ListOffice(Make(ROLE_CASE_MANAGER, {}), r), StatusIs(kDenied));
  r.set_office_id("thies");
  EXPECT_THAT(ListOffice(Make(ROLE_SUPERVISOR, {"dakar", "thies"}), r),
              IsOkAndHolds("thies"));
  EXPECT_THAT(ListOffice(Make(ROLE_CASE_MANAGER, {"dakar"}), r),
              StatusIs(kDenied));
  EXPECT_THAT(ListOffice(Make(ROLE_MONITORING_OFFICER, {"thies"}), r),
              StatusIs(kDenied));
}

}  // namespace
}  // namespace homeward::assessment
