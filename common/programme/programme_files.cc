// Programme data files; see programme_files.h.
#include "common/programme/programme_files.h"

#include <functional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/catalog/textproto_dir.h"
#include "common/programme/feasibility_grid_rules.h"
#include "common/programme/programme_rules.h"
#include "common/programme/taxonomy_rules.h"
#include "common/status/status_macros.h"

namespace homeward::programme {
namespace {

// Loads `dir`, checking each file with `check`, and publishes what it holds;
// every refusal names the config field the directory came from.
template <typename Entry>
absl::Status PublishDir(
    const std::string& dir, absl::string_view field,
    std::function<errors::FieldViolations(const Entry&)> check,
    catalog::VersionedCatalog<Entry>& entries, const service::Actor& loader) {
  catalog::TextprotoDirOptions<Entry> options;
  options.what = absl::StrCat(entries.schema().noun, " directory");
  options.check = std::move(check);
  options.identity = [&entries](const Entry& e) { return entries.Identity(e); };
  absl::StatusOr<std::vector<Entry>> loaded =
      catalog::LoadTextprotoDir<Entry>(dir, options);
  if (!loaded.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, " '", dir, "': ", loaded.status().ToString()));
  }
  for (Entry& entry : *loaded) {
    absl::Status published = entries.Publish(loader, std::move(entry)).status();
    if (!published.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat(field, " '", dir, "': ", published.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

service::Actor StartupLoader(absl::string_view what) {
  service::Actor loader;
  loader.principal.set_user_id(absl::StrCat(what, "-loader"));
  loader.principal.set_role(homeward::v1::ROLE_SERVICE);
  loader.method = absl::StrCat("startup/", what);
  return loader;
}

absl::Status PublishTaxonomyDir(const std::string& dir,
                                TaxonomyCatalog& taxonomies,
                                const service::Actor& loader) {
  return PublishDir<homeward::v1::Taxonomy>(
      dir, "taxonomy_dir", ValidateTaxonomy, taxonomies, loader);
}

absl::Status PublishProgrammeDir(const std::string& dir,
                                 const TaxonomyCatalog& taxonomies,
                                 ProgrammeCatalog& programmes,
                                 const service::Actor& loader,
                                 const FeasibilityGridCatalog* grids) {
  // A programme's plans and referrals are tagged with its taxonomy's
  // components: a programme naming a taxonomy version that was never
  // published could not be planned for.
  auto check = [&taxonomies, grids](const homeward::v1::Programme& programme) {
    errors::FieldViolations bad = ValidateProgramme(programme);
    if (grids != nullptr) {
      absl::StatusOr<homeward::v1::FeasibilityGrid> grid =
          absl::NotFoundError("no grid named");
      if (!programme.feasibility_grid_id().empty() &&
          programme.feasibility_grid_version() >= 1) {
        grid = grids->Get(programme.feasibility_grid_id(),
                          programme.feasibility_grid_version());
      }
      if (!grid.ok() && !absl::IsNotFound(grid.status())) {
        bad.Add(
            "feasibility_grid_version",
            absl::StrCat("could not read the grid: ", grid.status().message()));
      } else {
        bad.AddAll(CheckProgrammeGrid(programme, grid.ok() ? &*grid : nullptr));
      }
    }
    if (programme.taxonomy_version() >= 1 && !programme.taxonomy_id().empty()) {
      absl::Status found =
          taxonomies.Get(programme.taxonomy_id(), programme.taxonomy_version())
              .status();
      if (absl::IsNotFound(found)) {
        bad.Add("taxonomy_version",
                absl::StrCat("taxonomy '", programme.taxonomy_id(),
                             "' version ", programme.taxonomy_version(),
                             " is not published; publish it first (taxonomy_"
                             "dir) or name a published version"));
      } else if (!found.ok()) {
        bad.Add("taxonomy_version",
                absl::StrCat("could not read the taxonomy: ", found.message()));
      }
    }
    return bad;
  };
  return PublishDir<homeward::v1::Programme>(dir, "programmes_dir", check,
                                             programmes, loader);
}

absl::Status PublishFeasibilityGridDir(const std::string& dir,
                                       const TaxonomyCatalog& taxonomies,
                                       FeasibilityGridCatalog& grids,
                                       const service::Actor& loader) {
  // Each grid is checked against the taxonomy version it names, so that
  // every useful_for entry is a component plans can be tagged with.
  auto check = [&taxonomies](const homeward::v1::FeasibilityGrid& grid) {
    absl::StatusOr<homeward::v1::Taxonomy> taxonomy =
        absl::NotFoundError("no taxonomy named");
    if (!grid.taxonomy_id().empty() && grid.taxonomy_version() >= 1) {
      taxonomy = taxonomies.Get(grid.taxonomy_id(), grid.taxonomy_version());
    }
    if (!taxonomy.ok() && !absl::IsNotFound(taxonomy.status())) {
      errors::FieldViolations bad;
      bad.Add("taxonomy_version", absl::StrCat("could not read the taxonomy: ",
                                               taxonomy.status().message()));
      return bad;
    }
    return ValidateFeasibilityGrid(grid, taxonomy.ok() ? &*taxonomy : nullptr);
  };
  return PublishDir<homeward::v1::FeasibilityGrid>(dir, "feasibility_dir",
                                                   check, grids, loader);
}

absl::Status PublishProgrammeData(const ProgrammeData& data) {
  if (!data.taxonomy_dir.empty()) {
    RETURN_IF_ERROR(PublishTaxonomyDir(data.taxonomy_dir, *data.taxonomies,
                                       StartupLoader("taxonomy")));
  }
  if (!data.feasibility_dir.empty() && data.grids != nullptr) {
    RETURN_IF_ERROR(PublishFeasibilityGridDir(data.feasibility_dir,
                                              *data.taxonomies, *data.grids,
                                              StartupLoader("feasibility")));
  }
  if (!data.programmes_dir.empty()) {
    RETURN_IF_ERROR(PublishProgrammeDir(
        data.programmes_dir, *data.taxonomies, *data.programmes,
        StartupLoader("programme"), data.grids));
  }
  return absl::OkStatus();
}

errors::FieldViolations CheckProgrammeGrid(
    const homeward::v1::Programme& programme,
    const homeward::v1::FeasibilityGrid* grid) {
  errors::FieldViolations bad;
  const bool has_id = !programme.feasibility_grid_id().empty();
  const bool has_version = programme.feasibility_grid_version() != 0;
  if (!has_id && !has_version) return bad;  // no feasibility check
  if (!has_id) {
    bad.Add("feasibility_grid_id",
            "is required when feasibility_grid_version is set: the grid_id "
            "of a published feasibility grid (or leave both empty)");
  } else {
    CheckProgrammeId(bad, "feasibility_grid_id",
                     programme.feasibility_grid_id());
  }
  if (programme.feasibility_grid_version() < 1) {
    bad.Add("feasibility_grid_version",
            "must be 1 or more when feasibility_grid_id is set: the published "
            "version of the grid the programme's plans are checked against");
  }
  if (!bad.empty()) return bad;
  if (grid == nullptr) {
    bad.Add("feasibility_grid_version",
            absl::StrCat("feasibility grid '", programme.feasibility_grid_id(),
                         "' version ", programme.feasibility_grid_version(),
                         " is not published; publish it first "
                         "(feasibility_dir) or name a published version"));
  }
  return bad;
}

}  // namespace homeward::programme
