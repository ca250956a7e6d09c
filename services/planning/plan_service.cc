// PlanService handlers; see plan_service.h.
#include "services/planning/plan_service.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "common/cases/case_access.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "services/planning/plan_changes.h"
#include "services/planning/plan_requests.h"

namespace homeward::planning {
namespace {

using cases::CaseAction;
using homeward::v1::Plan;
using homeward::v1::PlanStepRequest;

constexpr service::RpcMethod kCreatePlan{"homeward.v1.PlanService/CreatePlan"};
constexpr service::RpcMethod kGetPlan{"homeward.v1.PlanService/GetPlan"};
constexpr service::RpcMethod kListPlanVersions{
    "homeward.v1.PlanService/ListPlanVersions"};
constexpr service::RpcMethod kUpdatePlan{"homeward.v1.PlanService/UpdatePlan"};
constexpr service::RpcMethod kAgreePlan{"homeward.v1.PlanService/AgreePlan"};
constexpr service::RpcMethod kSubmitPlan{"homeward.v1.PlanService/SubmitPlan"};
constexpr service::RpcMethod kApprovePlan{
    "homeward.v1.PlanService/ApprovePlan"};
constexpr service::RpcMethod kReturnPlan{"homeward.v1.PlanService/ReturnPlan"};
constexpr service::RpcMethod kActivatePlan{
    "homeward.v1.PlanService/ActivatePlan"};
constexpr service::RpcMethod kCompletePlan{
    "homeward.v1.PlanService/CompletePlan"};
constexpr service::RpcMethod kCancelPlan{"homeward.v1.PlanService/CancelPlan"};
constexpr service::RpcMethod kRevisePlan{"homeward.v1.PlanService/RevisePlan"};
constexpr service::RpcMethod kSetActivityStatus{
    "homeward.v1.PlanService/SetActivityStatus"};
constexpr service::RpcMethod kListOverduePlans{
    "homeward.v1.PlanService/ListOverduePlans"};
constexpr service::RpcMethod kListOverdueActivities{
    "homeward.v1.PlanService/ListOverdueActivities"};

// Activity statuses change on the delivered (ACTIVE) version while its
// revision is prepared: when the revision takes over, each activity it kept
// continues from where delivery stands.
void CarryDelivery(const Plan& delivered, Plan& revision) {
  for (auto& activity : *revision.mutable_activities()) {
    for (const auto& was : delivered.activities()) {
      if (was.activity_id() == activity.activity_id()) {
        activity.set_status(was.status());
        activity.set_status_reason(was.status_reason());
      }
    }
  }
}

}  // namespace

// ------------------------------------------------------------- RPC edges

grpc::ServerUnaryReactor* PlanServiceImpl::CreatePlan(
    grpc::CallbackServerContext* context,
    const homeward::v1::CreatePlanRequest* request, Plan* response) {
  return ServeWrite(kCreatePlan, context, response, [&](auto& a, auto done) {
    return Create(a, *request, std::move(done));
  });
}
grpc::ServerUnaryReactor* PlanServiceImpl::GetPlan(
    grpc::CallbackServerContext* context,
    const homeward::v1::GetPlanRequest* request, Plan* response) {
  return Serve(kGetPlan, context,
               [&](auto& a) { return Get(a, *request, response); });
}
grpc::ServerUnaryReactor* PlanServiceImpl::ListPlanVersions(
    grpc::CallbackServerContext* context,
    const homeward::v1::ListPlanVersionsRequest* request,
    homeward::v1::ListPlanVersionsResponse* response) {
  return Serve(kListPlanVersions, context,
               [&](auto& a) { return ListVersions(a, *request, response); });
}
grpc::ServerUnaryReactor* PlanServiceImpl::UpdatePlan(
    grpc::CallbackServerContext* context,
    const homeward::v1::UpdatePlanRequest* request, Plan* response) {
  return ServeWrite(kUpdatePlan, context, response, [&](auto& a, auto done) {
    return Update(a, *request, std::move(done));
  });
}

#define HOMEWARD_PLAN_STEP(Rpc, method, step)                               \
  grpc::ServerUnaryReactor* PlanServiceImpl::Rpc(                           \
      grpc::CallbackServerContext* context, const PlanStepRequest* request, \
      Plan* response) {                                                     \
    return ServeWrite(method, context, response, [&](auto& a, auto done) {  \
      return TakeStep(a, step, *request, std::move(done));                  \
    });                                                                     \
  }
HOMEWARD_PLAN_STEP(AgreePlan, kAgreePlan, PlanStep::kAgree)
HOMEWARD_PLAN_STEP(SubmitPlan, kSubmitPlan, PlanStep::kSubmit)
HOMEWARD_PLAN_STEP(ApprovePlan, kApprovePlan, PlanStep::kApprove)
HOMEWARD_PLAN_STEP(ReturnPlan, kReturnPlan, PlanStep::kReturn)
HOMEWARD_PLAN_STEP(ActivatePlan, kActivatePlan, PlanStep::kActivate)
HOMEWARD_PLAN_STEP(CompletePlan, kCompletePlan, PlanStep::kComplete)
HOMEWARD_PLAN_STEP(CancelPlan, kCancelPlan, PlanStep::kCancel)
HOMEWARD_PLAN_STEP(RevisePlan, kRevisePlan, PlanStep::kRevise)
#undef HOMEWARD_PLAN_STEP

grpc::ServerUnaryReactor* PlanServiceImpl::SetActivityStatus(
    grpc::CallbackServerContext* context,
    const homeward::v1::SetActivityStatusRequest* request, Plan* response) {
  return ServeWrite(kSetActivityStatus, context, response,
                    [&](auto& a, auto done) {
                      return SetActivity(a, *request, std::move(done));
                    });
}
grpc::ServerUnaryReactor* PlanServiceImpl::ListOverduePlans(
    grpc::CallbackServerContext* context,
    const homeward::v1::ListOverduePlansRequest* request,
    homeward::v1::ListOverduePlansResponse* response) {
  return Serve(kListOverduePlans, context, [&](auto& a) -> absl::Status {
    RETURN_IF_ERROR(cases::CheckCaseRole(a.principal, CaseAction::kRead));
    ASSIGN_OR_RETURN(*response, parts_.queues->OverduePlans(
                                    a.principal, *request, api::TodayUtc()));
    return absl::OkStatus();
  });
}
grpc::ServerUnaryReactor* PlanServiceImpl::ListOverdueActivities(
    grpc::CallbackServerContext* context,
    const homeward::v1::ListOverdueActivitiesRequest* request,
    homeward::v1::ListOverdueActivitiesResponse* response) {
  return Serve(kListOverdueActivities, context, [&](auto& a) -> absl::Status {
    RETURN_IF_ERROR(cases::CheckCaseRole(a.principal, CaseAction::kRead));
    ASSIGN_OR_RETURN(*response, parts_.queues->OverdueActivities(
                                    a.principal, *request, api::TodayUtc()));
    return absl::OkStatus();
  });
}

// -------------------------------------------------------------- handlers

absl::StatusOr<PlanServiceImpl::CaseAtHand> PlanServiceImpl::CaseToChange(
    const service::Actor& actor, absl::string_view case_id,
    absl::string_view field, CaseKnowledge knowledge) const {
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   parts_.cases->Authorize(actor.principal, case_id, field,
                                           CaseAction::kUpdate));
  RETURN_IF_ERROR(cases::CheckCaseOpen(scope));
  CaseAtHand c;
  if (knowledge == CaseKnowledge::kScope) {
    c.context.scope = std::move(scope);
    return c;
  }
  if (knowledge == CaseKnowledge::kContext) {
    ASSIGN_OR_RETURN(c.context, parts_.cases->GetScopeAndContext(
                                    scope.partition(), case_id));
    return c;
  }
  ASSIGN_OR_RETURN(c.context, parts_.cases->Get(scope.partition(), case_id));
  const std::string& programme_id = c.context.context.programme_id();
  absl::StatusOr<homeward::v1::Programme> programme =
      parts_.programmes->GetLatest(programme_id);
  if (absl::IsNotFound(programme.status())) {
    return errors::FailedPrecondition(
        "PROGRAMME_NOT_PUBLISHED", programme_id,
        absl::StrCat("the case's programme '", programme_id,
                     "' is not published in the planning service; publish "
                     "it (programmes_dir) before planning"));
  }
  RETURN_IF_ERROR(programme.status());
  c.programme = *std::move(programme);
  ASSIGN_OR_RETURN(c.taxonomy,
                   parts_.taxonomies->Get(c.programme.taxonomy_id(),
                                          c.programme.taxonomy_version()));
  return c;
}

