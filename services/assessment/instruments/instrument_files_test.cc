// Tests of the instrument directory loader, and of the definitions shipped in
// deploy/instruments/: they all load, say plainly where their weights come
// from, and score worked examples as computed by hand (the RSS example is the
// one in docs/INSTRUMENTS.md).
#include "services/assessment/instruments/instrument_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/catalog/textproto_dir.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/taxonomy.pb.h"
#include "services/assessment/instruments/scoring.h"
#include "services/assessment/instruments/test_instruments.h"

namespace homeward::assessment {
namespace {

namespace fs = std::filesystem;
using ::homeward::assessment::instrument_testing::Answers;
using ::homeward::assessment::instrument_testing::Choice;
using ::homeward::assessment::instrument_testing::ShippedTaxonomies;
using ::homeward::testing::StatusIs;
using ::homeward::v1::InstrumentDefinition;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::string kShippedDir =
    std::string(HOMEWARD_SOURCE_DIR) + "/deploy/instruments";

// No taxonomy is published.
absl::StatusOr<homeward::v1::Taxonomy> NoTaxonomy(absl::string_view id,
                                                  int32_t version) {
  return absl::NotFoundError(absl::StrCat("taxonomy ", id, "@", version));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

// A fresh empty directory under the test's temp dir.
std::string FreshDir(const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) / ("instruments_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

constexpr char kTinyInstrument[] = R"txt(
  instrument_id: "tiny"
  version: 1
  kind: INSTRUMENT_KIND_RISK_ASSESSMENT
  items {
    id: "q"
    answer_type: ANSWER_TYPE_YES_NO
    question { key: "en" value: "Q?" }
    options { id: "yes" }
    options { id: "no" }
  }
)txt";

std::map<std::string, InstrumentDefinition> LoadShipped() {
  absl::StatusOr<std::vector<InstrumentDefinition>> loaded =
      LoadInstrumentDir(kShippedDir, ShippedTaxonomies());
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  std::map<std::string, InstrumentDefinition> by_id;
  if (loaded.ok()) {
    for (const auto& d : *loaded) by_id[d.instrument_id()] = d;
  }
  return by_id;
}

// -------------------------------------------------------------------- loader

TEST(LoadInstrumentDirTest, LoadsEveryShippedInstrument) {
  absl::StatusOr<std::vector<InstrumentDefinition>> loaded =
      LoadInstrumentDir(kShippedDir, ShippedTaxonomies());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  std::vector<std::string> ids;
  for (const auto& d : *loaded) ids.push_back(d.instrument_id());
  // In file-name order, each file named after the instrument it holds.
  EXPECT_THAT(ids, ElementsAre("domv_screening", "family_assessment",
                               "needs_and_capacities", "psychosocial_screening",
                               "risk_assessment", "rss"));
  // Issue 11 gave every shipped instrument a version 2 (taxonomy categories,
  // flag priorities and responses); the files hold only the latest version.
  for (const auto& d : *loaded) EXPECT_EQ(d.version(), 2) << d.instrument_id();
  std::vector<std::string> stems;
  for (const auto& entry : std::filesystem::directory_iterator(kShippedDir)) {
    if (entry.path().extension() == ".textproto") {
      stems.push_back(entry.path().stem().string());
    }
  }
  std::sort(stems.begin(), stems.end());
  EXPECT_EQ(stems, ids);
}

TEST(LoadInstrumentDirTest, IgnoresOtherFilesAndAcceptsAnEmptyDirectory) {
  std::string dir = FreshDir("other_files");
  WriteFile(dir + "/README.md", "not an instrument");
  WriteFile(dir + "/tiny.textproto.bak", "not parsed either");
  EXPECT_THAT(LoadInstrumentDir(dir, NoTaxonomy),
              homeward::testing::IsOkAndHolds(IsEmpty()));
  WriteFile(dir + "/tiny.textproto", kTinyInstrument);
  absl::StatusOr<std::vector<InstrumentDefinition>> loaded =
      LoadInstrumentDir(dir, NoTaxonomy);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].instrument_id(), "tiny");
}

TEST(LoadInstrumentDirTest, MissingDirectoryIsNotFound) {
  EXPECT_THAT(LoadInstrumentDir(FreshDir("missing") + "/nope", NoTaxonomy),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
}

TEST(LoadInstrumentDirTest, InvalidDefinitionNamesTheFileAndTheField) {
  std::string dir = FreshDir("invalid");
  WriteFile(dir + "/a_good.textproto", kTinyInstrument);
  // Option "no" of items[0] is worth 1.5; version is 0.
  WriteFile(dir + "/b_bad.textproto", R"txt(
    instrument_id: "bad" version: 0 kind: INSTRUMENT_KIND_RSS
    items { id: "q" answer_type: ANSWER_TYPE_YES_NO
            question { key: "en" value: "Q?" }
            options { id: "yes" value: 1 } options { id: "no" value: 1.5 } }
  )txt");
  absl::StatusOr<std::vector<InstrumentDefinition>> loaded =
      LoadInstrumentDir(dir, NoTaxonomy);
  const std::string bad = dir + "/b_bad.textproto";
  EXPECT_THAT(
      loaded,
      StatusIs(
          absl::StatusCode::kInvalidArgument,
          HasSubstr(bad + ": items[0].options[1].value: must be in 0..1")));
  EXPECT_THAT(loaded.status().message(),
              HasSubstr(bad + ": version: must be 1 or more"));
  EXPECT_THAT(loaded.status().message(), Not(HasSubstr("a_good")));
  // The same problems ride as field violations for API clients.
  std::vector<errors::FieldViolation> fields =
      errors::FieldViolationsOf(loaded.status());
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].field, bad + ": version");
  EXPECT_EQ(fields[1].field, bad + ": items[0].options[1].value");
}

