// The content rules of a plan (plan_checks.h) with hand-checked
// expectations: coverage, budget, feasibility, deadlines, activity ids and
// content validation.
#include "services/planning/plan_checks.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace homeward::planning {
namespace {

using ::homeward::testing::StatusIs;
using ::homeward::v1::Date;
using ::homeward::v1::FeasibilityCheck;
using ::homeward::v1::FeasibilityGrid;
using ::homeward::v1::Money;
using ::homeward::v1::Need;
using ::homeward::v1::Plan;
using ::homeward::v1::PlanStatus;
using ::homeward::v1::ProtectionConcern;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

template <typename M>
M Parse(const std::string& text) {
  M m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

std::vector<std::string> Fields(const errors::FieldViolations& bad) {
  std::vector<std::string> fields;
  for (const auto& v : bad.violations()) fields.push_back(v.field);
  return fields;
}

std::vector<std::string> Descriptions(const errors::FieldViolations& bad) {
  std::vector<std::string> out;
  for (const auto& v : bad.violations()) out.push_back(v.description);
  return out;
}

Date D(int y, int m, int d) {
  Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

// ---------------------------------------------------------------- coverage

std::vector<Need> CaseNeeds() {
  return {
      Parse<Need>(R"pb(need_id: "N1"
                       category: "housing"
                       priority: NEED_PRIORITY_HIGH
                       status: NEED_STATUS_OPEN)pb"),
      Parse<Need>(R"pb(need_id: "N2"
                       category: "income"
                       priority: NEED_PRIORITY_URGENT
                       status: NEED_STATUS_OPEN)pb"),
      // Not high priority, being addressed, resolved: never required.
      Parse<Need>(R"pb(need_id: "N3"
                       category: "documents"
                       priority: NEED_PRIORITY_MEDIUM
                       status: NEED_STATUS_OPEN)pb"),
      Parse<Need>(R"pb(need_id: "N4"
                       category: "health"
                       priority: NEED_PRIORITY_URGENT
                       status: NEED_STATUS_BEING_ADDRESSED)pb"),
      Parse<Need>(R"pb(need_id: "N5"
                       category: "debt"
                       priority: NEED_PRIORITY_HIGH
                       status: NEED_STATUS_RESOLVED)pb"),
  };
}

std::vector<ProtectionConcern> CaseConcerns() {
  return {
      Parse<ProtectionConcern>(
          R"pb(concern_id: "P1"
               code: "SUSPECTED_TRAFFICKING_VICTIM"
               priority: NEED_PRIORITY_URGENT
               status: NEED_STATUS_OPEN)pb"),
      // Any priority counts for a concern.
      Parse<ProtectionConcern>(
          R"pb(concern_id: "P2"
               code: "UNACCOMPANIED_CHILD"
               priority: NEED_PRIORITY_LOW
               status: NEED_STATUS_OPEN)pb"),
      Parse<ProtectionConcern>(
          R"pb(concern_id: "P3"
               code: "GBV_SURVIVOR"
               priority: NEED_PRIORITY_HIGH
               status: NEED_STATUS_RESOLVED)pb"),
  };
}

TEST(CheckCoverageTest, EachUncoveredNeedAndConcernIsOneViolation) {
  struct Case {
    std::string name;
    std::string plan;
    std::vector<std::string> uncovered;  // ids named, in order
    std::vector<std::string> fields;
  };
  const Case cases[] = {
      {"EmptyPlanMissesEveryOne",
       "",
       {"'N1'", "'N2'", "'P1'", "'P2'"},
       {"activities", "activities", "activities", "activities"}},
      {"ActivitiesAnswerAll",
       R"pb(activities { need_ids: "N1" concern_ids: "P1" }
            activities { need_ids: "N2" concern_ids: "P2" })pb",
       {},
       {}},
      {"NotesWithReasonsCount",
       R"pb(activities { need_ids: "N1" }
            coverage_notes { need_id: "N2" reason: "family pays" }
            coverage_notes { concern_id: "P1" reason: "referred last week" }
            coverage_notes { concern_id: "P2" reason: "with guardian" })pb",
       {},
       {}},
      {"BlankReasonDoesNotCount",
       R"pb(activities { need_ids: "N1" need_ids: "N2" concern_ids: "P1" }
            coverage_notes { concern_id: "P2" reason: "  " })pb",
       {"'P2'"},
       {"activities"}},
      {"UnknownIdsInNotes",
       R"pb(activities { need_ids: "N1" need_ids: "N2" }
            activities { concern_ids: "P1" concern_ids: "P2" }
            coverage_notes { need_id: "N9" reason: "x" }
            coverage_notes { concern_id: "P9" reason: "x" }
            coverage_notes { reason: "about nothing" })pb",
       {"'N9'", "'P9'", "must name a need_id or a concern_id"},
       {"coverage_notes[0].need_id", "coverage_notes[1].concern_id",
        "coverage_notes[2]"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    errors::FieldViolations bad =
        CheckCoverage(Parse<Plan>(c.plan), CaseNeeds(), CaseConcerns());
    EXPECT_THAT(Fields(bad), ElementsAreArray(c.fields));
    std::vector<std::string> d = Descriptions(bad);
    ASSERT_EQ(d.size(), c.uncovered.size());
    for (size_t i = 0; i < d.size(); ++i) {
      EXPECT_THAT(d[i], HasSubstr(c.uncovered[i]));
    }
  }
}

TEST(CheckCoverageTest, DescriptionNamesIdCategoryOrCodeAndPriority) {
  errors::FieldViolations bad =
      CheckCoverage(Plan(), CaseNeeds(), CaseConcerns());
  EXPECT_THAT(
      Descriptions(bad),
      ElementsAre(
          "need 'N1' (housing, NEED_PRIORITY_HIGH) is open: answer it with "
          "an activity (need_ids) or give a coverage note with a reason",
          HasSubstr("need 'N2' (income, NEED_PRIORITY_URGENT)"),
          HasSubstr("protection concern 'P1' (SUSPECTED_TRAFFICKING_VICTIM, "
                    "NEED_PRIORITY_URGENT)"),
          HasSubstr("protection concern 'P2' (UNACCOMPANIED_CHILD, "
                    "NEED_PRIORITY_LOW)")));
}

// ------------------------------------------------------------------ budget

TEST(BudgetTest, TotalAndCeiling) {
  const Money ceiling = Parse<Money>(R"pb(currency_code: "EUR"
                                          amount_minor: 150000)pb");
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  struct Case {
    std::string name;
    std::vector<std::pair<std::string, int64_t>> purchases;
    std::vector<std::string> fields;
    std::string total_message;  // substring of the "purchases" violation
  };
  const Case cases[] = {
      {"Empty", {}, {}, ""},
      {"UnderCeiling", {{"EUR", 100000}, {"EUR", 49999}}, {}, ""},
      {"AtCeiling", {{"EUR", 100000}, {"EUR", 50000}}, {}, ""},
      {"OneOver",
       {{"EUR", 100000}, {"EUR", 50001}},
       {"purchases"},
       "total estimated cost 150001 exceeds the programme's budget ceiling "
       "150000 (minor units of EUR)"},
      {"WrongCurrency",
       {{"EUR", 1000}, {"USD", 1000}},
       {"purchases[1].estimated_cost.currency_code"},
       ""},
      {"Negative",
       {{"EUR", -5}, {"EUR", 10}},
       {"purchases[0].estimated_cost.amount_minor"},
       ""},
      {"OverflowIsOverTheCeiling",
       {{"EUR", kMax}, {"EUR", kMax}},
       {"purchases"},
       "beyond 9223372036854775807"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Plan plan;
    for (const auto& [currency, amount] : c.purchases) {
      Money* m = plan.add_purchases()->mutable_estimated_cost();
      m->set_currency_code(currency);
      m->set_amount_minor(amount);
    }
    errors::FieldViolations bad = CheckBudget(plan, ceiling);
    EXPECT_THAT(Fields(bad), ElementsAreArray(c.fields));
    if (!c.total_message.empty()) {
      EXPECT_THAT(Descriptions(bad).back(), HasSubstr(c.total_message));
    }
  }
}

TEST(BudgetTest, TotalCostSumsInTheCeilingsCurrencyAndCaps) {
  Plan plan = Parse<Plan>(R"pb(
    budget_ceiling { currency_code: "XOF" amount_minor: 500000 }
    purchases { estimated_cost { currency_code: "XOF" amount_minor: 120000 } }
    purchases { estimated_cost { currency_code: "XOF" amount_minor: 30500 } }
  )pb");
  Money total = TotalCost(plan);
  EXPECT_EQ(total.currency_code(), "XOF");
  EXPECT_EQ(total.amount_minor(), 150500);

  plan.clear_budget_ceiling();
  plan.mutable_purchases(1)->mutable_estimated_cost()->set_amount_minor(
      std::numeric_limits<int64_t>::max());
  total = TotalCost(plan);
  EXPECT_EQ(total.currency_code(), "XOF");  // from the first purchase
  EXPECT_EQ(total.amount_minor(), std::numeric_limits<int64_t>::max());
}

// ------------------------------------------------------------- feasibility

FeasibilityGrid Grid() {
  return Parse<FeasibilityGrid>(R"pb(
    grid_id: "example"
    version: 2
    rows {
      row_id: "business_startup"
      dimension: DIMENSION_ECONOMIC
      criteria { criterion_id: "has_skills" level: ASSISTANCE_LEVEL_INDIVIDUAL }
      criteria {
        criterion_id: "market_demand"
        level: ASSISTANCE_LEVEL_COMMUNITY
      }
      criteria {
        criterion_id: "can_register"
        level: ASSISTANCE_LEVEL_STRUCTURAL
      }
    }
    rows {
      row_id: "job_placement"
      dimension: DIMENSION_ECONOMIC
      criteria { criterion_id: "vacancies" level: ASSISTANCE_LEVEL_COMMUNITY }
    }
  )pb");
}

TEST(EvaluateFeasibilityTest, Outcomes) {
  struct Case {
    std::string name;
    std::string check;
    bool all_met;
    std::vector<std::string> unmet;
  };
  const Case cases[] = {
      {"AllMet",
       R"pb(grid_id: "example"
            grid_version: 2
            row_id: "business_startup"
            answers { criterion_id: "has_skills" met: true }
            answers { criterion_id: "market_demand" met: true }
            answers { criterion_id: "can_register" met: true })pb",
       true,
       {}},
      // Answers out of order: unmet listed in the row's order.
      {"TwoUnmetInRowOrder",
       R"pb(grid_id: "example"
            grid_version: 2
            row_id: "business_startup"
            answers { criterion_id: "can_register" met: false }
            answers { criterion_id: "has_skills" met: true }
            answers { criterion_id: "market_demand" met: false }
            all_met: true
            unmet_criteria: "stale")pb",
       false,
       {"market_demand", "can_register"}},
      {"OtherRow",
       R"pb(grid_id: "example"
            grid_version: 2
            row_id: "job_placement"
            answers { criterion_id: "vacancies" met: false })pb",
       false,
       {"vacancies"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<FeasibilityCheck> out =
        EvaluateFeasibility(Grid(), Parse<FeasibilityCheck>(c.check));
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->all_met(), c.all_met);
    EXPECT_THAT(out->unmet_criteria(), ElementsAreArray(c.unmet));
  }
}

