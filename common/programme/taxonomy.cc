// Taxonomy look-ups; see taxonomy.h.
#include "common/programme/taxonomy.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace homeward::programme {
namespace {

std::string FieldPath(absl::string_view field, absl::string_view leaf) {
  return field.empty() ? std::string(leaf) : absl::StrCat(field, ".", leaf);
}

}  // namespace

const homeward::v1::TaxonomyComponent* FindComponent(
    const homeward::v1::Taxonomy& taxonomy, absl::string_view component_id) {
  for (const auto& component : taxonomy.components()) {
    if (component.component_id() == component_id) return &component;
  }
  return nullptr;
}

void CheckComponent(const homeward::v1::Taxonomy& taxonomy,
                    homeward::v1::Dimension dimension,
                    absl::string_view component_id, absl::string_view field,
                    errors::FieldViolations& bad,
                    absl::string_view category_field) {
  const homeward::v1::TaxonomyComponent* component =
      FindComponent(taxonomy, component_id);
  if (component == nullptr) {
    std::vector<std::string> known;
    for (const auto& c : taxonomy.components()) {
      known.push_back(c.component_id());
    }
    bad.Add(
        FieldPath(field, category_field),
        absl::StrCat("'", component_id, "' is not a component of taxonomy '",
                     taxonomy.taxonomy_id(), "' version ", taxonomy.version(),
                     "; known: ", absl::StrJoin(known, ", ")));
    return;
  }
  if (dimension != homeward::v1::DIMENSION_UNSPECIFIED &&
      dimension != component->dimension()) {
    bad.Add(FieldPath(field, "dimension"),
            absl::StrCat("must be ",
                         homeward::v1::Dimension_Name(component->dimension()),
                         ", the dimension of component '", component_id, "'"));
  }
}

}  // namespace homeward::programme