TEST(LoadInstrumentDirTest, UnparsableFileNamesTheFileAndLine) {
  std::string dir = FreshDir("unparsable");
  WriteFile(dir + "/broken.textproto",
            "instrument_id: \"x\"\nversion: \"one\"\n");
  absl::StatusOr<std::vector<InstrumentDefinition>> loaded =
      LoadInstrumentDir(dir, NoTaxonomy);
  EXPECT_THAT(loaded, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr(dir + "/broken.textproto")));
  EXPECT_THAT(loaded.status().message(), HasSubstr("line 2"));
}

TEST(LoadInstrumentDirTest, DuplicateIdAndVersionNamesBothFiles) {
  std::string dir = FreshDir("duplicate");
  WriteFile(dir + "/one.textproto", kTinyInstrument);
  WriteFile(dir + "/two.textproto", kTinyInstrument);
  absl::StatusOr<std::vector<InstrumentDefinition>> loaded =
      LoadInstrumentDir(dir, NoTaxonomy);
  EXPECT_THAT(
      loaded,
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr(dir +
                         "/two.textproto: instrument 'tiny' version 1 is "
                         "already defined in " +
                         dir + "/one.textproto")));
  // A second version of the same instrument is fine.
  std::string v2 = kTinyInstrument;
  v2.replace(v2.find("version: 1"), 10, "version: 2");
  WriteFile(dir + "/two.textproto", v2);
  absl::StatusOr<std::vector<InstrumentDefinition>> both =
      LoadInstrumentDir(dir, NoTaxonomy);
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(both->size(), 2u);
}

// ------------------------------------------------------------ shipped files

TEST(ShippedInstrumentsTest, RssSaysItsWeightsArePlaceholders) {
  const std::string notice =
      "Placeholder weights: equal weights within each dimension and across "
      "items for the composite. These are NOT IOM's official RSS weights; the "
      "question wording is paraphrased, not IOM's. A programme must load IOM's "
      "official questions, recoding and weight tables (Reintegration Handbook "
      "Annex 4) as a new instrument version.";
  InstrumentDefinition rss = LoadShipped()["rss"];
  EXPECT_THAT(rss.provenance(), HasSubstr(notice));
  // The comment block at the top of the file says the same, line-wrapped.
  std::string text = ReadFile(kShippedDir + "/rss.textproto");
  std::istringstream header(text.substr(0, text.find("\ninstrument_id")));
  std::string unwrapped;
  for (std::string line; std::getline(header, line);) {
    if (line.rfind("# ", 0) == 0) unwrapped += line.substr(2) + " ";
  }
  EXPECT_THAT(unwrapped, HasSubstr(notice));
}

