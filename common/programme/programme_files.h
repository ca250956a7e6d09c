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
#ifndef HOMEWARD_COMMON_PROGRAMME_PROGRAMME_FILES_H_
#define HOMEWARD_COMMON_PROGRAMME_PROGRAMME_FILES_H_

#include <string>

#include "absl/status/status.h"
#include "common/programme/programme_catalogs.h"
#include "common/service/actor.h"

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
absl::Status PublishProgrammeDir(const std::string& dir,
                                 const TaxonomyCatalog& taxonomies,
                                 ProgrammeCatalog& programmes,
                                 const service::Actor& loader);

}  // namespace homeward::programme

#endif  // HOMEWARD_COMMON_PROGRAMME_PROGRAMME_FILES_H_
