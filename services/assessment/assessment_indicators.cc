// The caseload and RSS indicator tables; see assessment_indicators.h.
#include "services/assessment/assessment_indicators.h"

#include <optional>
#include <string>
#include <tuple>

#include "common/api/scores.h"
#include "homeward/v1/instruments.pb.h"

namespace homeward::assessment {
namespace {

using homeward::v1::Assessment;
using homeward::v1::ScoreKind;

// Whether `a` is later than `b`: the greater assessment date, then the later
// submission (the rule planning uses for the latest baseline).
bool IsLater(const Assessment& a, const Assessment& b) {
  const auto key = [](const Assessment& x) {
    return std::make_tuple(x.assessment_date().year(),
                           x.assessment_date().month(),
                           x.assessment_date().day(), x.create_time().seconds(),
                           x.create_time().nanos());
  };
  return key(a) > key(b);
}

}  // namespace

void StartAssessmentCells(indicators::IndicatorCells* cells) {
  for (int s = homeward::v1::CaseStage_MIN; s <= homeward::v1::CaseStage_MAX;
       ++s) {
    if (s == homeward::v1::CASE_STAGE_UNSPECIFIED ||
        !homeward::v1::CaseStage_IsValid(s)) {
      continue;
    }
    const std::string& row =
        homeward::v1::CaseStage_Name(static_cast<homeward::v1::CaseStage>(s));
    cells->Count(kCaseloadTable, row, "cases", 0);
    cells->Count(kCaseloadTable, row, "registered_in_period", 0);
  }
  for (ScoreKind kind : api::kScoreKinds) {
    const std::string& row = homeward::v1::ScoreKind_Name(kind);
    cells->Count(kRssTable, row, "baseline_cases", 0);
    cells->Count(kRssTable, row, "follow_up_cases", 0);
  }
}

void AddCaseloadCells(const homeward::v1::Case& c,
                      const indicators::IndicatorPeriod& period,
                      indicators::IndicatorCells* cells) {
  if (c.stage() == homeward::v1::CASE_STAGE_UNSPECIFIED) return;
  const std::string& row = homeward::v1::CaseStage_Name(c.stage());
  cells->Count(kCaseloadTable, row, "cases");
  if (period.Contains(c.create_time())) {
    cells->Count(kCaseloadTable, row, "registered_in_period");
  }
}

void AddRssCells(const std::vector<Assessment>& assessments,
                 const indicators::IndicatorPeriod& period,
                 indicators::IndicatorCells* cells) {
  const Assessment* baseline = nullptr;
  const Assessment* follow_up = nullptr;
  for (const Assessment& a : assessments) {
    if (a.kind() != homeward::v1::INSTRUMENT_KIND_RSS ||
        !a.subject_member_id().empty() || !period.Contains(a.create_time())) {
      continue;
    }
    const Assessment** slot = nullptr;
    if (a.occasion() == homeward::v1::ASSESSMENT_OCCASION_BASELINE) {
      slot = &baseline;
    } else if (a.occasion() == homeward::v1::ASSESSMENT_OCCASION_FOLLOW_UP) {
      slot = &follow_up;
    } else {
      continue;
    }
    if (*slot == nullptr || IsLater(a, **slot)) *slot = &a;
  }
  // The change is measured from the baseline the follow-up is compared with,
  // whenever it was submitted: a quarter's follow-ups mostly compare with
  // baselines of earlier quarters. Scores compare only within one version of
  // the instrument.
  const Assessment* compared = nullptr;
  if (follow_up != nullptr) {
    for (const Assessment& a : assessments) {
      if (a.kind() == homeward::v1::INSTRUMENT_KIND_RSS &&
          a.subject_member_id().empty() &&
          a.occasion() == homeward::v1::ASSESSMENT_OCCASION_BASELINE &&
          a.instrument_id() == follow_up->instrument_id() &&
          a.instrument_version() == follow_up->instrument_version() &&
          !IsLater(a, *follow_up) &&
          (compared == nullptr || IsLater(a, *compared))) {
        compared = &a;
      }
    }
  }
  for (ScoreKind kind : api::kScoreKinds) {
    const std::string& row = homeward::v1::ScoreKind_Name(kind);
    std::optional<double> before;
    std::optional<double> after;
    std::optional<double> compared_score;
    if (baseline != nullptr) before = api::ScoreOf(baseline->scores(), kind);
    if (follow_up != nullptr) after = api::ScoreOf(follow_up->scores(), kind);
    if (compared != nullptr)
      compared_score = api::ScoreOf(compared->scores(), kind);
    if (before.has_value()) {
      cells->Count(kRssTable, row, "baseline_cases");
      cells->AddToMean(kRssTable, row, "baseline_mean", *before);
    }
    if (after.has_value()) {
      cells->Count(kRssTable, row, "follow_up_cases");
      cells->AddToMean(kRssTable, row, "follow_up_mean", *after);
    }
    if (compared_score.has_value() && after.has_value()) {
      cells->AddToMean(kRssTable, row, "mean_change", *after - *compared_score);
    }
  }
}

}  // namespace homeward::assessment
