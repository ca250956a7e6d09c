// Scores of assessments as every reader of them needs them: one score by its
// kind (economic, social, psychosocial, composite), the rounding every score
// and change is given, and the change between two results. The assessment
// service scores and compares with these, and the gateway's case overview
// compares the baseline RSS with the latest one the same way.
//
//   std::optional<double> social =
//       api::ScoreOf(assessment.scores(), homeward::v1::SCORE_KIND_SOCIAL);
//   api::AddScoreChanges(&baseline.scores(), &latest.scores(),
//                        /*comparable=*/true, response.mutable_changes());
#ifndef HOMEWARD_COMMON_API_SCORES_H_
#define HOMEWARD_COMMON_API_SCORES_H_

#include <optional>

#include "google/protobuf/repeated_ptr_field.h"
#include "homeward/v1/assessments.pb.h"
#include "homeward/v1/instruments.pb.h"

namespace homeward::api {

// The score kinds of a result, in the order results list them.
inline constexpr homeward::v1::ScoreKind kScoreKinds[] = {
    homeward::v1::SCORE_KIND_ECONOMIC, homeward::v1::SCORE_KIND_SOCIAL,
    homeward::v1::SCORE_KIND_PSYCHOSOCIAL, homeward::v1::SCORE_KIND_COMPOSITE};

// The value of `kind` in `scores`, or nullopt when it is absent (none of its
// items was answered) or `kind` names no score.
std::optional<double> ScoreOf(const homeward::v1::Scores& scores,
                              homeward::v1::ScoreKind kind);

// Rounds half away from zero to 4 decimal places. The result is the double
// nearest to the 4-place decimal, so RoundScore(x) == 0.65 compares exactly.
// A value less than 1e-9 units of the 4th place (1e-13 absolute) below a tie
// counts as the tie, because binary doubles cannot hold most decimal ties:
// 0.1 * 0.1725 evaluates to 0.017249999999999998 and must round like the
// decimal 0.01725 does, to 0.0173 (even the literal 0.01775 times 10000 is
// 177.49999999999997). Weighted sums carry errors near 1e-16, far inside the
// tolerance; a true value that close to a tie is indistinguishable from one.
double RoundScore(double score);

// Adds to `changes` one ScoreChange per kind (kScoreKinds order) that `base`
// or `target` has: the values each has and, when `comparable` (one
// instrument version) and both have it, target minus base rounded like a
// score. Either side may be null (a result with no counterpart).
void AddScoreChanges(
    const homeward::v1::Scores* base, const homeward::v1::Scores* target,
    bool comparable,
    google::protobuf::RepeatedPtrField<homeward::v1::ScoreChange>* changes);

}  // namespace homeward::api

#endif  // HOMEWARD_COMMON_API_SCORES_H_
