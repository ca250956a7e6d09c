// The pure parts of homewardctl: the table and JSON printers, the progress
// line, the command line and the partition ranges.
#include "tools/ctl/output.h"

#include <string>
#include <vector>

#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "homeward/v1/audit.pb.h"
#include "tools/ctl/audit_command.h"
#include "tools/ctl/case_command.h"
#include "tools/ctl/command_line.h"
#include "tools/ctl/partitions_command.h"
#include "tools/ctl/progress_bar.h"
#include "tools/ctl/usage_error.h"

namespace homeward::ctl {
namespace {

using ::homeward::testing::StatusIs;
using ::testing::HasSubstr;

TEST(FormatTableTest, AlignsColumnsToTheWidestCell) {
  Table table{{"service", "replica", "count"},
              {{"assessment", "127.0.0.1:7101", "32"},
               {"planning", "10.0.0.7:7201", "7"}}};
  EXPECT_EQ(FormatTable(table),
            "service     replica         count\n"
            "assessment  127.0.0.1:7101  32\n"
            "planning    10.0.0.7:7201   7\n");
}

TEST(FormatTableTest, CountsCharactersNotBytesAndFillsShortRows) {
  Table table{{"name", "x"}, {{"Séné", "1"}, {"ab"}}};
  EXPECT_EQ(FormatTable(table),
            "name  x\n"
            "Séné  1\n"
            "ab\n");
}

TEST(FormatTableTest, TableWithoutRowsIsTheHeader) {
  EXPECT_EQ(FormatTable(Table{{"a", "b"}, {}}), "a  b\n");
}

TEST(FormatJsonTest, ArrayOfObjectsWithEscapedStrings) {
  Table table{{"file", "outcome"},
              {{"a\"b.textproto", "ALREADY_EXISTS: line\nbreak\\"}, {"c"}}};
  EXPECT_EQ(FormatJson(table),
            "[{\"file\":\"a\\\"b.textproto\",\"outcome\":"
            "\"ALREADY_EXISTS: line\\nbreak\\\\\"},"
            "{\"file\":\"c\",\"outcome\":\"\"}]\n");
  EXPECT_EQ(FormatJson(Table{{"a"}, {}}), "[]\n");
  EXPECT_EQ(JsonString(std::string("\x01", 1)), "\"\\u0001\"");
}

TEST(FormatJsonTest, ParsesBackAsJson) {
  // protobuf's JSON parser reads the array as a ListValue.
  Table table{{"k", "v"}, {{"1", "é"}, {"2", "\t"}}};
  google::protobuf::ListValue list;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(FormatJson(table), &list)
          .ok());
  ASSERT_EQ(list.values_size(), 2);
  EXPECT_EQ(list.values(1).struct_value().fields().at("v").string_value(),
            "\t");
}

TEST(FormatMessageJsonTest, ProtoFieldNamesAndEnumNames) {
  homeward::v1::AuditChainReport report;
  report.set_replica("127.0.0.1:7101");
  report.set_entries_checked(3);
  report.mutable_first_break()->set_kind(
      homeward::v1::AUDIT_BREAK_KIND_LINK_BROKEN);
  const std::string json = FormatMessageJson(report);
  EXPECT_THAT(json, HasSubstr("\"entries_checked\":\"3\""));
  EXPECT_THAT(json, HasSubstr("\"AUDIT_BREAK_KIND_LINK_BROKEN\""));
  EXPECT_EQ(json.back(), '\n');
}

TEST(ProgressLineTest, BarFilledInProportion) {
  EXPECT_EQ(ProgressLine("publishing", 1, 4, 8), "publishing [##      ] 1/4");
  EXPECT_EQ(ProgressLine("publishing", 9, 4, 8), "publishing [########] 4/4");
  EXPECT_EQ(ProgressLine("copying", 17, 0, 8), "copying 17");
}

TEST(FormatRangesTest, ConsecutivePartitionsBecomeRanges) {
  EXPECT_EQ(FormatRanges({0, 1, 2, 3, 7, 9, 10}), "0-3,7,9-10");
  EXPECT_EQ(FormatRanges({}), "");
  EXPECT_EQ(FormatRanges({5}), "5");
}

TEST(ParseCommandLineTest, GlobalFlagsAnywhereCommandFlagsPassedOn) {
  absl::StatusOr<CommandLine> parsed = ParseCommandLine(
      {"homewardctl", "--gateway=gw:7000", "--plaintext", "partitions",
       "--live", "--routes_file", "r.txt", "--output=json", "--", "--user"});
  ASSERT_OK(parsed.status());
  const CommandLine& line = *parsed;
  EXPECT_EQ(line.command, "partitions");
  EXPECT_EQ(line.options.gateway, "gw:7000");
  EXPECT_TRUE(line.options.plaintext);
  EXPECT_EQ(line.options.routes_file, "r.txt");
  EXPECT_EQ(line.options.output, OutputFormat::kJson);
  EXPECT_THAT(line.args, ::testing::ElementsAre("--live", "--user"));
  EXPECT_FALSE(line.help);
}

TEST(ParseCommandLineTest, MistakesAreUsageErrorsNamingTheFlag) {
  auto unknown = ParseCommandLine({"homewardctl", "--gatway=x", "health"});
  EXPECT_THAT(unknown.status(), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("--gatway")));
  EXPECT_TRUE(IsUsageError(unknown.status()));
  auto output = ParseCommandLine({"homewardctl", "--output=yaml", "health"});
  EXPECT_TRUE(IsUsageError(output.status()));
  EXPECT_THAT(output.status().message(), HasSubstr("--output"));
  EXPECT_TRUE(IsUsageError(
      ParseCommandLine({"homewardctl", "health", "--gateway"}).status()));
  EXPECT_TRUE(IsUsageError(
      ParseCommandLine({"homewardctl", "--partition_count=0", "partitions"})
          .status()));
  // A server's INVALID_ARGUMENT is not a usage error.
  EXPECT_FALSE(IsUsageError(absl::InvalidArgumentError("x")));
}

