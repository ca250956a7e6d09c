// homeward.internal.v1.AssessmentCaseRecordsPart/GetCaseRecordsPart: the
// assessment service's part of a subject-access export
// (homeward/v1/subject_access.proto, docs/SUBJECT_ACCESS.md): everything it
// holds about one case, read whole (the case with its profile, identity,
// contacts, members and stage history; every assessment; needs and
// protection concerns in every status; consent decisions; counselling
// sessions; the case's audit entries). The gateway calls it with the
// caller's principal to compose SubjectAccessService/ExportCaseRecords.
// Supervisors of the case's office only (cases::CheckSubjectAccessRole, then
// the case's scope); the export is recorded in the audit trail with the
// reason "subject-access export".
//
//   parts.AddService<homeward::internal::v1::AssessmentCaseRecordsPart>(
//       std::make_unique<AssessmentCaseRecordsPartImpl>(
//           cases, assessments, needs, parts.store(), parts.verifier()));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_CASE_RECORDS_PART_SERVICE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_CASE_RECORDS_PART_SERVICE_H_

#include "absl/status/status.h"
#include "common/auth/principal_token.h"
#include "common/storage/store.h"
#include "homeward/internal/v1/case_records_parts.grpc.pb.h"
#include "services/assessment/assessment_store.h"
#include "services/assessment/case_store.h"
#include "services/assessment/consent_store.h"
#include "services/assessment/counselling_store.h"
#include "services/assessment/need_store.h"

namespace homeward::assessment {

class AssessmentCaseRecordsPartImpl final
    : public homeward::internal::v1::AssessmentCaseRecordsPart::Service {
 public:
  // None owned; all must outlive this.
  AssessmentCaseRecordsPartImpl(CaseStore* cases,
                                const AssessmentStore* assessments,
                                const NeedStore* needs, storage::Store* store,
                                const auth::PrincipalVerifier* verifier)
      : cases_(cases),
        assessments_(assessments),
        needs_(needs),
        consents_(store),
        counselling_(store),
        store_(store),
        verifier_(verifier) {}

  // Synchronous on purpose: several whole lists are read, on the server's
  // sync pool rather than holding a callback thread other calls need.
  grpc::Status GetCaseRecordsPart(
      grpc::ServerContext* context,
      const homeward::internal::v1::CaseRecordsPartRequest* request,
      homeward::v1::AssessmentCaseRecords* response) override;

 private:
  absl::Status Get(
      const grpc::ServerContext& context,
      const homeward::internal::v1::CaseRecordsPartRequest& request,
      homeward::v1::AssessmentCaseRecords* response);

  CaseStore* cases_;
  const AssessmentStore* assessments_;
  const NeedStore* needs_;
  const ConsentStore consents_;
  const CounsellingStore counselling_;
  storage::Store* store_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_CASE_RECORDS_PART_SERVICE_H_
