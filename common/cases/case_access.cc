// Case access rules; see case_access.h.
#include "common/cases/case_access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace homeward::cases {
namespace {

using homeward::internal::v1::Principal;
using homeward::v1::ROLE_CASE_MANAGER;
using homeward::v1::ROLE_PARTNER_AGENCY;
using homeward::v1::ROLE_SUPERVISOR;

bool WorksIn(const Principal& principal, absl::string_view office) {
  return std::find(principal.office_ids().begin(), principal.office_ids().end(),
                   office) != principal.office_ids().end();
}

bool HandlesCases(const Principal& principal) {
  return principal.role() == ROLE_CASE_MANAGER ||
         principal.role() == ROLE_SUPERVISOR;
}

absl::Status NoCaseAccess(const Principal& principal) {
  return errors::PermissionDenied(absl::StrCat(
      "role ", homeward::v1::Role_Name(principal.role()),
      " has no access to case records; case managers and supervisors do"));
}

absl::Status OnlySupervisorsAssign() {
  return errors::PermissionDenied(
      "only a supervisor may reassign or transfer a case");
}

absl::Status PartnersOnlyRead() {
  return errors::PermissionDenied(
      "a partner agency may only read the cases shared with it");
}

// A partner agency's access: read-only, and only to a case `grant` shares
// with its agency.
absl::Status CheckPartnerAccess(const Principal& principal,
                                absl::string_view case_id, CaseAction action,
                                const PartnerGrant* grant) {
  if (grant == nullptr) return NoCaseAccess(principal);
  if (action != CaseAction::kRead) return PartnersOnlyRead();
  if (!grant->Covers(principal.agency_id())) {
    return errors::PermissionDenied(absl::StrCat(
        "case '", case_id, "' has not been shared with your agency"));
  }
  return absl::OkStatus();
}

// The rules over the two fields of a case they need, so that checking a
// whole Case copies nothing.
absl::Status CheckAccess(const Principal& principal, absl::string_view case_id,
                         absl::string_view office_id, CaseAction action,
                         const PartnerGrant* grant) {
  if (principal.role() == ROLE_PARTNER_AGENCY) {
    return CheckPartnerAccess(principal, case_id, action, grant);
  }
  if (!HandlesCases(principal)) return NoCaseAccess(principal);
  if (!WorksIn(principal, office_id)) {
    return errors::PermissionDenied(
        action == CaseAction::kRegister
            ? absl::StrCat(
                  "you may register cases only in your own offices, not in '",
                  office_id, "'")
            : absl::StrCat("case '", case_id, "' belongs to office '",
                           office_id, "', which is not one of your offices"));
  }
  if (action == CaseAction::kAssign && principal.role() != ROLE_SUPERVISOR) {
    return OnlySupervisorsAssign();
  }
  return absl::OkStatus();
}

}  // namespace

bool PartnerGrant::Covers(absl::string_view agency_id) const {
  return !agency_id.empty() && std::find(agency_ids_.begin(), agency_ids_.end(),
                                         agency_id) != agency_ids_.end();
}

absl::Status CheckCaseRole(const Principal& principal, CaseAction action,
                           PartnerAccess partners) {
  if (principal.role() == ROLE_PARTNER_AGENCY &&
      partners == PartnerAccess::kThroughGrant) {
    return action == CaseAction::kRead ? absl::OkStatus() : PartnersOnlyRead();
  }
  if (!HandlesCases(principal)) return NoCaseAccess(principal);
  if (action == CaseAction::kAssign && principal.role() != ROLE_SUPERVISOR) {
    return OnlySupervisorsAssign();
  }
  return absl::OkStatus();
}

absl::Status CheckCaseAccess(const Principal& principal, const CaseScope& scope,
                             CaseAction action, const PartnerGrant* grant) {
  return CheckAccess(principal, scope.case_id(), scope.office_id(), action,
                     grant);
}

absl::Status CheckCaseAccess(const Principal& principal,
                             const homeward::v1::Case& c, CaseAction action,
                             const PartnerGrant* grant) {
  return CheckAccess(principal, c.case_id(), c.office_id(), action, grant);
}

absl::Status CheckCaseOpen(const CaseScope& scope) {
  if (!scope.closed()) return absl::OkStatus();
  return errors::FailedPrecondition(
      "CASE_CLOSED", scope.case_id(),
      absl::StrCat("case ", scope.case_id(),
                   " is closed; its records can no longer change"));
}

absl::Status CaseAnonymisedError(absl::string_view case_id) {
  return errors::FailedPrecondition(
      "CASE_ANONYMISED", case_id,
      absl::StrCat("case ", case_id,
                   " was anonymised after its programme's retention period; "
                   "its records can no longer change"));
}

absl::StatusOr<std::string> ListOffice(const Principal& principal,
                                       absl::string_view requested_office) {
  if (!HandlesCases(principal)) return NoCaseAccess(principal);
  if (!requested_office.empty()) {
    if (!WorksIn(principal, requested_office)) {
      return errors::PermissionDenied(absl::StrCat(
          "office '", requested_office, "' is not one of your offices"));
    }
    return std::string(requested_office);
  }
  if (principal.office_ids_size() == 1) return principal.office_ids(0);
  if (principal.office_ids().empty()) {
    return errors::PermissionDenied(
        "you belong to no office, so you see no cases");
  }
  return errors::InvalidField(
      "office_id", "is required when you belong to several offices: name one");
}

}  // namespace homeward::cases
