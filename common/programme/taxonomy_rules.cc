// Taxonomy rules; see taxonomy_rules.h.
#include "common/programme/taxonomy_rules.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace homeward::programme {
namespace {

constexpr char kIdRule[] =
    "must be 1 to 64 characters from a-z, 0-9 and _ (e.g. \"housing\")";
constexpr char kDimensionRule[] =
    "is required: DIMENSION_ECONOMIC, DIMENSION_SOCIAL, "
    "DIMENSION_PSYCHOSOCIAL, DIMENSION_IMMEDIATE_ASSISTANCE or "
    "DIMENSION_PROTECTION";

bool IsId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxProgrammeIdLength) return false;
  for (char c : id) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') {
      return false;
    }
  }
  return true;
}

bool IsBlank(absl::string_view text) {
  return absl::StripAsciiWhitespace(text).empty();
}

}  // namespace

void CheckProgrammeId(errors::FieldViolations& bad, const std::string& field,
                      absl::string_view id) {
  if (id.empty()) {
    bad.Add(field, absl::StrCat("is required: ", kIdRule));
  } else if (!IsId(id)) {
    bad.Add(field, kIdRule);
  }
}

void CheckProgrammeWording(
    errors::FieldViolations& bad, const std::string& field,
    const google::protobuf::Map<std::string, std::string>& wording,
    bool required) {
  if (wording.empty()) {
    if (required) {
      bad.Add(field,
              "is required: the wording in at least one language, e.g. { key: "
              "\"en\" value: \"...\" }");
    }
    return;
  }
  // Sorted so that violations come in a stable order.
  const std::map<std::string, std::string> sorted(wording.begin(),
                                                  wording.end());
  for (const auto& [language, text] : sorted) {
    if (IsBlank(language)) {
      bad.Add(field, "has an empty language code; use e.g. \"en\" or \"fr\"");
    } else if (IsBlank(text)) {
      bad.Add(absl::StrCat(field, "[", language, "]"), "must not be blank");
    }
  }
}

errors::FieldViolations ValidateTaxonomy(
    const homeward::v1::Taxonomy& taxonomy) {
  errors::FieldViolations bad;
  CheckProgrammeId(bad, "taxonomy_id", taxonomy.taxonomy_id());
  if (taxonomy.version() < 1) bad.Add("version", "must be 1 or more");
  CheckProgrammeWording(bad, "title", taxonomy.title(), /*required=*/false);
  if (taxonomy.components().empty()) {
    bad.Add("components", "must list at least one component");
  }
  std::map<std::string, int> first_position;
  for (int i = 0; i < taxonomy.components_size(); ++i) {
    const homeward::v1::TaxonomyComponent& c = taxonomy.components(i);
    const std::string p = absl::StrCat("components[", i, "]");
    CheckProgrammeId(bad, p + ".component_id", c.component_id());
    if (!c.component_id().empty()) {
      auto [first, fresh] = first_position.emplace(c.component_id(), i);
      if (!fresh) {
        bad.Add(p + ".component_id",
                absl::StrCat("'", c.component_id(),
                             "' is already the id of components[",
                             first->second, "]"));
      }
    }
    if (c.dimension() == homeward::v1::DIMENSION_UNSPECIFIED ||
        !homeward::v1::Dimension_IsValid(c.dimension())) {
      bad.Add(p + ".dimension", kDimensionRule);
    }
    CheckProgrammeWording(bad, p + ".label", c.label(), /*required=*/true);
    CheckProgrammeWording(bad, p + ".description", c.description(),
                          /*required=*/false);
  }
  return bad;
}

}  // namespace homeward::programme
