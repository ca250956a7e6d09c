// Case access rules; see case_access.h.
#include "services/assessment/case_access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace homeward::assessment {
namespace {

using homeward::internal::v1::Principal;

bool WorksIn(const Principal& principal, const std::string& office) {
  return std::find(principal.office_ids().begin(), principal.office_ids().end(),
                   office) != principal.office_ids().end();
}

bool HandlesCases(const Principal& principal) {
  return principal.role() == homeward::v1::ROLE_CASE_MANAGER ||
         principal.role() == homeward::v1::ROLE_SUPERVISOR;
}

absl::Status NoCaseAccess(const Principal& principal) {
  return errors::PermissionDenied(absl::StrCat(
      "role ", homeward::v1::Role_Name(principal.role()),
      " has no access to case records; case managers and supervisors do"));
}

}  // namespace

absl::Status CheckCaseRole(const Principal& principal, CaseAction action) {
  if (!HandlesCases(principal)) return NoCaseAccess(principal);
  if (action == CaseAction::kAssign &&
      principal.role() != homeward::v1::ROLE_SUPERVISOR) {
    return errors::PermissionDenied(
        "only a supervisor may reassign or transfer a case");
  }
  return absl::OkStatus();
}

absl::Status CheckCaseAccess(const Principal& principal,
                             const homeward::v1::Case& c, CaseAction action) {
  if (!HandlesCases(principal)) return NoCaseAccess(principal);
  if (!WorksIn(principal, c.office_id())) {
    return errors::PermissionDenied(
        action == CaseAction::kRegister
            ? absl::StrCat(
                  "you may register cases only in your own offices, not in '",
                  c.office_id(), "'")
            : absl::StrCat("case '", c.case_id(), "' belongs to office '",
                           c.office_id(),
                           "', which is not one of your offices"));
  }
  if (action == CaseAction::kAssign &&
      principal.role() != homeward::v1::ROLE_SUPERVISOR) {
    return errors::PermissionDenied(
        "only a supervisor may reassign or transfer a case");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ListOffice(
    const Principal& principal, const homeward::v1::ListCasesRequest& request) {
  if (!HandlesCases(principal)) return NoCaseAccess(principal);
  if (!request.office_id().empty()) {
    if (!WorksIn(principal, request.office_id())) {
      return errors::PermissionDenied(absl::StrCat(
          "office '", request.office_id(), "' is not one of your offices"));
    }
    return request.office_id();
  }
  if (principal.office_ids_size() == 1) return principal.office_ids(0);
  if (principal.office_ids().empty()) {
    return errors::PermissionDenied(
        "you belong to no office, so you see no cases");
  }
  return errors::InvalidField(
      "office_id", "is required when you belong to several offices: name one");
}

}  // namespace homeward::assessment
