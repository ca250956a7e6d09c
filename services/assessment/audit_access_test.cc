// Table-driven tests of who may read and verify the audit trail.
#include "services/assessment/audit_access.h"

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/case_fixtures.h"

namespace homeward::assessment {
namespace {

using ::homeward::internal::v1::Principal;
using ::homeward::testing::StatusIs;
using ::homeward::v1::Role;
using ::testing::HasSubstr;

using homeward::v1::ROLE_ADMINISTRATOR;
using homeward::v1::ROLE_CASE_MANAGER;
using homeward::v1::ROLE_MONITORING_OFFICER;
using homeward::v1::ROLE_PARTNER_AGENCY;
using homeward::v1::ROLE_SERVICE;
using homeward::v1::ROLE_SUPERVISOR;
constexpr auto kOk = absl::StatusCode::kOk;
constexpr auto kDenied = absl::StatusCode::kPermissionDenied;

Principal Make(Role role, std::vector<std::string> offices) {
  return testing::MakePrincipal("u1", role, std::move(offices));
}

struct AuditAccessCase {
  std::string name;
  Role role;
  std::vector<std::string> offices;
  absl::StatusCode reader;       // CheckAuditReader
  absl::StatusCode case_access;  // CheckCaseAuditAccess, case of "dakar"
  absl::StatusCode verifier;     // CheckAuditVerifier
  friend void PrintTo(const AuditAccessCase& c, std::ostream* os) {
    *os << c.name;
  }
};

class AuditAccessTest : public ::testing::TestWithParam<AuditAccessCase> {};

TEST_P(AuditAccessTest, AllowsOrDenies) {
  const AuditAccessCase& t = GetParam();
  const Principal principal = Make(t.role, t.offices);
  homeward::v1::Case c;
  c.set_case_id("C1");
  c.set_office_id("dakar");
  EXPECT_THAT(CheckAuditReader(principal), StatusIs(t.reader));
  EXPECT_THAT(CheckCaseAuditAccess(principal, c), StatusIs(t.case_access));
  EXPECT_THAT(CheckAuditVerifier(principal), StatusIs(t.verifier));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, AuditAccessTest,
    ::testing::Values(AuditAccessCase{"AdministratorReadsAnyCaseAndVerifies",
                                      ROLE_ADMINISTRATOR,
                                      {},
                                      kOk,
                                      kOk,
                                      kOk},
                      AuditAccessCase{"SupervisorReadsOwnOffice",
                                      ROLE_SUPERVISOR,
                                      {"thies", "dakar"},
                                      kOk,
                                      kOk,
                                      kDenied},
                      AuditAccessCase{"SupervisorOfAnotherOfficeIsRefused",
                                      ROLE_SUPERVISOR,
                                      {"thies"},
                                      kOk,
                                      kDenied,
                                      kDenied},
                      AuditAccessCase{"CaseManagerIsRefused",
                                      ROLE_CASE_MANAGER,
                                      {"dakar"},
                                      kDenied,
                                      kDenied,
                                      kDenied},
                      AuditAccessCase{"PartnerAgencyIsRefused",
                                      ROLE_PARTNER_AGENCY,
                                      {"dakar"},
                                      kDenied,
                                      kDenied,
                                      kDenied},
                      AuditAccessCase{"MonitoringOfficerIsRefused",
                                      ROLE_MONITORING_OFFICER,
                                      {"dakar"},
                                      kDenied,
                                      kDenied,
                                      kDenied},
                      AuditAccessCase{"ServiceIsRefused",
                                      ROLE_SERVICE,
                                      {"dakar"},
                                      kDenied,
                                      kDenied,
                                      kDenied}),
    [](const ::testing::TestParamInfo<AuditAccessCase>& info) {
      return info.param.name;
    });

TEST(AuditAccessMessagesTest, NameTheRoleAndWhoMay) {
  const Principal manager = Make(ROLE_CASE_MANAGER, {"dakar"});
  EXPECT_THAT(CheckAuditReader(manager).message(),
              HasSubstr("role ROLE_CASE_MANAGER may not read the audit trail"));
  homeward::v1::Case c;
  c.set_case_id("C1");
  c.set_office_id("dakar");
  EXPECT_THAT(
      CheckCaseAuditAccess(Make(ROLE_SUPERVISOR, {"thies"}), c).message(),
      HasSubstr("case 'C1' belongs to office 'dakar'"));
  EXPECT_THAT(CheckAuditVerifier(Make(ROLE_SUPERVISOR, {"dakar"})).message(),
              HasSubstr("administrators only"));
}

}  // namespace
}  // namespace homeward::assessment
