// The plan workflow and activity life (plan_workflow.h) against tables
// written out by hand from planning.proto's PlanStatus and ActivityStatus
// comments: every (status, step, role) and every activity move.
#include "services/planning/plan_workflow.h"

#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace homeward::planning {
namespace {

using ::homeward::testing::StatusIs;
using ::homeward::v1::ActivityStatus;
using ::homeward::v1::PlanStatus;
using ::homeward::v1::Role;
using ::testing::HasSubstr;

constexpr PlanStatus kDraft = homeward::v1::PLAN_STATUS_DRAFT;
constexpr PlanStatus kAgreed = homeward::v1::PLAN_STATUS_AGREED;
constexpr PlanStatus kSubmitted = homeward::v1::PLAN_STATUS_SUBMITTED;
constexpr PlanStatus kReturned = homeward::v1::PLAN_STATUS_RETURNED;
constexpr PlanStatus kApproved = homeward::v1::PLAN_STATUS_APPROVED;
constexpr PlanStatus kActive = homeward::v1::PLAN_STATUS_ACTIVE;
constexpr PlanStatus kCompleted = homeward::v1::PLAN_STATUS_COMPLETED;
constexpr PlanStatus kCancelled = homeward::v1::PLAN_STATUS_CANCELLED;
constexpr Role kManager = homeward::v1::ROLE_CASE_MANAGER;
constexpr Role kSupervisor = homeward::v1::ROLE_SUPERVISOR;

// (from, step) -> to: every move of the workflow, by hand from the proto.
const std::map<std::pair<PlanStatus, PlanStep>, PlanStatus> kMoves = {
    {{kDraft, PlanStep::kEdit}, kDraft},
    {{kReturned, PlanStep::kEdit}, kDraft},
    {{kAgreed, PlanStep::kEdit}, kDraft},
    {{kDraft, PlanStep::kAgree}, kAgreed},
    {{kAgreed, PlanStep::kSubmit}, kSubmitted},
    {{kSubmitted, PlanStep::kApprove}, kApproved},
    {{kSubmitted, PlanStep::kReturn}, kReturned},
    {{kApproved, PlanStep::kActivate}, kActive},
    {{kActive, PlanStep::kComplete}, kCompleted},
    {{kActive, PlanStep::kCancel}, kCancelled},
    {{kDraft, PlanStep::kCancel}, kCancelled},
    {{kAgreed, PlanStep::kCancel}, kCancelled},
    {{kReturned, PlanStep::kCancel}, kCancelled},
    {{kApproved, PlanStep::kCancel}, kCancelled},
    {{kActive, PlanStep::kRevise}, kDraft},  // the new version
};

// Steps only a supervisor takes.
const std::set<PlanStep> kSupervisorOnly = {PlanStep::kApprove,
                                            PlanStep::kReturn};

TEST(PlanWorkflowTest, EveryStatusStepAndRoleIsAllowedOrRefusedAsTheTableSays) {
  int allowed = 0, wrong_status = 0, wrong_role = 0;
  for (int from = 0; from <= 9; ++from) {
    for (PlanStep step : AllPlanSteps()) {
      for (int r = 0; r <= 6; ++r) {
        const auto f = static_cast<PlanStatus>(from);
        const auto role = static_cast<Role>(r);
        SCOPED_TRACE(absl::StrCat(homeward::v1::PlanStatus_Name(f), " ",
                                  PlanStepName(step), " ",
                                  homeward::v1::Role_Name(role)));
        absl::StatusOr<PlanStatus> next = NextPlanStatus(f, step, role);
        const bool role_may =
            role == kSupervisor ||
            (role == kManager && !kSupervisorOnly.count(step));
        auto move = kMoves.find({f, step});
        if (!role_may) {
          EXPECT_THAT(next.status(),
                      StatusIs(absl::StatusCode::kPermissionDenied,
                               HasSubstr(homeward::v1::Role_Name(role))));
          ++wrong_role;
        } else if (move == kMoves.end()) {
          EXPECT_THAT(next.status(),
                      StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr(absl::StrCat(
                                   "plan is ", homeward::v1::PlanStatus_Name(f),
                                   ";"))));
          ++wrong_status;
        } else {
          ASSERT_TRUE(next.ok()) << next.status();
          EXPECT_EQ(*next, move->second);
          ++allowed;
        }
      }
    }
  }
  // 15 moves by supervisors, 13 by case managers (not approve, return).
  EXPECT_EQ(allowed, 28);
  // 10 statuses x 9 steps x 7 roles, less 5 roles x 9 steps, less the
  // manager's 2 supervisor-only steps x 10 statuses.
  EXPECT_EQ(wrong_role, 10 * 9 * 5 + 20);
  EXPECT_EQ(wrong_status, 630 - 28 - wrong_role);
}

