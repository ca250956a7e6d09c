// Loads the instrument definitions an operator ships as textproto files (the
// defaults live in deploy/instruments/), so that a deployment can publish them
// at start-up and CI can prove every shipped file valid.
//
//   TaxonomyLookup taxonomies = [&catalog](absl::string_view id, int32_t v) {
//     return catalog.Get(id, v);
//   };
//   ASSIGN_OR_RETURN(std::vector<homeward::v1::InstrumentDefinition> defs,
//                    LoadInstrumentDir("/etc/homeward/instruments",
//                                      taxonomies));
//   for (const auto& d : defs) RETURN_IF_ERROR(Publish(d));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENTS_INSTRUMENT_FILES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENTS_INSTRUMENT_FILES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "homeward/v1/instruments.pb.h"
#include "services/assessment/instruments/instrument_rules.h"

namespace homeward::assessment {

// Reads every regular file named *.textproto directly in `dir`, in name
// order, as one homeward.v1.InstrumentDefinition each, and checks it with
// ValidateInstrumentWith(definition, taxonomies) (catalog::LoadTextprotoDir):
// an instrument whose need or flag rules name a taxonomy version that
// `taxonomies` does not hold is refused, so publish the taxonomy first. Other
// files are ignored; an empty directory gives an empty list. Output-only fields
// are returned as the files have them.
//
// Errors: NOT_FOUND when `dir` is not a readable directory; otherwise
// INVALID_ARGUMENT listing every problem in every file, each violation's
// field being "<path>: <field>" so the message reads
// "<path>: items[3].options[1].value: must be in 0..1 (0 worst, 1 best)".
// A file that does not parse is one violation on "<path>"; a second file
// defining an (instrument_id, version) already defined is one violation on
// its path naming the first file.
absl::StatusOr<std::vector<homeward::v1::InstrumentDefinition>>
LoadInstrumentDir(const std::string& dir, const TaxonomyLookup& taxonomies);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENTS_INSTRUMENT_FILES_H_
