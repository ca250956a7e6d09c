// homeward.internal.v1.PlanningCaseRecordsPart/GetCaseRecordsPart: the
// planning service's part of a subject-access export
// (homeward/v1/subject_access.proto, docs/SUBJECT_ACCESS.md): every version
// of the case's plan, oldest first, and the case's entries in this
// service's audit trail. The case context it keeps (scope, needs, members)
// is a copy of the assessment service's records, which that service's part
// exports, so it is not repeated. The gateway calls it with the caller's
// principal; supervisors of the case's office only (as the assessment
// service decides, from the case directory); the export is recorded in this
// service's audit trail with the reason "subject-access export".
//
//   parts.AddService<homeward::internal::v1::PlanningCaseRecordsPart>(
//       std::make_unique<PlanCaseRecordsPartImpl>(context, plans,
//                                                 parts.store(),
//                                                 parts.verifier()));
#ifndef HOMEWARD_SERVICES_PLANNING_PLAN_CASE_RECORDS_PART_SERVICE_H_
#define HOMEWARD_SERVICES_PLANNING_PLAN_CASE_RECORDS_PART_SERVICE_H_

#include "absl/status/status.h"
#include "common/auth/principal_token.h"
#include "common/storage/store.h"
#include "homeward/internal/v1/case_records_parts.grpc.pb.h"
#include "services/planning/case_context.h"
#include "services/planning/plan_store.h"

namespace homeward::planning {

class PlanCaseRecordsPartImpl final
    : public homeward::internal::v1::PlanningCaseRecordsPart::Service {
 public:
  // None owned; all must outlive this.
  PlanCaseRecordsPartImpl(const CaseContextProjection* cases,
                          const PlanStore* plans, storage::Store* store,
                          const auth::PrincipalVerifier* verifier)
      : cases_(cases), plans_(plans), store_(store), verifier_(verifier) {}

  // Synchronous: whole lists are read, on the server's sync pool.
  grpc::Status GetCaseRecordsPart(
      grpc::ServerContext* context,
      const homeward::internal::v1::CaseRecordsPartRequest* request,
      homeward::v1::PlanningCaseRecords* response) override;

 private:
  absl::Status Get(
      const grpc::ServerContext& context,
      const homeward::internal::v1::CaseRecordsPartRequest& request,
      homeward::v1::PlanningCaseRecords* response) const;

  const CaseContextProjection* cases_;
  const PlanStore* plans_;
  storage::Store* store_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_PLAN_CASE_RECORDS_PART_SERVICE_H_
