// Test-only helpers shared by the instrument engine tests: a small instrument
// whose scores are easy to work out by hand, the taxonomy it names, and
// answer builders.
//
//   InstrumentDefinition d = SmallInstrument();
//   errors::FieldViolations bad = ValidateInstrument(d, &TestTaxonomy());
//   Answers answers =
//       MakeAnswers({Choice("a", "a1"), Choice("b", "b_half"), Text("g",
//       "x")});
//   ScoringResult r = Score(d, answers);
#ifndef HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENTS_TEST_INSTRUMENTS_H_
#define HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENTS_TEST_INSTRUMENTS_H_

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/catalog/textproto_dir.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "homeward/v1/assessments.pb.h"
#include "homeward/v1/instruments.pb.h"
#include "homeward/v1/taxonomy.pb.h"
#include "services/assessment/instruments/instrument_rules.h"

namespace homeward::assessment::instrument_testing {

using Answers = google::protobuf::RepeatedPtrField<homeward::v1::Answer>;

// Names parameterized test cases after their `name` field.
struct CaseName {
  template <typename Case>
  std::string operator()(const ::testing::TestParamInfo<Case>& info) const {
    return info.param.name;
  }
};

inline homeward::v1::InstrumentDefinition ParseInstrument(
    const std::string& text) {
  homeward::v1::InstrumentDefinition d;
  if (!google::protobuf::TextFormat::ParseFromString(text, &d)) {
    ADD_FAILURE() << "test instrument does not parse:\n" << text;
  }
  return d;
}

// The taxonomies shipped in deploy/taxonomy/ of the source tree, as the
// service finds them once published (needs HOMEWARD_SOURCE_DIR, which every
// homeward_test target defines).
inline TaxonomyLookup ShippedTaxonomies() {
  absl::StatusOr<std::vector<homeward::v1::Taxonomy>> loaded =
      catalog::LoadTextprotoDir<homeward::v1::Taxonomy>(
          std::string(HOMEWARD_SOURCE_DIR) + "/deploy/taxonomy");
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  std::vector<homeward::v1::Taxonomy> taxonomies;
  if (loaded.ok()) taxonomies = *std::move(loaded);
  return
      [taxonomies](absl::string_view id,
                   int32_t version) -> absl::StatusOr<homeward::v1::Taxonomy> {
        for (const auto& t : taxonomies) {
          if (t.taxonomy_id() == id && t.version() == version) return t;
        }
        return absl::NotFoundError(absl::StrCat("taxonomy ", id, "@", version));
      };
}

// A few components of the shipped taxonomy "reintegration" version 1, with
// the same ids and dimensions (deploy/taxonomy/reintegration.textproto), so
// that a test instrument valid here is valid against the shipped one.
inline const homeward::v1::Taxonomy& TestTaxonomy() {
  static const homeward::v1::Taxonomy* const taxonomy = [] {
    auto* t = new homeward::v1::Taxonomy;
    if (!google::protobuf::TextFormat::ParseFromString(R"txt(
          taxonomy_id: "reintegration"
          version: 1
          components { component_id: "employment"
                       dimension: DIMENSION_ECONOMIC
                       label { key: "en" value: "Employment" } }
          components { component_id: "documentation"
                       dimension: DIMENSION_SOCIAL
                       label { key: "en" value: "Documentation" } }
          components { component_id: "housing"
                       dimension: DIMENSION_SOCIAL
                       label { key: "en" value: "Housing" } }
          components { component_id: "individual_counselling"
                       dimension: DIMENSION_PSYCHOSOCIAL
                       label { key: "en" value: "Individual counselling" } }
          components { component_id: "immediate_assistance"
                       dimension: DIMENSION_IMMEDIATE_ASSISTANCE
                       label { key: "en" value: "Immediate assistance" } }
          components { component_id: "counter_trafficking"
                       dimension: DIMENSION_PROTECTION
                       label { key: "en" value: "Counter-trafficking" } }
          components { component_id: "child_protection"
                       dimension: DIMENSION_PROTECTION
                       label { key: "en" value: "Child protection" } }
        )txt",
                                                       t)) {
      ADD_FAILURE() << "test taxonomy does not parse";
    }
    return t;
  }();
  return *taxonomy;
}

