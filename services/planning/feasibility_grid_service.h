// FeasibilityGridService handlers: administrators publish feasibility grids
// while the deployment runs (the files of deploy/feasibility/ are published
// at start by PublishProgrammeData). A grid is checked exactly like a file
// (ValidateFeasibilityGrid against the taxonomy version it names) and goes
// into the same versioned catalog, so the catalog's immutability rule holds:
// the same content again is answered with the stored grid, other content
// under a published (grid_id, version) is ALREADY_EXISTS.
//
//   parts.AddService<homeward::v1::FeasibilityGridService>(
//       std::make_unique<FeasibilityGridServiceImpl>(grids, taxonomies,
//                                                    parts.verifier()));
#ifndef HOMEWARD_SERVICES_PLANNING_FEASIBILITY_GRID_SERVICE_H_
#define HOMEWARD_SERVICES_PLANNING_FEASIBILITY_GRID_SERVICE_H_

#include "absl/status/status.h"
#include "common/auth/principal_token.h"
#include "common/programme/programme_catalogs.h"
#include "homeward/v1/planning.grpc.pb.h"

namespace homeward::planning {

// Every problem with a publish request: the grid is required, and must pass
// ValidateFeasibilityGrid against `taxonomies` (violations under "grid.").
// INVALID_ARGUMENT with one violation per bad field.
absl::Status ValidatePublishFeasibilityGrid(
    const homeward::v1::PublishFeasibilityGridRequest& request,
    const programme::TaxonomyCatalog& taxonomies);

class FeasibilityGridServiceImpl final
    : public homeward::v1::FeasibilityGridService::Service {
 public:
  // None owned; all outlive the service.
  FeasibilityGridServiceImpl(programme::FeasibilityGridCatalog* grids,
                             const programme::TaxonomyCatalog* taxonomies,
                             const auth::PrincipalVerifier* verifier)
      : grids_(grids), taxonomies_(taxonomies), verifier_(verifier) {}

  grpc::Status PublishFeasibilityGrid(
      grpc::ServerContext* context,
      const homeward::v1::PublishFeasibilityGridRequest* request,
      homeward::v1::FeasibilityGrid* response) override;

 private:
  absl::Status Publish(
      const grpc::ServerContext& context,
      const homeward::v1::PublishFeasibilityGridRequest& request,
      homeward::v1::FeasibilityGrid* response);

  programme::FeasibilityGridCatalog* grids_;
  const programme::TaxonomyCatalog* taxonomies_;
  const auth::PrincipalVerifier* verifier_;
};

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_FEASIBILITY_GRID_SERVICE_H_
