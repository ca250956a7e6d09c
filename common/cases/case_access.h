// Who may do what with a case (architecture brief section 6), as pure
// functions of the verified principal and the case's scope, shared by every
// service that holds case data:
// - case managers work on their own offices' cases; supervisors also
//   reassign and transfer them;
// - a partner agency reads a case only through what has been shared with it:
//   the calling service passes a PartnerGrant naming the agencies the case
//   was shared with (referral: the agencies it was referred to), and a
//   partner whose agency it names may read, never change, the case. Without
//   a grant (the assessment service) partners see no case;
// - monitoring officers, administrators and other services see no case
//   records through these checks.
//
//   RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kUpdate));
//   ...validate the request...
//   RETURN_IF_ERROR(CheckCaseAccess(actor.principal, scope,
//                                   CaseAction::kUpdate));
//
//   // A service that shares cases with partner agencies:
//   PartnerGrant grant({"agency-caritas"});
//   RETURN_IF_ERROR(CheckCaseRole(principal, CaseAction::kRead,
//                                 PartnerAccess::kThroughGrant));
//   RETURN_IF_ERROR(CheckCaseAccess(principal, scope, CaseAction::kRead,
//                                   &grant));
#ifndef HOMEWARD_COMMON_CASES_CASE_ACCESS_H_
#define HOMEWARD_COMMON_CASES_CASE_ACCESS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/cases/case_scope.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/v1/cases.pb.h"

namespace homeward::cases {

enum class CaseAction { kRegister, kRead, kUpdate, kAssign };

// Whether the calling service lets partner agencies read the cases it has
// shared with them.
enum class PartnerAccess { kNone, kThroughGrant };

// The partner agencies one case has been shared with, as the calling service
// knows it. An empty agency id is never covered.
class PartnerGrant {
 public:
  PartnerGrant() = default;  // shared with no agency
  explicit PartnerGrant(std::vector<std::string> agency_ids)
      : agency_ids_(std::move(agency_ids)) {}
  bool Covers(absl::string_view agency_id) const;

 private:
  std::vector<std::string> agency_ids_;
};

// OK when `principal`'s role may ever perform `action` (case managers and
// supervisors; only supervisors assign; partner agencies read when
// `partners` is kThroughGrant): the check that needs no stored data, made
// before a request is validated so that a caller who may not call the
// method at all learns that, whatever the body.
absl::Status CheckCaseRole(const homeward::internal::v1::Principal& principal,
                           CaseAction action,
                           PartnerAccess partners = PartnerAccess::kNone);

// OK when `principal` may perform `action` on the case of `scope` (for
// kRegister, the case to be created); PERMISSION_DENIED saying why
// otherwise. `grant` is what the calling service has shared the case with;
// nullptr when it shares cases with no partner agency.
absl::Status CheckCaseAccess(const homeward::internal::v1::Principal& principal,
                             const CaseScope& scope, CaseAction action,
                             const PartnerGrant* grant = nullptr);
// The same for a whole case (the scope is the case's own fields).
absl::Status CheckCaseAccess(const homeward::internal::v1::Principal& principal,
                             const homeward::v1::Case& c, CaseAction action,
                             const PartnerGrant* grant = nullptr);

// OK while the case of `scope` is open; FAILED_PRECONDITION (CASE_CLOSED)
// once it is closed: a closed case's records no longer change (reopening
// it, when the programme allows, comes first).
absl::Status CheckCaseOpen(const CaseScope& scope);

// FAILED_PRECONDITION (CASE_ANONYMISED) for case `case_id`: the retention
// job anonymised it, so nothing of it changes any more, not even its stage
// (docs/RETENTION.md). Each service says so when it knows the case is.
absl::Status CaseAnonymisedError(absl::string_view case_id);

// The office a list of cases is confined to: `requested_office` if the
// principal works there, or the principal's only office when it is empty.
// PERMISSION_DENIED for another office or a role that sees no cases;
// INVALID_ARGUMENT on office_id when several offices make the choice
// ambiguous.
absl::StatusOr<std::string> ListOffice(
    const homeward::internal::v1::Principal& principal,
    absl::string_view requested_office);

}  // namespace homeward::cases

#endif  // HOMEWARD_COMMON_CASES_CASE_ACCESS_H_