TEST(EvaluateFeasibilityTest, RefusedChecksNameEachProblem) {
  struct Case {
    std::string name;
    std::string check;
    std::vector<errors::FieldViolation> violations;
  };
  const Case cases[] = {
      {"WrongGridAndVersion",
       R"pb(grid_id: "other"
            grid_version: 1
            row_id: "job_placement"
            answers { criterion_id: "vacancies" met: true })pb",
       {{"activities[1].feasibility.grid_id",
         "must be 'example', the programme's feasibility grid; got 'other'"},
        {"activities[1].feasibility.grid_version", "must be 2; got 1"}}},
      {"UnknownRow",
       R"pb(grid_id: "example" grid_version: 2 row_id: "fishing")pb",
       {{"activities[1].feasibility.row_id",
         "'fishing' is not a row of grid 'example' version 2; known: "
         "business_startup, job_placement"}}},
      {"UnknownRepeatedMissing",
       R"pb(grid_id: "example"
            grid_version: 2
            row_id: "business_startup"
            answers { criterion_id: "has_skills" met: true }
            answers { criterion_id: "vacancies" met: true }
            answers { criterion_id: "has_skills" met: false })pb",
       {{"activities[1].feasibility.answers[1].criterion_id",
         "'vacancies' is not a criterion of row 'business_startup'; known: "
         "has_skills, market_demand, can_register"},
        {"activities[1].feasibility.answers[2].criterion_id",
         "'has_skills' is answered twice"},
        {"activities[1].feasibility.answers",
         "must answer every criterion of row 'business_startup'; missing: "
         "market_demand, can_register"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<FeasibilityCheck> out = EvaluateFeasibility(
        Grid(), Parse<FeasibilityCheck>(c.check), "activities[1].feasibility");
    EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(errors::FieldViolationsOf(out.status()),
                ElementsAreArray(c.violations));
  }
}

TEST(FeasibilityJustificationTest, UnmetCriteriaNeedAJustification) {
  Plan plan = Parse<Plan>(R"pb(
    activities { feasibility { all_met: true } }
    activities { feasibility { unmet_criteria: "a" unmet_criteria: "b" } }
    activities {
      feasibility { unmet_criteria: "a" }
      feasibility_justification: "market study done"
    }
    activities {
      feasibility { unmet_criteria: "c" }
      feasibility_justification: " "
    }
    activities {}
  )pb");
  errors::FieldViolations bad = CheckFeasibilityJustifications(plan);
  EXPECT_THAT(Fields(bad),
              ElementsAre("activities[1].feasibility_justification",
                          "activities[3].feasibility_justification"));
  EXPECT_THAT(Descriptions(bad)[0], HasSubstr("unmet criteria: a, b"));
}

// --------------------------------------------------------------- deadlines

TEST(PlanDeadlineTest, ProgrammeDaysVulnerableDaysAndDefault) {
  struct Case {
    std::string name;
    int days;
    int vulnerable_days;
    bool vulnerable;
    Date expected;  // from a return on 2026-01-20
  };
  const Case cases[] = {
      {"DefaultThirty", 0, 0, false, D(2026, 2, 19)},
      {"DefaultThirtyVulnerableUnset", 0, 0, true, D(2026, 2, 19)},
      {"Programme45", 45, 90, false, D(2026, 3, 6)},
      {"Vulnerable90", 45, 90, true, D(2026, 4, 20)},
      {"VulnerableUnsetUses45", 45, 0, true, D(2026, 3, 6)},
      {"VulnerableWithDefault", 0, 60, true, D(2026, 3, 21)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    homeward::v1::Programme p;
    p.set_plan_deadline_days(c.days);
    p.set_plan_deadline_days_vulnerable(c.vulnerable_days);
    Date got = PlanDeadline(D(2026, 1, 20), p, c.vulnerable);
    EXPECT_EQ(got.SerializeAsString(), c.expected.SerializeAsString())
        << got.ShortDebugString();
  }
  // Across a leap day and a year end.
  homeward::v1::Programme p;
  EXPECT_EQ(PlanDeadline(D(2028, 2, 10), p, false).ShortDebugString(),
            D(2028, 3, 11).ShortDebugString());
  EXPECT_EQ(PlanDeadline(D(2026, 12, 15), p, false).ShortDebugString(),
            D(2027, 1, 14).ShortDebugString());
}

TEST(PlanIsOverdueTest, EveryStatusBeforeOnAndAfterTheDeadline) {
  const Date deadline = D(2026, 3, 1);
  const absl::CivilDay before(2026, 2, 28), on(2026, 3, 1), after(2026, 3, 2);
  // Statuses still waiting for approval (UNSPECIFIED: no plan yet).
  const std::set<int> waiting = {0, 1, 2, 3, 4};
  for (int s = 0; s <= 9; ++s) {
    const auto status = static_cast<PlanStatus>(s);
    SCOPED_TRACE(homeward::v1::PlanStatus_Name(status));
    EXPECT_FALSE(PlanIsOverdue(status, deadline, before));
    EXPECT_FALSE(PlanIsOverdue(status, deadline, on));
    EXPECT_EQ(PlanIsOverdue(status, deadline, after), waiting.count(s) == 1);
  }
}

TEST(OverdueActivitiesTest, PastDueAndNotFinished) {
  Plan plan = Parse<Plan>(R"pb(
    activities {
      activity_id: "AC1"
      status: ACTIVITY_STATUS_PLANNED
      due_date { year: 2026 month: 3 day: 9 }
    }
    activities {
      activity_id: "AC2"
      status: ACTIVITY_STATUS_IN_PROGRESS
      due_date { year: 2026 month: 3 day: 1 }
    }
    activities {
      activity_id: "AC3"
      status: ACTIVITY_STATUS_PLANNED
      due_date { year: 2026 month: 3 day: 10 }
    }
    activities {
      activity_id: "AC4"
      status: ACTIVITY_STATUS_DONE
      due_date { year: 2026 month: 1 day: 1 }
    }
    activities {
      activity_id: "AC5"
      status: ACTIVITY_STATUS_DROPPED
      due_date { year: 2026 month: 1 day: 1 }
    }
    activities { activity_id: "AC6" status: ACTIVITY_STATUS_PLANNED }
    activities {
      activity_id: "AC7"
      status: ACTIVITY_STATUS_PLANNED
      due_date { year: 2026 month: 2 day: 30 }
    }
  )pb");
  std::vector<std::string> ids;
  for (const auto* a : OverdueActivities(plan, absl::CivilDay(2026, 3, 10))) {
    ids.push_back(a->activity_id());
  }
  // AC3 is due on the day itself: not yet overdue; AC6 has no due date,
  // AC7 an impossible one.
  EXPECT_THAT(ids, ElementsAre("AC1", "AC2"));
}

// ------------------------------------------------------------ activity ids

TEST(AssignActivityIdsTest, NewActivitiesGetTheNextNumbers) {
  struct Case {
    std::string name;
    std::vector<std::string> previous;  // empty with has_previous false: none
    bool has_previous;
    std::vector<std::string> given;
    std::vector<std::string> expected;  // ids after, or the violation fields
    bool refused;
  };
  const Case cases[] = {
      {"NewPlan", {}, false, {"", "", ""}, {"AC1", "AC2", "AC3"}, false},
      {"KeepsAndContinues",
       {"AC1", "AC2", "AC7"},
       true,
       {"AC2", "", "AC1", ""},
       {"AC2", "AC8", "AC1", "AC9"},
       false},
      // AC7 was removed in this edit: its number is still not reused.
      {"RemovedHighestNotReused",
       {"AC1", "AC7"},
       true,
       {"AC1", ""},
       {"AC1", "AC8"},
       false},
      {"UnknownIdRefused",
       {"AC1"},
       true,
       {"AC1", "AC5", ""},
       {"activities[1].activity_id"},
       true},
      {"IdOnNewPlanRefused",
       {},
       false,
       {"AC1"},
       {"activities[0].activity_id"},
       true},
      {"RepeatedRefused",
       {"AC1", "AC2"},
       true,
       {"AC2", "AC2"},
       {"activities[1].activity_id"},
       true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Plan previous, plan;
    for (const auto& id : c.previous) {
      previous.add_activities()->set_activity_id(id);
    }
    for (const auto& id : c.given) plan.add_activities()->set_activity_id(id);
    errors::FieldViolations bad =
        AssignActivityIds(c.has_previous ? &previous : nullptr, plan);
    std::vector<std::string> ids;
    for (const auto& a : plan.activities()) ids.push_back(a.activity_id());
    if (c.refused) {
      EXPECT_THAT(Fields(bad), ElementsAreArray(c.expected));
      EXPECT_THAT(ids, ElementsAreArray(c.given));  // nothing assigned
    } else {
      EXPECT_THAT(Fields(bad), IsEmpty());
      EXPECT_THAT(ids, ElementsAreArray(c.expected));
    }
  }
}

// ------------------------------------------------------------------ content

homeward::v1::Taxonomy TestTaxonomy() {
  return Parse<homeward::v1::Taxonomy>(R"pb(
    taxonomy_id: "reintegration"
    version: 1
    components {
      component_id: "business_startup"
      dimension: DIMENSION_ECONOMIC
    }
    components { component_id: "housing" dimension: DIMENSION_SOCIAL }
    components { component_id: "counselling" dimension: DIMENSION_PSYCHOSOCIAL }
    components {
      component_id: "counter_trafficking"
      dimension: DIMENSION_PROTECTION
    }
  )pb");
}

// A plan every check accepts; each case below breaks one thing.
Plan GoodPlan() {
  return Parse<Plan>(R"pb(
    returnee_objectives: "open a tailoring shop"
    summaries { dimension: DIMENSION_ECONOMIC summary: "no income" }
    summaries { dimension: DIMENSION_SOCIAL summary: "lives with sister" }
    expected_improvements { dimension: DIMENSION_ECONOMIC expected_change: 0.3 }
    expected_improvements {
      dimension: DIMENSION_PSYCHOSOCIAL
      expected_change: -0.1
    }
    activities {
      dimension: DIMENSION_ECONOMIC
      component: "business_startup"
      level: ASSISTANCE_LEVEL_INDIVIDUAL
      description: "sewing machine"
      need_ids: "N1"
      delivery: ACTIVITY_DELIVERY_DIRECT
      start_date { year: 2026 month: 3 day: 1 }
      due_date { year: 2026 month: 3 day: 1 }
    }
    activities {
      dimension: DIMENSION_PSYCHOSOCIAL
      component: "counselling"
      level: ASSISTANCE_LEVEL_HOUSEHOLD
      description: "family counselling"
      beneficiary_member_id: "M2"
      concern_ids: "P1"
      delivery: ACTIVITY_DELIVERY_REFERRAL
      referral_component: "counter_trafficking"
    }
  )pb");
}

TEST(ValidatePlanContentTest, EachBrokenFieldIsOneViolationWithItsPath) {
  const homeward::v1::Taxonomy taxonomy = TestTaxonomy();
  PlanContext context{&taxonomy, {"M1", "M2"}, {"N1", "N2"}, {"P1"}};
  struct Case {
    std::string name;
    std::function<void(Plan&)> breaks;
    std::vector<std::string> fields;
  };
  const Case cases[] = {
      {"Good", [](Plan&) {}, {}},
      {"ObjectivesTooLong",
       [](Plan& p) { p.set_returnee_objectives(std::string(4001, 'x')); },
       {"returnee_objectives"}},
      {"ObjectivesAtLimit",
       [](Plan& p) { p.set_returnee_objectives(std::string(4000, 'x')); },
       {}},
      {"SummaryWithoutDimension",
       [](Plan& p) { p.add_summaries()->set_summary("x"); },
       {"summaries[2].dimension"}},
      {"SummaryRepeated",
       [](Plan& p) {
         p.add_summaries()->set_dimension(homeward::v1::DIMENSION_SOCIAL);
       },
       {"summaries[2].dimension"}},
      {"ImprovementOfUnscoredDimension",
       [](Plan& p) {
         p.mutable_expected_improvements(0)->set_dimension(
             homeward::v1::DIMENSION_PROTECTION);
       },
       {"expected_improvements[0].dimension"}},
      {"ImprovementRepeated",
       [](Plan& p) {
         p.mutable_expected_improvements(1)->set_dimension(
             homeward::v1::DIMENSION_ECONOMIC);
       },
       {"expected_improvements[1].dimension"}},
      {"ImprovementOutOfRange",
       [](Plan& p) {
         p.mutable_expected_improvements(0)->set_expected_change(1.01);
         p.mutable_expected_improvements(1)->set_expected_change(
             std::numeric_limits<double>::quiet_NaN());
       },
       {"expected_improvements[0].expected_change",
        "expected_improvements[1].expected_change"}},
      {"ImprovementAtBounds",
       [](Plan& p) {
         p.mutable_expected_improvements(0)->set_expected_change(1);
         p.mutable_expected_improvements(1)->set_expected_change(-1);
       },
       {}},
      {"ActivityWithoutDimensionOrComponent",
       [](Plan& p) {
         p.mutable_activities(0)->clear_dimension();
         p.mutable_activities(0)->clear_component();
       },
       {"activities[0].dimension", "activities[0].component"}},
      {"ComponentOfAnotherDimension",
       [](Plan& p) { p.mutable_activities(0)->set_component("housing"); },
       {"activities[0].dimension"}},
      {"UnknownComponent",
       [](Plan& p) { p.mutable_activities(1)->set_component("fishing"); },
       {"activities[1].component"}},
      {"NoLevelBlankDescription",
       [](Plan& p) {
         p.mutable_activities(0)->clear_level();
         p.mutable_activities(0)->set_description(" \n");
       },
       {"activities[0].level", "activities[0].description"}},
      {"UnknownMember",
       [](Plan& p) {
         p.mutable_activities(1)->set_beneficiary_member_id("M9");
       },
       {"activities[1].beneficiary_member_id"}},
      {"UnknownNeedAndConcern",
       [](Plan& p) {
         p.mutable_activities(0)->add_need_ids("N9");
         p.mutable_activities(0)->add_concern_ids("P9");
       },
       {"activities[0].need_ids[1]", "activities[0].concern_ids[0]"}},
      {"NoDelivery",
       [](Plan& p) { p.mutable_activities(0)->clear_delivery(); },
       {"activities[0].delivery"}},
      {"ReferralWithoutComponent",
       [](Plan& p) { p.mutable_activities(1)->clear_referral_component(); },
       {"activities[1].referral_component"}},
      {"ReferralToUnknownComponent",
       [](Plan& p) { p.mutable_activities(1)->set_referral_component("x"); },
       {"activities[1].referral_component"}},
      {"DirectWithReferralComponent",
       [](Plan& p) {
         p.mutable_activities(0)->set_referral_component("housing");
       },
       {"activities[0].referral_component"}},
      {"ImpossibleDue",
       [](Plan& p) { p.mutable_activities(0)->mutable_due_date()->set_day(0); },
       {"activities[0].due_date"}},
      {"DueTheDayBeforeStart",
       [](Plan& p) {
         *p.mutable_activities(0)->mutable_due_date() = D(2026, 2, 28);
       },
       {"activities[0].due_date"}},
      {"ImpossibleStart",
       [](Plan& p) {
         *p.mutable_activities(0)->mutable_start_date() = D(2026, 2, 30);
       },
       {"activities[0].start_date"}},
      {"OnlyDueDate",
       [](Plan& p) { p.mutable_activities(0)->clear_start_date(); },
       {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Plan plan = GoodPlan();
    c.breaks(plan);
    EXPECT_THAT(Fields(ValidatePlanContent(plan, context)),
                ElementsAreArray(c.fields));
  }
}

TEST(ValidatePlanContentTest, DueBeforeStartNamesBothDates) {
  const homeward::v1::Taxonomy taxonomy = TestTaxonomy();
  PlanContext context{&taxonomy, {"M2"}, {"N1"}, {"P1"}};
  Plan plan = GoodPlan();
  *plan.mutable_activities(0)->mutable_due_date() = D(2026, 2, 28);
  EXPECT_THAT(Descriptions(ValidatePlanContent(plan, context)),
              ElementsAre("must not be before start_date (2026-03-01); got "
                          "2026-02-28"));
}

}  // namespace
}  // namespace homeward::planning
