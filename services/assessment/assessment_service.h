// AssessmentService handlers: submit answers against a published instrument
// version (validated, scored, stored with their needs), read the history,
// compare two submissions and list a case's needs. Case managers and
// supervisors of the case's office only.
#ifndef HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_SERVICE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_SERVICE_H_

#include "common/auth/principal_token.h"
#include "homeward/v1/assessments.grpc.pb.h"
#include "services/assessment/assessment_store.h"
#include "services/assessment/case_store.h"
#include "services/assessment/instrument_store.h"

namespace homeward::assessment {

class AssessmentServiceImpl final
    : public homeward::v1::AssessmentService::Service {
 public:
  AssessmentServiceImpl(CaseStore* cases, const InstrumentStore* instruments,
                        AssessmentStore* assessments,
                        const auth::PrincipalVerifier* verifier)
      : cases_(cases),
        instruments_(instruments),
        assessments_(assessments),
        verifier_(verifier) {}

  grpc::Status SubmitAssessment(
      grpc::ServerContext* context,
      const homeward::v1::SubmitAssessmentRequest* request,
      homeward::v1::Assessment* response) override;
  grpc::Status GetAssessment(grpc::ServerContext* context,
                             const homeward::v1::GetAssessmentRequest* request,
                             homeward::v1::Assessment* response) override;
  grpc::Status ListAssessments(
      grpc::ServerContext* context,
      const homeward::v1::ListAssessmentsRequest* request,
      homeward::v1::ListAssessmentsResponse* response) override;
  grpc::Status CompareAssessments(
      grpc::ServerContext* context,
      const homeward::v1::CompareAssessmentsRequest* request,
      homeward::v1::CompareAssessmentsResponse* response) override;
  grpc::Status ListNeeds(grpc::ServerContext* context,
                         const homeward::v1::ListNeedsRequest* request,
                         homeward::v1::ListNeedsResponse* response) override;

 private:
  absl::Status Submit(const grpc::ServerContext& context,
                      const homeward::v1::SubmitAssessmentRequest& request,
                      homeward::v1::Assessment* response);
  absl::Status Get(const grpc::ServerContext& context,
                   const homeward::v1::GetAssessmentRequest& request,
                   homeward::v1::Assessment* response);
  absl::Status List(const grpc::ServerContext& context,
                    const homeward::v1::ListAssessmentsRequest& request,
                    homeward::v1::ListAssessmentsResponse* response);
  absl::Status Compare(const grpc::ServerContext& context,
                       const homeward::v1::CompareAssessmentsRequest& request,
                       homeward::v1::CompareAssessmentsResponse* response);
  absl::Status Needs(const grpc::ServerContext& context,
                     const homeward::v1::ListNeedsRequest& request,
                     homeward::v1::ListNeedsResponse* response);

  CaseStore* cases_;
  const InstrumentStore* instruments_;
  AssessmentStore* assessments_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_SERVICE_H_
