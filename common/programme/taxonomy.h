// Looking up taxonomy components: what every service uses to check that a
// need, a flag response, a plan activity or a directory service names a
// component of the programme's taxonomy, in the right dimension.
//
//   errors::FieldViolations bad;
//   programme::CheckComponent(taxonomy, need.dimension(), need.category(),
//                             "needs[0]", bad);
//   RETURN_IF_ERROR(bad.ToStatus());
#ifndef HOMEWARD_COMMON_PROGRAMME_TAXONOMY_H_
#define HOMEWARD_COMMON_PROGRAMME_TAXONOMY_H_

#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "homeward/v1/taxonomy.pb.h"

namespace homeward::programme {

// The component `component_id` of `taxonomy`, or nullptr.
const homeward::v1::TaxonomyComponent* FindComponent(
    const homeward::v1::Taxonomy& taxonomy, absl::string_view component_id);

// Adds a violation unless `component_id` is a component of `taxonomy`
// ("<field>.category": "'x' is not a component of taxonomy 'reintegration'
// version 1; known: ...") and, when `dimension` is not UNSPECIFIED, of that
// dimension ("<field>.dimension": "must be DIMENSION_SOCIAL, the dimension of
// component 'housing'"). `field` is the path of the message holding both;
// `category_field` names the component's field in it.
void CheckComponent(const homeward::v1::Taxonomy& taxonomy,
                    homeward::v1::Dimension dimension,
                    absl::string_view component_id, absl::string_view field,
                    errors::FieldViolations& bad,
                    absl::string_view category_field = "category");

}  // namespace homeward::programme

#endif  // HOMEWARD_COMMON_PROGRAMME_TAXONOMY_H_