PlanInputs PlanServiceImpl::InputsFor(const CaseAtHand& c,
                                      const service::Actor& actor) const {
  PlanInputs in;
  in.context = &c.context;
  in.programme = &c.programme;
  in.taxonomy = &c.taxonomy;
  in.grid = [grids = parts_.grids](absl::string_view id, int32_t version) {
    return grids->Get(id, version);
  };
  in.user_id = actor.principal.user_id();
  in.now = storage::NowTimestamp();
  return in;
}

absl::Status PlanServiceImpl::Create(
    const service::Actor& actor, const homeward::v1::CreatePlanRequest& request,
    service::WriteDone<Plan> done) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kUpdate));
  RETURN_IF_ERROR(ValidateCreatePlan(request).ToStatus());
  ASSIGN_OR_RETURN(CaseAtHand c,
                   CaseToChange(actor, request.plan().case_id(), "plan.case_id",
                                CaseKnowledge::kAll));
  ASSIGN_OR_RETURN(Plan plan,
                   EditedPlan(nullptr, request.plan(), InputsFor(c, actor)));
  parts_.plans->CreateAsync(actor, c.context.scope.partition(),
                            request.request_id(), std::move(plan),
                            std::move(done));
  return absl::OkStatus();
}

absl::Status PlanServiceImpl::Get(const service::Actor& actor,
                                  const homeward::v1::GetPlanRequest& request,
                                  Plan* response) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateGetPlan(request).ToStatus());
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   parts_.cases->Authorize(actor.principal, request.case_id(),
                                           "case_id", CaseAction::kRead));
  // Decoded straight into the response, on the call's arena. A refusal
  // sends none of it: gRPC sends no message with an error status.
  RETURN_IF_ERROR(parts_.plans->Get(scope.partition(), request.case_id(),
                                    request.version(), response));
  parts_.plans->AuditRead(actor, request.case_id());
  return absl::OkStatus();
}

