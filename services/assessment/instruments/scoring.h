// Scoring of assessment answers against an instrument definition: answer
// validation, then item values, dimension and composite scores, bands, flags,
// needs and, for DoMV screenings with level rules, the vulnerability profile.
// Pure functions, so a submission's scores are reproducible from its stored
// answers and the instrument version they were made under.
//
//   RETURN_IF_ERROR(ValidateAnswers(definition, request.answers()).ToStatus());
//   ScoringResult result = Score(definition, request.answers());
//   *assessment.mutable_scores() = result.scores;
//
// Scoring rules (also in docs/INSTRUMENTS.md):
// - Item value v in 0..1. Single choice and yes/no: the chosen option's value.
//   Multiple choice: the mean of the selected options' values. Number x in
//   min..max: (x - min) / (max - min), or 1 minus that when
//   !higher_is_better. Date and text items have no value.
// - Dimension score = sum(w_i * v_i) / sum(w_i) over the items of that
//   dimension's weights that were answered: the weights are renormalised, so
//   an unanswered optional item neither counts as 0 nor drags the score down.
//   Absent when none of the dimension's items was answered. The composite is
//   computed the same way over composite_weights.
// - Each final score is rounded once, half away from zero, to 4 decimal
//   places (RoundScore); item values and intermediate sums are not rounded.
// - Bands: for each score with bands, the first band with
//   min <= score < max; the last band also takes score == max. No band when
//   the score is absent or falls in a gap.
// - Flags: a flag rule holds when every condition of its all_of holds. An
//   item condition holds when the item was answered and the chosen option
//   (for multiple choice: any selected option) is in any_of_options, or the
//   number lies within at_least..at_most (inclusive, on the raw number). A
//   score condition holds when the (rounded) score is present and within
//   at_least..at_most (inclusive). Flags come out in rule order, once per code
//   (rules sharing a code are alternatives; the first that holds gives the
//   label). The label is the rule's "en" label, else the one of the
//   lexicographically first language.
// - Needs: each need rule that holds gives a Need with its dimension,
//   category, description ("en", else first language), priority and
//   rule_code; need_id, case_id, source_assessment_id and create_time are left
//   for the caller. Once per code, in rule order, like flags.
// - Vulnerability: when the definition has vulnerability_rules, the profile
//   of vulnerability.h, counting the flags raised above.
#ifndef HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENTS_SCORING_H_
#define HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENTS_SCORING_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/status/errors.h"
#include "google/protobuf/map.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "homeward/v1/assessments.pb.h"
#include "homeward/v1/instruments.pb.h"

namespace homeward::assessment {

// Longest text answer accepted, in bytes.
inline constexpr size_t kMaxTextAnswerBytes = 4000;

// Every problem with `answers` to `definition`, each its own violation:
// "answers[i].item_id" (missing, unknown, answered twice), "answers[i]" (no
// value), "answers[i].<value field>" (wrong kind for the item, unknown option,
// number outside min..max or not finite, no such calendar date, blank text for
// a required item, text over kMaxTextAnswerBytes),
// "answers[i].option_ids.ids" / ".ids[k]" (none selected, unknown or repeated
// option; an exclusive option such as "none of these" chosen together with
// another option), and "answers" once per required item left unanswered.
// Precondition: ValidateInstrument(definition) is empty.
errors::FieldViolations ValidateAnswers(
    const homeward::v1::InstrumentDefinition& definition,
    const google::protobuf::RepeatedPtrField<homeward::v1::Answer>& answers);

struct ScoringResult {
  homeward::v1::Scores scores;
  std::vector<homeward::v1::ScoreBand>
      bands;  // in the order of definition.bands
  std::vector<homeward::v1::RaisedFlag> flags;
  std::vector<homeward::v1::Need> needs;
  // The DoMV profile and level (vulnerability.h), when the definition has
  // vulnerability_rules.
  std::optional<homeward::v1::VulnerabilityProfile> vulnerability;
};

// Applies the rules above. Precondition: the definition and the answers have
// passed ValidateInstrument and ValidateAnswers (anything they would reject is
// ignored here rather than scored).
ScoringResult Score(
    const homeward::v1::InstrumentDefinition& definition,
    const google::protobuf::RepeatedPtrField<homeward::v1::Answer>& answers);

// The 0..1 value of `answer` to `item` (rules above), or nullopt when the item
// is a date or text item, or the answer does not fit the item.
std::optional<double> ItemValue(const homeward::v1::Item& item,
                                const homeward::v1::Answer& answer);

// The wording in "en" if present, else in the lexicographically first
// language; empty for an empty map.
std::string PreferredWording(
    const google::protobuf::Map<std::string, std::string>& wording);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENTS_SCORING_H_
