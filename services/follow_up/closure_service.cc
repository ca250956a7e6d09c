// The CaseClosureService handlers; see closure_service.h.
#include "services/follow_up/closure_service.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/api/field_checks.h"
#include "common/cases/case_access.h"
#include "common/service/reactors.h"
#include "common/service/rpc_method.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "services/follow_up/closure_store.h"
#include "services/follow_up/contact_store.h"
#include "services/follow_up/follow_up_cases.h"
#include "services/follow_up/plan_view.h"
#include "services/follow_up/referral_view.h"

namespace homeward::follow_up {
namespace {

using cases::CaseAction;
using homeward::v1::Closure;

constexpr service::RpcMethod kGetClosureChecks{
    "homeward.v1.CaseClosureService/GetClosureChecks"};
constexpr service::RpcMethod kCloseCase{
    "homeward.v1.CaseClosureService/CloseCase"};
constexpr service::RpcMethod kApproveClosure{
    "homeward.v1.CaseClosureService/ApproveClosure"};
constexpr service::RpcMethod kDeclineClosure{
    "homeward.v1.CaseClosureService/DeclineClosure"};
constexpr service::RpcMethod kReopenCase{
    "homeward.v1.CaseClosureService/ReopenCase"};
constexpr service::RpcMethod kGetClosure{
    "homeward.v1.CaseClosureService/GetClosure"};

// Why the contacts still scheduled are cancelled when a case closes.
constexpr char kCancelReason[] = "case closed";

// Finishes the call with what `read` says, run as the caller.
template <typename Read>
grpc::ServerUnaryReactor* Serve(const auth::PrincipalVerifier& verifier,
                                const service::RpcMethod& method,
                                grpc::CallbackServerContext* context,
                                Read read) {
  absl::StatusOr<service::Actor> actor = method.ActorOf(*context, verifier);
  return service::FinishNow(context, method,
                            actor.ok() ? read(*actor) : actor.status());
}

// Starts `write` as the caller; the call finishes when it is durable.
template <typename Write>
grpc::ServerUnaryReactor* ServeWrite(const auth::PrincipalVerifier& verifier,
                                     const service::RpcMethod& method,
                                     grpc::CallbackServerContext* context,
                                     Closure* response, Write write) {
  return service::FinishAfterWrite<Closure>(
      context, method, response,
      [&](service::WriteDone<Closure> done) -> absl::Status {
        ASSIGN_OR_RETURN(service::Actor actor,
                         method.ActorOf(*context, verifier));
        return write(actor, std::move(done));
      });
}

absl::Status OnlySupervisors() {
  return errors::PermissionDenied(
      "only a supervisor (ROLE_SUPERVISOR) approves or declines a closure");
}

// The RSS assessments of the returnee the assessment feed announced.
std::vector<std::string> RssIdsOf(const FollowUpCase& c) {
  std::vector<std::string> ids;
  for (const homeward::v1::RssPoint& p : c.record.rss_points()) {
    ids.push_back(p.assessment_id());
  }
  return ids;
}

bool HasClosureRss(const FollowUpCase& c) {
  for (const homeward::v1::RssPoint& p : c.record.rss_points()) {
    if (p.occasion() == homeward::v1::ASSESSMENT_OCCASION_CLOSURE) return true;
  }
  return false;
}

}  // namespace

// ------------------------------------------------------------------ edges

grpc::ServerUnaryReactor* CaseClosureServiceImpl::GetClosureChecks(
    grpc::CallbackServerContext* context,
    const homeward::v1::GetClosureChecksRequest* request,
    homeward::v1::ClosureChecks* response) {
  return Serve(*parts_.verifier, kGetClosureChecks, context,
               [&](auto& a) { return Checks(a, *request, response); });
}
grpc::ServerUnaryReactor* CaseClosureServiceImpl::CloseCase(
    grpc::CallbackServerContext* context,
    const homeward::v1::CloseCaseRequest* request, Closure* response) {
  return ServeWrite(
      *parts_.verifier, kCloseCase, context, response,
      [&](auto& a, auto done) { return Close(a, *request, std::move(done)); });
}
grpc::ServerUnaryReactor* CaseClosureServiceImpl::ApproveClosure(
    grpc::CallbackServerContext* context,
    const homeward::v1::ClosureStepRequest* request, Closure* response) {
  return ServeWrite(*parts_.verifier, kApproveClosure, context, response,
                    [&](auto& a, auto done) {
                      return Step(a, *request,
                                  homeward::v1::CLOSURE_STATUS_CLOSED,
                                  std::move(done));
                    });
}
grpc::ServerUnaryReactor* CaseClosureServiceImpl::DeclineClosure(
    grpc::CallbackServerContext* context,
    const homeward::v1::ClosureStepRequest* request, Closure* response) {
  return ServeWrite(*parts_.verifier, kDeclineClosure, context, response,
                    [&](auto& a, auto done) {
                      return Step(a, *request,
                                  homeward::v1::CLOSURE_STATUS_DECLINED,
                                  std::move(done));
                    });
}
grpc::ServerUnaryReactor* CaseClosureServiceImpl::ReopenCase(
    grpc::CallbackServerContext* context,
    const homeward::v1::ReopenCaseRequest* request, Closure* response) {
  return ServeWrite(
      *parts_.verifier, kReopenCase, context, response,
      [&](auto& a, auto done) { return Reopen(a, *request, std::move(done)); });
}
grpc::ServerUnaryReactor* CaseClosureServiceImpl::GetClosure(
    grpc::CallbackServerContext* context,
    const homeward::v1::GetClosureRequest* request, Closure* response) {
  return Serve(*parts_.verifier, kGetClosure, context,
               [&](auto& a) { return Get(a, *request, response); });
}

// --------------------------------------------------------------- handlers

absl::StatusOr<ClosureFacts> CaseClosureServiceImpl::FactsOf(
    const FollowUpCase& c, bool final_rss) const {
  const uint32_t partition = c.scope.partition();
  const std::string& case_id = c.scope.case_id();
  ClosureFacts facts;
  facts.case_id = case_id;
  ASSIGN_OR_RETURN(facts.delivered_plan,
                   parts_.plans->Delivered(partition, case_id));
  ASSIGN_OR_RETURN(facts.referrals,
                   parts_.referrals->ForCase(partition, case_id));
  facts.concerns = c.concerns;
  facts.final_rss = final_rss;
  return facts;
}

absl::StatusOr<bool> CaseClosureServiceImpl::ApprovalRequired(
    const FollowUpCase& c) const {
  if (c.record.programme_id().empty()) return true;
  absl::StatusOr<homeward::v1::Programme> programme =
      parts_.programmes->GetLatest(c.record.programme_id());
  if (absl::IsNotFound(programme.status())) return true;
  RETURN_IF_ERROR(programme.status());
  return programme->closure_requires_approval();
}

absl::Status CaseClosureServiceImpl::Checks(
    const service::Actor& actor,
    const homeward::v1::GetClosureChecksRequest& request,
    homeward::v1::ClosureChecks* response) const {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kRead));
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   parts_.cases->Authorize(actor.principal, request.case_id(),
                                           "case_id", CaseAction::kRead));
  ASSIGN_OR_RETURN(FollowUpCase c,
                   parts_.cases->Get(scope.partition(), request.case_id()));
  ASSIGN_OR_RETURN(ClosureFacts facts, FactsOf(c, HasClosureRss(c)));
  ASSIGN_OR_RETURN(bool approval, ApprovalRequired(c));
  response->set_case_id(request.case_id());
  for (homeward::v1::ClosureCheck& check : ClosureChecksOf(facts)) {
    *response->add_checks() = std::move(check);
  }
  response->set_approval_required(approval);
  parts_.closures->AuditRead(actor, request.case_id());
  return absl::OkStatus();
}

