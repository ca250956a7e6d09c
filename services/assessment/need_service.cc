// NeedService handlers; see need_service.h.
#include "services/assessment/need_service.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/etags.h"
#include "common/api/paging.h"
#include "common/auth/crypto.h"
#include "common/programme/taxonomy.h"
#include "common/service/rpc_method.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/assessment/case_scope.h"
#include "services/assessment/need_rules.h"

namespace homeward::assessment {
namespace {

using homeward::v1::Need;
using homeward::v1::ProtectionConcern;

constexpr service::RpcMethod kAddNeed{"homeward.v1.NeedService/AddNeed"};
constexpr service::RpcMethod kGetNeed{"homeward.v1.NeedService/GetNeed"};
constexpr service::RpcMethod kListNeeds{"homeward.v1.NeedService/ListNeeds"};
constexpr service::RpcMethod kSetNeedStatus{
    "homeward.v1.NeedService/SetNeedStatus"};
constexpr service::RpcMethod kAddProtectionConcern{
    "homeward.v1.NeedService/AddProtectionConcern"};
constexpr service::RpcMethod kGetProtectionConcern{
    "homeward.v1.NeedService/GetProtectionConcern"};
constexpr service::RpcMethod kListProtectionConcerns{
    "homeward.v1.NeedService/ListProtectionConcerns"};
constexpr service::RpcMethod kSetProtectionConcernStatus{
    "homeward.v1.NeedService/SetProtectionConcernStatus"};

std::vector<homeward::v1::NeedStatus> StatusesOf(
    const google::protobuf::RepeatedField<int>& statuses) {
  std::vector<homeward::v1::NeedStatus> out;
  for (int s : statuses)
    out.push_back(static_cast<homeward::v1::NeedStatus>(s));
  return out;
}

std::string RequestIdOf(const std::string& given) {
  return given.empty() ? crypto::RandomHex(16) : given;
}

}  // namespace

grpc::Status NeedServiceImpl::AddNeed(
    grpc::ServerContext* context, const homeward::v1::AddNeedRequest* request,
    Need* response) {
  return kAddNeed.Finish(*context, Add(*context, *request, response));
}
grpc::Status NeedServiceImpl::GetNeed(
    grpc::ServerContext* context, const homeward::v1::GetNeedRequest* request,
    Need* response) {
  return kGetNeed.Finish(*context, Get(*context, *request, response));
}
grpc::Status NeedServiceImpl::ListNeeds(
    grpc::ServerContext* context, const homeward::v1::ListNeedsRequest* request,
    homeward::v1::ListNeedsResponse* response) {
  return kListNeeds.Finish(*context, List(*context, *request, response));
}
grpc::Status NeedServiceImpl::SetNeedStatus(
    grpc::ServerContext* context,
    const homeward::v1::SetNeedStatusRequest* request, Need* response) {
  return kSetNeedStatus.Finish(*context,
                               SetStatus(*context, *request, response));
}
grpc::Status NeedServiceImpl::AddProtectionConcern(
    grpc::ServerContext* context,
    const homeward::v1::AddProtectionConcernRequest* request,
    ProtectionConcern* response) {
  return kAddProtectionConcern.Finish(*context,
                                      AddConcern(*context, *request, response));
}
grpc::Status NeedServiceImpl::GetProtectionConcern(
    grpc::ServerContext* context,
    const homeward::v1::GetProtectionConcernRequest* request,
    ProtectionConcern* response) {
  return kGetProtectionConcern.Finish(*context,
                                      GetConcern(*context, *request, response));
}
grpc::Status NeedServiceImpl::ListProtectionConcerns(
    grpc::ServerContext* context,
    const homeward::v1::ListProtectionConcernsRequest* request,
    homeward::v1::ListProtectionConcernsResponse* response) {
  return kListProtectionConcerns.Finish(
      *context, ListConcerns(*context, *request, response));
}
grpc::Status NeedServiceImpl::SetProtectionConcernStatus(
    grpc::ServerContext* context,
    const homeward::v1::SetProtectionConcernStatusRequest* request,
    ProtectionConcern* response) {
  return kSetProtectionConcernStatus.Finish(
      *context, SetConcernStatus(*context, *request, response));
}

absl::Status NeedServiceImpl::CheckTaxonomy(
    errors::FieldViolations bad, homeward::v1::Dimension dimension,
    absl::string_view component, absl::string_view field,
    absl::string_view category_field) const {
  RETURN_IF_ERROR(bad.ToStatus());
  ASSIGN_OR_RETURN(homeward::v1::Taxonomy taxonomy,
                   taxonomies_->GetLatest(kNeedTaxonomyId));
  programme::CheckComponent(taxonomy, dimension, component, field, bad,
                            category_field);
  return bad.ToStatus();
}

absl::Status NeedServiceImpl::Add(const grpc::ServerContext& context,
                                  const homeward::v1::AddNeedRequest& request,
                                  Need* response) {
  ASSIGN_OR_RETURN(service::Actor actor, kAddNeed.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kUpdate));
  RETURN_IF_ERROR(CheckTaxonomy(ValidateAddNeed(request),
                                request.need().dimension(),
                                request.need().category(), "need", "category"));
  ASSIGN_OR_RETURN(homeward::v1::Case c,
                   CaseInScope(*cases_, actor, request.case_id(), "case_id",
                               CaseAction::kUpdate));
  ASSIGN_OR_RETURN(*response, needs_->AddNeed(actor, c.partition(), c.case_id(),
                                              RequestIdOf(request.request_id()),
                                              request.need()));
  return absl::OkStatus();
}

