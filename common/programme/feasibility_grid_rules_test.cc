// Table-driven tests of the feasibility grid rules: each case starts from a
// valid two-row grid and breaks one thing; the expected list is every
// violation, in order.
#include "common/programme/feasibility_grid_rules.h"

#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace homeward::programme {
namespace {

using ::homeward::v1::FeasibilityGrid;
using ::homeward::v1::Taxonomy;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Taxonomy TestTaxonomy() {
  Taxonomy t;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(R"txt(
    taxonomy_id: "reintegration"
    version: 1
    components { component_id: "business_development"
                 dimension: DIMENSION_ECONOMIC
                 label { key: "en" value: "Business development" } }
    components { component_id: "housing" dimension: DIMENSION_SOCIAL
                 label { key: "en" value: "Housing" } }
  )txt",
                                                            &t));
  return t;
}

FeasibilityGrid ValidGrid() {
  FeasibilityGrid g;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(R"txt(
    grid_id: "example_grid"
    version: 1
    title { key: "en" value: "Example grid" }
    taxonomy_id: "reintegration"
    taxonomy_version: 1
    rows {
      row_id: "business_start_up"
      dimension: DIMENSION_ECONOMIC
      approach { key: "en" value: "Business start-up" }
      useful_for: ["business_development", "housing"]
      criteria { criterion_id: "has_skills" level: ASSISTANCE_LEVEL_INDIVIDUAL
                 question { key: "en" value: "Relevant skills?" } }
      criteria { criterion_id: "local_demand" level: ASSISTANCE_LEVEL_COMMUNITY
                 question { key: "en" value: "Local demand?" } }
      criteria { criterion_id: "suppliers" level: ASSISTANCE_LEVEL_STRUCTURAL
                 question { key: "en" value: "Reliable suppliers?" } }
    }
    rows {
      row_id: "housing_support"
      dimension: DIMENSION_SOCIAL
      approach { key: "fr" value: "Aide au logement" }
      useful_for: ["housing"]
      criteria { criterion_id: "needs_housing"
                 level: ASSISTANCE_LEVEL_INDIVIDUAL
                 question { key: "fr" value: "Besoin d'un logement ?" } }
    }
  )txt",
                                                            &g));
  return g;
}

std::vector<std::string> Fields(const errors::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& fv : v.violations()) out.push_back(fv.field);
  return out;
}

struct GridCase {
  std::string name;
  std::function<void(FeasibilityGrid&)> mutate;
  std::vector<std::string> fields;
};

class FeasibilityGridRulesTest : public ::testing::TestWithParam<GridCase> {};

TEST(ValidateFeasibilityGridTest, AcceptsAValidGrid) {
  const Taxonomy taxonomy = TestTaxonomy();
  EXPECT_THAT(Fields(ValidateFeasibilityGrid(ValidGrid(), &taxonomy)),
              IsEmpty());
}

TEST(ValidateFeasibilityGridTest, UnpublishedTaxonomyIsRefusedOnItsVersion) {
  errors::FieldViolations bad = ValidateFeasibilityGrid(ValidGrid(), nullptr);
  ASSERT_EQ(Fields(bad), std::vector<std::string>{"taxonomy_version"});
  EXPECT_THAT(bad.violations()[0].description,
              HasSubstr("taxonomy 'reintegration' version 1 is not "
                        "published"));
}

TEST(ValidateFeasibilityGridTest, HouseholdLevelIsRefusedNamingTheLevels) {
  FeasibilityGrid g = ValidGrid();
  g.mutable_rows(1)->mutable_criteria(0)->set_level(
      homeward::v1::ASSISTANCE_LEVEL_HOUSEHOLD);
  const Taxonomy taxonomy = TestTaxonomy();
  errors::FieldViolations bad = ValidateFeasibilityGrid(g, &taxonomy);
  ASSERT_EQ(Fields(bad), std::vector<std::string>{"rows[1].criteria[0].level"});
  EXPECT_THAT(bad.violations()[0].description,
              HasSubstr("ASSISTANCE_LEVEL_STRUCTURAL"));
}

TEST_P(FeasibilityGridRulesTest, ReportsExactlyTheBadFields) {
  FeasibilityGrid g = ValidGrid();
  GetParam().mutate(g);
  const Taxonomy taxonomy = TestTaxonomy();
  EXPECT_EQ(Fields(ValidateFeasibilityGrid(g, &taxonomy)), GetParam().fields);
}

using G = FeasibilityGrid;

