// homeward.internal.v1.PlanningIndicators/GetIndicatorPart: this replica's
// part of the programme indicators (the "plan_timeliness" table of
// plan_indicators.h) for one office and period. The gateway calls it for
// monitoring officers, supervisors and administrators
// (indicators::CheckIndicatorPartRequest); it walks the cases planning knows
// in the partitions this replica owns (CaseContextProjection::
// ForEachCaseOfOffice), reads each case's plan (versions 1 and latest) and
// the programme's deadline (ProgrammeForDeadline, as the overdue queue
// does), and answers counts, a mean and a distribution only: nothing about
// any one returnee, so no audit entry (the call is logged like every call).
//
//   parts.AddService<homeward::internal::v1::PlanningIndicators>(
//       std::make_unique<PlanIndicatorsImpl>(context, plans, programmes,
//                                            parts.verifier()));
#ifndef HOMEWARD_SERVICES_PLANNING_PLAN_INDICATORS_SERVICE_H_
#define HOMEWARD_SERVICES_PLANNING_PLAN_INDICATORS_SERVICE_H_

#include "absl/status/status.h"
#include "common/auth/principal_token.h"
#include "common/programme/programme_catalogs.h"
#include "homeward/internal/v1/indicator_parts.grpc.pb.h"
#include "services/planning/case_context.h"
#include "services/planning/plan_store.h"

namespace homeward::planning {

class PlanIndicatorsImpl final
    : public homeward::internal::v1::PlanningIndicators::Service {
 public:
  // None owned; all must outlive this.
  PlanIndicatorsImpl(const CaseContextProjection* cases, const PlanStore* plans,
                     const programme::ProgrammeCatalog* programmes,
                     const auth::PrincipalVerifier* verifier)
      : cases_(cases),
        plans_(plans),
        programmes_(programmes),
        verifier_(verifier) {}

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

  const CaseContextProjection* cases_;
  const PlanStore* plans_;
  const programme::ProgrammeCatalog* programmes_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_PLAN_INDICATORS_SERVICE_H_