absl::Status NeedServiceImpl::Get(const grpc::ServerContext& context,
                                  const homeward::v1::GetNeedRequest& request,
                                  Need* response) {
  ASSIGN_OR_RETURN(service::Actor actor, kGetNeed.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateGetNeed(request).ToStatus());
  ASSIGN_OR_RETURN(homeward::v1::Case c,
                   CaseInScope(*cases_, actor, request.case_id(), "case_id",
                               CaseAction::kRead));
  ASSIGN_OR_RETURN(*response, needs_->GetNeed(c.partition(), c.case_id(),
                                              request.need_id()));
  cases_->AuditRead(actor, c.case_id());
  return absl::OkStatus();
}

absl::Status ListCaseNeeds(const service::Actor& actor, CaseStore& cases,
                           const NeedStore& needs,
                           const homeward::v1::ListNeedsRequest& request,
                           homeward::v1::ListNeedsResponse* response) {
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateNeedList(request).ToStatus());
  ASSIGN_OR_RETURN(homeward::v1::Case c,
                   CaseInScope(cases, actor, request.case_id(), "case_id",
                               CaseAction::kRead));
  ASSIGN_OR_RETURN(
      storage::Page<Need> page,
      needs.ListNeeds(c.partition(), c.case_id(), request.dimension(),
                      StatusesOf(request.statuses()),
                      api::EffectivePageSize(request.page()),
                      request.page().page_token()));
  for (auto& n : page.items) *response->add_needs() = std::move(n);
  response->set_next_page_token(std::move(page.next_page_token));
  cases.AuditRead(actor, c.case_id());
  return absl::OkStatus();
}

absl::Status NeedServiceImpl::List(
    const grpc::ServerContext& context,
    const homeward::v1::ListNeedsRequest& request,
    homeward::v1::ListNeedsResponse* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kListNeeds.ActorOf(context, *verifier_));
  return ListCaseNeeds(actor, *cases_, *needs_, request, response);
}

