// Table-driven tests of the caseload and RSS indicator tables, with values
// worked out by hand (assessment_indicators.h).
#include "services/assessment/assessment_indicators.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/indicator_cells.h"

namespace homeward::assessment {
namespace {

using homeward::v1::Assessment;
using homeward::v1::Case;
using Cells = std::map<std::string, std::string>;

// 2026-01-01 .. 2026-03-31, as of 2026-04-15.
const indicators::IndicatorPeriod kQ1{absl::CivilDay(2026, 1, 1),
                                      absl::CivilDay(2026, 3, 31),
                                      absl::CivilDay(2026, 4, 15)};

google::protobuf::Timestamp At(int y, int m, int d, int h = 12, int mi = 0,
                               int s = 0) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(absl::FromCivil(
      absl::CivilSecond(y, m, d, h, mi, s), absl::UTCTimeZone())));
  return t;
}

Case CaseAt(homeward::v1::CaseStage stage,
            const google::protobuf::Timestamp& registered) {
  Case c;
  c.set_case_id("C");
  c.set_stage(stage);
  *c.mutable_create_time() = registered;
  return c;
}

Cells Caseload(const std::vector<Case>& cases) {
  indicators::IndicatorCells cells;
  StartAssessmentCells(&cells);
  for (const Case& c : cases) AddCaseloadCells(c, kQ1, &cells);
  return testing::CellsOf(cells.ToPart(), kCaseloadTable);
}

TEST(CaseloadCells, CountsCasesByCurrentStageAndRegistrationsInPeriod) {
  const Cells cells = Caseload({
      // The period's first second and the second before it.
      CaseAt(homeward::v1::CASE_STAGE_INTAKE, At(2026, 1, 1, 0, 0, 0)),
      CaseAt(homeward::v1::CASE_STAGE_INTAKE, At(2025, 12, 31, 23, 59, 59)),
      // The period's last second and the second after it.
      CaseAt(homeward::v1::CASE_STAGE_ASSESSMENT, At(2026, 3, 31, 23, 59, 59)),
      CaseAt(homeward::v1::CASE_STAGE_PLANNING, At(2026, 4, 1, 0, 0, 0)),
      CaseAt(homeward::v1::CASE_STAGE_CLOSED, At(2026, 2, 15)),
      // Not a stored case: no row.
      CaseAt(homeward::v1::CASE_STAGE_UNSPECIFIED, At(2026, 2, 15)),
  });
  EXPECT_EQ(cells,
            (Cells{
                {"caseload/CASE_STAGE_INTAKE/cases", "2"},
                {"caseload/CASE_STAGE_INTAKE/registered_in_period", "1"},
                {"caseload/CASE_STAGE_ASSESSMENT/cases", "1"},
                {"caseload/CASE_STAGE_ASSESSMENT/registered_in_period", "1"},
                {"caseload/CASE_STAGE_PLANNING/cases", "1"},
                {"caseload/CASE_STAGE_PLANNING/registered_in_period", "0"},
                {"caseload/CASE_STAGE_DELIVERY/cases", "0"},
                {"caseload/CASE_STAGE_DELIVERY/registered_in_period", "0"},
                {"caseload/CASE_STAGE_MONITORING/cases", "0"},
                {"caseload/CASE_STAGE_MONITORING/registered_in_period", "0"},
                {"caseload/CASE_STAGE_CLOSED/cases", "1"},
                {"caseload/CASE_STAGE_CLOSED/registered_in_period", "1"},
            }));
}

TEST(CaseloadCells, AnOfficeWithoutCasesShowsEveryStageAtZero) {
  const Cells cells = Caseload({});
  EXPECT_EQ(cells.size(), 12u);
  for (const auto& [key, value] : cells) EXPECT_EQ(value, "0") << key;
}

struct Scored {
  std::optional<double> economic, social, psychosocial, composite;
};

Assessment Rss(homeward::v1::AssessmentOccasion occasion,
               const google::protobuf::Timestamp& submitted, Scored scores,
               absl::CivilDay assessed = absl::CivilDay(2026, 1, 2)) {
  Assessment a;
  a.set_kind(homeward::v1::INSTRUMENT_KIND_RSS);
  a.set_occasion(occasion);
  *a.mutable_create_time() = submitted;
  a.mutable_assessment_date()->set_year(static_cast<int>(assessed.year()));
  a.mutable_assessment_date()->set_month(assessed.month());
  a.mutable_assessment_date()->set_day(assessed.day());
  auto* s = a.mutable_scores();
  if (scores.economic) s->set_economic(*scores.economic);
  if (scores.social) s->set_social(*scores.social);
  if (scores.psychosocial) s->set_psychosocial(*scores.psychosocial);
  if (scores.composite) s->set_composite(*scores.composite);
  return a;
}

Assessment Versioned(Assessment a, int version) {
  a.set_instrument_version(version);
  return a;
}

constexpr auto kBaseline = homeward::v1::ASSESSMENT_OCCASION_BASELINE;
constexpr auto kFollowUp = homeward::v1::ASSESSMENT_OCCASION_FOLLOW_UP;

