// The referral status table checked over every (from, to, side): the
// expected table below is written by hand from referral.proto's comment, as
// one row of 13 marks per `from` status ('X': allowed), columns in enum
// order: UNSPECIFIED, DRAFT, REQUESTED, RECEIVED, ACCEPTED, REJECTED, READY,
// CANCELLED, IN_PROGRESS, ON_HOLD, FAILED, COMPLETED, ENTERED_IN_ERROR.
#include "services/referral/referral_transitions.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace homeward::referral {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using v1::Referral;
using v1::ReferralStatus;

constexpr int kStatuses = 13;

// Row `from` (0 = not created yet), column `to`.
constexpr const char* kRequesterTable[kStatuses] = {
    // UDQRAJYCIHFME  (unspecified, draft, reQuested, Received, Accepted,
    //                 reJected, readY, Cancelled, In progress, on Hold,
    //                 Failed, coMpleted, Entered in error)
    ".XX..........",  // (new)
    "..X....X....X",  // DRAFT
    ".......X....X",  // REQUESTED
    ".......X....X",  // RECEIVED
    ".......X....X",  // ACCEPTED
    "............X",  // REJECTED
    ".......X....X",  // READY
    "............X",  // CANCELLED
    ".......X....X",  // IN_PROGRESS
    ".......X....X",  // ON_HOLD
    "............X",  // FAILED
    "............X",  // COMPLETED
    ".............",  // ENTERED_IN_ERROR
};
constexpr const char* kPerformerTable[kStatuses] = {
    ".............",  // (new)
    ".............",  // DRAFT
    "...XXX.......",  // REQUESTED
    "....XX.......",  // RECEIVED
    "......X.X....",  // ACCEPTED
    ".............",  // REJECTED
    "........X....",  // READY
    ".............",  // CANCELLED
    ".........XXX.",  // IN_PROGRESS
    "........X.X..",  // ON_HOLD
    ".............",  // FAILED
    ".............",  // COMPLETED
    ".............",  // ENTERED_IN_ERROR
};

bool Expected(ReferralStatus from, ReferralStatus to, v1::ReferralSide side) {
  switch (side) {
    case v1::REFERRAL_SIDE_REQUESTER:
      return kRequesterTable[from][to] == 'X';
    case v1::REFERRAL_SIDE_PERFORMER:
      return kPerformerTable[from][to] == 'X';
    default:
      return false;  // no side moves anything
  }
}

TEST(ReferralTransitionsTest, EveryMoveOfEverySideIsAsTheTableSays) {
  int allowed = 0;
  for (int side = 0; side <= 2; ++side) {
    for (int from = 0; from < kStatuses; ++from) {
      for (int to = 0; to < kStatuses; ++to) {
        const auto f = static_cast<ReferralStatus>(from);
        const auto t = static_cast<ReferralStatus>(to);
        const auto s = static_cast<v1::ReferralSide>(side);
        const bool expected = Expected(f, t, s);
        SCOPED_TRACE(absl::StrCat(v1::ReferralStatus_Name(f), " -> ",
                                  v1::ReferralStatus_Name(t), " by ",
                                  v1::ReferralSide_Name(s)));
        EXPECT_EQ(IsAllowedReferralMove(f, t, s), expected);
        if (expected) {
          ++allowed;
          EXPECT_THAT(CheckReferralMove(f, t, s), IsOk());
        } else {
          EXPECT_THAT(CheckReferralMove(f, t, s),
                      StatusIs(absl::StatusCode::kFailedPrecondition));
        }
      }
    }
  }
  // 21 requester moves and 13 performer moves.
  EXPECT_EQ(allowed, 34);
}

