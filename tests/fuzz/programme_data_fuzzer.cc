// Fuzzes the checks of the programme data an operator ships as text files
// (common/programme): feasibility grids (against the shipped taxonomy),
// programmes (and their grid reference, against the shipped grid) and
// taxonomies.
//
// Input: byte 0 picks the kind (0 grid, 1 programme, 2 taxonomy, modulo 3),
// the rest is that message in protobuf text format (the files under
// deploy/feasibility, deploy/programmes and deploy/taxonomy are the seeds).
#include <cstddef>
#include <cstdint>

#include "common/programme/feasibility_grid_rules.h"
#include "common/programme/programme_files.h"
#include "common/programme/programme_rules.h"
#include "common/programme/taxonomy_rules.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/shipped_definitions.h"

namespace homeward::fuzz {
namespace {

namespace v1 = homeward::v1;

void FuzzGrid(absl::string_view text) {
  v1::FeasibilityGrid grid;
  if (!ParseTextQuietly(text, &grid)) return;
  CheckViolations(programme::ValidateFeasibilityGrid(grid, &ShippedTaxonomy()));
  CheckViolations(programme::ValidateFeasibilityGrid(grid, nullptr));
}

void FuzzProgramme(absl::string_view text) {
  v1::Programme programme;
  if (!ParseTextQuietly(text, &programme)) return;
  CheckViolations(programme::ValidateProgramme(programme));
  CheckViolations(programme::CheckProgrammeGrid(programme, &ShippedGrid()));
  CheckViolations(programme::CheckProgrammeGrid(programme, nullptr));
}

void FuzzTaxonomy(absl::string_view text) {
  v1::Taxonomy taxonomy;
  if (!ParseTextQuietly(text, &taxonomy)) return;
  CheckViolations(programme::ValidateTaxonomy(taxonomy));
}

}  // namespace
}  // namespace homeward::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const absl::string_view text(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  switch (data[0] % 3) {
    case 0:
      homeward::fuzz::FuzzGrid(text);
      break;
    case 1:
      homeward::fuzz::FuzzProgramme(text);
      break;
    default:
      homeward::fuzz::FuzzTaxonomy(text);
      break;
  }
  return 0;
}
