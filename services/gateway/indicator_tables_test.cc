// The programme indicators' catalogue, merge, medians and suppression
// (indicator_tables.h), with hand-checked values.
#include "services/gateway/indicator_tables.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace homeward::gateway {
namespace {

namespace v1 = ::homeward::v1;
using ::homeward::internal::v1::IndicatorPart;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

IndicatorPart PartOf(const std::string& text) {
  IndicatorPart part;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &part))
      << text;
  return part;
}

// The values of `row` of `table` as text, e.g. {"12", "<", "0.75", "-"}:
// a count, suppressed, a number, no value.
std::vector<std::string> Shown(const v1::IndicatorTable& table,
                               const std::string& row) {
  std::vector<std::string> shown;
  for (const v1::IndicatorRow& r : table.rows()) {
    if (r.label() != row) continue;
    for (const v1::IndicatorValue& value : r.values()) {
      switch (value.kind_case()) {
        case v1::IndicatorValue::kCount:
          shown.push_back(std::to_string(value.count()));
          break;
        case v1::IndicatorValue::kNumber: {
          char buffer[32];
          snprintf(buffer, sizeof(buffer), "%.2f", value.number());
          shown.push_back(buffer);
          break;
        }
        case v1::IndicatorValue::kSuppressed:
          shown.push_back("<");
          break;
        case v1::IndicatorValue::KIND_NOT_SET:
          shown.push_back("-");
          break;
      }
    }
  }
  return shown;
}

std::string ShownValue(const v1::IndicatorValue& value) {
  v1::IndicatorTable table;
  table.add_rows()->set_label("x");
  *table.mutable_rows(0)->add_values() = value;
  return Shown(table, "x")[0];
}

TEST(IndicatorCatalogueTest, TablesInIdOrderWithUniqueNames) {
  const std::vector<IndicatorTableSpec>& catalogue = IndicatorCatalogue();
  ASSERT_THAT(catalogue, SizeIs(7));
  std::set<std::string> names;
  for (size_t i = 0; i < catalogue.size(); ++i) {
    EXPECT_EQ(catalogue[i].id, static_cast<v1::IndicatorTableId>(i + 1));
    EXPECT_TRUE(names.insert(catalogue[i].name).second) << catalogue[i].name;
    EXPECT_EQ(FindIndicatorTable(catalogue[i].id), &catalogue[i]);
  }
  EXPECT_EQ(FindIndicatorTable(v1::INDICATOR_TABLE_UNSPECIFIED), nullptr);
  EXPECT_EQ(FindIndicatorTable(static_cast<v1::IndicatorTableId>(99)), nullptr);
}

TEST(IndicatorCatalogueTest, RowsFollowTheEnumsAndTheContract) {
  EXPECT_THAT(FindIndicatorTable(v1::INDICATOR_TABLE_CASELOAD)->rows,
              ElementsAre("CASE_STAGE_INTAKE", "CASE_STAGE_ASSESSMENT",
                          "CASE_STAGE_PLANNING", "CASE_STAGE_DELIVERY",
                          "CASE_STAGE_MONITORING", "CASE_STAGE_CLOSED"));
  EXPECT_THAT(FindIndicatorTable(v1::INDICATOR_TABLE_REFERRAL_DECLINES)->rows,
              ElementsAre("NOT_CODED", "REFERRAL_DECLINE_REASON_NOT_ELIGIBLE",
                          "REFERRAL_DECLINE_REASON_NO_CAPACITY",
                          "REFERRAL_DECLINE_REASON_OUT_OF_AREA",
                          "REFERRAL_DECLINE_REASON_SERVICE_NOT_SUITABLE",
                          "REFERRAL_DECLINE_REASON_RETURNEE_UNREACHABLE",
                          "REFERRAL_DECLINE_REASON_RETURNEE_DECLINED",
                          "REFERRAL_DECLINE_REASON_OTHER"));
  EXPECT_THAT(FindIndicatorTable(v1::INDICATOR_TABLE_RSS)->rows,
              ElementsAre("SCORE_KIND_ECONOMIC", "SCORE_KIND_SOCIAL",
                          "SCORE_KIND_PSYCHOSOCIAL", "SCORE_KIND_COMPOSITE"));
  const std::vector<std::string>& closures =
      FindIndicatorTable(v1::INDICATOR_TABLE_CLOSURES)->rows;
  ASSERT_THAT(closures, SizeIs(10));
  EXPECT_EQ(closures.front(), "CLOSURE_REASON_SUPPORT_COMPLETED");
  EXPECT_EQ(closures.back(), "CLOSURE_REASON_INVOLUNTARY_SECURITY");
  for (v1::IndicatorTableId id :
       {v1::INDICATOR_TABLE_PLAN_TIMELINESS, v1::INDICATOR_TABLE_REFERRALS,
        v1::INDICATOR_TABLE_FOLLOW_UPS}) {
    EXPECT_THAT(FindIndicatorTable(id)->rows, ElementsAre("ALL"));
  }
}