absl::Status CaseClosureServiceImpl::Close(
    const service::Actor& actor, const homeward::v1::CloseCaseRequest& request,
    Done done) const {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kUpdate));
  const Closure& asked = request.closure();
  ASSIGN_OR_RETURN(
      cases::CaseScope scope,
      parts_.cases->Authorize(actor.principal, asked.case_id(),
                              "closure.case_id", CaseAction::kUpdate));
  const uint32_t partition = scope.partition();
  ASSIGN_OR_RETURN(FollowUpCase c,
                   parts_.cases->Get(partition, asked.case_id()));
  RETURN_IF_ERROR(
      ValidateCloseCase(request, RssIdsOf(c), api::TodayUtc()).ToStatus());
  // A retry answers what the first call made, whatever happened since.
  ASSIGN_OR_RETURN(std::optional<Closure> earlier,
                   parts_.closures->ForCloseRequest(partition, asked.case_id(),
                                                    request.request_id()));
  if (earlier.has_value()) {
    done(*std::move(earlier));
    return absl::OkStatus();
  }
  std::optional<Closure> latest;
  absl::StatusOr<Closure> read =
      parts_.closures->Latest(partition, asked.case_id());
  if (read.ok()) {
    latest = *std::move(read);
  } else if (!absl::IsNotFound(read.status())) {
    return read.status();
  }
  RETURN_IF_ERROR(CheckNewClosure(latest));

  ASSIGN_OR_RETURN(ClosureFacts facts,
                   FactsOf(c, !asked.final_rss_assessment_id().empty()));
  std::vector<homeward::v1::ClosureCheck> checks = ClosureChecksOf(facts);
  if (!checks.empty() && !request.acknowledge_checks()) {
    return ClosureChecksNotAcknowledged(asked.case_id(), checks);
  }
  ClosureOpening opening;
  ASSIGN_OR_RETURN(opening.approval_required, ApprovalRequired(c));
  opening.role = actor.principal.role();
  opening.user_id = actor.principal.user_id();
  opening.office_id = scope.office_id();
  opening.checks = std::move(checks);
  opening.time = storage::NowTimestamp();
  ASSIGN_OR_RETURN(
      ClosureStore::Prepared prepared,
      parts_.closures->PrepareCreate(actor, partition, request.request_id(),
                                     OpenClosure(asked, opening)));
  if (prepared.closure.status() == homeward::v1::CLOSURE_STATUS_CLOSED) {
    RETURN_IF_ERROR(parts_.contacts->CancelScheduled(
        partition, asked.case_id(), kCancelReason, prepared.set));
  }
  parts_.closures->CommitAsync(std::move(prepared), std::move(done));
  return absl::OkStatus();
}