absl::Status NeedServiceImpl::SetStatus(
    const grpc::ServerContext& context,
    const homeward::v1::SetNeedStatusRequest& request, Need* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kSetNeedStatus.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kUpdate));
  RETURN_IF_ERROR(ValidateSetNeedStatus(request).ToStatus());
  ASSIGN_OR_RETURN(uint64_t version, api::ParseEtag(request.etag(), "etag"));
  ASSIGN_OR_RETURN(homeward::v1::Case c,
                   CaseInScope(*cases_, actor, request.case_id(), "case_id",
                               CaseAction::kUpdate));
  ASSIGN_OR_RETURN(*response,
                   needs_->SetNeedStatus(actor, c.partition(), c.case_id(),
                                         request.need_id(), version,
                                         request.status(), request.reason()));
  return absl::OkStatus();
}

absl::Status NeedServiceImpl::AddConcern(
    const grpc::ServerContext& context,
    const homeward::v1::AddProtectionConcernRequest& request,
    ProtectionConcern* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kAddProtectionConcern.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kUpdate));
  RETURN_IF_ERROR(CheckTaxonomy(ValidateAddProtectionConcern(request),
                                homeward::v1::DIMENSION_UNSPECIFIED,
                                request.concern().response_category(),
                                "concern", "response_category"));
  ASSIGN_OR_RETURN(homeward::v1::Case c,
                   CaseInScope(*cases_, actor, request.case_id(), "case_id",
                               CaseAction::kUpdate));
  ASSIGN_OR_RETURN(
      *response,
      needs_->AddConcern(actor, c.partition(), c.case_id(),
                         RequestIdOf(request.request_id()), request.concern()));
  return absl::OkStatus();
}

absl::Status NeedServiceImpl::GetConcern(
    const grpc::ServerContext& context,
    const homeward::v1::GetProtectionConcernRequest& request,
    ProtectionConcern* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kGetProtectionConcern.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateGetProtectionConcern(request).ToStatus());
  ASSIGN_OR_RETURN(homeward::v1::Case c,
                   CaseInScope(*cases_, actor, request.case_id(), "case_id",
                               CaseAction::kRead));
  ASSIGN_OR_RETURN(*response, needs_->GetConcern(c.partition(), c.case_id(),
                                                 request.concern_id()));
  cases_->AuditRead(actor, c.case_id());
  return absl::OkStatus();
}

absl::Status NeedServiceImpl::ListConcerns(
    const grpc::ServerContext& context,
    const homeward::v1::ListProtectionConcernsRequest& request,
    homeward::v1::ListProtectionConcernsResponse* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kListProtectionConcerns.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kRead));
  RETURN_IF_ERROR(ValidateListProtectionConcerns(request).ToStatus());
  ASSIGN_OR_RETURN(homeward::v1::Case c,
                   CaseInScope(*cases_, actor, request.case_id(), "case_id",
                               CaseAction::kRead));
  ASSIGN_OR_RETURN(storage::Page<ProtectionConcern> page,
                   needs_->ListConcerns(c.partition(), c.case_id(),
                                        StatusesOf(request.statuses()),
                                        api::EffectivePageSize(request.page()),
                                        request.page().page_token()));
  for (auto& pc : page.items) *response->add_concerns() = std::move(pc);
  response->set_next_page_token(std::move(page.next_page_token));
  cases_->AuditRead(actor, c.case_id());
  return absl::OkStatus();
}

absl::Status NeedServiceImpl::SetConcernStatus(
    const grpc::ServerContext& context,
    const homeward::v1::SetProtectionConcernStatusRequest& request,
    ProtectionConcern* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kSetProtectionConcernStatus.ActorOf(context, *verifier_));
  RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kUpdate));
  RETURN_IF_ERROR(ValidateSetProtectionConcernStatus(request).ToStatus());
  ASSIGN_OR_RETURN(uint64_t version, api::ParseEtag(request.etag(), "etag"));
  ASSIGN_OR_RETURN(homeward::v1::Case c,
                   CaseInScope(*cases_, actor, request.case_id(), "case_id",
                               CaseAction::kUpdate));
  ASSIGN_OR_RETURN(
      *response, needs_->SetConcernStatus(actor, c.partition(), c.case_id(),
                                          request.concern_id(), version,
                                          request.status(), request.reason()));
  return absl::OkStatus();
}

}  // namespace homeward::assessment
