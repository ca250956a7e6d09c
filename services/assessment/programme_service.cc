// ProgrammeService handlers; see programme_service.h.
#include "services/assessment/programme_service.h"

#include <string>
#include <utility>

#include "common/api/paging.h"
#include "common/service/rpc_method.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/assessment/field_values.h"

namespace homeward::assessment {
namespace {

constexpr service::RpcMethod kGetTaxonomy{
    "homeward.v1.ProgrammeService/GetTaxonomy"};
constexpr service::RpcMethod kGetProgramme{
    "homeward.v1.ProgrammeService/GetProgramme"};
constexpr service::RpcMethod kListProgrammes{
    "homeward.v1.ProgrammeService/ListProgrammes"};

// The checks both Get calls share: an id, and a version that is 0 (the
// latest) or a version number.
void CheckIdAndVersion(errors::FieldViolations& bad, const std::string& field,
                       const std::string& id, int32_t version) {
  if (id.empty()) bad.Add(field, "is required");
  if (version < 0) {
    bad.Add("version", "must be 0 (the latest) or a version number");
  }
}

}  // namespace

grpc::Status ProgrammeServiceImpl::GetTaxonomy(
    grpc::ServerContext* context,
    const homeward::v1::GetTaxonomyRequest* request,
    homeward::v1::Taxonomy* response) {
  return kGetTaxonomy.Finish(*context, Taxonomy(*context, *request, response));
}

grpc::Status ProgrammeServiceImpl::GetProgramme(
    grpc::ServerContext* context,
    const homeward::v1::GetProgrammeRequest* request,
    homeward::v1::Programme* response) {
  return kGetProgramme.Finish(*context,
                              Programme(*context, *request, response));
}

grpc::Status ProgrammeServiceImpl::ListProgrammes(
    grpc::ServerContext* context,
    const homeward::v1::ListProgrammesRequest* request,
    homeward::v1::ListProgrammesResponse* response) {
  return kListProgrammes.Finish(*context, List(*context, *request, response));
}

absl::Status ProgrammeServiceImpl::Taxonomy(
    const grpc::ServerContext& context,
    const homeward::v1::GetTaxonomyRequest& request,
    homeward::v1::Taxonomy* response) const {
  RETURN_IF_ERROR(verifier_->Verify(context).status());
  errors::FieldViolations bad;
  CheckIdAndVersion(bad, "taxonomy_id", request.taxonomy_id(),
                    request.version());
  RETURN_IF_ERROR(WithFieldValueChecks(request, std::move(bad)).ToStatus());
  ASSIGN_OR_RETURN(*response,
                   taxonomies_->Get(request.taxonomy_id(), request.version()));
  return absl::OkStatus();
}

absl::Status ProgrammeServiceImpl::Programme(
    const grpc::ServerContext& context,
    const homeward::v1::GetProgrammeRequest& request,
    homeward::v1::Programme* response) const {
  RETURN_IF_ERROR(verifier_->Verify(context).status());
  errors::FieldViolations bad;
  CheckIdAndVersion(bad, "programme_id", request.programme_id(),
                    request.version());
  RETURN_IF_ERROR(WithFieldValueChecks(request, std::move(bad)).ToStatus());
  ASSIGN_OR_RETURN(*response,
                   programmes_->Get(request.programme_id(), request.version()));
  return absl::OkStatus();
}

absl::Status ProgrammeServiceImpl::List(
    const grpc::ServerContext& context,
    const homeward::v1::ListProgrammesRequest& request,
    homeward::v1::ListProgrammesResponse* response) const {
  RETURN_IF_ERROR(verifier_->Verify(context).status());
  errors::FieldViolations bad;
  api::CheckPageRequest(bad, request.page());
  RETURN_IF_ERROR(WithFieldValueChecks(request, std::move(bad)).ToStatus());
  ASSIGN_OR_RETURN(storage::Page<homeward::v1::Programme> page,
                   programmes_->List(api::EffectivePageSize(request.page()),
                                     request.page().page_token()));
  for (auto& programme : page.items) {
    *response->add_programmes() = std::move(programme);
  }
  response->set_next_page_token(std::move(page.next_page_token));
  return absl::OkStatus();
}

}  // namespace homeward::assessment