absl::Status CaseClosureServiceImpl::Step(
    const service::Actor& actor,
    const homeward::v1::ClosureStepRequest& request,
    homeward::v1::ClosureStatus to, Done done) const {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kUpdate));
  if (actor.principal.role() != homeward::v1::ROLE_SUPERVISOR) {
    return OnlySupervisors();
  }
  RETURN_IF_ERROR(
      ValidateClosureStep(request, to == homeward::v1::CLOSURE_STATUS_DECLINED)
          .ToStatus());
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   parts_.cases->Authorize(actor.principal, request.case_id(),
                                           "case_id", CaseAction::kUpdate));
  const uint32_t partition = scope.partition();
  ASSIGN_OR_RETURN(
      Closure current,
      parts_.closures->Get(partition, request.case_id(), request.closure_id()));
  ClosureMove move;
  move.to = to;
  move.role = actor.principal.role();
  move.user_id = actor.principal.user_id();
  move.reason = request.reason();
  move.time = storage::NowTimestamp();
  ASSIGN_OR_RETURN(Closure next, MoveClosure(current, move));
  ASSIGN_OR_RETURN(
      ClosureStore::Prepared prepared,
      parts_.closures->PrepareStep(actor, partition, current, std::move(next),
                                   request.etag()));
  if (to == homeward::v1::CLOSURE_STATUS_CLOSED) {
    RETURN_IF_ERROR(parts_.contacts->CancelScheduled(
        partition, request.case_id(), kCancelReason, prepared.set));
  }
  parts_.closures->CommitAsync(std::move(prepared), std::move(done));
  return absl::OkStatus();
}

absl::Status CaseClosureServiceImpl::Reopen(
    const service::Actor& actor, const homeward::v1::ReopenCaseRequest& request,
    Done done) const {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kUpdate));
  RETURN_IF_ERROR(ValidateReopenCase(request).ToStatus());
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   parts_.cases->Authorize(actor.principal, request.case_id(),
                                           "case_id", CaseAction::kUpdate));
  const uint32_t partition = scope.partition();
  ASSIGN_OR_RETURN(std::optional<Closure> earlier,
                   parts_.closures->ForReopenRequest(
                       partition, request.case_id(), request.closure_id(),
                       request.request_id()));
  if (earlier.has_value()) {
    done(*std::move(earlier));
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(FollowUpCase c,
                   parts_.cases->Get(partition, request.case_id()));
  RETURN_IF_ERROR(CheckNotAnonymised(c));
  ASSIGN_OR_RETURN(
      Closure current,
      parts_.closures->Get(partition, request.case_id(), request.closure_id()));
  ClosureMove move;
  move.to = homeward::v1::CLOSURE_STATUS_REOPENED;
  move.role = actor.principal.role();
  move.user_id = actor.principal.user_id();
  move.reason = request.reason();
  move.time = storage::NowTimestamp();
  ASSIGN_OR_RETURN(Closure next, MoveClosure(current, move));
  ASSIGN_OR_RETURN(
      ClosureStore::Prepared prepared,
      parts_.closures->PrepareStep(actor, partition, current, std::move(next),
                                   request.etag(), request.request_id()));
  RETURN_IF_ERROR(parts_.contacts->ScheduleFrom(c, api::ToDate(api::TodayUtc()),
                                                prepared.set));
  // The case as read above: an anonymisation applied meanwhile fails the
  // write, and the retry is refused by the check above.
  prepared.set.ExpectVersion(partition, kFollowUpCaseKind, request.case_id(),
                             c.record_version);
  parts_.closures->CommitAsync(std::move(prepared), std::move(done));
  return absl::OkStatus();
}

absl::Status CaseClosureServiceImpl::Get(
    const service::Actor& actor, const homeward::v1::GetClosureRequest& request,
    Closure* response) const {
  RETURN_IF_ERROR(cases::CheckCaseRole(actor.principal, CaseAction::kRead));
  ASSIGN_OR_RETURN(cases::CaseScope scope,
                   parts_.cases->Authorize(actor.principal, request.case_id(),
                                           "case_id", CaseAction::kRead));
  if (request.closure_id().empty()) {
    ASSIGN_OR_RETURN(*response, parts_.closures->Latest(scope.partition(),
                                                        request.case_id()));
  } else {
    ASSIGN_OR_RETURN(*response,
                     parts_.closures->Get(scope.partition(), request.case_id(),
                                          request.closure_id()));
  }
  parts_.closures->AuditRead(actor, request.case_id());
  return absl::OkStatus();
}

}  // namespace homeward::follow_up
