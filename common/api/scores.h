// Reading one score of an assessment by its kind (economic, social,
// psychosocial, composite): the services that score, compare and count RSS
// results and the gateway's case overview all ask "does this result have
// that score, and what is it?".
//
//   std::optional<double> social =
//       api::ScoreOf(assessment.scores(), homeward::v1::SCORE_KIND_SOCIAL);
#ifndef HOMEWARD_COMMON_API_SCORES_H_
#define HOMEWARD_COMMON_API_SCORES_H_

#include <optional>

#include "homeward/v1/assessments.pb.h"
#include "homeward/v1/instruments.pb.h"

namespace homeward::api {

// The value of `kind` in `scores`, or nullopt when it is absent (none of its
// items was answered) or `kind` names no score.
std::optional<double> ScoreOf(const homeward::v1::Scores& scores,
                              homeward::v1::ScoreKind kind);

}  // namespace homeward::api

#endif  // HOMEWARD_COMMON_API_SCORES_H_