TEST(ShippedInstrumentsTest, RssHasFifteenEquallyWeightedItems) {
  InstrumentDefinition rss = LoadShipped()["rss"];
  EXPECT_EQ(rss.kind(), homeward::v1::INSTRUMENT_KIND_RSS);
  EXPECT_EQ(rss.items_size(), 15);
  ASSERT_EQ(rss.dimension_weights_size(), 3);
  for (const auto& dw : rss.dimension_weights()) {
    EXPECT_EQ(dw.weights_size(), 5);
    for (const auto& w : dw.weights()) EXPECT_EQ(w.weight(), 0.2);
  }
  ASSERT_EQ(rss.composite_weights_size(), 15);
  for (const auto& w : rss.composite_weights())
    EXPECT_EQ(w.weight(), 0.0666666667);
}

TEST(ShippedInstrumentsTest,
     WeightedInstrumentsSayTheirWeightsArePlaceholders) {
  for (const auto& [id, d] : LoadShipped()) {
    if (d.composite_weights().empty() && d.dimension_weights().empty()) {
      EXPECT_THAT(d.provenance(), HasSubstr("No scores and no weights")) << id;
    } else {
      EXPECT_THAT(d.provenance(), HasSubstr("Placeholder weights")) << id;
    }
  }
}

TEST(ShippedInstrumentsTest, DomvFactorsSayWhenTheyArePresent) {
  InstrumentDefinition domv = LoadShipped()["domv_screening"];
  EXPECT_EQ(domv.kind(), homeward::v1::INSTRUMENT_KIND_VULNERABILITY_SCREENING);
  std::map<homeward::v1::FactorLevel, int> per_level;
  int factors = 0;
  for (const auto& item : domv.items()) {
    if (item.factor_type() == homeward::v1::FACTOR_TYPE_UNSPECIFIED) continue;
    ++factors;
    ++per_level[item.factor_level()];
    EXPECT_EQ(item.dimension(), homeward::v1::DIMENSION_UNSPECIFIED)
        << item.id();
    EXPECT_THAT(item.present_options(), ElementsAre("yes")) << item.id();
  }
  EXPECT_EQ(factors, 25);
  EXPECT_TRUE(domv.composite_weights().empty());
  EXPECT_EQ(per_level.size(),
            4u);  // individual, household, community, structural
}

// The worked example of docs/INSTRUMENTS.md.
TEST(ShippedInstrumentsTest, RssWorkedExample) {
  InstrumentDefinition rss = LoadShipped()["rss"];
  // children_schooling is skipped: the household has no school-age children.
  Answers answers;
  for (const auto& [item, option] :
       std::vector<std::pair<const char*, const char*>>{
           {"economic_satisfaction", "very_dissatisfied"},               // 0
           {"food_reduction", "often"},                                  // 0.25
           {"debt_and_borrowing", "high_debt_can_borrow"},               // 0.5
           {"work_and_income", "irregular"},                             // 0.5
           {"assets_and_opportunities", "neither"},                      // 0
           {"housing", "poor"},                                          // 0.25
           {"health_care", "with_difficulty"},                           // 0.5
           {"documents_and_justice", "no_documents_justice"},            // 0.5
           {"drinking_water", "always"},                                 // 1
           {"social_ties", "support_only"},                              // 0.5
           {"belonging_and_discrimination", "belonging_discriminated"},  // 0.5
           {"physical_safety", "somewhat_safe"},                         // 0.5
           {"distress_and_support", "distress_wants_support"},           // 0
           {"able_to_stay", "unsure"},                                   // 0.5
       }) {
    *answers.Add() = Choice(item, option);
  }
  ASSERT_THAT(ValidateAnswers(rss, answers).violations(), IsEmpty());
  ScoringResult r = Score(rss, answers);
  // Economic: (0 + 0.25 + 0.5 + 0.5 + 0) / 5 = 1.25 / 5 = 0.25.
  EXPECT_EQ(r.scores.economic(), 0.25);
  // Social, 4 of 5 answered, renormalised: (0.25 + 0.5 + 0.5 + 1) / 4 = 2.25 /
  // 4 = 0.5625.
  EXPECT_EQ(r.scores.social(), 0.5625);
  // Psychosocial: (0.5 + 0.5 + 0.5 + 0 + 0.5) / 5 = 2 / 5 = 0.4.
  EXPECT_EQ(r.scores.psychosocial(), 0.4);
  // Composite, 14 of 15 answered: (1.25 + 2.25 + 2) / 14 = 5.5 / 14
  // = 0.392857... -> 0.3929.
  EXPECT_EQ(r.scores.composite(), 0.3929);
  // Bands in file order: composite, economic, social, psychosocial.
  std::vector<std::string> bands;
  for (const auto& b : r.bands) bands.push_back(b.label());
  EXPECT_THAT(bands, ElementsAre("medium", "low", "medium", "medium"));
  EXPECT_THAT(r.flags, IsEmpty());
  std::vector<std::string> needs;
  for (const auto& n : r.needs) {
    needs.push_back(absl::StrCat(
        n.rule_code(), " ", homeward::v1::Dimension_Name(n.dimension()), " ",
        n.category(), " ", homeward::v1::NeedPriority_Name(n.priority())));
  }
  EXPECT_THAT(
      needs,
      ElementsAre(
          "FOOD_INSECURITY DIMENSION_SOCIAL water_food NEED_PRIORITY_URGENT",
          "HOUSING_INADEQUATE DIMENSION_SOCIAL housing NEED_PRIORITY_HIGH",
          "ID_DOCUMENTS_MISSING DIMENSION_SOCIAL documentation "
          "NEED_PRIORITY_HIGH",
          "PSYCHOSOCIAL_SUPPORT DIMENSION_PSYCHOSOCIAL individual_counselling "
          "NEED_PRIORITY_HIGH"));
}

