// Tests of answer validation and scoring. Every expected score is worked out
// by hand in the comment next to it. Rounded scores are compared with ==:
// RoundScore returns the double nearest to the 4-place decimal, which is the
// double the literal in the test denotes.
#include "services/assessment/instruments/scoring.h"

#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "common/api/scores.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/assessment/instruments/instrument_rules.h"
#include "services/assessment/instruments/test_instruments.h"

namespace homeward::assessment {
namespace {

using ::homeward::assessment::instrument_testing::Answers;
using ::homeward::assessment::instrument_testing::CaseName;
using ::homeward::assessment::instrument_testing::Choice;
using ::homeward::assessment::instrument_testing::Choices;
using ::homeward::assessment::instrument_testing::DateAnswer;
using ::homeward::assessment::instrument_testing::MakeAnswers;
using ::homeward::assessment::instrument_testing::Number;
using ::homeward::assessment::instrument_testing::ParseInstrument;
using ::homeward::assessment::instrument_testing::SmallInstrument;
using ::homeward::assessment::instrument_testing::TestTaxonomy;
using ::homeward::assessment::instrument_testing::Text;
using ::homeward::v1::Answer;
using ::homeward::v1::InstrumentDefinition;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Fields(const errors::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& fv : v.violations()) out.push_back(fv.field);
  return out;
}

std::vector<std::string> FlagCodes(const ScoringResult& r) {
  std::vector<std::string> out;
  for (const auto& f : r.flags) out.push_back(f.code());
  return out;
}

std::optional<double> Econ(const ScoringResult& r) {
  return api::ScoreOf(r.scores, homeward::v1::SCORE_KIND_ECONOMIC);
}
std::optional<double> Social(const ScoringResult& r) {
  return api::ScoreOf(r.scores, homeward::v1::SCORE_KIND_SOCIAL);
}
std::optional<double> Psy(const ScoringResult& r) {
  return api::ScoreOf(r.scores, homeward::v1::SCORE_KIND_PSYCHOSOCIAL);
}
std::optional<double> Composite(const ScoringResult& r) {
  return api::ScoreOf(r.scores, homeward::v1::SCORE_KIND_COMPOSITE);
}

// ---------------------------------------------------------------- RoundScore

struct RoundCase {
  double in;
  double out;
  const char* why;
};

TEST(RoundScoreTest, RoundsHalfAwayFromZeroToFourPlaces) {
  const std::vector<RoundCase> cases = {
      {0.65, 0.65, "already 4 places"},
      {0, 0, "zero"},
      {1, 1, "one"},
      {0.12345, 0.1235, "tie; the double nearest 0.12345 is a hair above it"},
      {0.12345000001, 0.1235, "just above the tie"},
      {0.12344999, 0.1234,
       "below the tie by 1e-8, far outside the 1e-13 tolerance"},
      {0.123449999, 0.1234,
       "below the tie by 1e-9, still outside the tolerance"},
      {0.00004999, 0, "0.4999 units of the 4th place rounds down"},
      {0.00005, 0.0001, "tie at the smallest step"},
      {0.01775, 0.0178,
       "the double nearest 0.01775 is 0.017749999999999998834, times 1e4 is "
       "177.49999999999997: within the tolerance, so treated as the tie"},
      {0.1 * 0.1725, 0.0173,
       "evaluates to 0.017249999999999998 (exact decimal 0.01725): rounds like "
       "the tie"},
      {0.99995, 1, "tie below one rounds up to one"},
      {0.39995, 0.4, "tie (0.39995 * 1e4 = 3999.5000000000005)"},
      {-0.00005, -0.0001, "negative tie rounds away from zero (score changes)"},
      {-0.12345, -0.1235, "negative tie"},
      {-0.12344, -0.1234, "negative, below the tie"},
  };
  for (const RoundCase& c : cases) {
    EXPECT_EQ(api::RoundScore(c.in), c.out) << c.in << ": " << c.why;
  }
}

TEST(RoundScoreTest, PassesNonFiniteThrough) {
  EXPECT_TRUE(
      std::isnan(api::RoundScore(std::numeric_limits<double>::quiet_NaN())));
}

// --------------------------------------------------------------- item values

TEST(ItemValueTest, FollowsTheAnswerType) {
  const InstrumentDefinition d = SmallInstrument();
  const auto& a = d.items(0);
  const auto& dd = d.items(3);
  const auto& e = d.items(4);
  const auto& f = d.items(5);
  const auto& g = d.items(6);
  const auto& n = d.items(8);
  const auto& u = d.items(9);
  EXPECT_EQ(ItemValue(a, Choice("a", "a_half")), 0.5);
  EXPECT_EQ(ItemValue(f, Choice("f", "no")), 0.0);
  // Multiple choice: mean of the selected values. (0.2 + 0.6) / 2 = 0.4;
  // in binary 0.2 + 0.6 = 0.8 and 0.8 / 2 = 0.4 exactly as doubles go.
  EXPECT_EQ(ItemValue(dd, Choices("d", {"d_low", "d_mid"})), 0.4);
  // (0.2 + 0.6 + 1) / 3 = 0.6, up to binary rounding.
  EXPECT_NEAR(*ItemValue(dd, Choices("d", {"d_low", "d_mid", "d_high"})), 0.6,
              1e-15);
  // Number 0..10, lower is better: 1 - (x - 0) / 10.
  EXPECT_EQ(ItemValue(e, Number("e", 2.5)), 0.75);
  EXPECT_EQ(ItemValue(e, Number("e", 0)), 1.0);
  EXPECT_EQ(ItemValue(e, Number("e", 10)), 0.0);
  // Number 1..20, higher is better: (x - 1) / 19; x = 5.75 gives 4.75 / 19 =
  // 0.25.
  EXPECT_EQ(ItemValue(n, Number("n", 5.75)), 0.25);
  // No value: text items, options without values, answers of the wrong kind.
  EXPECT_EQ(ItemValue(g, Text("g", "x")), std::nullopt);
  EXPECT_EQ(ItemValue(u, Choice("u", "u1")), std::nullopt);
  EXPECT_EQ(ItemValue(a, Number("a", 1)), std::nullopt);
}

// -------------------------------------------------------------------- scores

TEST(ScoreTest, WeightedDimensionScore) {
  // Economic weights a 0.5, b 0.3, c 0.2; values a 1, b 0.5, c 0:
  // 0.5*1 + 0.3*0.5 + 0.2*0 = 0.65, divided by the weight sum 1.
  ScoringResult r = Score(SmallInstrument(),
                          MakeAnswers({Choice("a", "a1"), Choice("b", "b_half"),
                                       Choice("c", "c0")}));
  EXPECT_EQ(Econ(r), 0.65);
}

TEST(ScoreTest, RenormalisesOverAnsweredItems) {
  // c (optional) unanswered: (0.5*1 + 0.3*0.5) / (0.5 + 0.3) = 0.65 / 0.8 =
  // 0.8125.
  ScoringResult r =
      Score(SmallInstrument(),
            MakeAnswers({Choice("a", "a1"), Choice("b", "b_half")}));
  EXPECT_EQ(Econ(r), 0.8125);
  // Composite over a, b only: (0.2*1 + 0.2*0.5) / 0.4 = 0.3 / 0.4 = 0.75.
  EXPECT_EQ(Composite(r), 0.75);
}

TEST(ScoreTest, AbsentWhenNoItemOfTheScoreWasAnswered) {
  ScoringResult r =
      Score(SmallInstrument(),
            MakeAnswers({Choice("a", "a1"), Choice("b", "b_half")}));
  EXPECT_FALSE(r.scores.has_social());
  EXPECT_FALSE(r.scores.has_psychosocial());
  // Unscored answers (text, date, unscored number) do not create scores.
  ScoringResult none =
      Score(SmallInstrument(), MakeAnswers({Text("g", "x"), Number("n", 3),
                                            DateAnswer("h", 2026, 1, 2)}));
  EXPECT_FALSE(none.scores.has_economic());
  EXPECT_FALSE(none.scores.has_composite());
  EXPECT_THAT(none.bands, IsEmpty());
}

TEST(ScoreTest, MultipleChoiceIsTheMeanOfTheSelectedValues) {
  // d = (0.2 + 0.6) / 2 = 0.4; e unanswered, so social = 0.5*0.4 / 0.5 = 0.4.
  ScoringResult r =
      Score(SmallInstrument(), MakeAnswers({Choices("d", {"d_low", "d_mid"})}));
  EXPECT_EQ(Social(r), 0.4);
}

TEST(ScoreTest, NumberMapsOntoZeroToOne) {
  // e = 2.5 on 0..10, lower is better: 1 - 0.25 = 0.75; social = 0.75.
  EXPECT_EQ(Social(Score(SmallInstrument(), MakeAnswers({Number("e", 2.5)}))),
            0.75);
  // e = 10 is the worst: 0.
  EXPECT_EQ(Social(Score(SmallInstrument(), MakeAnswers({Number("e", 10)}))),
            0.0);
  // Higher is better when asked: flip e's direction, 2.5 gives 0.25.
  InstrumentDefinition d = SmallInstrument();
  d.mutable_items(4)->mutable_number_range()->set_higher_is_better(true);
  EXPECT_EQ(Social(Score(d, MakeAnswers({Number("e", 2.5)}))), 0.25);
}

TEST(ScoreTest, AllFourScoresOfAFullSubmission) {
  // Values: a 1, b 0.5, c 0, d (0.2+0.6)/2 = 0.4, e 1 - 2.5/10 = 0.75, f yes
  // = 1. Economic 0.5*1 + 0.3*0.5 + 0.2*0 = 0.65. Social 0.5*0.4 + 0.5*0.75 =
  // 0.2 + 0.375 = 0.575. Psychosocial 1*1 = 1. Composite 0.2*1 + 0.2*0.5 +
  // 0.1*0 + 0.2*0.4 + 0.2*0.75 + 0.1*1
  //         = 0.2 + 0.1 + 0 + 0.08 + 0.15 + 0.1 = 0.63.
  ScoringResult r = Score(
      SmallInstrument(),
      MakeAnswers({Choice("a", "a1"), Choice("b", "b_half"), Choice("c", "c0"),
                   Choices("d", {"d_low", "d_mid"}), Number("e", 2.5),
                   Choice("f", "yes"), Text("g", "notes")}));
  EXPECT_EQ(Econ(r), 0.65);
  EXPECT_EQ(Social(r), 0.575);
  EXPECT_EQ(Psy(r), 1.0);
  EXPECT_EQ(Composite(r), 0.63);
  // 0.63 is in mid [0.4, 0.7).
  ASSERT_EQ(r.bands.size(), 1u);
  EXPECT_EQ(r.bands[0].score(), homeward::v1::SCORE_KIND_COMPOSITE);
  EXPECT_EQ(r.bands[0].label(), "mid");
}

TEST(ScoreTest, RoundsTheFinalScoreOnce) {
  // One dimension, weights 0.1 and 0.9, values 0.1725 and 0:
  // (0.1*0.1725 + 0.9*0) / (0.1 + 0.9) = 0.01725 exactly in decimals, which
  // evaluates to 0.017249999999999998 in binary; rounding half away from zero
  // gives 0.0173 (a naive round(x * 1e4) would give 0.0172).
  InstrumentDefinition d = ParseInstrument(R"txt(
    instrument_id: "r" version: 1 kind: INSTRUMENT_KIND_RSS
    items { id: "p" answer_type: ANSWER_TYPE_SINGLE_CHOICE
            dimension: DIMENSION_ECONOMIC question { key: "en" value: "P" }
            options { id: "x" value: 0.1725 label { key: "en" value: "x" } } }
    items { id: "q" answer_type: ANSWER_TYPE_SINGLE_CHOICE
            dimension: DIMENSION_ECONOMIC question { key: "en" value: "Q" }
            options { id: "z" value: 0 label { key: "en" value: "z" } } }
    dimension_weights { dimension: DIMENSION_ECONOMIC
                        weights { item_id: "p" weight: 0.1 }
                        weights { item_id: "q" weight: 0.9 } }
  )txt");
  ASSERT_THAT(Fields(ValidateInstrument(d, nullptr)), IsEmpty());
  EXPECT_EQ(Econ(Score(d, MakeAnswers({Choice("p", "x"), Choice("q", "z")}))),
            0.0173);
  // Item values are not rounded before weighting: with p = 0.17245,
  // 0.1*0.17245 / 1 = 0.017245 -> 0.0172, whereas rounding p first (0.1725)
  // would give 0.01725 -> 0.0173.
  d.mutable_items(0)->mutable_options(0)->set_value(0.17245);
  EXPECT_EQ(Econ(Score(d, MakeAnswers({Choice("p", "x"), Choice("q", "z")}))),
            0.0172);
}

// A one-item instrument whose scores equal the answer: item x is a number
// 0..1 (higher is better), the whole economic score and the whole composite.
InstrumentDefinition ProbeInstrument() {
  return ParseInstrument(R"txt(
    instrument_id: "probe" version: 1 kind: INSTRUMENT_KIND_RSS
    items { id: "x" answer_type: ANSWER_TYPE_NUMBER
            dimension: DIMENSION_ECONOMIC question { key: "en" value: "X" }
            number_range { min: 0 max: 1 higher_is_better: true } }
    dimension_weights { dimension: DIMENSION_ECONOMIC
                        weights { item_id: "x" weight: 1 } }
    composite_weights { item_id: "x" weight: 1 }
    bands { score: SCORE_KIND_COMPOSITE
            bands { label: "low" min: 0 max: 0.4 }
            bands { label: "mid" min: 0.4 max: 0.7 }
            bands { label: "high" min: 0.7 max: 1 } }
    bands { score: SCORE_KIND_ECONOMIC
            bands { label: "top" min: 0.9 max: 0.95 } }
    taxonomy_id: "reintegration" taxonomy_version: 1
    flag_rules { code: "BETWEEN" label { key: "en" value: "between" }
                 priority: NEED_PRIORITY_HIGH
                 response_category: "counter_trafficking"
                 all_of { score: SCORE_KIND_COMPOSITE
                          at_least: 0.2 at_most: 0.3 } }
  )txt");
}

std::string BandOf(const ScoringResult& r, homeward::v1::ScoreKind kind) {
  for (const auto& b : r.bands) {
    if (b.score() == kind) return b.label();
  }
  return "<none>";
}

TEST(BandsTest, MinInclusiveMaxExclusiveLastInclusive) {
  const InstrumentDefinition d = ProbeInstrument();
  ASSERT_THAT(Fields(ValidateInstrument(d, &TestTaxonomy())), IsEmpty());
  struct Case {
    double x;
    const char* composite_band;
    const char* economic_band;
  };
  const std::vector<Case> cases = {
      {0, "low", "<none>"},
      {0.3999, "low", "<none>"},
      {0.39995, "mid", "<none>"},  // rounds to 0.4 first, and 0.4 is mid's min
      {0.4, "mid", "<none>"},
      {0.6999, "mid", "<none>"},
      {0.7, "high", "<none>"},
      {0.9, "high", "top"},  // min inclusive
      {0.9499, "high", "top"},
      {0.95, "high", "top"},       // last band takes its max
      {0.9501, "high", "<none>"},  // above the last band: no band
      {1, "high", "<none>"},       // composite's last band takes 1
  };
  for (const Case& c : cases) {
    ScoringResult r = Score(d, MakeAnswers({Number("x", c.x)}));
    EXPECT_EQ(BandOf(r, homeward::v1::SCORE_KIND_COMPOSITE), c.composite_band)
        << c.x;
    EXPECT_EQ(BandOf(r, homeward::v1::SCORE_KIND_ECONOMIC), c.economic_band)
        << c.x;
  }
}

TEST(FlagsTest, ScoreConditionBoundsAreInclusive) {
  const InstrumentDefinition d = ProbeInstrument();
  for (double x : {0.2, 0.25, 0.3}) {
    EXPECT_THAT(FlagCodes(Score(d, MakeAnswers({Number("x", x)}))),
                ElementsAre("BETWEEN"))
        << x;
  }
  for (double x : {0.1999, 0.3001}) {
    EXPECT_THAT(FlagCodes(Score(d, MakeAnswers({Number("x", x)}))), IsEmpty())
        << x;
  }
  // No answer, no score, no flag.
  EXPECT_THAT(FlagCodes(Score(d, Answers())), IsEmpty());
}

// -------------------------------------------------------------- flags, needs

struct FlagCase {
  std::string name;
  std::vector<Answer> answers;
  std::vector<std::string> flags;  // in rule order
  friend void PrintTo(const FlagCase& c, std::ostream* os) { *os << c.name; }
};

class FlagRulesTest : public ::testing::TestWithParam<FlagCase> {};

TEST_P(FlagRulesTest, RaisesExactlyTheseFlags) {
  Answers answers;
  for (const Answer& a : GetParam().answers) *answers.Add() = a;
  EXPECT_EQ(FlagCodes(Score(SmallInstrument(), answers)), GetParam().flags);
}

// Economic score in these cases: a, b, c values with weights 0.5, 0.3, 0.2.
std::vector<FlagCase> RulesFlagCases() {
  return {
      // a1, b1: economic (0.5 + 0.3) / 0.8 = 1; no rule holds.
      FlagCase{"NothingHolds", {Choice("a", "a1"), Choice("b", "b1")}, {}},
      // a_half is one of A_LOW's options.
      FlagCase{
          "ItemOption", {Choice("a", "a_half"), Choice("b", "b1")}, {"A_LOW"}},
      FlagCase{"NumberAtLowerBound",
               {Choice("a", "a1"), Number("n", 10)},
               {"BIG_N"}},
      FlagCase{"NumberAtUpperBound",
               {Choice("a", "a1"), Number("n", 15)},
               {"BIG_N"}},
      FlagCase{"NumberBelow", {Choice("a", "a1"), Number("n", 9.99)}, {}},
      FlagCase{"NumberAbove", {Choice("a", "a1"), Number("n", 15.01)}, {}},
      // a0, b0: economic 0 <= 0.5, and f = no: all of LOW_ECON_AND_NO holds;
      // a0 also raises A_LOW and A_OR_F (first rule); f = no would raise
      // A_OR_F again (second rule) but a flag is raised once.
      FlagCase{"Conjunction",
               {Choice("a", "a0"), Choice("b", "b0"), Choice("f", "no")},
               {"A_LOW", "LOW_ECON_AND_NO", "A_OR_F"}},
      // Economic 0.5*0 + ... = 0 but f = yes: the conjunction fails.
      FlagCase{"ConjunctionNeedsEveryCondition",
               {Choice("a", "a0"), Choice("b", "b0"), Choice("f", "yes")},
               {"A_LOW", "A_OR_F"}},
      // a1, b1: economic 1 > 0.5, f = no: conjunction fails on the score;
      // the second A_OR_F rule holds.
      FlagCase{"ConjunctionFailsOnScore",
               {Choice("a", "a1"), Choice("b", "b1"), Choice("f", "no")},
               {"A_OR_F"}},
      // Economic (0.5*0.5 + 0.3*0.5) / 0.8 = 0.4 / 0.8 = 0.5: at_most
      // inclusive.
      FlagCase{
          "ScoreAtBound",
          {Choice("a", "a_half"), Choice("b", "b_half"), Choice("f", "no")},
          {"A_LOW", "LOW_ECON_AND_NO", "A_OR_F"}},
      FlagCase{"MultipleChoiceAnySelected",
               {Choice("a", "a1"), Choices("d", {"d_low", "d_high"})},
               {"D_HIGH"}},
      FlagCase{"MultipleChoiceNoneListed",
               {Choice("a", "a1"), Choices("d", {"d_low", "d_mid"})},
               {}},
      FlagCase{"UnansweredItemNeverHolds", {}, {}},
  };
}

INSTANTIATE_TEST_SUITE_P(Rules, FlagRulesTest,
                         ::testing::ValuesIn(RulesFlagCases()), CaseName());

TEST(FlagsTest, LabelIsEnglishElseFirstLanguage) {
  ScoringResult r = Score(
      SmallInstrument(),
      MakeAnswers({Choice("a", "a0"), Number("n", 12), Choice("f", "no")}));
  ASSERT_EQ(r.flags.size(), 4u);
  EXPECT_EQ(r.flags[0].label(),
            "A is low");  // "en" although "fr" is listed first
  EXPECT_EQ(r.flags[1].label(), "N grande");  // no "en": "es" < "fr"
  // A_OR_F: both rules hold; the first one's label is used.
  EXPECT_EQ(r.flags[3].code(), "A_OR_F");
  EXPECT_EQ(r.flags[3].label(), "first");
  // Only the second rule holds: its label.
  ScoringResult second = Score(
      SmallInstrument(), MakeAnswers({Choice("a", "a1"), Choice("f", "no")}));
  ASSERT_THAT(FlagCodes(second), ElementsAre("A_OR_F"));
  EXPECT_EQ(second.flags[0].label(), "second");
}

TEST(NeedsTest, NeedRuleFillsTheNeed) {
  // Economic (0.5*0.5 + 0.3*0 + 0.2*1) / 1 = 0.45, within [0.2, 0.5].
  ScoringResult r = Score(SmallInstrument(),
                          MakeAnswers({Choice("a", "a_half"), Choice("b", "b0"),
                                       Choice("c", "c1")}));
  ASSERT_EQ(Econ(r), 0.45);
  ASSERT_EQ(r.needs.size(), 1u);
  const homeward::v1::Need& need = r.needs[0];
  EXPECT_EQ(need.dimension(), homeward::v1::DIMENSION_ECONOMIC);
  EXPECT_EQ(need.category(), "employment");
  EXPECT_EQ(need.description(), "Economic need");
  EXPECT_EQ(need.priority(), homeward::v1::NEED_PRIORITY_HIGH);
  EXPECT_EQ(need.rule_code(), "ECON_NEED");
  // Left for the caller.
  EXPECT_EQ(need.need_id(), "");
  EXPECT_EQ(need.case_id(), "");
  EXPECT_EQ(need.source_assessment_id(), "");
  EXPECT_FALSE(need.has_create_time());
}

TEST(NeedsTest, NoNeedOutsideTheBounds) {
  // Economic a0, b0, c0: 0 < 0.2.
  EXPECT_THAT(Score(SmallInstrument(),
                    MakeAnswers({Choice("a", "a0"), Choice("b", "b0"),
                                 Choice("c", "c0")}))
                  .needs,
              IsEmpty());
  // Economic 1 > 0.5.
  EXPECT_THAT(Score(SmallInstrument(),
                    MakeAnswers({Choice("a", "a1"), Choice("b", "b1")}))
                  .needs,
              IsEmpty());
}

TEST(PreferredWordingTest, EnglishThenSmallestLanguage) {
  google::protobuf::Map<std::string, std::string> m;
  EXPECT_EQ(PreferredWording(m), "");
  m["wo"] = "wolof";
  m["fr"] = "french";
  EXPECT_EQ(PreferredWording(m), "french");
  m["en"] = "english";
  EXPECT_EQ(PreferredWording(m), "english");
}

// -------------------------------------------------------------------- sweeps

// Every answer each scored item of SmallInstrument() can take, plus "not
// answered" (nullopt) for the optional ones.
std::vector<std::vector<std::optional<Answer>>> AnswerSpace() {
  std::vector<std::vector<std::optional<Answer>>> space;
  space.push_back(
      {Choice("a", "a0"), Choice("a", "a_half"), Choice("a", "a1")});
  space.push_back(
      {Choice("b", "b0"), Choice("b", "b_half"), Choice("b", "b1")});
  space.push_back({std::nullopt, Choice("c", "c0"), Choice("c", "c1")});
  std::vector<std::optional<Answer>> d = {std::nullopt};
  const char* ids[] = {"d_low", "d_mid", "d_high"};
  for (int mask = 1; mask < 8; ++mask) {
    Answer a;
    a.set_item_id("d");
    for (int k = 0; k < 3; ++k) {
      if (mask & (1 << k)) a.mutable_option_ids()->add_ids(ids[k]);
    }
    d.push_back(a);
  }
  space.push_back(d);
  space.push_back({std::nullopt, Number("e", 0), Number("e", 2.5),
                   Number("e", 5), Number("e", 7.5), Number("e", 10)});
  space.push_back({std::nullopt, Choice("f", "yes"), Choice("f", "no")});
  return space;
}

Answers Build(const std::vector<std::vector<std::optional<Answer>>>& space,
              const std::vector<int>& pick) {
  Answers out;
  for (size_t i = 0; i < space.size(); ++i) {
    if (space[i][pick[i]].has_value()) *out.Add() = *space[i][pick[i]];
  }
  *out.Add() = Text("g", "required text");
  return out;
}

// Calls `visit` with every combination of picks (one answer per item).
void ForEachCombination(
    const std::vector<std::vector<std::optional<Answer>>>& space,
    const std::function<void(const std::vector<int>&)>& visit) {
  std::vector<int> pick(space.size(), 0);
  while (true) {
    visit(pick);
    size_t i = 0;
    while (i < pick.size() && ++pick[i] == static_cast<int>(space[i].size()))
      pick[i++] = 0;
    if (i == pick.size()) return;
  }
}

TEST(SweepTest, ScoresStayInZeroToOneWithFourPlaces) {
  const InstrumentDefinition d = SmallInstrument();
  const auto space = AnswerSpace();
  int combinations = 0;
  ForEachCombination(space, [&](const std::vector<int>& pick) {
    Answers answers = Build(space, pick);
    ASSERT_THAT(Fields(ValidateAnswers(d, answers)), IsEmpty());
    ScoringResult r = Score(d, answers);
    for (auto kind :
         {homeward::v1::SCORE_KIND_ECONOMIC, homeward::v1::SCORE_KIND_SOCIAL,
          homeward::v1::SCORE_KIND_PSYCHOSOCIAL,
          homeward::v1::SCORE_KIND_COMPOSITE}) {
      std::optional<double> s = api::ScoreOf(r.scores, kind);
      if (!s.has_value()) continue;
      EXPECT_GE(*s, 0.0);
      EXPECT_LE(*s, 1.0);
      EXPECT_EQ(api::RoundScore(*s), *s);
    }
    // a and b are required, so economic and composite are always present.
    EXPECT_TRUE(r.scores.has_economic());
    EXPECT_TRUE(r.scores.has_composite());
    ++combinations;
  });
  // 3 (a) * 3 (b) * 3 (c) * 8 (d) * 6 (e) * 3 (f).
  EXPECT_EQ(combinations, 3888);
}

TEST(SweepTest, RaisingOneAnswerNeverLowersItsDimensionOrTheComposite) {
  const InstrumentDefinition d = SmallInstrument();
  const auto space = AnswerSpace();
  int comparisons = 0;
  ForEachCombination(space, [&](const std::vector<int>& pick) {
    const ScoringResult base = Score(d, Build(space, pick));
    for (size_t i = 0; i < space.size(); ++i) {
      if (!space[i][pick[i]].has_value()) continue;
      const homeward::v1::Item& item =
          d.items(static_cast<int>(i));  // a..f are items 0..5
      const double v = *ItemValue(item, *space[i][pick[i]]);
      for (size_t alt = 0; alt < space[i].size(); ++alt) {
        if (!space[i][alt].has_value() || *ItemValue(item, *space[i][alt]) <= v)
          continue;
        std::vector<int> raised = pick;
        raised[i] = static_cast<int>(alt);
        const ScoringResult higher = Score(d, Build(space, raised));
        const auto kind = ScoreKindOf(item.dimension());
        EXPECT_GE(*api::ScoreOf(higher.scores, kind),
                  *api::ScoreOf(base.scores, kind));
        EXPECT_GE(*Composite(higher), *Composite(base));
        ++comparisons;
      }
    }
  });
  EXPECT_GT(comparisons, 10000);
}

// ------------------------------------------------------------------- answers

// a, b and g are the required items.
Answers ValidAnswers() {
  return MakeAnswers(
      {Choice("a", "a1"), Choice("b", "b_half"), Text("g", "notes")});
}

TEST(ValidateAnswersTest, AcceptsValidAnswers) {
  EXPECT_THAT(Fields(ValidateAnswers(SmallInstrument(), ValidAnswers())),
              IsEmpty());
  Answers all = ValidAnswers();
  for (const Answer& a :
       {Choice("c", "c1"), Choices("d", {"d_low", "d_high"}), Number("e", 0),
        Choice("f", "no"), DateAnswer("h", 2024, 2, 29), Number("n", 20),
        Choice("u", "u2"), Text("t", "")}) {
    *all.Add() = a;
  }
  EXPECT_THAT(Fields(ValidateAnswers(SmallInstrument(), all)), IsEmpty());
}

struct AnswerCase {
  std::string name;
  std::function<void(Answers&)> mutate;
  std::vector<std::string> fields;  // every violation expected, in order
  friend void PrintTo(const AnswerCase& c, std::ostream* os) { *os << c.name; }
};

class AnswerRulesTest : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(AnswerRulesTest, ReportsExactlyTheBadFields) {
  Answers answers = ValidAnswers();
  GetParam().mutate(answers);
  EXPECT_EQ(Fields(ValidateAnswers(SmallInstrument(), answers)),
            GetParam().fields);
}

std::function<void(Answers&)> Append(Answer a) {
  return [a](Answers& answers) { *answers.Add() = a; };
}

std::vector<AnswerCase> RulesAnswerCases() {
  return {
      AnswerCase{
          "UnknownItem", Append(Choice("zz", "x")), {"answers[3].item_id"}},
      AnswerCase{"NoItemId", Append(Number("", 1)), {"answers[3].item_id"}},
      AnswerCase{
          "AnsweredTwice", Append(Choice("a", "a0")), {"answers[3].item_id"}},
      AnswerCase{"MissingRequired",
                 [](Answers& a) { a.DeleteSubrange(1, 1); },  // drop b
                 {"answers"}},
      AnswerCase{"TwoMissingRequired",
                 [](Answers& a) { a.DeleteSubrange(0, 2); },  // drop a and b
                 {"answers", "answers"}},
      AnswerCase{"NoValue",
                 [](Answers& a) { a.Add()->set_item_id("c"); },
                 {"answers[3]"}},
      AnswerCase{"NumberForSingleChoice",
                 [](Answers& a) { a.Mutable(0)->set_number(1); },
                 {"answers[0].number"}},
      AnswerCase{"OptionForNumber",
                 Append(Choice("e", "x")),
                 {"answers[3].option_id"}},
      AnswerCase{"OptionIdsForSingleChoice",
                 Append(Choices("c", {"c0"})),
                 {"answers[3].option_ids"}},
      AnswerCase{"TextForYesNo", Append(Text("f", "yes")), {"answers[3].text"}},
      AnswerCase{"NumberForDate",
                 Append(Number("h", 20260101)),
                 {"answers[3].number"}},
      AnswerCase{"UnknownOption",
                 [](Answers& a) { a.Mutable(0)->set_option_id("a2"); },
                 {"answers[0].option_id"}},
      AnswerCase{"YesNoOtherThanYesOrNo",
                 Append(Choice("f", "maybe")),
                 {"answers[3].option_id"}},
      AnswerCase{"NothingSelected",
                 Append(Choices("d", {})),
                 {"answers[3].option_ids.ids"}},
      AnswerCase{"UnknownSelected",
                 Append(Choices("d", {"d_low", "zz"})),
                 {"answers[3].option_ids.ids[1]"}},
      AnswerCase{"SelectedTwice",
                 Append(Choices("d", {"d_low", "d_mid", "d_low"})),
                 {"answers[3].option_ids.ids[2]"}},
      AnswerCase{"NumberAtMin", Append(Number("e", 0)), {}},
      AnswerCase{"NumberAtMax", Append(Number("e", 10)), {}},
      AnswerCase{
          "NumberBelowMin", Append(Number("e", -0.5)), {"answers[3].number"}},
      AnswerCase{
          "NumberAboveMax", Append(Number("e", 10.5)), {"answers[3].number"}},
      AnswerCase{"NumberNaN",
                 Append(Number("e", std::numeric_limits<double>::quiet_NaN())),
                 {"answers[3].number"}},
      AnswerCase{"NumberInfinite",
                 Append(Number("n", std::numeric_limits<double>::infinity())),
                 {"answers[3].number"}},
      AnswerCase{"NoSuchDay",
                 Append(DateAnswer("h", 2026, 2, 29)),
                 {"answers[3].date"}},
      AnswerCase{"LeapDay", Append(DateAnswer("h", 2000, 2, 29)), {}},
      AnswerCase{"CenturyIsNotLeap",
                 Append(DateAnswer("h", 1900, 2, 29)),
                 {"answers[3].date"}},
      AnswerCase{"MonthThirteen",
                 Append(DateAnswer("h", 2026, 13, 1)),
                 {"answers[3].date"}},
      AnswerCase{
          "DayZero", Append(DateAnswer("h", 2026, 1, 0)), {"answers[3].date"}},
      AnswerCase{
          "YearZero", Append(DateAnswer("h", 0, 1, 1)), {"answers[3].date"}},
      AnswerCase{"ThirtyFirstOfApril",
                 Append(DateAnswer("h", 2026, 4, 31)),
                 {"answers[3].date"}},
      AnswerCase{"BlankRequiredText",
                 [](Answers& a) { a.Mutable(2)->set_text(" \n "); },
                 {"answers[2].text"}},
      AnswerCase{"BlankOptionalText", Append(Text("t", "  ")), {}},
      AnswerCase{
          "TextAt4000Bytes",
          [](Answers& a) { a.Mutable(2)->set_text(std::string(4000, 'x')); },
          {}},
      AnswerCase{
          "TextOver4000Bytes",
          [](Answers& a) { a.Mutable(2)->set_text(std::string(4001, 'x')); },
          {"answers[2].text"}},
      AnswerCase{"EveryProblemItsOwnViolation",
                 [](Answers& a) {
                   a.Mutable(0)->set_option_id("a2");
                   a.DeleteSubrange(1, 1);  // drop b; g moves to answers[1]
                   *a.Add() = Number("e", 11);
                   *a.Add() = Choices("d", {"zz", "d_low", "d_low"});
                 },
                 {"answers[0].option_id", "answers[2].number",
                  "answers[3].option_ids.ids[0]",
                  "answers[3].option_ids.ids[2]", "answers"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Rules, AnswerRulesTest,
                         ::testing::ValuesIn(RulesAnswerCases()), CaseName());

// A multiple-choice item whose "none" and "refused" options are exclusive.
InstrumentDefinition ExclusiveInstrument() {
  return ParseInstrument(R"txt(
    instrument_id: "excl"
    version: 1
    kind: INSTRUMENT_KIND_RISK_ASSESSMENT
    title { key: "en" value: "Exclusive options" }
    items {
      id: "m"
      question { key: "en" value: "Which?" }
      answer_type: ANSWER_TYPE_MULTIPLE_CHOICE
      options { id: "a" label { key: "en" value: "A" } }
      options { id: "b" label { key: "en" value: "B" } }
      options { id: "none" label { key: "en" value: "None" } exclusive: true }
      options { id: "refused" label { key: "en" value: "Refused" } exclusive: true }
    }
  )txt");
}

struct ExclusiveCase {
  std::string name;
  Answer answer;
  std::vector<std::string> fields;  // every violation expected, in order
  friend void PrintTo(const ExclusiveCase& c, std::ostream* os) {
    *os << c.name;
  }
};

class ExclusiveOptionTest : public ::testing::TestWithParam<ExclusiveCase> {};

TEST_P(ExclusiveOptionTest, ReportsAnExclusiveOptionChosenWithOthers) {
  EXPECT_EQ(Fields(ValidateAnswers(ExclusiveInstrument(),
                                   MakeAnswers({GetParam().answer}))),
            GetParam().fields);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ExclusiveOptionTest,
    ::testing::Values(
        ExclusiveCase{"ExclusiveAlone", Choices("m", {"none"}), {}},
        ExclusiveCase{"OrdinaryOptionsTogether", Choices("m", {"a", "b"}), {}},
        ExclusiveCase{"ExclusiveWithAnother",
                      Choices("m", {"a", "none"}),
                      {"answers[0].option_ids.ids"}},
        ExclusiveCase{"ExclusiveFirst",
                      Choices("m", {"none", "b"}),
                      {"answers[0].option_ids.ids"}},
        ExclusiveCase{
            "TwoExclusives",
            Choices("m", {"none", "refused"}),
            {"answers[0].option_ids.ids", "answers[0].option_ids.ids"}},
        // Repeating it is reported as a repeat, not as a combination.
        ExclusiveCase{"ExclusiveRepeated",
                      Choices("m", {"none", "none"}),
                      {"answers[0].option_ids.ids[1]"}}),
    CaseName());

TEST(ValidateAnswersTest, ExclusiveMessageNamesTheOption) {
  errors::FieldViolations bad = ValidateAnswers(
      ExclusiveInstrument(), MakeAnswers({Choices("m", {"b", "none"})}));
  ASSERT_EQ(bad.violations().size(), 1u);
  EXPECT_EQ(bad.violations()[0].description,
            "option 'none' of item 'm' is exclusive: choose it alone, not "
            "together with other options");
}

TEST(ValidateAnswersTest, MessagesNameTheItemAndWhatIsAllowed) {
  Answers answers = MakeAnswers(
      {Choice("a", "a2"), Text("g", "x"), Number("e", 11), Number("d", 1)});
  errors::FieldViolations bad = ValidateAnswers(SmallInstrument(), answers);
  ASSERT_EQ(bad.violations().size(), 4u);
  EXPECT_EQ(bad.violations()[0].description,
            "item 'a' has no option 'a2'; allowed: a0, a_half, a1");
  EXPECT_EQ(bad.violations()[1].description,
            "must be between 0 and 10 for item 'e'");
  EXPECT_EQ(bad.violations()[2].description,
            "item 'd' is a multiple-choice item; give option_ids instead");
  EXPECT_EQ(bad.violations()[3].field, "answers");
  EXPECT_EQ(bad.violations()[3].description,
            "item 'b' is required but has no answer");
}

}  // namespace
}  // namespace homeward::assessment