INSTANTIATE_TEST_SUITE_P(
    Rules, FeasibilityGridRulesTest,
    ::testing::ValuesIn(std::vector<GridCase>{
        {"MissingGridId", [](G& g) { g.clear_grid_id(); }, {"grid_id"}},
        {"UpperCaseGridId",
         [](G& g) { g.set_grid_id("Example"); },
         {"grid_id"}},
        {"GridIdTooLong",
         [](G& g) { g.set_grid_id(std::string(65, 'g')); },
         {"grid_id"}},
        {"GridIdOfSixtyFourIsFine",
         [](G& g) { g.set_grid_id(std::string(64, 'g')); },
         {}},
        {"VersionZero", [](G& g) { g.set_version(0); }, {"version"}},
        {"BlankTitle",
         [](G& g) { (*g.mutable_title())["en"] = " "; },
         {"title[en]"}},
        {"MissingTaxonomyId",
         [](G& g) { g.clear_taxonomy_id(); },
         {"taxonomy_id"}},
        {"MissingTaxonomyVersion",
         [](G& g) { g.clear_taxonomy_version(); },
         {"taxonomy_version"}},
        {"NoRows", [](G& g) { g.clear_rows(); }, {"rows"}},
        {"MissingRowId",
         [](G& g) { g.mutable_rows(0)->clear_row_id(); },
         {"rows[0].row_id"}},
        {"BadRowId",
         [](G& g) { g.mutable_rows(0)->set_row_id("start-up"); },
         {"rows[0].row_id"}},
        {"DuplicateRowId",
         [](G& g) { g.mutable_rows(1)->set_row_id("business_start_up"); },
         {"rows[1].row_id"}},
        {"MissingDimension",
         [](G& g) { g.mutable_rows(1)->clear_dimension(); },
         {"rows[1].dimension"}},
        {"UnknownDimension",
         [](G& g) {
           g.mutable_rows(1)->set_dimension(
               static_cast<homeward::v1::Dimension>(42));
         },
         {"rows[1].dimension"}},
        {"MissingApproach",
         [](G& g) { g.mutable_rows(0)->clear_approach(); },
         {"rows[0].approach"}},
        {"BlankApproach",
         [](G& g) { (*g.mutable_rows(0)->mutable_approach())["en"] = "  "; },
         {"rows[0].approach"}},
        {"OneBlankApproachLanguageIsFine",
         [](G& g) { (*g.mutable_rows(0)->mutable_approach())["fr"] = ""; },
         {}},
        {"NoUsefulFor",
         [](G& g) { g.mutable_rows(1)->clear_useful_for(); },
         {"rows[1].useful_for"}},
        {"UsefulForUnknownComponent",
         [](G& g) { g.mutable_rows(0)->set_useful_for(1, "housin"); },
         {"rows[0].useful_for[1]"}},
        {"UsefulForAnotherDimensionIsFine",
         [](G& g) {
           g.mutable_rows(1)->add_useful_for("business_development");
         },
         {}},
        {"NoCriteria",
         [](G& g) { g.mutable_rows(1)->clear_criteria(); },
         {"rows[1].criteria"}},
        {"MissingCriterionId",
         [](G& g) {
           g.mutable_rows(0)->mutable_criteria(2)->clear_criterion_id();
         },
         {"rows[0].criteria[2].criterion_id"}},
        {"BadCriterionId",
         [](G& g) {
           g.mutable_rows(0)->mutable_criteria(2)->set_criterion_id(
               "Has Skills");
         },
         {"rows[0].criteria[2].criterion_id"}},
        {"DuplicateCriterionIdInRow",
         [](G& g) {
           g.mutable_rows(0)->mutable_criteria(1)->set_criterion_id(
               "has_skills");
         },
         {"rows[0].criteria[1].criterion_id"}},
        {"SameCriterionIdInAnotherRowIsFine",
         [](G& g) {
           g.mutable_rows(1)->mutable_criteria(0)->set_criterion_id(
               "has_skills");
         },
         {}},
        {"MissingLevel",
         [](G& g) { g.mutable_rows(0)->mutable_criteria(0)->clear_level(); },
         {"rows[0].criteria[0].level"}},
        {"HouseholdLevel",
         [](G& g) {
           g.mutable_rows(0)->mutable_criteria(1)->set_level(
               homeward::v1::ASSISTANCE_LEVEL_HOUSEHOLD);
         },
         {"rows[0].criteria[1].level"}},
        {"MissingQuestion",
         [](G& g) { g.mutable_rows(1)->mutable_criteria(0)->clear_question(); },
         {"rows[1].criteria[0].question"}},
        {"BlankQuestion",
         [](G& g) {
           (*g.mutable_rows(1)->mutable_criteria(0)->mutable_question())["fr"] =
               "\t";
         },
         {"rows[1].criteria[0].question"}},
        {"EveryProblemReported",
         [](G& g) {
           g.clear_grid_id();
           g.set_version(-1);
           g.mutable_rows(0)->clear_dimension();
           g.mutable_rows(1)->mutable_criteria(0)->clear_level();
         },
         {"grid_id", "version", "rows[0].dimension",
          "rows[1].criteria[0].level"}},
    }),
    [](const ::testing::TestParamInfo<GridCase>& info) {
      return info.param.name;
    });

}  // namespace
}  // namespace homeward::programme