// All DoMV factors answered "no" (absent) except the ones listed.
Answers DomvAnswers(const InstrumentDefinition& domv,
                    const std::map<std::string, std::string>& overrides) {
  Answers answers;
  for (const auto& item : domv.items()) {
    if (item.factor_type() == homeward::v1::FACTOR_TYPE_UNSPECIFIED) continue;
    auto it = overrides.find(item.id());
    *answers.Add() =
        Choice(item.id(), it == overrides.end() ? "no" : it->second);
  }
  for (const auto& [id, option] : overrides) {
    if (id == "severe_distress_signs") *answers.Add() = Choice(id, option);
  }
  return answers;
}

TEST(ShippedInstrumentsTest, DomvUnaccompaniedChildWhoWasTrafficked) {
  InstrumentDefinition domv = LoadShipped()["domv_screening"];
  Answers answers = DomvAnswers(domv, {{"age_under_18", "yes"},
                                       {"unaccompanied_child", "yes"},
                                       {"trafficking_indicators", "yes"}});
  ASSERT_THAT(ValidateAnswers(domv, answers).violations(), IsEmpty());
  ScoringResult r = Score(domv, answers);
  // Version 2 has no composite score and no bands, but a level.
  EXPECT_FALSE(r.scores.has_composite());
  EXPECT_THAT(r.bands, IsEmpty());
  ASSERT_TRUE(r.vulnerability.has_value());
  EXPECT_EQ(r.vulnerability->level(), homeward::v1::VULNERABILITY_LEVEL_HIGH);
  std::vector<std::string> codes;
  for (const auto& f : r.flags) codes.push_back(f.code());
  EXPECT_THAT(codes, ElementsAre("SUSPECTED_TRAFFICKING_VICTIM",
                                 "UNACCOMPANIED_CHILD"));
}

TEST(ShippedInstrumentsTest, DomvFlagsCallForAResponse) {
  InstrumentDefinition domv = LoadShipped()["domv_screening"];
  Answers answers = DomvAnswers(domv, {{"serious_medical_condition", "yes"},
                                       {"mental_health_concerns", "yes"},
                                       {"severe_distress_signs", "yes"},
                                       {"gbv_survivor", "yes"},
                                       {"family_violence", "yes"}});
  ASSERT_THAT(ValidateAnswers(domv, answers).violations(), IsEmpty());
  ScoringResult r = Score(domv, answers);
  std::vector<std::string> flags;
  for (const auto& f : r.flags) {
    flags.push_back(
        absl::StrCat(f.code(), " ", f.response_category(), " ",
                     homeward::v1::NeedPriority_Name(f.priority())));
  }
  EXPECT_THAT(
      flags,
      ElementsAre("GBV_SURVIVOR gbv_services NEED_PRIORITY_HIGH",
                  "SERIOUS_MEDICAL_CONDITION medical NEED_PRIORITY_HIGH",
                  "NEEDS_SPECIALISED_MH_REFERRAL specialised_mental_health "
                  "NEED_PRIORITY_HIGH",
                  "FAMILY_VIOLENCE special_security_measures "
                  "NEED_PRIORITY_HIGH"));
}

