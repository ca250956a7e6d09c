// The case access rules as the assessment service's handlers name them: the
// rules themselves live in common/cases/case_access.h, shared by every
// service. The assessment service shares no case with partner agencies, so
// it never passes a PartnerGrant.
//
//   RETURN_IF_ERROR(CheckCaseAccess(principal, current_case,
//                                   CaseAction::kUpdate));
//   ASSIGN_OR_RETURN(std::string office, ListOffice(principal, request));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_CASE_ACCESS_H_
#define HOMEWARD_SERVICES_ASSESSMENT_CASE_ACCESS_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/cases/case_access.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/v1/cases.pb.h"

namespace homeward::assessment {

using cases::CaseAction;
using cases::CheckCaseAccess;
using cases::CheckCaseRole;

// The office ListCases is confined to (cases::ListOffice of the request's
// office_id).
inline absl::StatusOr<std::string> ListOffice(
    const homeward::internal::v1::Principal& principal,
    const homeward::v1::ListCasesRequest& request) {
  return cases::ListOffice(principal, request.office_id());
}

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_CASE_ACCESS_H_
