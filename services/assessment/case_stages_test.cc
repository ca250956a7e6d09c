// Table-driven tests of the case stage table and of the history a case
// record keeps (case_stages.h).
#include "services/assessment/case_stages.h"

#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace homeward::assessment {
namespace {

using homeward::v1::CaseStage;

struct MoveCase {
  std::string name;
  CaseStage from;
  std::string cause;
  std::optional<CaseStage> to;
};

class NextStageTest : public ::testing::TestWithParam<MoveCase> {};

TEST_P(NextStageTest, MovesOnlyWhereTheTableSays) {
  EXPECT_EQ(NextStage(GetParam().from, GetParam().cause), GetParam().to);
}

INSTANTIATE_TEST_SUITE_P(
    Table, NextStageTest,
    ::testing::Values(
        MoveCase{"RegistrationOpensAtIntake", v1::CASE_STAGE_UNSPECIFIED,
                 kCaseRegistered, v1::CASE_STAGE_INTAKE},
        MoveCase{"FirstAssessmentMovesIntakeToAssessment",
                 v1::CASE_STAGE_INTAKE, kAssessmentCompleted,
                 v1::CASE_STAGE_ASSESSMENT},
        MoveCase{"LaterAssessmentMovesNothing", v1::CASE_STAGE_ASSESSMENT,
                 kAssessmentCompleted, std::nullopt},
        MoveCase{"AssessmentDuringPlanningMovesNothing",
                 v1::CASE_STAGE_PLANNING, kAssessmentCompleted, std::nullopt},
        MoveCase{"AssessmentOfAClosedCaseMovesNothing", v1::CASE_STAGE_CLOSED,
                 kAssessmentCompleted, std::nullopt},
        MoveCase{"RegistrationTwiceMovesNothing", v1::CASE_STAGE_INTAKE,
                 kCaseRegistered, std::nullopt},
        MoveCase{"AnUnknownCauseMovesNothing", v1::CASE_STAGE_INTAKE,
                 "SomethingElse", std::nullopt}),
    [](const auto& info) { return info.param.name; });

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  return t;
}

TEST(AppendStageTest, SetsTheStageAndAppendsTheMove) {
  v1::Case c;
  AppendStage(c, v1::CASE_STAGE_INTAKE, At(100), kCaseRegistered, "cm-1");
  AppendStage(c, v1::CASE_STAGE_ASSESSMENT, At(200), kAssessmentCompleted,
              "cm-2");
  EXPECT_EQ(c.stage(), v1::CASE_STAGE_ASSESSMENT);
  ASSERT_EQ(c.stage_history_size(), 2);
  EXPECT_EQ(c.stage_history(0).stage(), v1::CASE_STAGE_INTAKE);
  EXPECT_EQ(c.stage_history(0).time().seconds(), 100);
  EXPECT_EQ(c.stage_history(0).cause(), "CaseRegistered");
  EXPECT_EQ(c.stage_history(0).actor_user_id(), "cm-1");
  EXPECT_EQ(c.stage_history(1).stage(), v1::CASE_STAGE_ASSESSMENT);
  EXPECT_EQ(c.stage_history(1).cause(), "AssessmentCompleted");
  EXPECT_EQ(c.stage_history(1).actor_user_id(), "cm-2");
}

TEST(WithStageHistoryTest, ACaseWithoutHistoryReadsWithItsStageSinceCreation) {
  v1::Case legacy;
  legacy.set_stage(v1::CASE_STAGE_INTAKE);
  *legacy.mutable_create_time() = At(42);
  WithStageHistory(legacy);
  ASSERT_EQ(legacy.stage_history_size(), 1);
  EXPECT_EQ(legacy.stage_history(0).stage(), v1::CASE_STAGE_INTAKE);
  EXPECT_EQ(legacy.stage_history(0).time().seconds(), 42);
  EXPECT_EQ(legacy.stage_history(0).cause(), "recorded before stage history");
  EXPECT_EQ(legacy.stage_history(0).actor_user_id(), "");
}

TEST(WithStageHistoryTest, ACaseWithHistoryIsLeftAsItIs) {
  v1::Case c;
  AppendStage(c, v1::CASE_STAGE_INTAKE, At(1), kCaseRegistered, "cm-1");
  AppendStage(c, v1::CASE_STAGE_ASSESSMENT, At(2), kAssessmentCompleted,
              "cm-1");
  v1::Case read = c;
  WithStageHistory(read);
  EXPECT_EQ(read.SerializeAsString(), c.SerializeAsString());
}

}  // namespace
}  // namespace homeward::assessment