TEST(ShippedInstrumentsTest, PsychosocialScreeningRaisesReferralOnSelfHarm) {
  InstrumentDefinition ps = LoadShipped()["psychosocial_screening"];
  Answers answers;
  // Two of five distress signs, coping with difficulty:
  // (0 + 0 + 1 + 1 + 1 + 0.5) / 6 = 3.5 / 6 = 0.58333... -> 0.5833.
  for (const auto& [item, option] :
       std::vector<std::pair<const char*, const char*>>{
           {"sleep_problems", "yes"},
           {"hopelessness", "yes"},
           {"withdrawal", "no"},
           {"anger", "no"},
           {"intrusive_memories", "no"},
           {"self_harm_thoughts", "yes"},
           {"daily_functioning", "no"},
           {"coping", "with_difficulty"},
           {"wish_for_support", "no"}}) {
    *answers.Add() = Choice(item, option);
  }
  *answers.Add() =
      instrument_testing::Choices("return_stressors", {"debt", "shame_stigma"});
  ASSERT_THAT(ValidateAnswers(ps, answers).violations(), IsEmpty());
  ScoringResult r = Score(ps, answers);
  EXPECT_EQ(r.scores.psychosocial(), 0.5833);
  ASSERT_EQ(r.bands.size(), 1u);
  EXPECT_EQ(r.bands[0].label(), "some distress");
  ASSERT_EQ(r.flags.size(), 1u);
  EXPECT_EQ(r.flags[0].code(), "NEEDS_SPECIALISED_MH_REFERRAL");
  ASSERT_EQ(r.needs.size(), 1u);
  EXPECT_EQ(r.needs[0].priority(), homeward::v1::NEED_PRIORITY_URGENT);
}

TEST(ShippedInstrumentsTest, FamilyAssessmentNumberRuleAndChildFlags) {
  InstrumentDefinition fam = LoadShipped()["family_assessment"];
  Answers answers;
  for (const auto& [item, option] :
       std::vector<std::pair<const char*, const char*>>{
           {"household_head", "parent"},
           {"family_relations", "tense"},
           {"family_supports_return", "yes"},
           {"family_violence_concern", "no"},
           {"returnee_is_child", "yes"},
           {"tracing_status", "ongoing"},
           {"best_interests_determination_done", "no"}}) {
    *answers.Add() = Choice(item, option);
  }
  *answers.Add() = instrument_testing::Number("household_size", 8);
  *answers.Add() = instrument_testing::Number("children_in_household", 4);
  ASSERT_THAT(ValidateAnswers(fam, answers).violations(), IsEmpty());
  ScoringResult r = Score(fam, answers);
  std::vector<std::string> codes;
  for (const auto& f : r.flags) codes.push_back(f.code());
  EXPECT_THAT(codes, ElementsAre("FAMILY_TRACING_ONGOING",
                                 "BEST_INTERESTS_DETERMINATION_NEEDED"));
  // 8 people of whom 4 children: both at_least bounds hold (inclusive).
  ASSERT_EQ(r.needs.size(), 1u);
  EXPECT_EQ(r.needs[0].rule_code(), "LARGE_HOUSEHOLD_SOCIAL_PROTECTION");
}

// Issue 11: DEBT_SUPPORT no longer fires at low debt-bondage risk, and its
// priority follows the risk; the flag calls for a counter-trafficking response.
TEST(ShippedInstrumentsTest, RiskAssessmentDebtSupportFollowsTheRiskLevel) {
  InstrumentDefinition risk = LoadShipped()["risk_assessment"];
  struct Case {
    const char* level;
    std::vector<std::string> needs;
    std::vector<std::string> flags;
  };
  for (const Case& c : std::vector<Case>{
           {"low", {}, {}},
           {"medium",
            {"DEBT_SUPPORT financial_counselling NEED_PRIORITY_MEDIUM"},
            {"DEBT_BONDAGE counter_trafficking NEED_PRIORITY_HIGH"}},
           {"high",
            {"DEBT_SUPPORT financial_counselling NEED_PRIORITY_HIGH"},
            {"DEBT_BONDAGE counter_trafficking NEED_PRIORITY_URGENT"}}}) {
    Answers answers;
    for (const auto& [item, option] :
         std::vector<std::pair<const char*, const char*>>{
             {"threats_to_returnee", "none"},
             {"safe_accommodation", "yes"},
             {"threats_to_staff", "none"},
             {"debt_bondage", c.level},
             {"stigma", "none"}}) {
      *answers.Add() = Choice(item, option);
    }
    ASSERT_THAT(ValidateAnswers(risk, answers).violations(), IsEmpty())
        << c.level;
    ScoringResult r = Score(risk, answers);
    std::vector<std::string> needs;
    for (const auto& n : r.needs) {
      needs.push_back(
          absl::StrCat(n.rule_code(), " ", n.category(), " ",
                       homeward::v1::NeedPriority_Name(n.priority())));
    }
    EXPECT_EQ(needs, c.needs) << c.level;
    std::vector<std::string> flags;
    for (const auto& f : r.flags) {
      flags.push_back(
          absl::StrCat(f.code(), " ", f.response_category(), " ",
                       homeward::v1::NeedPriority_Name(f.priority())));
    }
    EXPECT_EQ(flags, c.flags) << c.level;
  }
}