absl::Status PlanServiceImpl::ListVersions(
    const service::Actor& actor,
    const homeward::v1::ListPlanVersionsRequest& request,
    homeward::v1::ListPlanVersionsResponse* response) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateListPlanVersions(request).ToStatus());
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   parts_.cases->Authorize(actor.principal, request.case_id(),
                                           "case_id", CaseAction::kRead));
  ASSIGN_OR_RETURN(
      storage::Page<Plan> page,
      parts_.plans->ListVersions(scope.partition(), request.case_id(),
                                 api::EffectivePageSize(request.page()),
                                 request.page().page_token()));
  for (auto& plan : page.items) *response->add_plans() = std::move(plan);
  response->set_next_page_token(std::move(page.next_page_token));
  parts_.plans->AuditRead(actor, request.case_id());
  return absl::OkStatus();
}

absl::Status PlanServiceImpl::Update(
    const service::Actor& actor, const homeward::v1::UpdatePlanRequest& request,
    service::WriteDone<Plan> done) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kUpdate));
  RETURN_IF_ERROR(ValidateUpdatePlan(request).ToStatus());
  const std::string& case_id = request.plan().case_id();
  ASSIGN_OR_RETURN(CaseAtHand c, CaseToChange(actor, case_id, "plan.case_id",
                                              CaseKnowledge::kAll));
  const uint32_t partition = c.context.scope.partition();
  ASSIGN_OR_RETURN(Plan latest, parts_.plans->Get(partition, case_id, 0));
  ASSIGN_OR_RETURN(
      homeward::v1::PlanStatus to,
      NextPlanStatus(latest.status(), PlanStep::kEdit, actor.principal.role()));
  PlanInputs in = InputsFor(c, actor);
  ASSIGN_OR_RETURN(Plan next, EditedPlan(&latest, request.plan(), in));
  if (to != latest.status()) {
    // What the returnee agreed to is no longer the plan.
    next.clear_agreement();
    MoveTo(next, to, actor, "", in.now);
  }
  PlanStore::Change change;
  change.versions.push_back(std::move(next));
  change.read_latest = std::move(latest);
  return parts_.plans->ApplyAsync(actor, partition, case_id,
                                  request.plan().etag(), std::move(change),
                                  std::move(done));
}