// Items (index: id, type, dimension, values):
//   0 a  single choice, economic, required: a0=0, a_half=0.5, a1=1
//   1 b  single choice, economic, required: b0=0, b_half=0.5, b1=1
//   2 c  single choice, economic, optional: c0=0, c1=1
//   3 d  multiple choice, social: d_low=0.2, d_mid=0.6, d_high=1
//   4 e  number 0..10, social, lower is better
//   5 f  yes/no, psychosocial: yes=1, no=0
//   6 g  text, required
//   7 h  date
//   8 n  number 1..20, not scored
//   9 u  single choice, not scored, options without values
//  10 t  text, optional
// Weights: economic a 0.5, b 0.3, c 0.2; social d 0.5, e 0.5;
// psychosocial f 1; composite a 0.2, b 0.2, c 0.1, d 0.2, e 0.2, f 0.1.
// Composite bands: low [0, 0.4), mid [0.4, 0.7), high [0.7, 1].
// Flag rules: 0 A_LOW (a in {a0, a_half}); 1 BIG_N (10 <= n <= 15);
// 2 LOW_ECON_AND_NO (economic <= 0.5 and f = no); 3 D_HIGH (d has d_high);
// 4 A_OR_F "first" (a = a0); 5 A_OR_F "second" (f = no).
// Every flag rule has priority HIGH and response "counter_trafficking".
// Need rule: 0 ECON_NEED (0.2 <= economic <= 0.5), category "employment".
// Taxonomy: "reintegration" version 1 (TestTaxonomy()).
inline homeward::v1::InstrumentDefinition SmallInstrument() {
  return ParseInstrument(R"txt(
    instrument_id: "mini"
    version: 1
    kind: INSTRUMENT_KIND_RSS
    title { key: "en" value: "Mini" }
    taxonomy_id: "reintegration"
    taxonomy_version: 1
    items {
      id: "a"
      question { key: "en" value: "A?" }
      question { key: "fr" value: "A ?" }
      answer_type: ANSWER_TYPE_SINGLE_CHOICE
      required: true
      dimension: DIMENSION_ECONOMIC
      options { id: "a0" value: 0 label { key: "en" value: "zero" } }
      options { id: "a_half" value: 0.5 label { key: "en" value: "half" } }
      options { id: "a1" value: 1 label { key: "en" value: "one" } }
    }
    items {
      id: "b"
      question { key: "en" value: "B?" }
      answer_type: ANSWER_TYPE_SINGLE_CHOICE
      required: true
      dimension: DIMENSION_ECONOMIC
      options { id: "b0" value: 0 label { key: "en" value: "zero" } }
      options { id: "b_half" value: 0.5 label { key: "en" value: "half" } }
      options { id: "b1" value: 1 label { key: "en" value: "one" } }
    }
    items {
      id: "c"
      question { key: "en" value: "C?" }
      answer_type: ANSWER_TYPE_SINGLE_CHOICE
      dimension: DIMENSION_ECONOMIC
      options { id: "c0" value: 0 label { key: "en" value: "zero" } }
      options { id: "c1" value: 1 label { key: "en" value: "one" } }
    }
    items {
      id: "d"
      question { key: "en" value: "D?" }
      answer_type: ANSWER_TYPE_MULTIPLE_CHOICE
      dimension: DIMENSION_SOCIAL
      options { id: "d_low" value: 0.2 label { key: "en" value: "low" } }
      options { id: "d_mid" value: 0.6 label { key: "en" value: "mid" } }
      options { id: "d_high" value: 1 label { key: "en" value: "high" } }
    }
    items {
      id: "e"
      question { key: "en" value: "E?" }
      answer_type: ANSWER_TYPE_NUMBER
      dimension: DIMENSION_SOCIAL
      number_range { min: 0 max: 10 higher_is_better: false }
    }
    items {
      id: "f"
      question { key: "en" value: "F?" }
      answer_type: ANSWER_TYPE_YES_NO
      dimension: DIMENSION_PSYCHOSOCIAL
      options { id: "yes" value: 1 }
      options { id: "no" value: 0 }
    }
    items {
      id: "g"
      question { key: "en" value: "G?" }
      answer_type: ANSWER_TYPE_TEXT
      required: true
    }
    items {
      id: "h"
      question { key: "en" value: "H?" }
      answer_type: ANSWER_TYPE_DATE
    }
    items {
      id: "n"
      question { key: "en" value: "N?" }
      answer_type: ANSWER_TYPE_NUMBER
      number_range { min: 1 max: 20 higher_is_better: true }
    }
    items {
      id: "u"
      question { key: "en" value: "U?" }
      answer_type: ANSWER_TYPE_SINGLE_CHOICE
      options { id: "u1" label { key: "en" value: "one" } }
      options { id: "u2" label { key: "en" value: "two" } }
    }
    items {
      id: "t"
      question { key: "en" value: "T?" }
      answer_type: ANSWER_TYPE_TEXT
    }
    dimension_weights {
      dimension: DIMENSION_ECONOMIC
      weights { item_id: "a" weight: 0.5 }
      weights { item_id: "b" weight: 0.3 }
      weights { item_id: "c" weight: 0.2 }
    }
    dimension_weights {
      dimension: DIMENSION_SOCIAL
      weights { item_id: "d" weight: 0.5 }
      weights { item_id: "e" weight: 0.5 }
    }
    dimension_weights {
      dimension: DIMENSION_PSYCHOSOCIAL
      weights { item_id: "f" weight: 1 }
    }
    composite_weights { item_id: "a" weight: 0.2 }
    composite_weights { item_id: "b" weight: 0.2 }
    composite_weights { item_id: "c" weight: 0.1 }
    composite_weights { item_id: "d" weight: 0.2 }
    composite_weights { item_id: "e" weight: 0.2 }
    composite_weights { item_id: "f" weight: 0.1 }
    bands {
      score: SCORE_KIND_COMPOSITE
      bands { label: "low" min: 0 max: 0.4 }
      bands { label: "mid" min: 0.4 max: 0.7 }
      bands { label: "high" min: 0.7 max: 1 }
    }
    flag_rules {
      priority: NEED_PRIORITY_HIGH
      response_category: "counter_trafficking"
      code: "A_LOW"
      label { key: "fr" value: "A bas" }
      label { key: "en" value: "A is low" }
      all_of { item_id: "a" any_of_options: "a0" any_of_options: "a_half" }
    }
    flag_rules {
      priority: NEED_PRIORITY_HIGH
      response_category: "counter_trafficking"
      code: "BIG_N"
      label { key: "fr" value: "N grand" }
      label { key: "es" value: "N grande" }
      all_of { item_id: "n" at_least: 10 at_most: 15 }
    }
    flag_rules {
      priority: NEED_PRIORITY_HIGH
      response_category: "counter_trafficking"
      code: "LOW_ECON_AND_NO"
      label { key: "en" value: "Low economic score and no" }
      all_of { score: SCORE_KIND_ECONOMIC at_most: 0.5 }
      all_of { item_id: "f" any_of_options: "no" }
    }
    flag_rules {
      priority: NEED_PRIORITY_HIGH
      response_category: "counter_trafficking"
      code: "D_HIGH"
      label { key: "en" value: "D high" }
      all_of { item_id: "d" any_of_options: "d_high" }
    }
    flag_rules {
      priority: NEED_PRIORITY_HIGH
      response_category: "counter_trafficking"
      code: "A_OR_F"
      label { key: "en" value: "first" }
      all_of { item_id: "a" any_of_options: "a0" }
    }
    flag_rules {
      priority: NEED_PRIORITY_HIGH
      response_category: "counter_trafficking"
      code: "A_OR_F"
      label { key: "en" value: "second" }
      all_of { item_id: "f" any_of_options: "no" }
    }
    need_rules {
      code: "ECON_NEED"
      dimension: DIMENSION_ECONOMIC
      category: "employment"
      description { key: "fr" value: "Besoin economique" }
      description { key: "en" value: "Economic need" }
      priority: NEED_PRIORITY_HIGH
      all_of { score: SCORE_KIND_ECONOMIC at_least: 0.2 at_most: 0.5 }
    }
  )txt");
}