TEST(OverviewTableTest, MissingPartsAreMarkedWithTheirReason) {
  homeward::v1::CaseOverview overview;
  overview.mutable_case_()->set_case_id("c-1");
  overview.mutable_case_()->set_stage(homeward::v1::CASE_STAGE_INTAKE);
  overview.add_open_needs();
  auto* missing = overview.add_missing_parts();
  missing->set_part(homeward::v1::OVERVIEW_PART_PLAN);
  missing->set_reason(homeward::v1::MISSING_REASON_UNAVAILABLE);
  missing->set_code("UNIMPLEMENTED");
  const Table table = OverviewTable(overview);
  ASSERT_EQ(table.rows.size(), 7u);
  EXPECT_THAT(
      table.rows[0],
      ::testing::ElementsAre("case", "present", HasSubstr("c-1 stage INTAKE")));
  EXPECT_THAT(table.rows[2],
              ::testing::ElementsAre("needs", "present",
                                     "1 open needs, 0 open protection "
                                     "concerns"));
  EXPECT_THAT(
      table.rows[3],
      ::testing::ElementsAre("plan", "missing", "UNAVAILABLE (UNIMPLEMENTED)"));
  EXPECT_THAT(table.rows[4],
              ::testing::ElementsAre("referrals", "empty", "0 referrals"));
}

TEST(AuditTableTest, ABrokenChainShowsItsFirstBreak) {
  homeward::v1::VerifyAuditTrailResponse response;
  auto* intact = response.add_chains();
  intact->set_replica("partitions 0-31 of 64");
  intact->set_intact(true);
  intact->set_entries_checked(12);
  auto* broken = response.add_chains();
  broken->set_replica("partitions 32-63 of 64");
  broken->set_entries_checked(6);
  broken->mutable_first_break()->set_sequence(7);
  broken->mutable_first_break()->set_kind(
      homeward::v1::AUDIT_BREAK_KIND_ENTRY_MISSING);
  broken->mutable_first_break()->set_description("entry 7 is missing");
  const Table table = AuditTable(response);
  EXPECT_EQ(FormatTable(table),
            "replica                 intact  entries_checked  break_sequence  "
            "break_kind                      break\n"
            "partitions 0-31 of 64   yes     12\n"
            "partitions 32-63 of 64  NO      6                7               "
            "AUDIT_BREAK_KIND_ENTRY_MISSING  entry 7 is missing\n");
}

}  // namespace
}  // namespace homeward::ctl
