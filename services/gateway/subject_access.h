// Subject access at the gateway (homeward/v1/subject_access.proto,
// docs/SUBJECT_ACCESS.md): SubjectAccessService/ExportCaseRecords is a
// composed method the gateway answers itself. It asks the four services at
// once for their part of the case (each service's internal
// GetCaseRecordsPart, routed to the replica owning the case, with the
// caller's own principal, so that each service checks the caller and
// audits the export itself) and puts the parts in one answer. Nothing is
// left out silently: a service that is deployed but cannot answer fails
// the call (UNAVAILABLE naming it), and a service the deployment leaves out
// (IsOptionalBackend, no route) is named in not_deployed.
//
//   std::vector<MethodRoute> methods = PublicMethods();
//   for (MethodRoute& m : SubjectAccessMethods()) {
//     methods.push_back(std::move(m));
//   }
//   ASSIGN_OR_RETURN(MethodTable table, MethodTable::Create(methods));
#ifndef HOMEWARD_SERVICES_GATEWAY_SUBJECT_ACCESS_H_
#define HOMEWARD_SERVICES_GATEWAY_SUBJECT_ACCESS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/gateway/method_table.h"

namespace homeward::gateway {

inline constexpr char kExportCaseRecords[] =
    "homeward.v1.SubjectAccessService/ExportCaseRecords";

// A service that holds a part of a case's records: its backend and the
// internal method that returns its part.
struct CaseRecordsSource {
  const char* backend;  // e.g. kPlanningService
  const char* method;   // "homeward.internal.v1.PlanningCaseRecordsPart/..."
};
// The four, the assessment service first (it alone decides whether the
// case exists for the caller).
const std::vector<CaseRecordsSource>& CaseRecordsSources();

// Supervisors only: a case's whole record is the most a caller can read.
// Each service still checks that the case is of one of their offices.
Callers SubjectAccessCallers();

// The public composed method, then the four internal part methods
// (internal: not on the public faces; routed by the case id).
std::vector<MethodRoute> SubjectAccessMethods();

// How one source's part ended.
struct CaseRecordsPartOutcome {
  std::string backend;
  // False when the deployment does not run the backend (an optional
  // backend without a route): the part is listed as not deployed.
  bool deployed = true;
  absl::Status status;  // the part's read; ignored when not deployed
};

// The export's answer from its parts' outcomes (in CaseRecordsSources()
// order, the assessment service's first), all in:
// - the assessment part NOT_FOUND or PERMISSION_DENIED: NOT_FOUND for the
//   case, whatever the others said (an export does not reveal that a case
//   exists outside the caller's offices); INVALID_ARGUMENT: that;
// - any deployed part UNAVAILABLE, DEADLINE_EXCEEDED or UNIMPLEMENTED:
//   UNAVAILABLE naming every such service, since the export would be
//   incomplete;
// - any other failure of a part: that part's status, as the service said it
//   (e.g. FAILED_PRECONDITION for a list past the export's cap), except
//   NOT_FOUND from a service other than the assessment service, which holds
//   nothing of the case yet (it has not applied the case's registration):
//   its part is empty;
// - else OK.
absl::Status ExportVerdict(absl::string_view case_id,
                           const std::vector<CaseRecordsPartOutcome>& parts);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_SUBJECT_ACCESS_H_
