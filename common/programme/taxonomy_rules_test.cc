// Table-driven tests of the taxonomy rules: each case starts from a valid
// two-component taxonomy and breaks one thing; the expected list is every
// violation, in order.
#include "common/programme/taxonomy_rules.h"

#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace homeward::programme {
namespace {

using ::homeward::v1::Taxonomy;
using ::testing::IsEmpty;

Taxonomy ValidTaxonomy() {
  Taxonomy t;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(R"txt(
    taxonomy_id: "reintegration"
    version: 1
    title { key: "en" value: "Reintegration support" }
    components { component_id: "housing" dimension: DIMENSION_SOCIAL
                 label { key: "en" value: "Housing" }
                 description { key: "en" value: "Safe accommodation." } }
    components { component_id: "counter_trafficking"
                 dimension: DIMENSION_PROTECTION
                 label { key: "en" value: "Counter-trafficking" }
                 label { key: "fr" value: "Lutte contre la traite" } }
  )txt",
                                                            &t));
  return t;
}

std::vector<std::string> Fields(const errors::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& fv : v.violations()) out.push_back(fv.field);
  return out;
}

struct TaxonomyCase {
  std::string name;
  std::function<void(Taxonomy&)> mutate;
  std::vector<std::string> fields;
};

class TaxonomyRulesTest : public ::testing::TestWithParam<TaxonomyCase> {};

TEST(ValidateTaxonomyTest, AcceptsAValidTaxonomy) {
  EXPECT_THAT(Fields(ValidateTaxonomy(ValidTaxonomy())), IsEmpty());
}

TEST_P(TaxonomyRulesTest, ReportsExactlyTheBadFields) {
  Taxonomy t = ValidTaxonomy();
  GetParam().mutate(t);
  EXPECT_EQ(Fields(ValidateTaxonomy(t)), GetParam().fields);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, TaxonomyRulesTest,
    ::testing::ValuesIn(std::vector<TaxonomyCase>{
        {"MissingId",
         [](Taxonomy& t) { t.clear_taxonomy_id(); },
         {"taxonomy_id"}},
        {"UpperCaseId",
         [](Taxonomy& t) { t.set_taxonomy_id("Reint"); },
         {"taxonomy_id"}},
        {"IdTooLong",
         [](Taxonomy& t) { t.set_taxonomy_id(std::string(65, 'a')); },
         {"taxonomy_id"}},
        {"IdOfSixtyFourIsFine",
         [](Taxonomy& t) { t.set_taxonomy_id(std::string(64, 'a')); },
         {}},
        {"VersionZero", [](Taxonomy& t) { t.set_version(0); }, {"version"}},
        {"BlankTitle",
         [](Taxonomy& t) { (*t.mutable_title())["en"] = "  "; },
         {"title[en]"}},
        {"NoComponents",
         [](Taxonomy& t) { t.clear_components(); },
         {"components"}},
        {"ComponentWithoutId",
         [](Taxonomy& t) { t.mutable_components(1)->clear_component_id(); },
         {"components[1].component_id"}},
        {"ComponentIdWithDash",
         [](Taxonomy& t) {
           t.mutable_components(1)->set_component_id("counter-trafficking");
         },
         {"components[1].component_id"}},
        {"DuplicateComponentId",
         [](Taxonomy& t) {
           t.mutable_components(1)->set_component_id("housing");
         },
         {"components[1].component_id"}},
        {"ComponentWithoutDimension",
         [](Taxonomy& t) { t.mutable_components(0)->clear_dimension(); },
         {"components[0].dimension"}},
        {"ComponentWithUnknownDimension",
         [](Taxonomy& t) {
           t.mutable_components(0)->set_dimension(
               static_cast<homeward::v1::Dimension>(42));
         },
         {"components[0].dimension"}},
        {"ComponentWithoutLabel",
         [](Taxonomy& t) { t.mutable_components(0)->clear_label(); },
         {"components[0].label"}},
        {"BlankLabel",
         [](Taxonomy& t) {
           (*t.mutable_components(1)->mutable_label())["fr"] = "";
         },
         {"components[1].label[fr]"}},
        {"BlankDescription",
         [](Taxonomy& t) {
           (*t.mutable_components(0)->mutable_description())["en"] = "\t";
         },
         {"components[0].description[en]"}},
        {"EverythingAtOnce",
         [](Taxonomy& t) {
           t.set_version(-1);
           t.mutable_components(0)->clear_label();
           t.mutable_components(1)->set_component_id("housing");
           t.mutable_components(1)->clear_dimension();
         },
         {"version", "components[0].label", "components[1].component_id",
          "components[1].dimension"}},
    }),
    [](const ::testing::TestParamInfo<TaxonomyCase>& info) {
      return info.param.name;
    });

TEST(ValidateTaxonomyTest, MessagesSayWhatIsAllowed) {
  Taxonomy t = ValidTaxonomy();
  t.mutable_components(1)->set_component_id("housing");
  t.mutable_components(0)->clear_dimension();
  const errors::FieldViolations bad = ValidateTaxonomy(t);
  ASSERT_EQ(bad.violations().size(), 2u);
  EXPECT_EQ(bad.violations()[0].description,
            "is required: DIMENSION_ECONOMIC, DIMENSION_SOCIAL, "
            "DIMENSION_PSYCHOSOCIAL, DIMENSION_IMMEDIATE_ASSISTANCE or "
            "DIMENSION_PROTECTION");
  EXPECT_EQ(bad.violations()[1].description,
            "'housing' is already the id of components[0]");
}

}  // namespace
}  // namespace homeward::programme
