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
#include "common/server/arena_messages.h"
#include "common/service/actor.h"
#include "common/service/reactors.h"
#include "common/service/rpc_method.h"
#include "common/status/status_macros.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "services/planning/case_context.h"
#include "services/planning/plan_content.h"
#include "services/planning/plan_queues.h"
#include "services/planning/plan_store.h"
#include "services/planning/plan_workflow.h"

namespace homeward::planning {

class PlanServiceImpl final
    : public homeward::v1::PlanService::CallbackService {
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
  explicit PlanServiceImpl(Parts parts) : parts_(parts) {
    SetMessageAllocatorFor_GetPlan(&get_plan_messages_);
  }

  grpc::ServerUnaryReactor* CreatePlan(
      grpc::CallbackServerContext* context,
      const homeward::v1::CreatePlanRequest* request,
      homeward::v1::Plan* response) override;
  grpc::ServerUnaryReactor* GetPlan(grpc::CallbackServerContext* context,
                                    const homeward::v1::GetPlanRequest* request,
                                    homeward::v1::Plan* response) override;
  grpc::ServerUnaryReactor* ListPlanVersions(
      grpc::CallbackServerContext* context,
      const homeward::v1::ListPlanVersionsRequest* request,
      homeward::v1::ListPlanVersionsResponse* response) override;
  grpc::ServerUnaryReactor* UpdatePlan(
      grpc::CallbackServerContext* context,
      const homeward::v1::UpdatePlanRequest* request,
      homeward::v1::Plan* response) override;
  grpc::ServerUnaryReactor* AgreePlan(
      grpc::CallbackServerContext* context,
      const homeward::v1::PlanStepRequest* request,
      homeward::v1::Plan* response) override;
  grpc::ServerUnaryReactor* SubmitPlan(
      grpc::CallbackServerContext* context,
      const homeward::v1::PlanStepRequest* request,
      homeward::v1::Plan* response) override;
  grpc::ServerUnaryReactor* ApprovePlan(
      grpc::CallbackServerContext* context,
      const homeward::v1::PlanStepRequest* request,
      homeward::v1::Plan* response) override;
  grpc::ServerUnaryReactor* ReturnPlan(
      grpc::CallbackServerContext* context,
      const homeward::v1::PlanStepRequest* request,
      homeward::v1::Plan* response) override;
  grpc::ServerUnaryReactor* ActivatePlan(
      grpc::CallbackServerContext* context,
      const homeward::v1::PlanStepRequest* request,
      homeward::v1::Plan* response) override;
  grpc::ServerUnaryReactor* CompletePlan(
      grpc::CallbackServerContext* context,
      const homeward::v1::PlanStepRequest* request,
      homeward::v1::Plan* response) override;
  grpc::ServerUnaryReactor* CancelPlan(
      grpc::CallbackServerContext* context,
      const homeward::v1::PlanStepRequest* request,
      homeward::v1::Plan* response) override;
  grpc::ServerUnaryReactor* RevisePlan(
      grpc::CallbackServerContext* context,
      const homeward::v1::PlanStepRequest* request,
      homeward::v1::Plan* response) override;
  grpc::ServerUnaryReactor* SetActivityStatus(
      grpc::CallbackServerContext* context,
      const homeward::v1::SetActivityStatusRequest* request,
      homeward::v1::Plan* response) override;
  grpc::ServerUnaryReactor* ListOverduePlans(
      grpc::CallbackServerContext* context,
      const homeward::v1::ListOverduePlansRequest* request,
      homeward::v1::ListOverduePlansResponse* response) override;
  grpc::ServerUnaryReactor* ListOverdueActivities(
      grpc::CallbackServerContext* context,
      const homeward::v1::ListOverdueActivitiesRequest* request,
      homeward::v1::ListOverdueActivitiesResponse* response) override;

 private:
  // How much of the case a change needs to know.
  enum class CaseKnowledge {
    kScope,    // who may change it, and that it is open
    kContext,  // and its programme, return date... (PlanningCaseContext)
    kAll,      // and its needs and concerns, programme and taxonomy
  };
  // The case a change is about, checked: the caller may update it and it is
  // not closed.
  struct CaseAtHand {
    CaseContext context;
    homeward::v1::Programme programme;
    homeward::v1::Taxonomy taxonomy;
  };
  absl::StatusOr<CaseAtHand> CaseToChange(const service::Actor& actor,
                                          absl::string_view case_id,
                                          absl::string_view field,
                                          CaseKnowledge knowledge) const;
  PlanInputs InputsFor(const CaseAtHand& c, const service::Actor& actor) const;

  // Reads: the call finishes with their status.
  absl::Status Get(const service::Actor& actor,
                   const homeward::v1::GetPlanRequest& request,
                   homeward::v1::Plan* response);
  absl::Status ListVersions(
      const service::Actor& actor,
      const homeward::v1::ListPlanVersionsRequest& request,
      homeward::v1::ListPlanVersionsResponse* response);
  // Writes: an error at once, or OK with `done` handed to the durable write.
  absl::Status Create(const service::Actor& actor,
                      const homeward::v1::CreatePlanRequest& request,
                      service::WriteDone<homeward::v1::Plan> done);
  absl::Status Update(const service::Actor& actor,
                      const homeward::v1::UpdatePlanRequest& request,
                      service::WriteDone<homeward::v1::Plan> done);
  // Every workflow step but editing.
  absl::Status TakeStep(const service::Actor& actor, PlanStep step,
                        const homeward::v1::PlanStepRequest& request,
                        service::WriteDone<homeward::v1::Plan> done);
  absl::Status SetActivity(
      const service::Actor& actor,
      const homeward::v1::SetActivityStatusRequest& request,
      service::WriteDone<homeward::v1::Plan> done);

  // Finishes the call with what `read` says, run as the caller.
  template <typename Read>
  grpc::ServerUnaryReactor* Serve(const service::RpcMethod& method,
                                  grpc::CallbackServerContext* context,
                                  Read read) {
    absl::StatusOr<service::Actor> actor =
        method.ActorOf(*context, *parts_.verifier);
    return service::FinishNow(context, method,
                              actor.ok() ? read(*actor) : actor.status());
  }
  // Starts `write` as the caller; the call finishes when it is durable.
  template <typename Write>
  grpc::ServerUnaryReactor* ServeWrite(const service::RpcMethod& method,
                                       grpc::CallbackServerContext* context,
                                       homeward::v1::Plan* response,
                                       Write write) {
    return service::FinishAfterWrite<homeward::v1::Plan>(
        context, method, response,
        [&](service::WriteDone<homeward::v1::Plan> done) -> absl::Status {
          ASSIGN_OR_RETURN(service::Actor actor,
                           method.ActorOf(*context, *parts_.verifier));
          return write(actor, std::move(done));
        });
  }

  Parts parts_;
  // GetPlan is the hot read: its messages live on a per-call arena, the plan
  // decoded straight into the response; the first block (8 KB) leaves room
  // for a plan of several activities, larger than a case.
  server::ArenaMessages<homeward::v1::GetPlanRequest, homeward::v1::Plan, 8192>
      get_plan_messages_;
};

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_PLAN_SERVICE_H_
