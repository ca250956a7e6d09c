// Reading a score by its kind (scores.h).
#include "common/api/scores.h"

#include <cmath>

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

double RoundScore(double score) {
  if (!std::isfinite(score)) return score;
  const double scaled = std::fabs(score) * 10000.0;
  double whole = std::floor(scaled);
  if (scaled - whole >= 0.5 - 1e-9) whole += 1;
  return std::copysign(whole / 10000.0, score);
}

void AddScoreChanges(
    const homeward::v1::Scores* base, const homeward::v1::Scores* target,
    bool comparable,
    google::protobuf::RepeatedPtrField<homeward::v1::ScoreChange>* changes) {
  for (homeward::v1::ScoreKind kind : kScoreKinds) {
    const std::optional<double> before =
        base != nullptr ? ScoreOf(*base, kind) : std::nullopt;
    const std::optional<double> after =
        target != nullptr ? ScoreOf(*target, kind) : std::nullopt;
    if (!before.has_value() && !after.has_value()) continue;
    homeward::v1::ScoreChange* change = changes->Add();
    change->set_score(kind);
    if (before.has_value()) change->set_base(*before);
    if (after.has_value()) change->set_target(*after);
    if (comparable && before.has_value() && after.has_value()) {
      change->set_change(RoundScore(*after - *before));
    }
  }
}

}  // namespace homeward::api
