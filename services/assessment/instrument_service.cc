// InstrumentService handlers; see instrument_service.h.
#include "services/assessment/instrument_service.h"

#include "absl/strings/str_cat.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "common/service/rpc_method.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/assessment/case_scope.h"
#include "services/assessment/case_validation.h"
#include "services/assessment/field_values.h"
#include "services/assessment/instruments/instrument_rules.h"

namespace homeward::assessment {
namespace {

constexpr service::RpcMethod kPublishInstrument{
    "homeward.v1.InstrumentService/PublishInstrument"};
constexpr service::RpcMethod kGetInstrument{
    "homeward.v1.InstrumentService/GetInstrument"};
constexpr service::RpcMethod kListInstruments{
    "homeward.v1.InstrumentService/ListInstruments"};

}  // namespace

absl::Status ValidatePublishInstrument(
    const homeward::v1::PublishInstrumentRequest& request,
    const programme::TaxonomyCatalog& taxonomies) {
  if (!request.has_instrument())
    return errors::InvalidField("instrument", "is required");
  const errors::FieldViolations found = ValidateInstrumentWith(
      request.instrument(), [&taxonomies](absl::string_view id, int32_t v) {
        return taxonomies.Get(id, v);
      });
  errors::FieldViolations prefixed;
  for (const auto& v : found.violations()) {
    prefixed.Add(absl::StrCat("instrument.", v.field), v.description);
  }
  return WithFieldValueChecks(request, std::move(prefixed)).ToStatus();
}

grpc::Status InstrumentServiceImpl::PublishInstrument(
    grpc::ServerContext* context,
    const homeward::v1::PublishInstrumentRequest* request,
    homeward::v1::InstrumentDefinition* response) {
  return kPublishInstrument.Finish(*context,
                                   Publish(*context, *request, response));
}

grpc::Status InstrumentServiceImpl::GetInstrument(
    grpc::ServerContext* context,
    const homeward::v1::GetInstrumentRequest* request,
    homeward::v1::InstrumentDefinition* response) {
  return kGetInstrument.Finish(*context, Get(*context, *request, response));
}

grpc::Status InstrumentServiceImpl::ListInstruments(
    grpc::ServerContext* context,
    const homeward::v1::ListInstrumentsRequest* request,
    homeward::v1::ListInstrumentsResponse* response) {
  return kListInstruments.Finish(*context, List(*context, *request, response));
}

absl::Status InstrumentServiceImpl::Publish(
    const grpc::ServerContext& context,
    const homeward::v1::PublishInstrumentRequest& request,
    homeward::v1::InstrumentDefinition* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kPublishInstrument.ActorOf(context, *verifier_));
  if (actor.principal.role() != homeward::v1::ROLE_ADMINISTRATOR) {
    return errors::PermissionDenied(
        "only administrators may publish instruments");
  }
  RETURN_IF_ERROR(ValidatePublishInstrument(request, *taxonomies_));
  ASSIGN_OR_RETURN(*response,
                   instruments_->Publish(actor, request.instrument()));
  return absl::OkStatus();
}

absl::Status InstrumentServiceImpl::Get(
    const grpc::ServerContext& context,
    const homeward::v1::GetInstrumentRequest& request,
    homeward::v1::InstrumentDefinition* response) {
  RETURN_IF_ERROR(verifier_->Verify(context).status());
  errors::FieldViolations bad;
  if (request.instrument_id().empty()) bad.Add("instrument_id", "is required");
  if (request.version() < 0)
    bad.Add("version", "must be 0 (the latest) or a version number");
  RETURN_IF_ERROR(WithFieldValueChecks(request, std::move(bad)).ToStatus());
  ASSIGN_OR_RETURN(
      *response, instruments_->Get(request.instrument_id(), request.version()));
  return absl::OkStatus();
}

absl::Status InstrumentServiceImpl::List(
    const grpc::ServerContext& context,
    const homeward::v1::ListInstrumentsRequest& request,
    homeward::v1::ListInstrumentsResponse* response) {
  RETURN_IF_ERROR(verifier_->Verify(context).status());
  errors::FieldViolations bad;
  api::CheckPageRequest(bad, request.page());
  RETURN_IF_ERROR(WithFieldValueChecks(request, std::move(bad)).ToStatus());
  ASSIGN_OR_RETURN(
      storage::Page<homeward::v1::InstrumentDefinition> page,
      instruments_->List(request.kind(), api::EffectivePageSize(request.page()),
                         request.page().page_token()));
  for (auto& definition : page.items)
    *response->add_instruments() = std::move(definition);
  response->set_next_page_token(std::move(page.next_page_token));
  return absl::OkStatus();
}

}  // namespace homeward::assessment
