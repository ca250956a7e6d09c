// Programme data files; see programme_files.h.
#include "common/programme/programme_files.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/catalog/textproto_dir.h"
#include "common/status/status_macros.h"

namespace homeward::programme {
namespace {

// Loads `dir` and publishes what it holds; every refusal names the config
// field the directory came from.
template <typename Entry>
absl::Status PublishDir(const std::string& dir, absl::string_view field,
                        catalog::VersionedCatalog<Entry>& entries,
                        const service::Actor& loader) {
  catalog::TextprotoDirOptions<Entry> options;
  options.what = absl::StrCat(entries.schema().noun, " directory");
  options.identity = [&entries](const Entry& e) {
    return entries.Identity(e);
  };
  absl::StatusOr<std::vector<Entry>> loaded =
      catalog::LoadTextprotoDir<Entry>(dir, options);
  if (!loaded.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        field, " '", dir, "': ", loaded.status().ToString()));
  }
  for (Entry& entry : *loaded) {
    absl::Status published =
        entries.Publish(loader, std::move(entry)).status();
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
  return PublishDir(dir, "taxonomy_dir", taxonomies, loader);
}

absl::Status PublishProgrammeDir(const std::string& dir,
                                 ProgrammeCatalog& programmes,
                                 const service::Actor& loader) {
  return PublishDir(dir, "programmes_dir", programmes, loader);
}

}  // namespace homeward::programme