// The rss cells of `cases` (each a case's assessments), zero counts left
// out so that each expectation lists what the case adds.
Cells RssOf(const std::vector<std::vector<Assessment>>& cases) {
  indicators::IndicatorCells cells;
  StartAssessmentCells(&cells);
  for (const auto& assessments : cases) AddRssCells(assessments, kQ1, &cells);
  Cells out;
  for (auto& [key, value] : testing::CellsOf(cells.ToPart(), kRssTable)) {
    if (value != "0") out[key] = value;
  }
  return out;
}

TEST(RssCells, BaselinesFollowUpsAndTheirChangeByScoreKind) {
  Assessment member_rss = Rss(kBaseline, At(2026, 2, 1), {0.9, 0.9, 0.9, 0.9});
  member_rss.set_subject_member_id("M1");
  Assessment screening = Rss(kBaseline, At(2026, 2, 1), {0.9, 0.9, 0.9, 0.9});
  screening.set_kind(homeward::v1::INSTRUMENT_KIND_VULNERABILITY_SCREENING);

  struct Example {
    std::string name;
    std::vector<std::vector<Assessment>> cases;
    Cells expected;
  } examples[] = {
      {"a baseline alone, every score",
       {{Rss(kBaseline, At(2026, 1, 1, 0, 0, 0), {0.25, 0.5625, 0.4, 0.3929})}},
       {{"rss/SCORE_KIND_ECONOMIC/baseline_cases", "1"},
        {"rss/SCORE_KIND_ECONOMIC/baseline_mean", "0.25/1"},
        {"rss/SCORE_KIND_SOCIAL/baseline_cases", "1"},
        {"rss/SCORE_KIND_SOCIAL/baseline_mean", "0.5625/1"},
        {"rss/SCORE_KIND_PSYCHOSOCIAL/baseline_cases", "1"},
        {"rss/SCORE_KIND_PSYCHOSOCIAL/baseline_mean", "0.4/1"},
        {"rss/SCORE_KIND_COMPOSITE/baseline_cases", "1"},
        {"rss/SCORE_KIND_COMPOSITE/baseline_mean", "0.3929/1"}}},
      {"a baseline before the period: not counted, but the change is from it",
       {{Rss(kBaseline, At(2025, 12, 31, 23, 59, 59), {0.25, {}, {}, {}}),
         Rss(kFollowUp, At(2026, 3, 31, 23, 59, 59), {0.75, {}, {}, {}})}},
       {{"rss/SCORE_KIND_ECONOMIC/follow_up_cases", "1"},
        {"rss/SCORE_KIND_ECONOMIC/follow_up_mean", "0.75/1"},
        {"rss/SCORE_KIND_ECONOMIC/mean_change", "0.5/1"}}},
      {"a baseline of another instrument version gives no change",
       {{Versioned(Rss(kBaseline, At(2026, 1, 5), {0.25, {}, {}, {}}), 1),
         Versioned(Rss(kFollowUp, At(2026, 3, 5), {0.75, {}, {}, {}}), 2)}},
       {{"rss/SCORE_KIND_ECONOMIC/baseline_cases", "1"},
        {"rss/SCORE_KIND_ECONOMIC/baseline_mean", "0.25/1"},
        {"rss/SCORE_KIND_ECONOMIC/follow_up_cases", "1"},
        {"rss/SCORE_KIND_ECONOMIC/follow_up_mean", "0.75/1"}}},
      {"a baseline after the follow-up is not what it compares with",
       {{Rss(kBaseline, At(2026, 1, 5), {0.25, {}, {}, {}},
             absl::CivilDay(2026, 1, 5)),
         Rss(kFollowUp, At(2026, 3, 5), {0.75, {}, {}, {}},
             absl::CivilDay(2026, 3, 5)),
         Rss(kBaseline, At(2026, 3, 20), {0.5, {}, {}, {}},
             absl::CivilDay(2026, 3, 20))}},
       // baseline_mean is the latest baseline's (0.5); the change is from the
       // one before the follow-up: 0.75 - 0.25.
       {{"rss/SCORE_KIND_ECONOMIC/baseline_cases", "1"},
        {"rss/SCORE_KIND_ECONOMIC/baseline_mean", "0.5/1"},
        {"rss/SCORE_KIND_ECONOMIC/follow_up_cases", "1"},
        {"rss/SCORE_KIND_ECONOMIC/follow_up_mean", "0.75/1"},
        {"rss/SCORE_KIND_ECONOMIC/mean_change", "0.5/1"}}},
      {"a follow-up submitted the second after the period",
       {{Rss(kBaseline, At(2026, 3, 1), {0.25, {}, {}, {}}),
         Rss(kFollowUp, At(2026, 4, 1, 0, 0, 0), {0.75, {}, {}, {}})}},
       {{"rss/SCORE_KIND_ECONOMIC/baseline_cases", "1"},
        {"rss/SCORE_KIND_ECONOMIC/baseline_mean", "0.25/1"}}},
      {"the latest of each: greatest assessment date, then submission",
       {{Rss(kBaseline, At(2026, 1, 20), {0.2, {}, {}, {}},
             absl::CivilDay(2026, 1, 15)),
         Rss(kBaseline, At(2026, 1, 10), {0.6, {}, {}, {}},
             absl::CivilDay(2026, 1, 16)),
         Rss(kFollowUp, At(2026, 3, 2, 9), {0.7, {}, {}, {}},
             absl::CivilDay(2026, 3, 1)),
         Rss(kFollowUp, At(2026, 3, 2, 8), {0.5, {}, {}, {}},
             absl::CivilDay(2026, 3, 1))}},
       // 0.7 - 0.6
       {{"rss/SCORE_KIND_ECONOMIC/baseline_cases", "1"},
        {"rss/SCORE_KIND_ECONOMIC/baseline_mean", "0.6/1"},
        {"rss/SCORE_KIND_ECONOMIC/follow_up_cases", "1"},
        {"rss/SCORE_KIND_ECONOMIC/follow_up_mean", "0.7/1"},
        {"rss/SCORE_KIND_ECONOMIC/mean_change", "0.1/1"}}},
      {"a score absent on one side gives no change for that kind",
       {{Rss(kBaseline, At(2026, 1, 5), {0.5, 0.5, {}, 0.5}),
         Rss(kFollowUp, At(2026, 2, 5), {1, {}, 0.25, 0.75})}},
       {{"rss/SCORE_KIND_ECONOMIC/baseline_cases", "1"},
        {"rss/SCORE_KIND_ECONOMIC/baseline_mean", "0.5/1"},
        {"rss/SCORE_KIND_ECONOMIC/follow_up_cases", "1"},
        {"rss/SCORE_KIND_ECONOMIC/follow_up_mean", "1/1"},
        {"rss/SCORE_KIND_ECONOMIC/mean_change", "0.5/1"},
        {"rss/SCORE_KIND_SOCIAL/baseline_cases", "1"},
        {"rss/SCORE_KIND_SOCIAL/baseline_mean", "0.5/1"},
        {"rss/SCORE_KIND_PSYCHOSOCIAL/follow_up_cases", "1"},
        {"rss/SCORE_KIND_PSYCHOSOCIAL/follow_up_mean", "0.25/1"},
        {"rss/SCORE_KIND_COMPOSITE/baseline_cases", "1"},
        {"rss/SCORE_KIND_COMPOSITE/baseline_mean", "0.5/1"},
        {"rss/SCORE_KIND_COMPOSITE/follow_up_cases", "1"},
        {"rss/SCORE_KIND_COMPOSITE/follow_up_mean", "0.75/1"},
        {"rss/SCORE_KIND_COMPOSITE/mean_change", "0.25/1"}}},
      {"a member's RSS, other instruments and other occasions do not count",
       {{member_rss, screening,
         Rss(homeward::v1::ASSESSMENT_OCCASION_AD_HOC, At(2026, 2, 1),
             {0.9, 0.9, 0.9, 0.9}),
         Rss(homeward::v1::ASSESSMENT_OCCASION_CLOSURE, At(2026, 2, 1),
             {0.9, 0.9, 0.9, 0.9})}},
       {}},
      {"means and change over cases: only cases with both give a change",
       {{Rss(kBaseline, At(2026, 1, 5), {0.25, {}, {}, {}}),
         Rss(kFollowUp, At(2026, 3, 5), {0.75, {}, {}, {}})},
        {Rss(kBaseline, At(2026, 1, 6), {0.5, {}, {}, {}})},
        {Rss(kFollowUp, At(2026, 3, 6), {1, {}, {}, {}})}},
       {{"rss/SCORE_KIND_ECONOMIC/baseline_cases", "2"},
        {"rss/SCORE_KIND_ECONOMIC/baseline_mean", "0.75/2"},
        {"rss/SCORE_KIND_ECONOMIC/follow_up_cases", "2"},
        {"rss/SCORE_KIND_ECONOMIC/follow_up_mean", "1.75/2"},
        {"rss/SCORE_KIND_ECONOMIC/mean_change", "0.5/1"}}},
  };
  for (const Example& e : examples) {
    EXPECT_EQ(RssOf(e.cases), e.expected) << e.name;
  }
}

TEST(RssCells, EveryCountCellIsThereAtZero) {
  indicators::IndicatorCells cells;
  StartAssessmentCells(&cells);
  EXPECT_EQ(testing::CellsOf(cells.ToPart(), kRssTable),
            (Cells{{"rss/SCORE_KIND_ECONOMIC/baseline_cases", "0"},
                   {"rss/SCORE_KIND_ECONOMIC/follow_up_cases", "0"},
                   {"rss/SCORE_KIND_SOCIAL/baseline_cases", "0"},
                   {"rss/SCORE_KIND_SOCIAL/follow_up_cases", "0"},
                   {"rss/SCORE_KIND_PSYCHOSOCIAL/baseline_cases", "0"},
                   {"rss/SCORE_KIND_PSYCHOSOCIAL/follow_up_cases", "0"},
                   {"rss/SCORE_KIND_COMPOSITE/baseline_cases", "0"},
                   {"rss/SCORE_KIND_COMPOSITE/follow_up_cases", "0"}}));
}

}  // namespace
}  // namespace homeward::assessment
