// Table-driven tests of the instrument definition rules and the content hash.
// Each case starts from SmallInstrument() (test_instruments.h, valid) and
// breaks one thing; the expected list is every violation, in order, worked
// out by hand from the rules in instrument_rules.cc.
#include "services/assessment/instruments/instrument_rules.h"

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/assessment/instruments/test_instruments.h"

namespace homeward::assessment {
namespace {

using ::homeward::assessment::instrument_testing::CaseName;
using ::homeward::assessment::instrument_testing::ParseInstrument;
using ::homeward::assessment::instrument_testing::SmallInstrument;
using ::homeward::assessment::instrument_testing::TestTaxonomy;
using ::homeward::v1::InstrumentDefinition;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Item indexes in SmallInstrument().
constexpr int kA = 0, kC = 2, kD = 3, kE = 4, kF = 5, kG = 6, kH = 7, kU = 9;

// Validates against the test taxonomy SmallInstrument() names.
errors::FieldViolations Validate(const InstrumentDefinition& d) {
  return ValidateInstrument(d, &TestTaxonomy());
}

std::vector<std::string> Fields(const errors::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& fv : v.violations()) out.push_back(fv.field);
  return out;
}

std::string DescriptionOf(const errors::FieldViolations& v,
                          const std::string& field) {
  for (const auto& fv : v.violations()) {
    if (fv.field == field) return fv.description;
  }
  return "<no violation on " + field + ">";
}

TEST(ValidateInstrumentTest, AcceptsTheSmallInstrument) {
  EXPECT_THAT(Fields(Validate(SmallInstrument())), IsEmpty());
}

struct RuleCase {
  std::string name;
  std::function<void(InstrumentDefinition&)> mutate;
  std::vector<std::string> fields;  // every violation expected, in order
  friend void PrintTo(const RuleCase& c, std::ostream* os) { *os << c.name; }
};

class InstrumentRulesTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(InstrumentRulesTest, ReportsExactlyTheBadFields) {
  InstrumentDefinition d = SmallInstrument();
  GetParam().mutate(d);
  EXPECT_EQ(Fields(Validate(d)), GetParam().fields);
}

homeward::v1::Condition* FirstCondition(InstrumentDefinition& d, int rule) {
  return d.mutable_flag_rules(rule)->mutable_all_of(0);
}

std::vector<RuleCase> HeaderRuleCases() {
  return {
      RuleCase{"MissingId",
               [](auto& d) { d.clear_instrument_id(); },
               {"instrument_id"}},
      RuleCase{"UpperCaseId",
               [](auto& d) { d.set_instrument_id("RSS"); },
               {"instrument_id"}},
      RuleCase{"HyphenInId",
               [](auto& d) { d.set_instrument_id("rss-v1"); },
               {"instrument_id"}},
      RuleCase{"IdOf64IsAllowed",
               [](auto& d) { d.set_instrument_id(std::string(64, 'x')); },
               {}},
      RuleCase{"IdOf65IsTooLong",
               [](auto& d) { d.set_instrument_id(std::string(65, 'x')); },
               {"instrument_id"}},
      RuleCase{"VersionZero", [](auto& d) { d.set_version(0); }, {"version"}},
      RuleCase{
          "NegativeVersion", [](auto& d) { d.set_version(-3); }, {"version"}},
      RuleCase{"MissingKind", [](auto& d) { d.clear_kind(); }, {"kind"}},
      RuleCase{"UnknownKind",
               [](auto& d) {
                 d.set_kind(static_cast<homeward::v1::InstrumentKind>(99));
               },
               {"kind"}},
      RuleCase{"OutputOnlyFieldsAreNotChecked",
               [](auto& d) {
                 d.set_content_sha256("anything");
                 d.mutable_publish_time()->set_seconds(-5);
               },
               {}},
  };
}

INSTANTIATE_TEST_SUITE_P(Header, InstrumentRulesTest,
                         ::testing::ValuesIn(HeaderRuleCases()), CaseName());

std::vector<RuleCase> ItemsRuleCases() {
  return {
      RuleCase{"BadItemId",
               [](auto& d) { d.mutable_items(kG)->set_id("G!"); },
               {"items[6].id"}},
      RuleCase{"MissingItemId",
               [](auto& d) { d.mutable_items(kG)->clear_id(); },
               {"items[6].id"}},
      RuleCase{"DuplicateItemId",
               [](auto& d) { d.mutable_items(kH)->set_id("g"); },
               {"items[7].id"}},
      RuleCase{"NoQuestion",
               [](auto& d) { d.mutable_items(kA)->clear_question(); },
               {"items[0].question"}},
      RuleCase{"BlankQuestionInOneLanguage",
               [](auto& d) {
                 (*d.mutable_items(kA)->mutable_question())["fr"] = "  ";
               },
               {"items[0].question[fr]"}},
      RuleCase{"MissingAnswerType",
               [](auto& d) { d.mutable_items(kG)->clear_answer_type(); },
               {"items[6].answer_type"}},
      RuleCase{"ChoiceWithoutOptions",
               [](auto& d) { d.mutable_items(kU)->clear_options(); },
               {"items[9].options"}},
      RuleCase{"YesNoWithAThirdOption",
               [](auto& d) {
                 auto* o = d.mutable_items(kF)->add_options();
                 o->set_id("maybe");
                 o->set_value(0.5);
               },
               {"items[5].options"}},
      RuleCase{"YesNoWithOtherIds",
               [](auto& d) {
                 d.mutable_items(kU)->set_answer_type(
                     homeward::v1::ANSWER_TYPE_YES_NO);
               },
               {"items[9].options"}},
      RuleCase{"DuplicateOptionId",
               [](auto& d) {
                 d.mutable_items(kA)->mutable_options(2)->set_id("a0");
               },
               {"items[0].options[2].id"}},
      RuleCase{"BadOptionId",
               [](auto& d) {
                 d.mutable_items(kA)->mutable_options(2)->set_id("A-1");
               },
               {"items[0].options[2].id"}},
      RuleCase{"ChoiceOptionWithoutLabel",
               [](auto& d) {
                 d.mutable_items(kA)->mutable_options(1)->clear_label();
               },
               {"items[0].options[1].label"}},
      RuleCase{"OptionValueAboveOne",
               [](auto& d) {
                 d.mutable_items(kA)->mutable_options(1)->set_value(1.5);
               },
               {"items[0].options[1].value"}},
      RuleCase{"OptionValueBelowZero",
               [](auto& d) {
                 d.mutable_items(kA)->mutable_options(1)->set_value(-0.1);
               },
               {"items[0].options[1].value"}},
      RuleCase{"OptionValueNaN",
               [](auto& d) {
                 d.mutable_items(kA)->mutable_options(1)->set_value(kNaN);
               },
               {"items[0].options[1].value"}},
      RuleCase{"ScoredOptionWithoutValue",
               [](auto& d) {
                 d.mutable_items(kA)->mutable_options(1)->clear_value();
               },
               {"items[0].options[1].value"}},
      RuleCase{"UnscoredOptionValueIsStillRangeChecked",
               [](auto& d) {
                 d.mutable_items(kU)->mutable_options(0)->set_value(2);
               },
               {"items[9].options[0].value"}},
      RuleCase{"OptionsOnANumberItem",
               [](auto& d) { d.mutable_items(kE)->add_options()->set_id("x"); },
               {"items[4].options"}},
      RuleCase{"ScoredTextItem",
               [](auto& d) {
                 d.mutable_items(kC)->set_answer_type(
                     homeward::v1::ANSWER_TYPE_TEXT);
                 d.mutable_items(kC)->clear_options();
               },
               {"items[2].answer_type"}},
      RuleCase{"ScoredDateItem",
               [](auto& d) {
                 auto* w = d.add_composite_weights();
                 w->set_item_id("h");
                 w->set_weight(0.1);
                 d.mutable_composite_weights(0)->set_weight(
                     0.1);  // keeps the sum at 1
               },
               {"items[7].answer_type"}},
      RuleCase{"NumberWithoutRange",
               [](auto& d) { d.mutable_items(kE)->clear_number_range(); },
               {"items[4].number_range"}},
      RuleCase{"NumberMinEqualsMax",
               [](auto& d) {
                 d.mutable_items(kE)->mutable_number_range()->set_min(10);
               },
               {"items[4].number_range"}},
      RuleCase{"NumberRangeNotFinite",
               [](auto& d) {
                 d.mutable_items(kE)->mutable_number_range()->set_max(
                     std::numeric_limits<double>::infinity());
               },
               {"items[4].number_range"}},
      RuleCase{"RangeOnAChoiceItem",
               [](auto& d) {
                 d.mutable_items(kA)->mutable_number_range()->set_max(1);
               },
               {"items[0].number_range"}},
      RuleCase{"UnknownDimension",
               [](auto& d) {
                 d.mutable_items(kG)->set_dimension(
                     static_cast<homeward::v1::Dimension>(7));
               },
               {"items[6].dimension"}},
      RuleCase{"FactorLevelWithoutType",
               [](auto& d) {
                 d.mutable_items(kF)->set_factor_level(
                     homeward::v1::FACTOR_LEVEL_HOUSEHOLD);
               },
               {"items[5].factor_type"}},
      RuleCase{"FactorTypeWithoutLevel",
               [](auto& d) {
                 d.mutable_items(kF)->set_factor_type(
                     homeward::v1::FACTOR_TYPE_PROTECTIVE);
               },
               {"items[5].factor_level"}},
      RuleCase{"NoItems",
               [](auto& d) {
                 d.clear_items();
                 d.clear_dimension_weights();
                 d.clear_composite_weights();
                 d.clear_bands();
                 d.clear_flag_rules();
                 d.clear_need_rules();
               },
               {"items"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Items, InstrumentRulesTest,
                         ::testing::ValuesIn(ItemsRuleCases()), CaseName());

std::vector<RuleCase> WeightsRuleCases() {
  return {
      RuleCase{
          "DimensionUnspecified",
          [](auto& d) { d.mutable_dimension_weights(1)->clear_dimension(); },
          // Also: the social score is gone, but nothing depends on it.
          {"dimension_weights[1].dimension"}},
      RuleCase{"DimensionListedTwice",
               [](auto& d) {
                 d.mutable_dimension_weights(1)->set_dimension(
                     homeward::v1::DIMENSION_ECONOMIC);
               },
               // d and e are social items, so each is also in the wrong list.
               {"dimension_weights[1].dimension",
                "dimension_weights[1].weights[0].item_id",
                "dimension_weights[1].weights[1].item_id"}},
      RuleCase{"NoWeights",
               [](auto& d) { d.mutable_dimension_weights(2)->clear_weights(); },
               {"dimension_weights[2].weights"}},
      RuleCase{
          "ZeroWeight",
          [](auto& d) {
            d.mutable_dimension_weights(0)->mutable_weights(2)->set_weight(0);
          },
          // The sum (0.8) is not reported again: the bad weight explains it.
          {"dimension_weights[0].weights[2].weight"}},
      RuleCase{
          "UnknownItem",
          [](auto& d) {
            d.mutable_dimension_weights(0)->mutable_weights(2)->set_item_id(
                "zz");
          },
          {"dimension_weights[0].weights[2].item_id"}},
      RuleCase{
          "ItemOfAnotherDimension",
          [](auto& d) {
            d.mutable_dimension_weights(0)->mutable_weights(2)->set_item_id(
                "d");
          },
          {"dimension_weights[0].weights[2].item_id"}},
      RuleCase{
          "ItemListedTwice",
          [](auto& d) {
            d.mutable_dimension_weights(0)->mutable_weights(2)->set_item_id(
                "a");
          },
          {"dimension_weights[0].weights[2].item_id"}},
      RuleCase{"SumAboveOne",
               // 0.5 + 0.3 + 0.3 = 1.1
               [](auto& d) {
                 d.mutable_dimension_weights(0)->mutable_weights(2)->set_weight(
                     0.3);
               },
               {"dimension_weights[0].weights"}},
      RuleCase{"SumWithinTolerance",
               // 0.5 + 0.3 + 0.2000005 = 1.0000005: off by 5e-7 < 1e-6
               [](auto& d) {
                 d.mutable_dimension_weights(0)->mutable_weights(2)->set_weight(
                     0.2000005);
               },
               {}},
      RuleCase{"SumJustOutsideTolerance",
               // 0.5 + 0.3 + 0.2000011 = 1.0000011: off by 1.1e-6 > 1e-6
               [](auto& d) {
                 d.mutable_dimension_weights(0)->mutable_weights(2)->set_weight(
                     0.2000011);
               },
               {"dimension_weights[0].weights"}},
      RuleCase{"CompositeSumBelowOne",
               // 0.9 without f's 0.1
               [](auto& d) { d.mutable_composite_weights()->RemoveLast(); },
               {"composite_weights"}},
      RuleCase{
          "CompositeUnknownItem",
          [](auto& d) { d.mutable_composite_weights(0)->set_item_id("zz"); },
          {"composite_weights[0].item_id"}},
      RuleCase{
          "CompositeItemTwice",
          [](auto& d) { d.mutable_composite_weights(5)->set_item_id("a"); },
          {"composite_weights[5].item_id"}},
      RuleCase{
          "CompositeNegativeWeight",
          [](auto& d) { d.mutable_composite_weights(5)->set_weight(-0.1); },
          {"composite_weights[5].weight"}},
      RuleCase{
          "CompositeTakesAnyDimension",
          // The unscored number item n (no dimension) may join the composite.
          [](auto& d) {
            d.mutable_composite_weights(5)->set_weight(0.05);
            auto* w = d.add_composite_weights();
            w->set_item_id("n");
            w->set_weight(0.05);
          },
          {}},
      RuleCase{"NoCompositeIsAllowed",
               [](auto& d) {
                 d.clear_composite_weights();
                 d.clear_bands();
               },
               {}},
  };
}

INSTANTIATE_TEST_SUITE_P(Weights, InstrumentRulesTest,
                         ::testing::ValuesIn(WeightsRuleCases()), CaseName());

std::vector<RuleCase> BandsRuleCases() {
  return {
      RuleCase{"ScoreUnspecified",
               [](auto& d) { d.mutable_bands(0)->clear_score(); },
               {"bands[0].score"}},
      RuleCase{"ScoreTwice",
               [](auto& d) { *d.add_bands() = d.bands(0); },
               {"bands[1].score"}},
      RuleCase{"ScoreNotComputed",
               [](auto& d) {
                 d.mutable_dimension_weights()
                     ->RemoveLast();  // no psychosocial score
                 auto* b = d.add_bands();
                 b->set_score(homeward::v1::SCORE_KIND_PSYCHOSOCIAL);
                 auto* band = b->add_bands();
                 band->set_label("any");
                 band->set_max(1);
               },
               {"bands[1].score"}},
      RuleCase{"NoBands",
               [](auto& d) { d.mutable_bands(0)->clear_bands(); },
               {"bands[0].bands"}},
      RuleCase{
          "BlankLabel",
          [](auto& d) { d.mutable_bands(0)->mutable_bands(0)->set_label(" "); },
          {"bands[0].bands[0].label"}},
      RuleCase{
          "MaxAboveOne",
          [](auto& d) { d.mutable_bands(0)->mutable_bands(2)->set_max(1.5); },
          {"bands[0].bands[2].max"}},
      RuleCase{
          "MinBelowZero",
          [](auto& d) { d.mutable_bands(0)->mutable_bands(0)->set_min(-0.1); },
          {"bands[0].bands[0].min"}},
      RuleCase{
          "MinNotBelowMax",
          [](auto& d) { d.mutable_bands(0)->mutable_bands(1)->set_min(0.7); },
          {"bands[0].bands[1]"}},
      RuleCase{
          "Overlap",
          [](auto& d) { d.mutable_bands(0)->mutable_bands(1)->set_min(0.3); },
          {"bands[0].bands[1].min"}},
      RuleCase{"HighToLow",
               [](auto& d) {
                 d.mutable_bands(0)->mutable_bands()->SwapElements(0, 2);
               },
               // [0.7,1] then [0.4,0.7): 0.4 < 1; then [0,0.4): 0 < 0.7.
               {"bands[0].bands[1].min", "bands[0].bands[2].min"}},
      RuleCase{
          "GapsAreAllowed",
          [](auto& d) { d.mutable_bands(0)->mutable_bands(1)->set_min(0.45); },
          {}},
  };
}

INSTANTIATE_TEST_SUITE_P(Bands, InstrumentRulesTest,
                         ::testing::ValuesIn(BandsRuleCases()), CaseName());

std::vector<RuleCase> RulesRuleCases() {
  return {
      RuleCase{"LowerCaseCode",
               [](auto& d) { d.mutable_flag_rules(0)->set_code("a_low"); },
               {"flag_rules[0].code"}},
      RuleCase{"MissingCode",
               [](auto& d) { d.mutable_need_rules(0)->clear_code(); },
               {"need_rules[0].code"}},
      RuleCase{"FlagWithoutLabel",
               [](auto& d) { d.mutable_flag_rules(0)->clear_label(); },
               {"flag_rules[0].label"}},
      RuleCase{"NoConditions",
               [](auto& d) { d.mutable_flag_rules(0)->clear_all_of(); },
               {"flag_rules[0].all_of"}},
      RuleCase{"ItemAndScore",
               [](auto& d) {
                 FirstCondition(d, 0)->set_score(
                     homeward::v1::SCORE_KIND_ECONOMIC);
               },
               {"flag_rules[0].all_of[0]"}},
      RuleCase{"NeitherItemNorScore",
               [](auto& d) { FirstCondition(d, 0)->clear_item_id(); },
               {"flag_rules[0].all_of[0]"}},
      RuleCase{"UnknownItem",
               [](auto& d) { FirstCondition(d, 0)->set_item_id("zz"); },
               {"flag_rules[0].all_of[0].item_id"}},
      RuleCase{
          "UnknownOption",
          [](auto& d) { FirstCondition(d, 0)->set_any_of_options(1, "a9"); },
          {"flag_rules[0].all_of[0].any_of_options[1]"}},
      RuleCase{"ChoiceWithoutOptions",
               [](auto& d) { FirstCondition(d, 0)->clear_any_of_options(); },
               {"flag_rules[0].all_of[0].any_of_options"}},
      RuleCase{"BoundsOnAChoiceItem",
               [](auto& d) {
                 FirstCondition(d, 0)->set_at_least(0);
                 FirstCondition(d, 0)->set_at_most(1);
               },
               {"flag_rules[0].all_of[0].at_least",
                "flag_rules[0].all_of[0].at_most"}},
      RuleCase{"OptionsOnANumberItem",
               [](auto& d) { FirstCondition(d, 1)->add_any_of_options("x"); },
               {"flag_rules[1].all_of[0].any_of_options"}},
      RuleCase{"NumberWithoutBounds",
               [](auto& d) {
                 FirstCondition(d, 1)->clear_at_least();
                 FirstCondition(d, 1)->clear_at_most();
               },
               {"flag_rules[1].all_of[0]"}},
      RuleCase{"AtLeastAboveAtMost",
               [](auto& d) { FirstCondition(d, 1)->set_at_least(16); },
               {"flag_rules[1].all_of[0]"}},
      RuleCase{"BoundNotFinite",
               [](auto& d) { FirstCondition(d, 1)->set_at_most(kNaN); },
               {"flag_rules[1].all_of[0].at_most"}},
      RuleCase{"TextItem",
               [](auto& d) {
                 FirstCondition(d, 0)->set_item_id("g");
                 FirstCondition(d, 0)->clear_any_of_options();
               },
               {"flag_rules[0].all_of[0].item_id"}},
      RuleCase{
          "ScoreNotComputed",
          [](auto& d) { d.mutable_dimension_weights(0)->clear_dimension(); },
          // Without an economic list the economic score used by flag
          // rule 2 and need rule 0 is gone.
          {"dimension_weights[0].dimension", "flag_rules[2].all_of[0].score",
           "need_rules[0].all_of[0].score"}},
      RuleCase{"OptionsOnAScore",
               [](auto& d) {
                 d.mutable_flag_rules(2)->mutable_all_of(0)->add_any_of_options(
                     "a0");
               },
               {"flag_rules[2].all_of[0].any_of_options"}},
      RuleCase{"ScoreWithoutBounds",
               [](auto& d) {
                 d.mutable_flag_rules(2)->mutable_all_of(0)->clear_at_most();
               },
               {"flag_rules[2].all_of[0]"}},
      RuleCase{"ScoreBoundAboveOne",
               [](auto& d) {
                 d.mutable_flag_rules(2)->mutable_all_of(0)->set_at_most(50);
               },
               {"flag_rules[2].all_of[0].at_most"}},
      RuleCase{"UnknownScoreKind",
               [](auto& d) {
                 d.mutable_flag_rules(2)->mutable_all_of(0)->set_score(
                     static_cast<homeward::v1::ScoreKind>(9));
               },
               {"flag_rules[2].all_of[0].score"}},
      RuleCase{"SharedCodesAreAlternatives",
               [](auto& d) { d.mutable_flag_rules(1)->set_code("A_LOW"); },
               {}},
      RuleCase{"NeedWithoutDimension",
               [](auto& d) { d.mutable_need_rules(0)->clear_dimension(); },
               {"need_rules[0].dimension"}},
      RuleCase{"NeedWithoutCategory",
               [](auto& d) { d.mutable_need_rules(0)->set_category(" "); },
               {"need_rules[0].category"}},
      RuleCase{"NeedWithoutDescription",
               [](auto& d) { d.mutable_need_rules(0)->clear_description(); },
               {"need_rules[0].description"}},
      RuleCase{"NeedWithoutPriority",
               [](auto& d) { d.mutable_need_rules(0)->clear_priority(); },
               {"need_rules[0].priority"}},
      RuleCase{"NeedWithoutConditions",
               [](auto& d) { d.mutable_need_rules(0)->clear_all_of(); },
               {"need_rules[0].all_of"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Rules, InstrumentRulesTest,
                         ::testing::ValuesIn(RulesRuleCases()), CaseName());

// Need categories and flag responses against the taxonomy (issue 11), and
// the exclusive mark on options.
std::vector<RuleCase> TaxonomyRuleCases() {
  return {
      RuleCase{
          "NeedCategoryNotInTaxonomy",
          [](auto& d) { d.mutable_need_rules(0)->set_category("livelihood"); },
          {"need_rules[0].category"}},
      RuleCase{"NeedDimensionNotTheComponents",
               [](auto& d) {
                 d.mutable_need_rules(0)->set_dimension(
                     homeward::v1::DIMENSION_SOCIAL);
               },
               {"need_rules[0].dimension"}},
      RuleCase{"NeedInProtectionDimension",
               [](auto& d) {
                 d.mutable_need_rules(0)->set_dimension(
                     homeward::v1::DIMENSION_PROTECTION);
                 d.mutable_need_rules(0)->set_category("child_protection");
               },
               {}},
      RuleCase{"FlagWithoutPriority",
               [](auto& d) { d.mutable_flag_rules(3)->clear_priority(); },
               {"flag_rules[3].priority"}},
      RuleCase{
          "FlagWithoutResponse",
          [](auto& d) { d.mutable_flag_rules(3)->clear_response_category(); },
          {"flag_rules[3].response_category"}},
      RuleCase{"FlagResponseNotInTaxonomy",
               [](auto& d) {
                 d.mutable_flag_rules(3)->set_response_category("safe_house");
               },
               {"flag_rules[3].response_category"}},
      RuleCase{"FlagResponseOfAnyDimension",
               [](auto& d) {
                 d.mutable_flag_rules(3)->set_response_category("housing");
               },
               {}},
      RuleCase{"RulesWithoutTaxonomy",
               [](auto& d) {
                 d.clear_taxonomy_id();
                 d.clear_taxonomy_version();
               },
               {"taxonomy_id", "taxonomy_version"}},
      RuleCase{"UnpublishedTaxonomyVersion",
               [](auto& d) { d.set_taxonomy_version(2); },
               {"taxonomy_version"}},
      RuleCase{"NoRulesNeedNoTaxonomy",
               [](auto& d) {
                 d.clear_flag_rules();
                 d.clear_need_rules();
                 d.clear_taxonomy_id();
                 d.clear_taxonomy_version();
               },
               {}},
      RuleCase{"ExclusiveOnMultipleChoice",
               [](auto& d) {
                 d.mutable_items(kD)->mutable_options(0)->set_exclusive(true);
               },
               {}},
      RuleCase{"ExclusiveOnSingleChoice",
               [](auto& d) {
                 d.mutable_items(kA)->mutable_options(0)->set_exclusive(true);
               },
               {"items[0].options[0].exclusive"}},
      RuleCase{"ExclusiveOnYesNo",
               [](auto& d) {
                 d.mutable_items(kF)->mutable_options(1)->set_exclusive(true);
               },
               {"items[5].options[1].exclusive"}},
      RuleCase{"DimensionWeightsForProtection",
               [](auto& d) {
                 d.mutable_dimension_weights(2)->set_dimension(
                     homeward::v1::DIMENSION_PROTECTION);
               },
               {"dimension_weights[2].dimension"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Taxonomy, InstrumentRulesTest,
                         ::testing::ValuesIn(TaxonomyRuleCases()), CaseName());

TEST(ValidateInstrumentTest, UnpublishedTaxonomyRefusesRulesOnTaxonomyVersion) {
  const InstrumentDefinition d = SmallInstrument();
  const errors::FieldViolations bad = ValidateInstrument(d, nullptr);
  EXPECT_THAT(Fields(bad), ElementsAre("taxonomy_version"));
  EXPECT_EQ(DescriptionOf(bad, "taxonomy_version"),
            "taxonomy 'reintegration' version 1 is not published; publish it "
            "first or name a published version");
}

TEST(ValidateInstrumentTest, TaxonomyMessagesNameTheComponentAndDimension) {
  InstrumentDefinition d = SmallInstrument();
  d.mutable_need_rules(0)->set_dimension(homeward::v1::DIMENSION_SOCIAL);
  d.mutable_flag_rules(0)->set_response_category("water");
  const errors::FieldViolations bad = Validate(d);
  EXPECT_EQ(DescriptionOf(bad, "need_rules[0].dimension"),
            "must be DIMENSION_ECONOMIC, the dimension of component "
            "'employment'");
  EXPECT_THAT(DescriptionOf(bad, "flag_rules[0].response_category"),
              ::testing::StartsWith("'water' is not a component of taxonomy "
                                    "'reintegration' version 1; known: "));
}

TEST(ValidateInstrumentWithTest, LooksUpTheNamedTaxonomyVersion) {
  std::vector<std::string> asked;
  const TaxonomyLookup lookup =
      [&asked](absl::string_view id,
               int32_t version) -> absl::StatusOr<homeward::v1::Taxonomy> {
    asked.push_back(absl::StrCat(id, "@", version));
    if (id == "reintegration" && version == 1) return TestTaxonomy();
    return absl::NotFoundError("taxonomy");
  };
  InstrumentDefinition d = SmallInstrument();
  EXPECT_THAT(Fields(ValidateInstrumentWith(d, lookup)), IsEmpty());
  d.set_taxonomy_version(3);
  EXPECT_THAT(Fields(ValidateInstrumentWith(d, lookup)),
              ElementsAre("taxonomy_version"));
  EXPECT_THAT(asked, ElementsAre("reintegration@1", "reintegration@3"));
  const TaxonomyLookup broken =
      [](absl::string_view, int32_t) -> absl::StatusOr<homeward::v1::Taxonomy> {
    return absl::UnavailableError("disk");
  };
  const errors::FieldViolations unread =
      ValidateInstrumentWith(SmallInstrument(), broken);
  EXPECT_THAT(Fields(unread), ElementsAre("taxonomy_version"));
  EXPECT_EQ(DescriptionOf(unread, "taxonomy_version"),
            "could not read the taxonomy: disk");
}

TEST(ValidateInstrumentTest, ReportsEveryProblemAtOnce) {
  InstrumentDefinition d = SmallInstrument();
  d.set_version(0);
  d.mutable_items(kA)->mutable_options(1)->set_value(1.5);
  d.mutable_dimension_weights(0)->mutable_weights(2)->set_weight(0.3);
  FirstCondition(d, 0)->set_item_id("zz");
  errors::FieldViolations bad = Validate(d);
  EXPECT_THAT(Fields(bad), ElementsAre("version", "items[0].options[1].value",
                                       "dimension_weights[0].weights",
                                       "flag_rules[0].all_of[0].item_id"));
}

TEST(ValidateInstrumentTest, MessagesSayWhatIsAllowed) {
  InstrumentDefinition d = SmallInstrument();
  d.mutable_items(kA)->mutable_options(1)->set_value(1.5);
  d.mutable_dimension_weights(0)->mutable_weights(2)->set_weight(0.3);
  d.mutable_dimension_weights(0)->mutable_weights(1)->set_item_id("d");
  errors::FieldViolations bad = Validate(d);
  EXPECT_EQ(DescriptionOf(bad, "items[0].options[1].value"),
            "must be in 0..1 (0 worst, 1 best)");
  // 0.5 + 0.3 + 0.3 = 1.1
  EXPECT_EQ(DescriptionOf(bad, "dimension_weights[0].weights"),
            "weights must sum to 1 (within 1e-6); they sum to 1.1");
  EXPECT_EQ(
      DescriptionOf(bad, "dimension_weights[0].weights[1].item_id"),
      "item 'd' has dimension DIMENSION_SOCIAL; only items whose dimension is "
      "DIMENSION_ECONOMIC are weighted here");
}

TEST(ValidateInstrumentTest, ScoredItemWithUnscorableTypeIsReportedOnce) {
  // c is in the economic and the composite lists but is reported once.
  InstrumentDefinition d = SmallInstrument();
  d.mutable_items(kC)->set_answer_type(homeward::v1::ANSWER_TYPE_DATE);
  d.mutable_items(kC)->clear_options();
  EXPECT_THAT(Fields(Validate(d)), ElementsAre("items[2].answer_type"));
}

TEST(ScoreKindTest, MapsDimensionsBothWays) {
  EXPECT_EQ(ScoreKindOf(homeward::v1::DIMENSION_SOCIAL),
            homeward::v1::SCORE_KIND_SOCIAL);
  EXPECT_EQ(ScoreKindOf(homeward::v1::DIMENSION_UNSPECIFIED),
            homeward::v1::SCORE_KIND_UNSPECIFIED);
  EXPECT_EQ(DimensionOf(homeward::v1::SCORE_KIND_PSYCHOSOCIAL),
            homeward::v1::DIMENSION_PSYCHOSOCIAL);
  EXPECT_EQ(DimensionOf(homeward::v1::SCORE_KIND_COMPOSITE),
            homeward::v1::DIMENSION_UNSPECIFIED);
  InstrumentDefinition d = SmallInstrument();
  EXPECT_TRUE(ComputesScore(d, homeward::v1::SCORE_KIND_ECONOMIC));
  EXPECT_TRUE(ComputesScore(d, homeward::v1::SCORE_KIND_COMPOSITE));
  d.clear_composite_weights();
  EXPECT_FALSE(ComputesScore(d, homeward::v1::SCORE_KIND_COMPOSITE));
  EXPECT_FALSE(ComputesScore(d, homeward::v1::SCORE_KIND_UNSPECIFIED));
}

// -------------------------------------------------------------- content hash

TEST(InstrumentContentHashTest, IsLowerCaseHexSha256) {
  std::string hash = InstrumentContentHash(SmallInstrument());
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(InstrumentContentHashTest, DoesNotDependOnMapInsertionOrder) {
  // Same wordings, inserted in opposite orders, in the same items.
  InstrumentDefinition en_first = ParseInstrument(R"txt(
    instrument_id: "x" version: 1 kind: INSTRUMENT_KIND_RSS
    title { key: "en" value: "T" } title { key: "fr" value: "T fr" }
    title { key: "wo" value: "T wo" }
    items { id: "q" answer_type: ANSWER_TYPE_TEXT
            question { key: "en" value: "Q" }
            question { key: "fr" value: "Q fr" } }
  )txt");
  InstrumentDefinition fr_first = ParseInstrument(R"txt(
    instrument_id: "x" version: 1 kind: INSTRUMENT_KIND_RSS
    title { key: "wo" value: "T wo" } title { key: "fr" value: "T fr" }
    title { key: "en" value: "T" }
    items { id: "q" answer_type: ANSWER_TYPE_TEXT
            question { key: "fr" value: "Q fr" }
            question { key: "en" value: "Q" } }
  )txt");
  EXPECT_EQ(InstrumentContentHash(en_first), InstrumentContentHash(fr_first));
  // And built programmatically, element by element, in yet another order.
  InstrumentDefinition built;
  built.set_instrument_id("x");
  built.set_version(1);
  built.set_kind(homeward::v1::INSTRUMENT_KIND_RSS);
  (*built.mutable_title())["fr"] = "T fr";
  (*built.mutable_title())["en"] = "T";
  (*built.mutable_title())["wo"] = "T wo";
  auto* item = built.add_items();
  item->set_id("q");
  (*item->mutable_question())["en"] = "Q";
  (*item->mutable_question())["fr"] = "Q fr";
  item->set_answer_type(homeward::v1::ANSWER_TYPE_TEXT);
  EXPECT_EQ(InstrumentContentHash(built), InstrumentContentHash(en_first));
}

TEST(InstrumentContentHashTest, IgnoresOutputOnlyFields) {
  InstrumentDefinition d = SmallInstrument();
  std::string before = InstrumentContentHash(d);
  d.set_content_sha256(before);
  d.mutable_publish_time()->set_seconds(1780000000);
  EXPECT_EQ(InstrumentContentHash(d), before);
}

TEST(InstrumentContentHashTest, ChangesWhenContentChanges) {
  const InstrumentDefinition base = SmallInstrument();
  const std::string hash = InstrumentContentHash(base);
  std::vector<std::function<void(InstrumentDefinition&)>> changes = {
      [](auto& d) { d.set_version(2); },
      [](auto& d) {
        d.mutable_dimension_weights(0)->mutable_weights(0)->set_weight(0.51);
      },
      [](auto& d) { d.mutable_items(kA)->mutable_options(1)->set_value(0.4); },
      [](auto& d) {
        (*d.mutable_items(kA)->mutable_question())["fr"] = "A ?!";
      },
      [](auto& d) { d.set_provenance("official weights"); },
      // An explicit 0 differs from no value: the option becomes scored data.
      [](auto& d) { d.mutable_items(kU)->mutable_options(0)->set_value(0); },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    InstrumentDefinition d = base;
    changes[i](d);
    EXPECT_NE(InstrumentContentHash(d), hash) << "change " << i;
  }
}

TEST(InstrumentContentHashTest, IgnoresUnknownFields) {
  InstrumentDefinition d = SmallInstrument();
  std::string before = InstrumentContentHash(d);
  // Field 999, varint 1: what a newer client's extra field would look like.
  d.GetReflection()->MutableUnknownFields(&d)->AddVarint(999, 1);
  EXPECT_EQ(InstrumentContentHash(d), before);
}

}  // namespace
}  // namespace homeward::assessment