TEST(ShippedInstrumentsTest, SelfHarmFlagAsksToFollowTheSafetyProcedure) {
  InstrumentDefinition ps = LoadShipped()["psychosocial_screening"];
  for (const auto& rule : ps.flag_rules()) {
    if (rule.code() != "NEEDS_SPECIALISED_MH_REFERRAL") continue;
    EXPECT_THAT(rule.label().at("en"),
                HasSubstr("follow the programme's safety procedure"));
    EXPECT_EQ(rule.response_category(), "specialised_mental_health");
    EXPECT_EQ(rule.priority(), homeward::v1::NEED_PRIORITY_URGENT);
  }
}

// Every rule of the five instruments Homeward revised in issue 11 names the
// shipped taxonomy, and every flag has a priority and a response (the loader
// checks the components themselves).
TEST(ShippedInstrumentsTest, RulesNameTheShippedTaxonomy) {
  for (const auto& [id, d] : LoadShipped()) {
    if (d.flag_rules().empty() && d.need_rules().empty()) continue;
    EXPECT_EQ(d.taxonomy_id(), "reintegration") << id;
    EXPECT_EQ(d.taxonomy_version(), 1) << id;
  }
}

// A "none" answer of a multiple-choice item cannot be combined with another.
TEST(ShippedInstrumentsTest, NoneOptionsOfMultipleChoiceItemsAreExclusive) {
  int none_options = 0;
  for (const auto& [id, d] : LoadShipped()) {
    for (const auto& item : d.items()) {
      if (item.answer_type() != homeward::v1::ANSWER_TYPE_MULTIPLE_CHOICE) {
        continue;
      }
      for (const auto& o : item.options()) {
        if (o.id() != "none") continue;
        ++none_options;
        EXPECT_TRUE(o.exclusive()) << id << " " << item.id();
      }
    }
  }
  // skill_areas, assets (needs and capacities), return_stressors
  // (psychosocial screening).
  EXPECT_GE(none_options, 3);
}

// Issue 11, point 8: each revised file says which parts are the programme's
// published structure, which Homeward's wording and which placeholders, and
// claims no source that was not checked.
TEST(ShippedInstrumentsTest,
     ProvenanceSaysWhatIsPublishedWordingOrPlaceholder) {
  for (const char* id :
       {"rss", "needs_and_capacities", "psychosocial_screening",
        "risk_assessment", "family_assessment"}) {
    const InstrumentDefinition d = LoadShipped()[id];
    EXPECT_THAT(d.provenance(), HasSubstr("Homeward's wording")) << id;
    EXPECT_THAT(d.provenance(), HasSubstr("Placeholder")) << id;
    EXPECT_THAT(d.provenance(), Not(HasSubstr("indicator themes"))) << id;
    EXPECT_THAT(d.provenance(), Not(HasSubstr("after the IOM"))) << id;
    if (std::string(id) == "psychosocial_screening") {
      EXPECT_THAT(d.provenance(), HasSubstr("A Homeward addition"));
    } else {
      EXPECT_THAT(d.provenance(), HasSubstr("Programme's published structure"))
          << id;
    }
    const std::string text = ReadFile(kShippedDir + "/" + id + ".textproto");
    EXPECT_THAT(text, Not(HasSubstr("21 indicator themes"))) << id;
  }
}

}  // namespace
}  // namespace homeward::assessment
