// CounsellingService handlers; see counselling_service.h.
#include "services/assessment/counselling_service.h"

#include <string>

#include "absl/time/clock.h"
#include "common/service/rpc_method.h"
#include "common/status/status_macros.h"
#include "services/assessment/case_scope.h"
#include "services/assessment/case_validation.h"
#include "services/assessment/counselling_rules.h"

namespace homeward::assessment {

using homeward::v1::Case;
using homeward::v1::CounsellingSession;

namespace {

constexpr service::RpcMethod kRecordCounsellingSession{
    "homeward.v1.CounsellingService/RecordCounsellingSession"};
constexpr service::RpcMethod kListCounsellingSessions{
    "homeward.v1.CounsellingService/ListCounsellingSessions"};

}  // namespace

grpc::Status CounsellingServiceImpl::RecordCounsellingSession(
    grpc::ServerContext* context,
    const homeward::v1::RecordCounsellingSessionRequest* request,
    CounsellingSession* response) {
  return kRecordCounsellingSession.Finish(*context,
                                          Record(*context, *request, response));
}

grpc::Status CounsellingServiceImpl::ListCounsellingSessions(
    grpc::ServerContext* context,
    const homeward::v1::ListCounsellingSessionsRequest* request,
    homeward::v1::ListCounsellingSessionsResponse* response) {
  return kListCounsellingSessions.Finish(*context,
                                         List(*context, *request, response));
}

absl::Status CounsellingServiceImpl::Record(
    const grpc::ServerContext& context,
    const homeward::v1::RecordCounsellingSessionRequest& request,
    CounsellingSession* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kRecordCounsellingSession.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kUpdate));
  RETURN_IF_ERROR(
      ValidateRecordCounsellingSession(request, absl::Now()).ToStatus());
  ASSIGN_OR_RETURN(Case c,
                   CaseInScope(*cases_, actor, request.session().case_id(),
                               "session.case_id", CaseAction::kUpdate));
  ASSIGN_OR_RETURN(*response, sessions_.Record(actor, c, request.request_id(),
                                               request.session()));
  return absl::OkStatus();
}

absl::Status CounsellingServiceImpl::List(
    const grpc::ServerContext& context,
    const homeward::v1::ListCounsellingSessionsRequest& request,
    homeward::v1::ListCounsellingSessionsResponse* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kListCounsellingSessions.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateListCounsellingSessions(request).ToStatus());
  ASSIGN_OR_RETURN(Case c, CaseInScope(*cases_, actor, request.case_id(),
                                       "case_id", CaseAction::kRead));
  ASSIGN_OR_RETURN(auto page,
                   sessions_.List(c, api::EffectivePageSize(request.page()),
                                  request.page().page_token()));
  sessions_.AuditRead(actor, c.case_id());
  for (CounsellingSession& s : page.items)
    *response->add_sessions() = std::move(s);
  response->set_next_page_token(std::move(page.next_page_token));
  return absl::OkStatus();
}

}  // namespace homeward::assessment
