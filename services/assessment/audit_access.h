// Who may read and verify the audit trail (architecture section 6), as pure
// functions of the verified principal and the case. Administrators may read
// any case's entries and verify the trail; supervisors may read the entries
// of their own offices' cases; every other role is refused. The trail holds
// identifiers only, but who looked at whose case is itself sensitive, so case
// managers (whose own reads are in it) do not see it.
//
//   RETURN_IF_ERROR(CheckAuditReader(actor.principal));  // before loading
//   ASSIGN_OR_RETURN(Case c, cases.Get(case_id));
//   RETURN_IF_ERROR(CheckCaseAuditAccess(actor.principal, c));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_AUDIT_ACCESS_H_
#define HOMEWARD_SERVICES_ASSESSMENT_AUDIT_ACCESS_H_

#include "absl/status/status.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/v1/cases.pb.h"

namespace homeward::assessment {

// OK for the roles that may read some case's audit entries (administrators
// and supervisors); PERMISSION_DENIED naming the role otherwise. Checked
// before anything else, so that other roles learn nothing about the case.
absl::Status CheckAuditReader(
    const homeward::internal::v1::Principal& principal);

// OK when `principal` may read the audit entries of `c`: administrators for
// any case, supervisors for their own offices' cases.
absl::Status CheckCaseAuditAccess(
    const homeward::internal::v1::Principal& principal,
    const homeward::v1::Case& c);

// OK for administrators, who alone may verify the whole trail.
absl::Status CheckAuditVerifier(
    const homeward::internal::v1::Principal& principal);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_AUDIT_ACCESS_H_