TEST(IndicatorCatalogueTest, ColumnsAsTheContractNamesThem) {
  auto columns = [](v1::IndicatorTableId id) {
    std::vector<std::string> names;
    for (const IndicatorColumn& c : FindIndicatorTable(id)->columns) {
      names.push_back(c.name);
    }
    return names;
  };
  EXPECT_THAT(columns(v1::INDICATOR_TABLE_CASELOAD),
              ElementsAre("cases", "registered_in_period"));
  EXPECT_THAT(columns(v1::INDICATOR_TABLE_PLAN_TIMELINESS),
              ElementsAre("approved", "within_deadline",
                          "share_within_deadline", "median_days_to_approval",
                          "mean_days_to_approval", "overdue_now"));
  EXPECT_THAT(columns(v1::INDICATOR_TABLE_REFERRALS),
              ElementsAre("made", "accepted", "declined", "completed", "failed",
                          "cancelled", "median_response_hours"));
  EXPECT_THAT(columns(v1::INDICATOR_TABLE_REFERRAL_DECLINES),
              ElementsAre("declined"));
  EXPECT_THAT(columns(v1::INDICATOR_TABLE_FOLLOW_UPS),
              ElementsAre("done", "missed", "overdue_now"));
  EXPECT_THAT(columns(v1::INDICATOR_TABLE_RSS),
              ElementsAre("baseline_cases", "baseline_mean", "follow_up_cases",
                          "follow_up_mean", "mean_change"));
  EXPECT_THAT(columns(v1::INDICATOR_TABLE_CLOSURES),
              ElementsAre("closed", "planned", "unplanned"));
}

TEST(MedianOfTest, HandCheckedMedians) {
  struct Case {
    std::map<int64_t, int64_t> distribution;
    std::optional<double> median;
  };
  const std::vector<Case> cases = {
      {{}, std::nullopt},
      {{{7, 0}}, std::nullopt},  // buckets of nothing
      {{{5, 1}}, 5.0},           // one value
      {{{1, 1}, {3, 1}}, 2.0},   // even: mean of the middle two
      {{{1, 2}, {10, 1}}, 1.0},  // odd: 1 1 10
      {{{1, 1}, {2, 1}, {3, 1}, {100, 1}}, 2.5},
      {{{4, 2}}, 4.0},                  // even, both middles equal
      {{{2, 3}, {9, 3}}, 5.5},          // 2 2 2 9 9 9
      {{{-3, 1}, {1, 1}}, -1.0},        // negative values
      {{{1, 2}, {5, 0}, {8, 1}}, 1.0},  // an empty bucket does not count
  };
  for (const Case& c : cases) {
    EXPECT_EQ(MedianOf(c.distribution), c.median)
        << ::testing::PrintToString(c.distribution);
  }
}

TEST(SuppressionTest, Counts) {
  struct Case {
    int64_t count;
    int threshold;
    std::string shown;
  };
  for (const Case& c : std::vector<Case>{{0, 5, "0"},
                                         {1, 5, "<"},
                                         {4, 5, "<"},  // k - 1
                                         {5, 5, "5"},  // k
                                         {6, 5, "6"},
                                         {1, 2, "<"},
                                         {2, 2, "2"},
                                         {0, 2, "0"}}) {
    EXPECT_EQ(ShownValue(CountValue(c.count, c.threshold)), c.shown)
        << c.count << " with threshold " << c.threshold;
  }
}

