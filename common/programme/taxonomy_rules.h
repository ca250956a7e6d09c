// Validation of a taxonomy of reintegration support (homeward/v1/
// taxonomy.proto) before it is published: the file loader and any later
// publish call use the same pure function, so a taxonomy that loads from
// deploy/taxonomy/ is exactly one that can be published.
//
//   errors::FieldViolations bad = programme::ValidateTaxonomy(taxonomy);
//   RETURN_IF_ERROR(bad.ToStatus());
//
// The rules (listed in docs/INSTRUMENTS.md, "Taxonomy"): taxonomy_id and every
// component_id are 1 to 64 characters from a-z, 0-9 and _; version >= 1;
// component ids are unique; every component has a dimension and a label in
// at least one language; no label, title or description is blank.
#ifndef HOMEWARD_COMMON_PROGRAMME_TAXONOMY_RULES_H_
#define HOMEWARD_COMMON_PROGRAMME_TAXONOMY_RULES_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "google/protobuf/map.h"
#include "homeward/v1/taxonomy.pb.h"

namespace homeward::programme {

// Taxonomy, component and programme ids: [a-z0-9_]+, at most this long.
inline constexpr size_t kMaxProgrammeIdLength = 64;

// Every problem with `taxonomy`, each its own violation naming the field
// ("components[3].dimension") and what is allowed. Empty when it can be
// published. Output-only fields (publish_time, content_sha256) are ignored.
errors::FieldViolations ValidateTaxonomy(
    const homeward::v1::Taxonomy& taxonomy);

// Shared with the programme rules: adds a violation on `field` unless `id` is
// 1 to 64 characters from a-z, 0-9 and _.
void CheckProgrammeId(errors::FieldViolations& bad, const std::string& field,
                      absl::string_view id);

// Adds a violation for every blank entry of a wording map (language code ->
// text), and, when `required`, one if the map is empty.
void CheckProgrammeWording(
    errors::FieldViolations& bad, const std::string& field,
    const google::protobuf::Map<std::string, std::string>& wording,
    bool required);

}  // namespace homeward::programme

#endif  // HOMEWARD_COMMON_PROGRAMME_TAXONOMY_RULES_H_
