// Caller and case resolution for case-scoped handlers; see case_scope.h.
#include "services/assessment/case_scope.h"

#include "common/cases/case_access.h"
#include "common/cases/case_scope.h"
#include "common/server/server_kit.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/assessment/retention_rules.h"

namespace homeward::assessment {

absl::StatusOr<homeward::v1::Case> CaseInScope(const CaseStore& cases,
                                               const service::Actor& actor,
                                               absl::string_view case_id,
                                               absl::string_view field,
                                               CaseAction action,
                                               ClosedCase closed) {
  if (case_id.empty()) return errors::InvalidField(field, "is required");
  ASSIGN_OR_RETURN(homeward::v1::Case c, cases.Get(case_id));
  RETURN_IF_ERROR(CheckCaseAccess(actor.principal, c, action));
  if (action != CaseAction::kRead) RETURN_IF_ERROR(CheckNotAnonymised(c));
  if (closed == ClosedCase::kRefused) {
    RETURN_IF_ERROR(CheckOpenForChange(c, action));
  }
  return c;
}

absl::Status CheckNotAnonymised(const homeward::v1::Case& c) {
  if (!IsAnonymised(c)) return absl::OkStatus();
  return cases::CaseAnonymisedError(c.case_id());
}

absl::Status CheckOpenForChange(const homeward::v1::Case& c,
                                CaseAction action) {
  if (action == CaseAction::kRead) return absl::OkStatus();
  RETURN_IF_ERROR(CheckNotAnonymised(c));
  return cases::CheckCaseOpen(cases::ScopeOf(c));
}

}  // namespace homeward::assessment
