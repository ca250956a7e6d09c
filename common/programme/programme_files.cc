// Programme data files; see programme_files.h.
#include "common/programme/programme_files.h"

#include <functional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/catalog/textproto_dir.h"
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
                                 const service::Actor& loader) {
  // A programme's plans and referrals are tagged with its taxonomy's
  // components: a programme naming a taxonomy version that was never
  // published could not be planned for.
  auto check = [&taxonomies](const homeward::v1::Programme& programme) {
    errors::FieldViolations bad = ValidateProgramme(programme);
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

}  // namespace homeward::programme