TEST(ReferralTransitionsTest, RefusalNamesTheAllowedNextStatusesOfThatSide) {
  const absl::Status by_performer =
      CheckReferralMove(v1::REFERRAL_STATUS_IN_PROGRESS,
                        v1::REFERRAL_STATUS_READY, v1::REFERRAL_SIDE_PERFORMER);
  EXPECT_THAT(by_performer, StatusIs(absl::StatusCode::kFailedPrecondition,
                                     HasSubstr("allowed: REFERRAL_STATUS_ON_"
                                               "HOLD, REFERRAL_STATUS_FAILED, "
                                               "REFERRAL_STATUS_COMPLETED")));
  const absl::Status by_requester = CheckReferralMove(
      v1::REFERRAL_STATUS_IN_PROGRESS, v1::REFERRAL_STATUS_COMPLETED,
      v1::REFERRAL_SIDE_REQUESTER);
  EXPECT_THAT(by_requester.message(),
              HasSubstr("allowed: REFERRAL_STATUS_CANCELLED, "
                        "REFERRAL_STATUS_ENTERED_IN_ERROR"));
  EXPECT_THAT(
      CheckReferralMove(v1::REFERRAL_STATUS_ENTERED_IN_ERROR,
                        v1::REFERRAL_STATUS_DRAFT, v1::REFERRAL_SIDE_REQUESTER)
          .message(),
      HasSubstr("allowed: none"));
}

TEST(ReferralTransitionsTest, ReasonsAndOutcomeAreRequiredWhereTheLoopSays) {
  for (int to = 0; to < kStatuses; ++to) {
    const auto t = static_cast<ReferralStatus>(to);
    SCOPED_TRACE(v1::ReferralStatus_Name(t));
    const bool needs_reason = t == v1::REFERRAL_STATUS_REJECTED ||
                              t == v1::REFERRAL_STATUS_CANCELLED ||
                              t == v1::REFERRAL_STATUS_ON_HOLD ||
                              t == v1::REFERRAL_STATUS_FAILED;
    const bool needs_outcome = t == v1::REFERRAL_STATUS_COMPLETED;
    EXPECT_EQ(ReferralMoveNeedsReason(t), needs_reason);
    EXPECT_EQ(ReferralMoveNeedsOutcome(t), needs_outcome);
    const absl::Status blank = CheckReferralMoveDetails(t, "  ", "");
    if (needs_reason || needs_outcome) {
      EXPECT_THAT(blank, StatusIs(absl::StatusCode::kInvalidArgument));
      ASSERT_EQ(errors::FieldViolationsOf(blank).size(), 1u);
      EXPECT_EQ(errors::FieldViolationsOf(blank)[0].field,
                needs_reason ? "reason" : "outcome");
    } else {
      EXPECT_THAT(blank, IsOk());
    }
    EXPECT_THAT(CheckReferralMoveDetails(t, "why", "what"), IsOk());
  }
}

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  return t;
}

ReferralMove Move(v1::ReferralStatus to, v1::ReferralSide side,
                  std::string user_id, int64_t seconds, std::string reason = "",
                  std::string outcome = "") {
  ReferralMove move;
  move.to = to;
  move.side = side;
  move.user_id = std::move(user_id);
  move.reason = std::move(reason);
  move.outcome = std::move(outcome);
  move.time = At(seconds);
  return move;
}

TEST(ReferralTransitionsTest, MoveRecordsHistoryReasonsAndTimes) {
  Referral r;
  r.set_status(v1::REFERRAL_STATUS_REQUESTED);
  auto received =
      MoveReferral(r, Move(v1::REFERRAL_STATUS_RECEIVED,
                           v1::REFERRAL_SIDE_PERFORMER, "staff-1", 100));
  ASSERT_THAT(received.status(), IsOk());
  EXPECT_EQ(received->response_time().seconds(), 100);
  auto accepted = MoveReferral(
      *received, Move(v1::REFERRAL_STATUS_ACCEPTED, v1::REFERRAL_SIDE_PERFORMER,
                      "staff-1", 200));
  ASSERT_THAT(accepted.status(), IsOk());
  // The first answer stands.
  EXPECT_EQ(accepted->response_time().seconds(), 100);
  auto started = MoveReferral(
      *accepted, Move(v1::REFERRAL_STATUS_IN_PROGRESS,
                      v1::REFERRAL_SIDE_PERFORMER, "staff-2", 300));
  ASSERT_THAT(started.status(), IsOk());
  auto held = MoveReferral(
      *started, Move(v1::REFERRAL_STATUS_ON_HOLD, v1::REFERRAL_SIDE_PERFORMER,
                     "staff-2", 400, "waiting for papers"));
  ASSERT_THAT(held.status(), IsOk());
  EXPECT_EQ(held->status_reason(), "waiting for papers");
  auto resumed = MoveReferral(
      *held, Move(v1::REFERRAL_STATUS_IN_PROGRESS, v1::REFERRAL_SIDE_PERFORMER,
                  "staff-2", 500, "ignored"));
  ASSERT_THAT(resumed.status(), IsOk());
  EXPECT_EQ(resumed->status_reason(), "");
  EXPECT_FALSE(resumed->has_completion_time());
  auto done = MoveReferral(
      *resumed, Move(v1::REFERRAL_STATUS_COMPLETED, v1::REFERRAL_SIDE_PERFORMER,
                     "staff-2", 600, "", "enrolled in training"));
  ASSERT_THAT(done.status(), IsOk());
  EXPECT_EQ(done->status(), v1::REFERRAL_STATUS_COMPLETED);
  EXPECT_EQ(done->outcome(), "enrolled in training");
  EXPECT_EQ(done->completion_time().seconds(), 600);
  EXPECT_EQ(done->update_time().seconds(), 600);
  ASSERT_EQ(done->history_size(), 6);
  EXPECT_EQ(done->history(3).status(), v1::REFERRAL_STATUS_ON_HOLD);
  EXPECT_EQ(done->history(3).reason(), "waiting for papers");
  EXPECT_EQ(done->history(3).user_id(), "staff-2");
  EXPECT_EQ(done->history(3).side(), v1::REFERRAL_SIDE_PERFORMER);
  EXPECT_EQ(done->history(3).time().seconds(), 400);
}