absl::Status PlanServiceImpl::TakeStep(const service::Actor& actor,
                                       PlanStep step,
                                       const PlanStepRequest& request,
                                       service::WriteDone<Plan> done) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kUpdate));
  RETURN_IF_ERROR(ValidatePlanStep(request, step, api::TodayUtc()).ToStatus());
  const std::string& case_id = request.case_id();
  // Submission checks the case's needs and programme; approval and
  // cancellation take the case out of the awaiting-plan queue by its return
  // date; the other steps need only the case's scope.
  const CaseKnowledge knowledge =
      step == PlanStep::kSubmit ? CaseKnowledge::kAll
      : step == PlanStep::kApprove || step == PlanStep::kCancel
          ? CaseKnowledge::kContext
          : CaseKnowledge::kScope;
  ASSIGN_OR_RETURN(CaseAtHand c,
                   CaseToChange(actor, case_id, "case_id", knowledge));
  const uint32_t partition = c.context.scope.partition();
  ASSIGN_OR_RETURN(Plan latest, parts_.plans->Get(partition, case_id, 0));
  ASSIGN_OR_RETURN(
      homeward::v1::PlanStatus to,
      NextPlanStatus(latest.status(), step, actor.principal.role()));
  const auto now = storage::NowTimestamp();
  // The version being delivered: activating a revision supersedes it,
  // cancelling ends it.
  std::optional<Plan> delivered;
  if (step == PlanStep::kActivate || step == PlanStep::kCancel) {
    ASSIGN_OR_RETURN(delivered, parts_.plans->ActiveVersion(partition, latest));
  }
  // While a revision is prepared the delivered version is an earlier one.
  const bool revising =
      delivered.has_value() && delivered->version() != latest.version();
  if (step == PlanStep::kComplete || step == PlanStep::kCancel) {
    // Written as a case's closure writes it (plan_follow_up.h).
    PlanStore::Change change = EndingChange(
        partition, c.context.context.return_date(), std::move(latest),
        std::move(delivered), to, actor, request.comment(), now);
    return parts_.plans->ApplyAsync(actor, partition, case_id, request.etag(),
                                    std::move(change), std::move(done));
  }

  Plan next = latest;
  PlanStore::Change change;
  if (step == PlanStep::kRevise) {
    // A new version, copied from the active one, prepared and approved
    // again; the active version is delivered meanwhile.
    next.set_version(latest.version() + 1);
    next.set_revision_reason(request.comment());
    next.clear_agreement();
    next.clear_history();
  }
  MoveTo(next, to, actor, request.comment(), now);
  switch (step) {
    case PlanStep::kAgree:
      *next.mutable_agreement() = request.agreement();
      next.mutable_agreement()->set_recorded_by(actor.principal.user_id());
      break;
    case PlanStep::kSubmit:
      RETURN_IF_ERROR(CheckSubmission(latest, c.context, c.programme));
      break;
    case PlanStep::kApprove:
      // Referral and follow-up act on the first approval; a revision is
      // announced when it takes over (PlanRevised).
      if (next.version() == 1) {
        change.events.push_back(PlanEvent(next));
        LeavePlanQueue(partition, c.context.context.return_date(), case_id,
                       change.also);
      }
      break;
    case PlanStep::kActivate:
      if (revising) {
        CarryDelivery(*delivered, next);
        // The revision a follow-up contact asked for is in force.
        next.clear_revision_request();
        UpdateActivityQueue(partition, &*delivered, &next, change.also);
        MoveTo(*delivered, homeward::v1::PLAN_STATUS_SUPERSEDED, actor,
               absl::StrCat("superseded by version ", next.version()), now);
        change.versions.push_back(*delivered);
        change.events.push_back(PlanEvent(next));
      } else {
        UpdateActivityQueue(partition, nullptr, &next, change.also);
      }
      break;
    default:
      break;
  }
  change.versions.push_back(std::move(next));
  change.read_latest = std::move(latest);
  return parts_.plans->ApplyAsync(actor, partition, case_id, request.etag(),
                                  std::move(change), std::move(done));
}

