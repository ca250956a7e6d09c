// Audit trail access rules; see audit_access.h.
#include "services/assessment/audit_access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace homeward::assessment {
namespace {

using homeward::internal::v1::Principal;

bool IsAdministrator(const Principal& principal) {
  return principal.role() == homeward::v1::ROLE_ADMINISTRATOR;
}

bool IsSupervisor(const Principal& principal) {
  return principal.role() == homeward::v1::ROLE_SUPERVISOR;
}

}  // namespace

absl::Status CheckAuditReader(const Principal& principal) {
  if (IsAdministrator(principal) || IsSupervisor(principal)) {
    return absl::OkStatus();
  }
  return errors::PermissionDenied(absl::StrCat(
      "role ", homeward::v1::Role_Name(principal.role()),
      " may not read the audit trail: administrators may, and supervisors "
      "for their own offices' cases"));
}

absl::Status CheckCaseAuditAccess(const Principal& principal,
                                  const homeward::v1::Case& c) {
  if (IsAdministrator(principal)) return absl::OkStatus();
  if (!IsSupervisor(principal)) return CheckAuditReader(principal);
  const auto& offices = principal.office_ids();
  if (std::find(offices.begin(), offices.end(), c.office_id()) ==
      offices.end()) {
    return errors::PermissionDenied(absl::StrCat(
        "case '", c.case_id(), "' belongs to office '", c.office_id(),
        "', which is not one of your offices: supervisors read the audit "
        "entries of their own offices' cases only"));
  }
  return absl::OkStatus();
}

absl::Status CheckAuditVerifier(const Principal& principal) {
  if (IsAdministrator(principal)) return absl::OkStatus();
  return errors::PermissionDenied(
      absl::StrCat("role ", homeward::v1::Role_Name(principal.role()),
                   " may not verify the audit trail: administrators only"));
}

}  // namespace homeward::assessment
