// PlanService handlers: thin RPC edges over the plan workflow
// (plan_workflow.h), the content and submission checks (plan_content.h),
// the case context the assessment feed keeps (case_context.h) and the plan
// store. Case managers and supervisors of the case's office work on plans
// (supervisors alone approve and return); every other role gets
// PERMISSION_DENIED, reads included. A closed case refuses every change.
//
//   parts.AddService<homeward::v1::PlanService>(
//       std::make_unique<PlanServiceImpl>(PlanServiceImpl::Parts{
//           plans, context, taxonomies, programmes, grids, queues,
//           parts.verifier()}));
#ifndef HOMEWARD_SERVICES_PLANNING_PLAN_SERVICE_H_
#define HOMEWARD_SERVICES_PLANNING_PLAN_SERVICE_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/auth/principal_token.h"
#include "common/programme/programme_catalogs.h"
#include "common/service/actor.h"
#include "common/service/rpc_method.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "services/planning/case_context.h"
#include "services/planning/plan_content.h"
#include "services/planning/plan_queues.h"
#include "services/planning/plan_store.h"
#include "services/planning/plan_workflow.h"

namespace homeward::planning {

class PlanServiceImpl final : public homeward::v1::PlanService::Service {
 public:
  // Everything the handlers use; none owned, all outliving the handlers.
  struct Parts {
    PlanStore* plans = nullptr;
    const CaseContextProjection* cases = nullptr;
    const programme::TaxonomyCatalog* taxonomies = nullptr;
    const programme::ProgrammeCatalog* programmes = nullptr;
    const programme::FeasibilityGridCatalog* grids = nullptr;
    const PlanQueues* queues = nullptr;
    const auth::PrincipalVerifier* verifier = nullptr;
  };
  explicit PlanServiceImpl(Parts parts) : parts_(parts) {}

  grpc::Status CreatePlan(grpc::ServerContext* context,
                          const homeward::v1::CreatePlanRequest* request,
                          homeward::v1::Plan* response) override;
  grpc::Status GetPlan(grpc::ServerContext* context,
                       const homeward::v1::GetPlanRequest* request,
                       homeward::v1::Plan* response) override;
  grpc::Status ListPlanVersions(
      grpc::ServerContext* context,
      const homeward::v1::ListPlanVersionsRequest* request,
      homeward::v1::ListPlanVersionsResponse* response) override;
  grpc::Status UpdatePlan(grpc::ServerContext* context,
                          const homeward::v1::UpdatePlanRequest* request,
                          homeward::v1::Plan* response) override;
  grpc::Status AgreePlan(grpc::ServerContext* context,
                         const homeward::v1::PlanStepRequest* request,
                         homeward::v1::Plan* response) override;
  grpc::Status SubmitPlan(grpc::ServerContext* context,
                          const homeward::v1::PlanStepRequest* request,
                          homeward::v1::Plan* response) override;
  grpc::Status ApprovePlan(grpc::ServerContext* context,
                           const homeward::v1::PlanStepRequest* request,
                           homeward::v1::Plan* response) override;
  grpc::Status ReturnPlan(grpc::ServerContext* context,
                          const homeward::v1::PlanStepRequest* request,
                          homeward::v1::Plan* response) override;
  grpc::Status ActivatePlan(grpc::ServerContext* context,
                            const homeward::v1::PlanStepRequest* request,
                            homeward::v1::Plan* response) override;
  grpc::Status CompletePlan(grpc::ServerContext* context,
                            const homeward::v1::PlanStepRequest* request,
                            homeward::v1::Plan* response) override;
  grpc::Status CancelPlan(grpc::ServerContext* context,
                          const homeward::v1::PlanStepRequest* request,
                          homeward::v1::Plan* response) override;
  grpc::Status RevisePlan(grpc::ServerContext* context,
                          const homeward::v1::PlanStepRequest* request,
                          homeward::v1::Plan* response) override;
  grpc::Status SetActivityStatus(
      grpc::ServerContext* context,
      const homeward::v1::SetActivityStatusRequest* request,
      homeward::v1::Plan* response) override;
  grpc::Status ListOverduePlans(
      grpc::ServerContext* context,
      const homeward::v1::ListOverduePlansRequest* request,
      homeward::v1::ListOverduePlansResponse* response) override;
  grpc::Status ListOverdueActivities(
      grpc::ServerContext* context,
      const homeward::v1::ListOverdueActivitiesRequest* request,
      homeward::v1::ListOverdueActivitiesResponse* response) override;

 private:
  // The case a change is about, checked: the caller may update it and it is
  // not closed.
  struct CaseAtHand {
    CaseContext context;
    homeward::v1::Programme programme;
    homeward::v1::Taxonomy taxonomy;
  };
  absl::StatusOr<CaseAtHand> CaseToChange(const service::Actor& actor,
                                          absl::string_view case_id,
                                          absl::string_view field) const;
  PlanInputs InputsFor(const CaseAtHand& c, const service::Actor& actor) const;

  absl::Status Create(const service::Actor& actor,
                      const homeward::v1::CreatePlanRequest& request,
                      homeward::v1::Plan* response);
  absl::Status Get(const service::Actor& actor,
                   const homeward::v1::GetPlanRequest& request,
                   homeward::v1::Plan* response);
  absl::Status ListVersions(
      const service::Actor& actor,
      const homeward::v1::ListPlanVersionsRequest& request,
      homeward::v1::ListPlanVersionsResponse* response);
  absl::Status Update(const service::Actor& actor,
                      const homeward::v1::UpdatePlanRequest& request,
                      homeward::v1::Plan* response);
  // Every workflow step but editing.
  absl::Status TakeStep(const service::Actor& actor, PlanStep step,
                        const homeward::v1::PlanStepRequest& request,
                        homeward::v1::Plan* response);
  absl::Status SetActivity(
      const service::Actor& actor,
      const homeward::v1::SetActivityStatusRequest& request,
      homeward::v1::Plan* response);

  // Runs `body` with the caller's actor and finishes the call.
  template <typename Request, typename Response, typename Body>
  grpc::Status Serve(const service::RpcMethod& method,
                     grpc::ServerContext* context, const Request& request,
                     Response* response, Body body) {
    absl::StatusOr<service::Actor> actor =
        method.ActorOf(*context, *parts_.verifier);
    if (!actor.ok()) return method.Finish(*context, actor.status());
    return method.Finish(*context, body(*actor, request, response));
  }

  Parts parts_;
};

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_PLAN_SERVICE_H_
