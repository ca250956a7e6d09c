// FeasibilityGridService handlers; see feasibility_grid_service.h.
#include "services/planning/feasibility_grid_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/programme/feasibility_grid_rules.h"
#include "common/service/actor.h"
#include "common/service/rpc_method.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace homeward::planning {
namespace {

constexpr service::RpcMethod kPublishFeasibilityGrid{
    "homeward.v1.FeasibilityGridService/PublishFeasibilityGrid"};

}  // namespace

absl::Status ValidatePublishFeasibilityGrid(
    const homeward::v1::PublishFeasibilityGridRequest& request,
    const programme::TaxonomyCatalog& taxonomies) {
  if (!request.has_grid()) return errors::InvalidField("grid", "is required");
  const homeward::v1::FeasibilityGrid& grid = request.grid();
  // The taxonomy version the grid names, as the file loader reads it: a
  // version that is not published is a violation ValidateFeasibilityGrid
  // reports on taxonomy_version.
  absl::StatusOr<homeward::v1::Taxonomy> taxonomy =
      absl::NotFoundError("no taxonomy named");
  if (!grid.taxonomy_id().empty() && grid.taxonomy_version() >= 1) {
    taxonomy = taxonomies.Get(grid.taxonomy_id(), grid.taxonomy_version());
  }
  if (!taxonomy.ok() && !absl::IsNotFound(taxonomy.status())) {
    return taxonomy.status();  // the store failed: not the caller's fault
  }
  const errors::FieldViolations found = programme::ValidateFeasibilityGrid(
      grid, taxonomy.ok() ? &*taxonomy : nullptr);
  errors::FieldViolations prefixed;
  for (const auto& v : found.violations()) {
    prefixed.Add(absl::StrCat("grid.", v.field), v.description);
  }
  return prefixed.ToStatus();
}

grpc::Status FeasibilityGridServiceImpl::PublishFeasibilityGrid(
    grpc::ServerContext* context,
    const homeward::v1::PublishFeasibilityGridRequest* request,
    homeward::v1::FeasibilityGrid* response) {
  return kPublishFeasibilityGrid.Finish(*context,
                                        Publish(*context, *request, response));
}

absl::Status FeasibilityGridServiceImpl::Publish(
    const grpc::ServerContext& context,
    const homeward::v1::PublishFeasibilityGridRequest& request,
    homeward::v1::FeasibilityGrid* response) {
  ASSIGN_OR_RETURN(service::Actor actor,
                   kPublishFeasibilityGrid.ActorOf(context, *verifier_));
  if (actor.principal.role() != homeward::v1::ROLE_ADMINISTRATOR) {
    return errors::PermissionDenied(
        "only administrators may publish feasibility grids");
  }
  RETURN_IF_ERROR(ValidatePublishFeasibilityGrid(request, *taxonomies_));
  ASSIGN_OR_RETURN(*response, grids_->Publish(actor, request.grid()));
  return absl::OkStatus();
}

}  // namespace homeward::planning