absl::Status PlanServiceImpl::SetActivity(
    const service::Actor& actor,
    const homeward::v1::SetActivityStatusRequest& request,
    service::WriteDone<Plan> done) {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kUpdate));
  RETURN_IF_ERROR(ValidateSetActivityStatus(request).ToStatus());
  const std::string& case_id = request.case_id();
  ASSIGN_OR_RETURN(CaseAtHand c, CaseToChange(actor, case_id, "case_id",
                                              CaseKnowledge::kScope));
  const uint32_t partition = c.context.scope.partition();
  ASSIGN_OR_RETURN(Plan latest, parts_.plans->Get(partition, case_id, 0));
  // While a revision is prepared, delivery goes on in the active version.
  // Usually the latest is the active one: it is changed where it is, not
  // copied.
  std::optional<Plan> revised;
  if (latest.status() != homeward::v1::PLAN_STATUS_ACTIVE) {
    ASSIGN_OR_RETURN(revised, parts_.plans->ActiveVersion(partition, latest));
  }
  // No version ACTIVE: the workflow check below refuses with the status.
  Plan& delivered = revised.has_value() ? *revised : latest;
  homeward::v1::PlanActivity* activity = nullptr;
  for (auto& a : *delivered.mutable_activities()) {
    if (a.activity_id() == request.activity_id()) activity = &a;
  }
  if (activity == nullptr) {
    return errors::NotFound("activity",
                            absl::StrCat(case_id, "/", request.activity_id()));
  }
  RETURN_IF_ERROR(
      CheckActivityStatusChange(delivered.status(), activity->status(),
                                request.status(), request.reason()));
  const homeward::v1::PlanActivity before = *activity;
  activity->set_status(request.status());
  activity->set_status_reason(request.reason());

  PlanStore::Change change;
  UpdateActivityQueueEntry(partition, case_id, before, *activity, change.also);
  homeward::v1::Event event;
  auto* changed = event.mutable_activity_status_changed();
  changed->set_case_id(case_id);
  changed->set_plan_id(delivered.plan_id());
  changed->set_plan_version(delivered.version());
  *changed->mutable_activity() = *activity;
  change.events.push_back(std::move(event));
  const int32_t version = delivered.version();
  if (!revised.has_value()) {
    // The latest version itself is rewritten: the store needs only its
    // version and etag besides (PlanStore::Change::read_latest).
    Plan read;
    read.set_version(latest.version());
    read.set_etag(latest.etag());
    change.versions.push_back(std::move(latest));
    change.read_latest = std::move(read);
    return parts_.plans->ApplyAsync(actor, partition, case_id, request.etag(),
                                    std::move(change), std::move(done));
  }
  change.versions.push_back(*std::move(revised));
  change.read_latest = std::move(latest);
  // The answer is the version whose activity changed, read once durable.
  return parts_.plans->ApplyAsync(
      actor, partition, case_id, request.etag(), std::move(change),
      [plans = parts_.plans, partition, case_id, version,
       done = std::move(done)](absl::StatusOr<Plan> written) {
        if (!written.ok()) return done(written.status());
        done(plans->Get(partition, case_id, version));
      });
}

}  // namespace homeward::planning
