// Table-driven tests of the programme configuration rules: each case starts
// from a valid programme and breaks one thing; the expected list is every
// violation, in order.
#include "common/programme/programme_rules.h"

#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace homeward::programme {
namespace {

using ::homeward::v1::Programme;
using ::testing::IsEmpty;

Programme ValidProgramme() {
  Programme p;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(R"txt(
    programme_id: "sn_reintegration"
    version: 1
    name: "Example programme"
    countries: ["SN", "GM"]
    budget_ceiling { currency_code: "XOF" amount_minor: 1500000 }
    plan_deadline_days: 90
    follow_up { months_after_return: [1, 3, 6, 12] rss_at_months: [3, 12] }
    taxonomy_id: "reintegration"
    taxonomy_version: 1
  )txt",
                                                            &p));
  return p;
}

std::vector<std::string> Fields(const errors::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& fv : v.violations()) out.push_back(fv.field);
  return out;
}

struct ProgrammeCase {
  std::string name;
  std::function<void(Programme&)> mutate;
  std::vector<std::string> fields;
};

class ProgrammeRulesTest : public ::testing::TestWithParam<ProgrammeCase> {};

TEST(ValidateProgrammeTest, AcceptsAValidProgramme) {
  EXPECT_THAT(Fields(ValidateProgramme(ValidProgramme())), IsEmpty());
}

TEST_P(ProgrammeRulesTest, ReportsExactlyTheBadFields) {
  Programme p = ValidProgramme();
  GetParam().mutate(p);
  EXPECT_EQ(Fields(ValidateProgramme(p)), GetParam().fields);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ProgrammeRulesTest,
    ::testing::ValuesIn(std::vector<ProgrammeCase>{
        {"MissingId",
         [](Programme& p) { p.clear_programme_id(); },
         {"programme_id"}},
        {"IdWithSpace",
         [](Programme& p) { p.set_programme_id("sn prog"); },
         {"programme_id"}},
        {"VersionZero", [](Programme& p) { p.set_version(0); }, {"version"}},
        {"BlankName", [](Programme& p) { p.set_name(" "); }, {"name"}},
        {"NoCountries",
         [](Programme& p) { p.clear_countries(); },
         {"countries"}},
        {"LowerCaseCountry",
         [](Programme& p) { p.set_countries(1, "gm"); },
         {"countries[1]"}},
        {"UnassignedCountry",
         [](Programme& p) { p.set_countries(0, "XX"); },
         {"countries[0]"}},
        {"ThreeLetterCountry",
         [](Programme& p) { p.set_countries(0, "SEN"); },
         {"countries[0]"}},
        {"DuplicateCountry",
         [](Programme& p) { p.set_countries(1, "SN"); },
         {"countries[1]"}},
        {"NoBudgetCeiling",
         [](Programme& p) { p.clear_budget_ceiling(); },
         {"budget_ceiling"}},
        {"LowerCaseCurrency",
         [](Programme& p) {
           p.mutable_budget_ceiling()->set_currency_code("xof");
         },
         {"budget_ceiling.currency_code"}},
        {"FourLetterCurrency",
         [](Programme& p) {
           p.mutable_budget_ceiling()->set_currency_code("EURO");
         },
         {"budget_ceiling.currency_code"}},
        {"ZeroCeiling",
         [](Programme& p) { p.mutable_budget_ceiling()->set_amount_minor(0); },
         {"budget_ceiling.amount_minor"}},
        {"NegativeCeiling",
         [](Programme& p) { p.mutable_budget_ceiling()->set_amount_minor(-5); },
         {"budget_ceiling.amount_minor"}},
        {"ZeroDeadline",
         [](Programme& p) { p.set_plan_deadline_days(0); },
         {"plan_deadline_days"}},
        {"VulnerableDeadlineLongerIsFine",
         [](Programme& p) { p.set_plan_deadline_days_vulnerable(120); },
         {}},
        {"VulnerableDeadlineSameIsFine",
         [](Programme& p) { p.set_plan_deadline_days_vulnerable(90); },
         {}},
        {"VulnerableDeadlineShorter",
         [](Programme& p) { p.set_plan_deadline_days_vulnerable(60); },
         {"plan_deadline_days_vulnerable"}},
        {"VulnerableDeadlineNegative",
         [](Programme& p) { p.set_plan_deadline_days_vulnerable(-1); },
         {"plan_deadline_days_vulnerable"}},
        {"RetentionZeroIsFine",
         [](Programme& p) { p.set_retention_years(0); },
         {}},
        {"RetentionHundredIsFine",
         [](Programme& p) { p.set_retention_years(100); },
         {}},
        {"RetentionNegative",
         [](Programme& p) { p.set_retention_years(-1); },
         {"retention_years"}},
        {"RetentionTooLong",
         [](Programme& p) { p.set_retention_years(101); },
         {"retention_years"}},
        {"NoFollowUpMonths",
         [](Programme& p) {
           p.mutable_follow_up()->clear_months_after_return();
           p.mutable_follow_up()->clear_rss_at_months();
         },
         {"follow_up.months_after_return"}},
        {"MonthZero",
         [](Programme& p) {
           p.mutable_follow_up()->set_months_after_return(0, 0);
         },
         {"follow_up.months_after_return[0]"}},
        {"MonthsNotAscending",
         [](Programme& p) {
           p.mutable_follow_up()->set_months_after_return(2, 3);
         },
         {"follow_up.months_after_return[2]"}},
        {"RssAtMonthWithoutContact",
         [](Programme& p) { p.mutable_follow_up()->set_rss_at_months(0, 9); },
         {"follow_up.rss_at_months[0]"}},
        {"NoRssIsFine",
         [](Programme& p) { p.mutable_follow_up()->clear_rss_at_months(); },
         {}},
        {"NoTaxonomy",
         [](Programme& p) {
           p.clear_taxonomy_id();
           p.clear_taxonomy_version();
         },
         {"taxonomy_id", "taxonomy_version"}},
        {"EverythingAtOnce",
         [](Programme& p) {
           p.set_version(0);
           p.set_countries(0, "sn");
           p.mutable_budget_ceiling()->set_currency_code("");
           p.set_plan_deadline_days(-1);
           p.set_taxonomy_version(0);
         },
         {"version", "countries[0]", "budget_ceiling.currency_code",
          "plan_deadline_days", "taxonomy_version"}},
    }),
    [](const ::testing::TestParamInfo<ProgrammeCase>& info) {
      return info.param.name;
    });

TEST(ValidateProgrammeTest, MessagesSayWhatIsAllowed) {
  Programme p = ValidProgramme();
  p.set_countries(1, "XX");
  p.mutable_follow_up()->set_rss_at_months(1, 9);
  const errors::FieldViolations bad = ValidateProgramme(p);
  ASSERT_EQ(bad.violations().size(), 2u);
  EXPECT_EQ(bad.violations()[0].description,
            "'XX' is not an ISO 3166-1 alpha-2 country code in upper case "
            "(e.g. \"SN\")");
  EXPECT_EQ(bad.violations()[1].description,
            "9 must be one of follow_up.months_after_return: an RSS is due at "
            "a follow-up contact");
}

}  // namespace
}  // namespace homeward::programme
