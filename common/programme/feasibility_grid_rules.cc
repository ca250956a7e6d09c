// Feasibility grid rules; see feasibility_grid_rules.h.
#include "common/programme/feasibility_grid_rules.h"

#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/programme/taxonomy.h"
#include "common/programme/taxonomy_rules.h"

namespace homeward::programme {
namespace {

using errors::FieldViolations;
using homeward::v1::FeasibilityCriterion;
using homeward::v1::FeasibilityGrid;
using homeward::v1::FeasibilityRow;

constexpr char kDimensionRule[] =
    "is required: DIMENSION_ECONOMIC, DIMENSION_SOCIAL, "
    "DIMENSION_PSYCHOSOCIAL, DIMENSION_IMMEDIATE_ASSISTANCE or "
    "DIMENSION_PROTECTION";

// The grid has three levels; a plan activity may also be at the household
// level, but feasibility criteria are not asked about the household.
constexpr char kLevelRule[] =
    "must be ASSISTANCE_LEVEL_INDIVIDUAL, ASSISTANCE_LEVEL_COMMUNITY or "
    "ASSISTANCE_LEVEL_STRUCTURAL: a feasibility grid has these three levels";

bool HasNonBlankWording(
    const google::protobuf::Map<std::string, std::string>& wording) {
  for (const auto& [language, text] : wording) {
    if (!absl::StripAsciiWhitespace(language).empty() &&
        !absl::StripAsciiWhitespace(text).empty()) {
      return true;
    }
  }
  return false;
}

// Adds a violation on `field` if `id` was already seen in this scope.
void CheckUnique(FieldViolations& bad, const std::string& field,
                 const std::string& id, int position, absl::string_view scope,
                 std::map<std::string, int>& first_position) {
  if (id.empty()) return;
  auto [first, fresh] = first_position.emplace(id, position);
  if (!fresh) {
    bad.Add(field, absl::StrCat("'", id, "' is already the id of ", scope, "[",
                                first->second, "]"));
  }
}

void CheckCriterion(FieldViolations& bad, const std::string& p,
                    const FeasibilityCriterion& c) {
  CheckProgrammeId(bad, p + ".criterion_id", c.criterion_id());
  switch (c.level()) {
    case homeward::v1::ASSISTANCE_LEVEL_INDIVIDUAL:
    case homeward::v1::ASSISTANCE_LEVEL_COMMUNITY:
    case homeward::v1::ASSISTANCE_LEVEL_STRUCTURAL:
      break;
    default:
      bad.Add(p + ".level", kLevelRule);
  }
  if (!HasNonBlankWording(c.question())) {
    bad.Add(p + ".question",
            "is required: a yes/no question in at least one language, e.g. { "
            "key: \"en\" value: \"...?\" }");
  }
}

void CheckRow(FieldViolations& bad, const std::string& p,
              const FeasibilityRow& row,
              const homeward::v1::Taxonomy* taxonomy) {
  CheckProgrammeId(bad, p + ".row_id", row.row_id());
  if (row.dimension() == homeward::v1::DIMENSION_UNSPECIFIED ||
      !homeward::v1::Dimension_IsValid(row.dimension())) {
    bad.Add(p + ".dimension", kDimensionRule);
  }
  if (!HasNonBlankWording(row.approach())) {
    bad.Add(p + ".approach",
            "is required: the approach's name in at least one language, e.g. "
            "{ key: \"en\" value: \"Business start-up\" }");
  }
  if (row.useful_for().empty()) {
    bad.Add(p + ".useful_for",
            "must list at least one taxonomy component the approach is "
            "useful for");
  }
  if (taxonomy != nullptr) {
    // An approach may serve components of other dimensions (a business
    // start-up can pay for housing), so the dimension is not compared.
    for (int i = 0; i < row.useful_for_size(); ++i) {
      CheckComponent(*taxonomy, homeward::v1::DIMENSION_UNSPECIFIED,
                     row.useful_for(i), "", bad,
                     absl::StrCat(p, ".useful_for[", i, "]"));
    }
  }
  if (row.criteria().empty()) {
    bad.Add(p + ".criteria",
            "must list at least one yes/no criterion (individual, community "
            "or structural level)");
  }
  std::map<std::string, int> first_criterion;
  for (int i = 0; i < row.criteria_size(); ++i) {
    const std::string c = absl::StrCat(p, ".criteria[", i, "]");
    CheckCriterion(bad, c, row.criteria(i));
    CheckUnique(bad, c + ".criterion_id", row.criteria(i).criterion_id(), i,
                p + ".criteria", first_criterion);
  }
}

}  // namespace

FieldViolations ValidateFeasibilityGrid(
    const FeasibilityGrid& grid, const homeward::v1::Taxonomy* taxonomy) {
  FieldViolations bad;
  CheckProgrammeId(bad, "grid_id", grid.grid_id());
  if (grid.version() < 1) bad.Add("version", "must be 1 or more");
  CheckProgrammeWording(bad, "title", grid.title(), /*required=*/false);
  CheckProgrammeId(bad, "taxonomy_id", grid.taxonomy_id());
  if (grid.taxonomy_version() < 1) {
    bad.Add("taxonomy_version",
            "must be 1 or more: the published version of the taxonomy whose "
            "components the rows are useful for");
  } else if (taxonomy == nullptr && !grid.taxonomy_id().empty()) {
    bad.Add("taxonomy_version",
            absl::StrCat("taxonomy '", grid.taxonomy_id(), "' version ",
                         grid.taxonomy_version(),
                         " is not published; publish it first (taxonomy_dir) "
                         "or name a published version"));
  }
  if (grid.rows().empty()) {
    bad.Add("rows", "must list at least one row (one potential approach)");
  }
  std::map<std::string, int> first_row;
  for (int i = 0; i < grid.rows_size(); ++i) {
    const std::string p = absl::StrCat("rows[", i, "]");
    CheckRow(bad, p, grid.rows(i), taxonomy);
    CheckUnique(bad, p + ".row_id", grid.rows(i).row_id(), i, "rows",
                first_row);
  }
  return bad;
}

}  // namespace homeward::programme