inline homeward::v1::Answer Choice(const std::string& item,
                                   const std::string& option) {
  homeward::v1::Answer a;
  a.set_item_id(item);
  a.set_option_id(option);
  return a;
}

inline homeward::v1::Answer Choices(
    const std::string& item, std::initializer_list<const char*> options) {
  homeward::v1::Answer a;
  a.set_item_id(item);
  auto* ids = a.mutable_option_ids();
  for (const char* o : options) ids->add_ids(o);
  return a;
}

inline homeward::v1::Answer Number(const std::string& item, double x) {
  homeward::v1::Answer a;
  a.set_item_id(item);
  a.set_number(x);
  return a;
}

inline homeward::v1::Answer Text(const std::string& item,
                                 const std::string& text) {
  homeward::v1::Answer a;
  a.set_item_id(item);
  a.set_text(text);
  return a;
}

inline homeward::v1::Answer DateAnswer(const std::string& item, int y, int m,
                                       int d) {
  homeward::v1::Answer a;
  a.set_item_id(item);
  a.mutable_date()->set_year(y);
  a.mutable_date()->set_month(m);
  a.mutable_date()->set_day(d);
  return a;
}

inline Answers MakeAnswers(std::initializer_list<homeward::v1::Answer> list) {
  Answers out;
  for (const auto& a : list) *out.Add() = a;
  return out;
}

}  // namespace homeward::assessment::instrument_testing

#endif  // HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENTS_TEST_INSTRUMENTS_H_
