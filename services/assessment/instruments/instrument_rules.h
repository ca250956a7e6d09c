// Validation of instrument definitions (the RSS, the DoMV vulnerability
// screening and the other assessment forms of instruments.proto) and their
// content hash. Pure functions: the publish RPC and the file loader both call
// them, so a definition that loads from deploy/instruments/ is exactly one the
// service accepts, and a definition that passes can be scored without further
// checks (see scoring.h).
//
//   const Taxonomy* taxonomy = ...;  // the one definition.taxonomy_id() and
//                                    // taxonomy_version() name, or nullptr
//   errors::FieldViolations bad = ValidateInstrument(definition, taxonomy);
//   RETURN_IF_ERROR(bad.ToStatus());
//   definition.set_content_sha256(InstrumentContentHash(definition));
//
// The rules, each reported as its own violation with a field path such as
// "items[3].options[1].value" or "flag_rules[2].all_of[0].item_id", are listed
// in docs/INSTRUMENTS.md.
#ifndef HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENTS_INSTRUMENT_RULES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENTS_INSTRUMENT_RULES_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "homeward/v1/common.pb.h"
#include "homeward/v1/instruments.pb.h"
#include "homeward/v1/taxonomy.pb.h"

namespace homeward::assessment {

// A number as messages show it: enough digits that a weight sum of
// 0.9999989 is not shown as "1", and no trailing zeros.
std::string FormatNumber(double x);

// A definition's items by id (the first item with each id).
using ItemIndex = std::map<std::string, const homeward::v1::Item*>;

// Instrument, item and option ids: [a-z0-9_]+; flag and need rule codes:
// [A-Z0-9_]+; both at most this long.
inline constexpr size_t kMaxInstrumentIdLength = 64;
// The weights of a dimension, and the composite weights, must sum to 1
// within this tolerance, so that files can write 1/3 as 0.3333333333.
inline constexpr double kWeightSumTolerance = 1e-6;

// Every problem with `definition`, each its own violation naming the field and
// what is allowed. Empty when the definition can be published and scored.
// Output-only fields (publish_time, content_sha256) are not checked.
//
// `taxonomy` is the published taxonomy the definition names (taxonomy_id,
// taxonomy_version), or nullptr when that version is not published. An
// instrument with need or flag rules must name one: a need's category, with
// its dimension, and a flag's response_category must be components of it
// (programme::CheckComponent). An instrument without such rules needs none.
errors::FieldViolations ValidateInstrument(
    const homeward::v1::InstrumentDefinition& definition,
    const homeward::v1::Taxonomy* taxonomy);

// Finds a published taxonomy version (e.g. in a programme::TaxonomyCatalog):
// NOT_FOUND when it is not published.
using TaxonomyLookup = std::function<absl::StatusOr<homeward::v1::Taxonomy>(
    absl::string_view taxonomy_id, int32_t version)>;

// ValidateInstrument against the taxonomy `lookup` finds for the version the
// definition names. Another error than NOT_FOUND (the store failing) is one
// violation on taxonomy_version saying the taxonomy could not be read.
errors::FieldViolations ValidateInstrumentWith(
    const homeward::v1::InstrumentDefinition& definition,
    const TaxonomyLookup& lookup);

// Lower-case hex SHA-256 of the definition's deterministic serialization,
// with the output-only fields (publish_time, content_sha256) and unknown
// fields cleared. Map entries are serialized in key order, so the hash does
// not depend on the order in which a file or client listed the wordings.
// Publishing uses it to tell "the same content again" from "different content
// under a published version": it is catalog::ContentSha256 under
// InstrumentCatalogSchema(), the hash the instrument catalog stamps.
std::string InstrumentContentHash(
    const homeward::v1::InstrumentDefinition& definition);

// Whether `definition` computes the score `kind`: a dimension score needs
// non-empty dimension_weights for that dimension, the composite needs
// composite_weights.
bool ComputesScore(const homeward::v1::InstrumentDefinition& definition,
                   homeward::v1::ScoreKind kind);

// The score kind of a dimension (SCORE_KIND_UNSPECIFIED for
// DIMENSION_UNSPECIFIED) and back (DIMENSION_UNSPECIFIED for the composite).
homeward::v1::ScoreKind ScoreKindOf(homeward::v1::Dimension dimension);
homeward::v1::Dimension DimensionOf(homeward::v1::ScoreKind kind);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENTS_INSTRUMENT_RULES_H_
