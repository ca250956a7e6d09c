// What every case-scoped handler of the assessment service does first: find
// out who is calling (the verified principal, the request id, the method) and
// load the case the call is about, refusing callers outside its scope.
//
//   ASSIGN_OR_RETURN(service::Actor actor,
//                    service::ActorFrom(*context, verifier, method));
//   ASSIGN_OR_RETURN(Case c, CaseInScope(cases, actor, request.case_id(),
//                                        "case_id", CaseAction::kUpdate));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_CASE_SCOPE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_CASE_SCOPE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/principal_token.h"
#include "grpcpp/server_context.h"
#include "services/assessment/case_access.h"
#include "services/assessment/case_store.h"

namespace homeward::assessment {

// Whether a change may be made to a CLOSED case. Only consent decisions
// may: a returnee may withdraw consent at any time, closed case or not.
enum class ClosedCase { kRefused, kAllowed };

// The case `case_id` (INVALID_ARGUMENT on `field` when empty, NOT_FOUND when
// absent) if `actor` may perform `action` on it (PERMISSION_DENIED if not).
// A change (every action but kRead) of a CLOSED case is refused with
// FAILED_PRECONDITION (CASE_CLOSED, cases::CheckCaseOpen) unless `closed`
// is kAllowed; reads are never refused for that. A change of an anonymised
// case is refused whatever `closed` says (CheckNotAnonymised).
absl::StatusOr<homeward::v1::Case> CaseInScope(
    const CaseStore& cases, const service::Actor& actor,
    absl::string_view case_id, absl::string_view field, CaseAction action,
    ClosedCase closed = ClosedCase::kRefused);

// OK unless `c` is CLOSED and `action` changes it (FAILED_PRECONDITION,
// CASE_CLOSED; CASE_ANONYMISED for an anonymised case): for handlers that
// load the case themselves.
absl::Status CheckOpenForChange(const homeward::v1::Case& c, CaseAction action);

// FAILED_PRECONDITION (CASE_ANONYMISED) when the retention job anonymised
// `c` (retention_rules.h): nothing of it changes any more, consent
// decisions included.
absl::Status CheckNotAnonymised(const homeward::v1::Case& c);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_CASE_SCOPE_H_