TEST(SuppressionTest, MeansAndMedians) {
  struct Case {
    double value;
    int64_t group;
    std::string shown;
  };
  for (const Case& c : std::vector<Case>{{0, 0, "-"},  // a group of nothing
                                         {3.2, 1, "<"},
                                         {3.2, 4, "<"},  // k - 1
                                         {3.2, 5, "3.20"},
                                         {2.346, 9, "2.35"},  // rounded
                                         {-1.234, 5, "-1.23"}}) {
    EXPECT_EQ(ShownValue(StatisticValue(c.value, c.group, 5)), c.shown)
        << c.value << " over " << c.group;
  }
  // Rounded to 2 decimals in the message itself, not only when printed.
  EXPECT_EQ(StatisticValue(2.346, 9, 5).number(), 2.35);
}

TEST(SuppressionTest, Shares) {
  struct Case {
    int64_t part;
    int64_t whole;
    std::string shown;
  };
  for (const Case& c : std::vector<Case>{
           {0, 0, "-"},     // nothing to divide
           {0, 3, "<"},     // whole below k
           {4, 4, "<"},     // whole k - 1
           {0, 5, "0.00"},  // whole k, part 0 shown
           {5, 5, "1.00"},
           {5, 10, "0.50"},
           {6, 9, "0.67"},
           {3, 10, "<"},     // the part would be given away
           {4, 10, "<"},     // part k - 1
           {9, 10, "0.90"},  // the complement is not a suppressed count
       }) {
    EXPECT_EQ(ShownValue(ShareValue(c.part, c.whole, 5)), c.shown)
        << c.part << "/" << c.whole;
  }
}

TEST(MergeIndicatorPartsTest, CountsMeansAndDistributionsAddUp) {
  // Two replicas of the planning service and one of the assessment service.
  const std::vector<IndicatorPart> parts = {
      PartOf(R"pb(
        cells {
          table: "plan_timeliness"
          row: "ALL"
          column: "approved"
          count: 5
        }
        cells {
          table: "plan_timeliness"
          row: "ALL"
          column: "mean_days_to_approval"
          mean { sum: 100 count: 5 }
        }
        cells {
          table: "plan_timeliness"
          row: "ALL"
          column: "median_days_to_approval"
          distribution {
            buckets { value: 10 count: 2 }
            buckets { value: 30 count: 3 }
          }
        }
      )pb"),
      PartOf(R"pb(
        cells {
          table: "plan_timeliness"
          row: "ALL"
          column: "approved"
          count: 7
        }
        cells {
          table: "plan_timeliness"
          row: "ALL"
          column: "mean_days_to_approval"
          mean { sum: 41 count: 2 }
        }
        cells {
          table: "plan_timeliness"
          row: "ALL"
          column: "median_days_to_approval"
          distribution {
            buckets { value: 30 count: 1 }
            buckets { value: 5 count: 1 }
          }
        }
      )pb"),
      PartOf(R"pb(
        cells {
          table: "caseload"
          row: "CASE_STAGE_PLANNING"
          column: "cases"
          count: 0
        }
      )pb"),
  };
  const MergedIndicators merged = MergeIndicatorParts(parts);
  EXPECT_EQ(merged.ignored_cells, 0);
  ASSERT_THAT(merged.cells, SizeIs(4));
  const MergedCell& approved =
      merged.cells.at({"plan_timeliness", "ALL", "approved"});
  EXPECT_EQ(approved.count, 12);
  const MergedCell& mean =
      merged.cells.at({"plan_timeliness", "ALL", "mean_days_to_approval"});
  EXPECT_EQ(mean.sum, 141);
  EXPECT_EQ(mean.values, 7);
  const MergedCell& median =
      merged.cells.at({"plan_timeliness", "ALL", "median_days_to_approval"});
  EXPECT_THAT(median.distribution,
              ElementsAre(std::pair<const int64_t, int64_t>(5, 1),
                          std::pair<const int64_t, int64_t>(10, 2),
                          std::pair<const int64_t, int64_t>(30, 4)));
  // 5 10 10 30 30 30 30: the fourth of seven.
  EXPECT_EQ(MedianOf(median.distribution), 30.0);
  EXPECT_EQ(merged.cells.at({"caseload", "CASE_STAGE_PLANNING", "cases"}).count,
            0);

  // The order of the parts does not matter.
  const MergedIndicators reversed =
      MergeIndicatorParts({parts[2], parts[1], parts[0]});
  EXPECT_EQ(reversed.cells.at({"plan_timeliness", "ALL", "approved"}).count,
            12);
  EXPECT_EQ(
      reversed.cells.at({"plan_timeliness", "ALL", "median_days_to_approval"})
          .distribution,
      median.distribution);
}

