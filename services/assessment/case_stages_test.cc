// Table-driven tests of the case stage table and of the history a case
// record keeps (case_stages.h).
#include "services/assessment/case_stages.h"

#include <optional>
#include <string>
#include <vector>

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
                 "SomethingElse", std::nullopt},
        // The planning service's events.
        MoveCase{"PlanCreatedAtIntakeMovesToPlanning", v1::CASE_STAGE_INTAKE,
                 kPlanCreated, v1::CASE_STAGE_PLANNING},
        MoveCase{"PlanCreatedAfterAssessmentMovesToPlanning",
                 v1::CASE_STAGE_ASSESSMENT, kPlanCreated,
                 v1::CASE_STAGE_PLANNING},
        MoveCase{"PlanCreatedTwiceMovesNothing", v1::CASE_STAGE_PLANNING,
                 kPlanCreated, std::nullopt},
        MoveCase{"PlanCreatedDuringDeliveryMovesNothing",
                 v1::CASE_STAGE_DELIVERY, kPlanCreated, std::nullopt},
        MoveCase{"PlanCreatedOfAClosedCaseMovesNothing", v1::CASE_STAGE_CLOSED,
                 kPlanCreated, std::nullopt},
        MoveCase{"PlanApprovedAtIntakeMovesToDelivery", v1::CASE_STAGE_INTAKE,
                 kPlanApproved, v1::CASE_STAGE_DELIVERY},
        MoveCase{"PlanApprovedAfterAssessmentMovesToDelivery",
                 v1::CASE_STAGE_ASSESSMENT, kPlanApproved,
                 v1::CASE_STAGE_DELIVERY},
        MoveCase{"PlanApprovedDuringPlanningMovesToDelivery",
                 v1::CASE_STAGE_PLANNING, kPlanApproved,
                 v1::CASE_STAGE_DELIVERY},
        MoveCase{"PlanApprovedAgainMovesNothing", v1::CASE_STAGE_DELIVERY,
                 kPlanApproved, std::nullopt},
        MoveCase{"PlanApprovedDuringMonitoringMovesNothing",
                 v1::CASE_STAGE_MONITORING, kPlanApproved, std::nullopt},
        MoveCase{"PlanCompletedDuringDeliveryMovesToMonitoring",
                 v1::CASE_STAGE_DELIVERY, kPlanCompleted,
                 v1::CASE_STAGE_MONITORING},
        MoveCase{"PlanCompletedDuringPlanningMovesNothing",
                 v1::CASE_STAGE_PLANNING, kPlanCompleted, std::nullopt},
        MoveCase{"PlanCompletedOfAClosedCaseMovesNothing",
                 v1::CASE_STAGE_CLOSED, kPlanCompleted, std::nullopt},
        // The follow-up service's closure, from every open stage.
        MoveCase{"ClosedAtIntake", v1::CASE_STAGE_INTAKE, kCaseClosed,
                 v1::CASE_STAGE_CLOSED},
        MoveCase{"ClosedDuringAssessment", v1::CASE_STAGE_ASSESSMENT,
                 kCaseClosed, v1::CASE_STAGE_CLOSED},
        MoveCase{"ClosedDuringPlanning", v1::CASE_STAGE_PLANNING, kCaseClosed,
                 v1::CASE_STAGE_CLOSED},
        MoveCase{"ClosedDuringDelivery", v1::CASE_STAGE_DELIVERY, kCaseClosed,
                 v1::CASE_STAGE_CLOSED},
        MoveCase{"ClosedDuringMonitoring", v1::CASE_STAGE_MONITORING,
                 kCaseClosed, v1::CASE_STAGE_CLOSED},
        MoveCase{"ClosedTwiceMovesNothing", v1::CASE_STAGE_CLOSED, kCaseClosed,
                 std::nullopt},
        MoveCase{"ClosureOfAnUnregisteredCaseMovesNothing",
                 v1::CASE_STAGE_UNSPECIFIED, kCaseClosed, std::nullopt},
        // Reopening depends on the history: StageAfter, not the table.
        MoveCase{"ReopenedIsNotInTheTable", v1::CASE_STAGE_CLOSED,
                 kCaseReopened, std::nullopt}),
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

// A case whose history went through `stages` (the last is its stage).
v1::Case WithHistory(const std::vector<CaseStage>& stages) {
  v1::Case c;
  int64_t t = 0;
  for (CaseStage stage : stages) AppendStage(c, stage, At(++t), "x", "u");
  return c;
}

struct AfterCase {
  std::string name;
  std::vector<CaseStage> history;
  std::string cause;
  std::optional<CaseStage> to;
};

class StageAfterTest : public ::testing::TestWithParam<AfterCase> {};

TEST_P(StageAfterTest, MovesAsTheTableOrTheHistorySays) {
  EXPECT_EQ(StageAfter(WithHistory(GetParam().history), GetParam().cause),
            GetParam().to);
}

INSTANTIATE_TEST_SUITE_P(
    Table, StageAfterTest,
    ::testing::Values(
        AfterCase{"TableCausesFollowTheTable",
                  {v1::CASE_STAGE_INTAKE, v1::CASE_STAGE_PLANNING},
                  kPlanApproved,
                  v1::CASE_STAGE_DELIVERY},
        AfterCase{"ReopenedGoesBackToTheStageBeforeClosure",
                  {v1::CASE_STAGE_INTAKE, v1::CASE_STAGE_DELIVERY,
                   v1::CASE_STAGE_CLOSED},
                  kCaseReopened,
                  v1::CASE_STAGE_DELIVERY},
        AfterCase{"ReopenedAgainGoesBackToTheStageBeforeTheLatestClosure",
                  {v1::CASE_STAGE_INTAKE, v1::CASE_STAGE_DELIVERY,
                   v1::CASE_STAGE_CLOSED, v1::CASE_STAGE_DELIVERY,
                   v1::CASE_STAGE_MONITORING, v1::CASE_STAGE_CLOSED},
                  kCaseReopened,
                  v1::CASE_STAGE_MONITORING},
        AfterCase{"ReopenedWithoutAnEarlierStageGoesToMonitoring",
                  {v1::CASE_STAGE_CLOSED},
                  kCaseReopened,
                  v1::CASE_STAGE_MONITORING},
        AfterCase{"ReopeningAnOpenCaseMovesNothing",
                  {v1::CASE_STAGE_INTAKE, v1::CASE_STAGE_DELIVERY},
                  kCaseReopened,
                  std::nullopt}),
    [](const auto& info) { return info.param.name; });

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
