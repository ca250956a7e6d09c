// Publishes programme data from files at start: the taxonomy files and the
// programme files an operator ships (the defaults live in deploy/taxonomy/
// and deploy/programmes/). Each service that needs programme data loads the
// same files into its own store. A file that would change a published
// version stops the start, as for instruments.
//
//   ASSIGN_OR_RETURN(service::Actor loader, ...);
//   RETURN_IF_ERROR(programme::PublishTaxonomyDir("deploy/taxonomy",
//                                                 taxonomies, loader));
//   RETURN_IF_ERROR(programme::PublishProgrammeDir(
//       "deploy/programmes", taxonomies, programmes, loader));
//   // A service that plans also loads the feasibility grids:
//   RETURN_IF_ERROR(programme::PublishFeasibilityGridDir(
//       "deploy/feasibility", taxonomies, grids, loader));
//   // Or all of a service's programme data at once:
//   RETURN_IF_ERROR(programme::PublishProgrammeData(
//       {.taxonomy_dir = ..., .programmes_dir = ..., .taxonomies = &t,
//        .programmes = &p}));
#ifndef HOMEWARD_COMMON_PROGRAMME_PROGRAMME_FILES_H_
#define HOMEWARD_COMMON_PROGRAMME_PROGRAMME_FILES_H_

#include <string>

#include "absl/status/status.h"
#include "common/programme/programme_catalogs.h"
#include "common/service/actor.h"
#include "common/status/errors.h"
#include "homeward/v1/planning.pb.h"
#include "homeward/v1/taxonomy.pb.h"

namespace homeward::programme {

// The actor that start-up publications are audited under ("<what>-loader",
// ROLE_SERVICE, method "startup/<what>").
service::Actor StartupLoader(absl::string_view what);

// Loads every *.textproto of `dir` as a Taxonomy (see
// catalog::LoadTextprotoDir for the error shapes), checks each with
// ValidateTaxonomy and publishes those not yet published. FAILED_PRECONDITION
// "taxonomy_dir '<dir>': ..." when a file is invalid or would change a
// published version.
absl::Status PublishTaxonomyDir(const std::string& dir,
                                TaxonomyCatalog& taxonomies,
                                const service::Actor& loader);

// The same for Programme files, under "programmes_dir '<dir>'", checked with
// ValidateProgramme; a programme naming a taxonomy version not published in
// `taxonomies` is refused on its taxonomy_version. Publish the taxonomy
// directory first.
// With `grids` (a service that plans), each programme's feasibility grid
// reference is also checked (CheckProgrammeGrid) against the published
// grids: publish the feasibility directory before the programmes.
absl::Status PublishProgrammeDir(const std::string& dir,
                                 const TaxonomyCatalog& taxonomies,
                                 ProgrammeCatalog& programmes,
                                 const service::Actor& loader,
                                 const FeasibilityGridCatalog* grids = nullptr);

// The same for FeasibilityGrid files, under "feasibility_dir '<dir>'",
// checked with ValidateFeasibilityGrid against the taxonomy version each grid
// names (refused on taxonomy_version when that version is not published in
// `taxonomies`). Publish the taxonomy directory first. Only services that
// plan load grids: the assessment service does not.
absl::Status PublishFeasibilityGridDir(const std::string& dir,
                                       const TaxonomyCatalog& taxonomies,
                                       FeasibilityGridCatalog& grids,
                                       const service::Actor& loader);

// A service's programme data: the directories it publishes at start (empty:
// none) and the catalogs they go into (`grids` null: a service that does not
// plan, whose programmes' grid references are then not checked).
struct ProgrammeData {
  std::string taxonomy_dir = "";
  std::string feasibility_dir = "";
  std::string programmes_dir = "";
  TaxonomyCatalog* taxonomies = nullptr;
  ProgrammeCatalog* programmes = nullptr;
  FeasibilityGridCatalog* grids = nullptr;
};

// Publishes the taxonomy, then the feasibility grids, then the programmes
// (each names what the one before holds), with the startup loaders
// "taxonomy", "feasibility" and "programme".
absl::Status PublishProgrammeData(const ProgrammeData& data);

// Whether `programme`'s feasibility grid reference holds, for the loader of
// a service that plans (PublishProgrammeDir does not check it, since the
// assessment service has no grids). `grid` is the published grid the
// programme names (feasibility_grid_id, feasibility_grid_version), or nullptr
// when that version is not published. Violations: feasibility_grid_id and
// feasibility_grid_version must be both set or both empty (empty: the
// programme's plans need no feasibility check); when set, the grid must be
// published (on feasibility_grid_version).
//
//   const FeasibilityGrid* grid = found.ok() ? &*found : nullptr;
//   RETURN_IF_ERROR(programme::CheckProgrammeGrid(programme, grid).ToStatus());
errors::FieldViolations CheckProgrammeGrid(
    const homeward::v1::Programme& programme,
    const homeward::v1::FeasibilityGrid* grid);

}  // namespace homeward::programme

#endif  // HOMEWARD_COMMON_PROGRAMME_PROGRAMME_FILES_H_