TEST(MergeIndicatorPartsTest,
     CellsTheCatalogueDoesNotKnowAreIgnoredAndCounted) {
  struct Case {
    std::string cell;
    std::string why;
  };
  const std::vector<Case> cases = {
      {R"pb(table: "staff" row: "ALL" column: "made" count: 3)pb",
       "unknown table"},
      {R"pb(table: "referrals" row: "OTHER" column: "made" count: 3)pb",
       "unknown row"},
      {R"pb(table: "referrals" row: "ALL" column: "lost" count: 3)pb",
       "unknown column"},
      {R"pb(table: "referrals"
            row: "ALL"
            column: "made"
            mean { sum: 3 count: 1 })pb",
       "a mean for a count column"},
      {R"pb(table: "referrals"
            row: "ALL"
            column: "median_response_hours"
            count: 3)pb",
       "a count for a median column"},
      {R"pb(table: "rss"
            row: "SCORE_KIND_SOCIAL"
            column: "baseline_mean"
            distribution { buckets { value: 3 count: 1 } })pb",
       "a distribution for a mean column"},
      {R"pb(table: "referrals" row: "ALL" column: "made")pb", "no value"},
      {R"pb(table: "referrals" row: "ALL" column: "made" count: -2)pb",
       "a negative count"},
      {R"pb(table: "plan_timeliness"
            row: "ALL"
            column: "share_within_deadline"
            count: 1)pb",
       "a share (derived at the gateway)"},
      {R"pb(table: "referrals"
            row: "ALL"
            column: "median_response_hours"
            distribution {
              buckets { value: 3 count: 2 }
              buckets { value: 4 count: -1 }
            })pb",
       "a negative bucket"},
      {R"pb(table: "caseload"
            row: "CASE_STAGE_UNSPECIFIED"
            column: "cases"
            count: 1)pb",
       "the unspecified stage"},
  };
  for (const Case& c : cases) {
    const MergedIndicators merged =
        MergeIndicatorParts({PartOf(absl::StrCat("cells { ", c.cell, " }"))});
    EXPECT_EQ(merged.ignored_cells, 1) << c.why;
    EXPECT_THAT(merged.cells, IsEmpty()) << c.why;
  }
  // An ignored cell leaves the cell it names as the good ones made it.
  const MergedIndicators merged = MergeIndicatorParts({PartOf(R"pb(
    cells { table: "referrals" row: "ALL" column: "made" count: 6 }
    cells { table: "referrals" row: "ALL" column: "made" count: -2 }
    cells {
      table: "referrals"
      row: "ALL"
      column: "made"
      mean { sum: 1 count: 1 }
    }
  )pb")});
  EXPECT_EQ(merged.ignored_cells, 2);
  EXPECT_EQ(merged.cells.at({"referrals", "ALL", "made"}).count, 6);
}

TEST(RenderIndicatorTablesTest, PlanTimelinessHandChecked) {
  const MergedIndicators merged = MergeIndicatorParts({PartOf(R"pb(
    cells { table: "plan_timeliness" row: "ALL" column: "approved" count: 8 }
    cells {
      table: "plan_timeliness"
      row: "ALL"
      column: "within_deadline"
      count: 6
    }
    cells {
      table: "plan_timeliness"
      row: "ALL"
      column: "median_days_to_approval"
      distribution {
        buckets { value: 20 count: 4 }
        buckets { value: 35 count: 4 }
      }
    }
    cells {
      table: "plan_timeliness"
      row: "ALL"
      column: "mean_days_to_approval"
      mean { sum: 220 count: 8 }
    }
    cells { table: "plan_timeliness" row: "ALL" column: "overdue_now" count: 2 }
  )pb")});
  const std::vector<v1::IndicatorTable> tables =
      RenderIndicatorTables(merged, v1::INDICATOR_TABLE_PLAN_TIMELINESS, 5);
  ASSERT_THAT(tables, SizeIs(1));
  const v1::IndicatorTable& table = tables[0];
  EXPECT_EQ(table.id(), v1::INDICATOR_TABLE_PLAN_TIMELINESS);
  EXPECT_EQ(table.name(), "plan_timeliness");
  EXPECT_FALSE(table.title().empty());
  EXPECT_THAT(table.columns(),
              ElementsAre("group", "approved", "within_deadline",
                          "share_within_deadline", "median_days_to_approval",
                          "mean_days_to_approval", "overdue_now"));
  // 6/8 = 0.75; median of 20x4 35x4 = 27.5; 220/8 = 27.5; 2 suppressed.
  EXPECT_THAT(Shown(table, "ALL"),
              ElementsAre("8", "6", "0.75", "27.50", "27.50", "<"));

  // With a threshold of 9 the approved plans are too few for every
  // statistic.
  EXPECT_THAT(Shown(RenderIndicatorTables(
                        merged, v1::INDICATOR_TABLE_PLAN_TIMELINESS, 9)[0],
                    "ALL"),
              ElementsAre("<", "<", "<", "<", "<", "<"));
}

TEST(RenderIndicatorTablesTest, EveryTableWithEveryRowAndNoValueWithoutCells) {
  const MergedIndicators merged = MergeIndicatorParts({PartOf(R"pb(
    cells {
      table: "caseload"
      row: "CASE_STAGE_DELIVERY"
      column: "cases"
      count: 14
    }
    cells {
      table: "caseload"
      row: "CASE_STAGE_DELIVERY"
      column: "registered_in_period"
      count: 0
    }
    cells {
      table: "rss"
      row: "SCORE_KIND_SOCIAL"
      column: "mean_change"
      mean { sum: 0 count: 0 }
    }
  )pb")});
  const std::vector<v1::IndicatorTable> tables =
      RenderIndicatorTables(merged, v1::INDICATOR_TABLE_UNSPECIFIED, 5);
  ASSERT_THAT(tables, SizeIs(7));
  for (size_t i = 0; i < tables.size(); ++i) {
    const IndicatorTableSpec& spec = IndicatorCatalogue()[i];
    EXPECT_EQ(tables[i].name(), spec.name);
    EXPECT_EQ(tables[i].columns_size(), spec.columns.size() + 1);
    ASSERT_EQ(tables[i].rows_size(), spec.rows.size()) << spec.name;
    for (int r = 0; r < tables[i].rows_size(); ++r) {
      EXPECT_EQ(tables[i].rows(r).label(), spec.rows[r]);
      EXPECT_EQ(tables[i].rows(r).values_size(), spec.columns.size());
    }
  }
  EXPECT_THAT(Shown(tables[0], "CASE_STAGE_DELIVERY"), ElementsAre("14", "0"));
  // No cell (the service's part is missing): no value, not 0.
  EXPECT_THAT(Shown(tables[0], "CASE_STAGE_INTAKE"), ElementsAre("-", "-"));
  // A mean of nothing: no value.
  EXPECT_THAT(Shown(tables[5], "SCORE_KIND_SOCIAL"),
              ElementsAre("-", "-", "-", "-", "-"));
  // A table id without a table renders nothing.
  EXPECT_THAT(
      RenderIndicatorTables(merged, static_cast<v1::IndicatorTableId>(42), 5),
      IsEmpty());
}

}  // namespace
}  // namespace homeward::gateway
