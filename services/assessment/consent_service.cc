// ConsentService handlers; see consent_service.h.
#include "services/assessment/consent_service.h"

#include <string>
#include <vector>

#include "common/service/rpc_method.h"
#include "common/status/status_macros.h"
#include "services/assessment/case_scope.h"
#include "services/assessment/case_validation.h"
#include "services/assessment/consent_rules.h"

namespace homeward::assessment {

using homeward::v1::Case;
using homeward::v1::ConsentRecord;

namespace {

constexpr service::RpcMethod kRecordConsent{
    "homeward.v1.ConsentService/RecordConsent"};
constexpr service::RpcMethod kListConsents{
    "homeward.v1.ConsentService/ListConsents"};
constexpr service::RpcMethod kCheckConsent{
    "homeward.v1.ConsentService/CheckConsent"};

}  // namespace

grpc::Status ConsentServiceImpl::RecordConsent(
    grpc::ServerContext* context,
    const homeward::v1::RecordConsentRequest* request,
    ConsentRecord* response) {
  return kRecordConsent.Finish(*context, Record(*context, *request, response));
}

grpc::Status ConsentServiceImpl::ListConsents(
    grpc::ServerContext* context,
    const homeward::v1::ListConsentsRequest* request,
    homeward::v1::ListConsentsResponse* response) {
  return kListConsents.Finish(*context, List(*context, *request, response));
}

grpc::Status ConsentServiceImpl::CheckConsent(
    grpc::ServerContext* context,
    const homeward::v1::CheckConsentRequest* request,
    homeward::v1::CheckConsentResponse* response) {
  return kCheckConsent.Finish(*context, Check(*context, *request, response));
}

absl::Status ConsentServiceImpl::Record(
    const grpc::ServerContext& context,
    const homeward::v1::RecordConsentRequest& request,
    ConsentRecord* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kRecordConsent.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kUpdate));
  RETURN_IF_ERROR(ValidateRecordConsent(request, api::TodayUtc()).ToStatus());
  // A returnee may withdraw (or give) consent at any time, closed case or
  // not.
  ASSIGN_OR_RETURN(Case c,
                   CaseInScope(*cases_, actor, request.consent().case_id(),
                               "consent.case_id", CaseAction::kUpdate,
                               ClosedCase::kAllowed));
  ASSIGN_OR_RETURN(*response, consents_.Record(actor, c, request.request_id(),
                                               request.consent()));
  return absl::OkStatus();
}

absl::Status ConsentServiceImpl::List(
    const grpc::ServerContext& context,
    const homeward::v1::ListConsentsRequest& request,
    homeward::v1::ListConsentsResponse* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kListConsents.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateListConsents(request).ToStatus());
  ASSIGN_OR_RETURN(Case c, CaseInScope(*cases_, actor, request.case_id(),
                                       "case_id", CaseAction::kRead));
  ASSIGN_OR_RETURN(auto page,
                   consents_.List(c, api::EffectivePageSize(request.page()),
                                  request.page().page_token()));
  consents_.AuditRead(actor, c.case_id());
  for (ConsentRecord& r : page.items) *response->add_consents() = std::move(r);
  response->set_next_page_token(std::move(page.next_page_token));
  return absl::OkStatus();
}

absl::Status ConsentServiceImpl::Check(
    const grpc::ServerContext& context,
    const homeward::v1::CheckConsentRequest& request,
    homeward::v1::CheckConsentResponse* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kCheckConsent.ActorOf(context, *verifier_));
  // Other Homeward services ask too (see below).
  if (actor.principal.role() != homeward::v1::ROLE_SERVICE) {
    RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kRead));
  }
  RETURN_IF_ERROR(ValidateCheckConsent(request).ToStatus());
  Case c;
  if (actor.principal.role() == homeward::v1::ROLE_SERVICE) {
    // Other Homeward services ask before they share (a referral to an
    // agency), for cases of any office; they still learn when the case does
    // not exist, and CaseStore::Get still refuses partitions not owned here.
    ASSIGN_OR_RETURN(c, cases_->Get(request.case_id()));
  } else {
    ASSIGN_OR_RETURN(c, CaseInScope(*cases_, actor, request.case_id(),
                                    "case_id", CaseAction::kRead));
  }
  ASSIGN_OR_RETURN(std::vector<ConsentRecord> history, consents_.History(c));
  consents_.AuditRead(actor, c.case_id());
  *response = DecideConsent(history, request.agency_id(), request.purpose());
  // Other services need the decision, not the case manager's notes.
  if (actor.principal.role() == homeward::v1::ROLE_SERVICE) {
    response->mutable_deciding_record()->clear_notes();
  }
  return absl::OkStatus();
}

}  // namespace homeward::assessment
