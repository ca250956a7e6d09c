// Who may do what with case records (architecture brief section 6), as pure
// functions of the verified principal and the case. Case managers work on
// their own offices' cases; supervisors also reassign and transfer them;
// partner agencies, monitoring officers and administrators see no case
// records here.
//
//   RETURN_IF_ERROR(CheckCaseAccess(principal, current_case,
//   CaseAction::kUpdate));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_CASE_ACCESS_H_
#define HOMEWARD_SERVICES_ASSESSMENT_CASE_ACCESS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/v1/cases.pb.h"

namespace homeward::assessment {

enum class CaseAction { kRegister, kRead, kUpdate, kAssign };

// OK when `principal`'s role may ever perform `action` (case managers and
// supervisors; only supervisors assign): the check that needs no stored data,
// made before a request is validated so that a caller who may not call the
// method at all learns that, whatever the body.
absl::Status CheckCaseRole(const homeward::internal::v1::Principal& principal,
                           CaseAction action);

// OK when `principal` may perform `action` on `c` (for kRegister, `c` is the
// case to be created). PERMISSION_DENIED saying why otherwise.
absl::Status CheckCaseAccess(const homeward::internal::v1::Principal& principal,
                             const homeward::v1::Case& c, CaseAction action);

// The office a list is confined to: the requested one if the principal works
// there, or the principal's only office. PERMISSION_DENIED for another
// office; INVALID_ARGUMENT when several offices make the choice ambiguous.
absl::StatusOr<std::string> ListOffice(
    const homeward::internal::v1::Principal& principal,
    const homeward::v1::ListCasesRequest& request);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_CASE_ACCESS_H_