TEST(PlanWorkflowTest, RefusedStepNamesTheStepsAllowedToTheRole) {
  struct Case {
    PlanStatus from;
    PlanStep step;
    Role role;
    std::string message;
  };
  const Case cases[] = {
      {kSubmitted, PlanStep::kEdit, kSupervisor,
       "cannot edit: plan is PLAN_STATUS_SUBMITTED; allowed: approve, return"},
      {kSubmitted, PlanStep::kEdit, kManager,
       "cannot edit: plan is PLAN_STATUS_SUBMITTED; allowed: none"},
      {kDraft, PlanStep::kSubmit, kManager,
       "cannot submit: plan is PLAN_STATUS_DRAFT; allowed: edit, agree, "
       "cancel"},
      {kActive, PlanStep::kActivate, kManager,
       "cannot activate: plan is PLAN_STATUS_ACTIVE; allowed: complete, "
       "cancel, revise"},
      {kCompleted, PlanStep::kCancel, kSupervisor,
       "cannot cancel: plan is PLAN_STATUS_COMPLETED; allowed: none"},
      {homeward::v1::PLAN_STATUS_SUPERSEDED, PlanStep::kRevise, kManager,
       "cannot revise: plan is PLAN_STATUS_SUPERSEDED; allowed: none"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(NextPlanStatus(c.from, c.step, c.role).status(),
                StatusIs(absl::StatusCode::kFailedPrecondition, c.message));
  }
}

TEST(PlanWorkflowTest, OtherRolesAreDeniedNamingTheRole) {
  EXPECT_THAT(NextPlanStatus(kSubmitted, PlanStep::kApprove, kManager).status(),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       "ROLE_CASE_MANAGER may not approve a plan"));
  EXPECT_THAT(NextPlanStatus(kDraft, PlanStep::kEdit,
                             homeward::v1::ROLE_MONITORING_OFFICER)
                  .status(),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       "ROLE_MONITORING_OFFICER may not edit a plan"));
}

TEST(PlanWorkflowTest, EveryActivityMoveIsAllowedOrRefusedAsTheTableSays) {
  constexpr ActivityStatus kPlanned = homeward::v1::ACTIVITY_STATUS_PLANNED;
  constexpr ActivityStatus kInProgress =
      homeward::v1::ACTIVITY_STATUS_IN_PROGRESS;
  constexpr ActivityStatus kDone = homeward::v1::ACTIVITY_STATUS_DONE;
  constexpr ActivityStatus kDropped = homeward::v1::ACTIVITY_STATUS_DROPPED;
  // (from, to) -> needs a reason.
  const std::map<std::pair<ActivityStatus, ActivityStatus>, bool> kAllowed = {
      {{kPlanned, kInProgress}, false},
      {{kInProgress, kDone}, false},
      {{kPlanned, kDropped}, true},
      {{kInProgress, kDropped}, true},
  };
  int allowed = 0;
  for (int p = 0; p <= 9; ++p) {
    for (int from = 0; from <= 4; ++from) {
      for (int to = 0; to <= 4; ++to) {
        const auto plan = static_cast<PlanStatus>(p);
        const auto f = static_cast<ActivityStatus>(from);
        const auto t = static_cast<ActivityStatus>(to);
        SCOPED_TRACE(absl::StrCat(p, " ", from, " ", to));
        absl::Status with_reason =
            CheckActivityStatusChange(plan, f, t, "no longer wanted");
        absl::Status blank = CheckActivityStatusChange(plan, f, t, "  ");
        auto it = kAllowed.find({f, t});
        if (plan != kActive) {
          EXPECT_THAT(
              with_reason,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("only while it is PLAN_STATUS_ACTIVE")));
        } else if (it == kAllowed.end()) {
          EXPECT_THAT(with_reason,
                      StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr(absl::StrCat(
                                   "activity is ",
                                   homeward::v1::ActivityStatus_Name(f)))));
        } else {
          ++allowed;
          EXPECT_TRUE(with_reason.ok()) << with_reason;
          if (it->second) {
            EXPECT_THAT(blank, StatusIs(absl::StatusCode::kInvalidArgument));
          } else {
            EXPECT_TRUE(blank.ok()) << blank;
          }
        }
      }
    }
  }
  EXPECT_EQ(allowed, 4);
  EXPECT_THAT(CheckActivityStatusChange(kActive, kPlanned, kDone, ""),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "activity is ACTIVITY_STATUS_PLANNED; allowed: "
                       "ACTIVITY_STATUS_IN_PROGRESS, ACTIVITY_STATUS_DROPPED"));
  EXPECT_THAT(CheckActivityStatusChange(kActive, kDone, kDropped, "x"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "activity is ACTIVITY_STATUS_DONE; allowed: none"));
}

}  // namespace
}  // namespace homeward::planning
