// Reading a score by its kind (scores.h).
#include "common/api/scores.h"

namespace homeward::api {

std::optional<double> ScoreOf(const homeward::v1::Scores& scores,
                              homeward::v1::ScoreKind kind) {
  switch (kind) {
    case homeward::v1::SCORE_KIND_ECONOMIC:
      if (scores.has_economic()) return scores.economic();
      break;
    case homeward::v1::SCORE_KIND_SOCIAL:
      if (scores.has_social()) return scores.social();
      break;
    case homeward::v1::SCORE_KIND_PSYCHOSOCIAL:
      if (scores.has_psychosocial()) return scores.psychosocial();
      break;
    case homeward::v1::SCORE_KIND_COMPOSITE:
      if (scores.has_composite()) return scores.composite();
      break;
    default:
      break;
  }
  return std::nullopt;
}

}  // namespace homeward::api
