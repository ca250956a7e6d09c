// Indicator tables as CSV (indicator_csv.h): RFC 4180 quoting, suppressed
// values as "<k", no value as an empty field, and the Accept header check.
#include "services/gateway/indicator_csv.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace homeward::gateway {
namespace {

namespace v1 = ::homeward::v1;

TEST(CsvFieldTest, QuotesOnlyWhenItMust) {
  struct Case {
    std::string field;
    std::string written;
  };
  for (const Case& c : std::vector<Case>{
           {"", ""},
           {"CASE_STAGE_PLANNING", "CASE_STAGE_PLANNING"},
           {"<5", "<5"},
           {"-1.25", "-1.25"},
           {"a,b", "\"a,b\""},
           {"say \"hi\"", "\"say \"\"hi\"\"\""},
           {"\"", "\"\"\"\""},
           {"two\r\nlines", "\"two\r\nlines\""},
           {"line\nfeed", "\"line\nfeed\""},
           {"carriage\rreturn", "\"carriage\rreturn\""},
           {" spaced ", " spaced "},  // spaces are part of the field
       }) {
    EXPECT_EQ(CsvField(c.field), c.written) << c.field;
  }
}

TEST(IndicatorTableCsvTest, HeaderRowsAndEveryKindOfValue) {
  v1::IndicatorTable table;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        id: INDICATOR_TABLE_PLAN_TIMELINESS
        name: "plan_timeliness"
        title: "Time from return to approved plan"
        columns: [ "group", "approved", "share", "median", "mean", "overdue" ]
        rows {
          label: "ALL"
          values { count: 12 }
          values { number: 0.75 }
          values { number: 27.5 }
          values {}
          values { suppressed: true }
        }
        rows {
          label: "with, comma"
          values { count: 0 }
          values { number: -1.2 }
          values { number: 3 }
          values { number: 0.006 }
          values { count: 5 }
        }
      )pb",
      &table));
  EXPECT_EQ(IndicatorTableCsv(table, 5),
            "group,approved,share,median,mean,overdue\r\n"
            "ALL,12,0.75,27.50,,<5\r\n"
            "\"with, comma\",0,-1.20,3.00,0.01,5\r\n");
  // The threshold is what "<k" names.
  EXPECT_THAT(IndicatorTableCsv(table, 11), ::testing::HasSubstr(",<11\r\n"));
}

TEST(IndicatorTableCsvTest, ATableWithoutRowsIsItsHeader) {
  v1::IndicatorTable table;
  table.set_name("follow_ups");
  table.add_columns("group");
  table.add_columns("done");
  EXPECT_EQ(IndicatorTableCsv(table, 5), "group,done\r\n");
  EXPECT_EQ(CsvContentDisposition(table),
            "attachment; filename=\"follow_ups.csv\"");
}

TEST(AcceptsCsvTest, MediaRangesListingTextCsv) {
  struct Case {
    std::optional<std::string> accept;
    bool csv;
  };
  for (const Case& c : std::vector<Case>{
           {std::nullopt, false},
           {"", false},
           {"application/json", false},
           {"*/*", false},  // a wildcard keeps the default (JSON)
           {"text/csv", true},
           {"TEXT/CSV", true},
           {"text/csv; charset=utf-8", true},
           {"application/json, text/csv;q=0.5", true},
           {" text/csv ", true},
           {"text/csvx", false},
           {"text/plain", false},
       }) {
    std::optional<absl::string_view> header;
    if (c.accept.has_value()) header = *c.accept;
    EXPECT_EQ(AcceptsCsv(header), c.csv) << c.accept.value_or("(none)");
  }
}

}  // namespace
}  // namespace homeward::gateway
