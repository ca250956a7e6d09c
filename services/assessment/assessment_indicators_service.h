// homeward.internal.v1.AssessmentIndicators/GetIndicatorPart: this replica's
// part of the programme indicators (the "caseload" and "rss" tables of
// assessment_indicators.h) for one office and period. The gateway calls it
// for monitoring officers, supervisors and administrators
// (indicators::CheckIndicatorPartRequest); it walks the office's cases in
// the partitions this replica owns (CaseStore::ForEachCaseOfOffice) and each
// case's RSS submissions, and answers counts and means only: nothing about
// any one returnee, so no audit entry (the call is logged like every call).
//
//   parts.AddService<homeward::internal::v1::AssessmentIndicators>(
//       std::make_unique<AssessmentIndicatorsImpl>(cases, assessments,
//                                                  parts.verifier()));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_INDICATORS_SERVICE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_INDICATORS_SERVICE_H_

#include "absl/status/status.h"
#include "common/auth/principal_token.h"
#include "homeward/internal/v1/indicator_parts.grpc.pb.h"
#include "services/assessment/assessment_store.h"
#include "services/assessment/case_store.h"

namespace homeward::assessment {

class AssessmentIndicatorsImpl final
    : public homeward::internal::v1::AssessmentIndicators::Service {
 public:
  // None owned; all must outlive this.
  AssessmentIndicatorsImpl(const CaseStore* cases,
                           const AssessmentStore* assessments,
                           const auth::PrincipalVerifier* verifier)
      : cases_(cases), assessments_(assessments), verifier_(verifier) {}

  // Synchronous on purpose: the part is a full scan, which runs on the
  // server's sync pool rather than holding a callback thread that other
  // calls need.
  grpc::Status GetIndicatorPart(
      grpc::ServerContext* context,
      const homeward::internal::v1::IndicatorPartRequest* request,
      homeward::internal::v1::IndicatorPart* response) override;

 private:
  absl::Status Get(const grpc::ServerContext& context,
                   const homeward::internal::v1::IndicatorPartRequest& request,
                   homeward::internal::v1::IndicatorPart* response) const;

  const CaseStore* cases_;
  const AssessmentStore* assessments_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_INDICATORS_SERVICE_H_