TEST(ReferralTransitionsTest, RejectionKeepsItsCodedReason) {
  Referral r;
  r.set_status(v1::REFERRAL_STATUS_RECEIVED);
  ReferralMove reject =
      Move(v1::REFERRAL_STATUS_REJECTED, v1::REFERRAL_SIDE_PERFORMER, "staff-1",
           700, "waiting list full until March");
  reject.decline_reason = v1::REFERRAL_DECLINE_REASON_NO_CAPACITY;
  auto rejected = MoveReferral(r, reject);
  ASSERT_THAT(rejected.status(), IsOk());
  EXPECT_EQ(rejected->decline_reason(),
            v1::REFERRAL_DECLINE_REASON_NO_CAPACITY);
  ASSERT_EQ(rejected->history_size(), 1);
  EXPECT_EQ(rejected->history(0).decline_reason(),
            v1::REFERRAL_DECLINE_REASON_NO_CAPACITY);
  EXPECT_EQ(rejected->history(0).reason(), "waiting list full until March");
  // Any other move records no code, even when one is passed.
  Referral open;
  open.set_status(v1::REFERRAL_STATUS_REQUESTED);
  ReferralMove accept = Move(v1::REFERRAL_STATUS_ACCEPTED,
                             v1::REFERRAL_SIDE_PERFORMER, "staff-1", 800);
  accept.decline_reason = v1::REFERRAL_DECLINE_REASON_OTHER;
  auto accepted = MoveReferral(open, accept);
  ASSERT_THAT(accepted.status(), IsOk());
  EXPECT_EQ(accepted->decline_reason(),
            v1::REFERRAL_DECLINE_REASON_UNSPECIFIED);
  EXPECT_EQ(accepted->history(0).decline_reason(),
            v1::REFERRAL_DECLINE_REASON_UNSPECIFIED);
}

TEST(ReferralTransitionsTest, RefusedMoveChangesNothing) {
  Referral r;
  r.set_status(v1::REFERRAL_STATUS_IN_PROGRESS);
  EXPECT_THAT(MoveReferral(r, Move(v1::REFERRAL_STATUS_FAILED,
                                   v1::REFERRAL_SIDE_PERFORMER, "", 0))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MoveReferral(r, Move(v1::REFERRAL_STATUS_CANCELLED,
                                   v1::REFERRAL_SIDE_PERFORMER, "", 0, "no"))
                  .status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(r.history_size(), 0);
}

TEST(ReferralTransitionsTest, FinalAndOpenStatuses) {
  for (int s = 0; s < kStatuses; ++s) {
    const auto status = static_cast<ReferralStatus>(s);
    SCOPED_TRACE(v1::ReferralStatus_Name(status));
    const bool final = s == 5 || s == 7 || s == 10 || s == 11 || s == 12;
    const bool open = s == 2 || s == 3 || s == 4 || s == 6 || s == 8 || s == 9;
    EXPECT_EQ(IsFinalReferralStatus(status), final);
    EXPECT_EQ(IsOpenForPerformer(status), open);
  }
}

}  // namespace
}  // namespace homeward::referral
