// The catalogs of programme data every service keeps a copy of: the taxonomy
// of reintegration support and the programmes (homeward/v1/taxonomy.proto),
// and, for the services that plan, the feasibility grids
// (homeward/v1/planning.proto).
// Published from files under deploy/ at start, versioned and immutable once
// published, like instruments; each service loads the same files into its
// own store, so no service reads another's.
//
//   programme::ProgrammeCatalog programmes(store, programme::kProgrammeSchema);
//   ASSIGN_OR_RETURN(homeward::v1::Programme p,
//                    programmes.GetLatest("sn_reintegration"));
#ifndef HOMEWARD_COMMON_PROGRAMME_PROGRAMME_CATALOGS_H_
#define HOMEWARD_COMMON_PROGRAMME_PROGRAMME_CATALOGS_H_

#include "common/catalog/versioned_catalog.h"
#include "homeward/v1/planning.pb.h"
#include "homeward/v1/taxonomy.pb.h"

namespace homeward::programme {

inline const catalog::CatalogSchema kTaxonomySchema = {
    .kind = "taxonomy", .noun = "taxonomy", .id_field = "taxonomy_id"};
inline const catalog::CatalogSchema kProgrammeSchema = {
    .kind = "programme", .noun = "programme", .id_field = "programme_id"};
inline const catalog::CatalogSchema kFeasibilityGridSchema = {
    .kind = "feasibility_grid",
    .noun = "feasibility grid",
    .id_field = "grid_id"};

using TaxonomyCatalog = catalog::VersionedCatalog<homeward::v1::Taxonomy>;
using ProgrammeCatalog = catalog::VersionedCatalog<homeward::v1::Programme>;
using FeasibilityGridCatalog =
    catalog::VersionedCatalog<homeward::v1::FeasibilityGrid>;

}  // namespace homeward::programme

#endif  // HOMEWARD_COMMON_PROGRAMME_PROGRAMME_CATALOGS_H_
