// The definitions Homeward ships under deploy/ (taxonomy, programme,
// feasibility grid, instruments), parsed once, for the fuzz targets whose
// rules check a request or a definition against them.
//
//   const homeward::v1::Taxonomy& taxonomy = fuzz::ShippedTaxonomy();
//   ValidateFeasibilityGrid(grid, &taxonomy);
#ifndef HOMEWARD_TESTS_FUZZ_SHIPPED_DEFINITIONS_H_
#define HOMEWARD_TESTS_FUZZ_SHIPPED_DEFINITIONS_H_

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "homeward/v1/instruments.pb.h"
#include "homeward/v1/planning.pb.h"
#include "homeward/v1/taxonomy.pb.h"

namespace homeward::fuzz {

// TextFormat::ParseFromString without the parser's log line per error, which
// would flood the fuzzer's output.
bool ParseTextQuietly(absl::string_view text,
                      google::protobuf::Message* message);

// deploy/taxonomy/reintegration.textproto
const homeward::v1::Taxonomy& ShippedTaxonomy();
// deploy/programmes/sn_reintegration.textproto
const homeward::v1::Programme& ShippedProgramme();
// deploy/feasibility/example_grid.textproto
const homeward::v1::FeasibilityGrid& ShippedGrid();
// deploy/instruments/<name>.textproto, e.g. "rss".
const homeward::v1::InstrumentDefinition& ShippedInstrument(
    absl::string_view name);

}  // namespace homeward::fuzz

#endif  // HOMEWARD_TESTS_FUZZ_SHIPPED_DEFINITIONS_H_
