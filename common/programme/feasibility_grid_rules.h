// Validation of a feasibility grid (homeward/v1/planning.proto,
// FeasibilityGrid) before it is published: the file loader
// (PublishFeasibilityGridDir) and any later publish call use this one pure
// function, so a grid that loads from deploy/feasibility/ is exactly one that
// can be published and checked against.
//
//   ASSIGN_OR_RETURN(homeward::v1::Taxonomy taxonomy,
//                    taxonomies.Get(grid.taxonomy_id(),
//                                   grid.taxonomy_version()));
//   errors::FieldViolations bad =
//       programme::ValidateFeasibilityGrid(grid, &taxonomy);
//   RETURN_IF_ERROR(bad.ToStatus());
//
// The rules are listed in docs/PLANNING.md, "Feasibility grids".
#ifndef HOMEWARD_COMMON_PROGRAMME_FEASIBILITY_GRID_RULES_H_
#define HOMEWARD_COMMON_PROGRAMME_FEASIBILITY_GRID_RULES_H_

#include "common/status/errors.h"
#include "homeward/v1/planning.pb.h"
#include "homeward/v1/taxonomy.pb.h"

namespace homeward::programme {

// Every problem with `grid`, each its own violation naming its path
// ("rows[2].criteria[0].level") and what is allowed. Empty when it can be
// published. `taxonomy` is the published taxonomy version the grid names
// (taxonomy_id, taxonomy_version): every useful_for entry must be one of its
// components. nullptr means that version is not published, which is itself a
// violation on taxonomy_version (the components are then not checked).
// Output-only fields (publish_time, content_sha256) are ignored.
errors::FieldViolations ValidateFeasibilityGrid(
    const homeward::v1::FeasibilityGrid& grid,
    const homeward::v1::Taxonomy* taxonomy);

}  // namespace homeward::programme

#endif  // HOMEWARD_COMMON_PROGRAMME_FEASIBILITY_GRID_RULES_H_
