// PlanPool hands each plan to one claimer, and PlansForActivityRun sizes the
// preload from the run settings.
#include "tools/bench/plan_pool.h"

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace homeward::bench {
namespace {

std::vector<ActivePlan> Plans(int count, int activities) {
  std::vector<ActivePlan> plans(count);
  for (int i = 0; i < count; ++i) {
    plans[i].case_id = "case-" + std::to_string(i);
    for (int a = 0; a < activities; ++a) {
      plans[i].activity_ids.push_back("AC" + std::to_string(a + 1));
    }
  }
  return plans;
}

TEST(PlanPoolTest, ClaimHandsOutEachPlanOnceThenNothing) {
  PlanPool pool(Plans(3, 2));
  EXPECT_EQ(pool.UnclaimedMoves(), 12u);
  ActivePlan* first = pool.Claim();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->case_id, "case-0");
  EXPECT_EQ(pool.UnclaimedMoves(), 8u);
  EXPECT_EQ(pool.Claim()->case_id, "case-1");
  EXPECT_EQ(pool.Claim()->case_id, "case-2");
  EXPECT_EQ(pool.UnclaimedMoves(), 0u);
  EXPECT_EQ(pool.Claim(), nullptr);
  EXPECT_EQ(pool.Claim(), nullptr);  // and stays empty
}

TEST(PlanPoolTest, ConcurrentClaimersNeverShareAPlan) {
  constexpr int kPlans = 1000;
  PlanPool pool(Plans(kPlans, 1));
  absl::Mutex mu;
  std::multiset<std::string> claimed;
  std::vector<std::thread> claimers;
  for (int t = 0; t < 8; ++t) {
    claimers.emplace_back([&] {
      while (ActivePlan* plan = pool.Claim()) {
        absl::MutexLock lock(&mu);
        claimed.insert(plan->case_id);
      }
    });
  }
  for (std::thread& t : claimers) t.join();
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kPlans));
  for (const std::string& id : claimed) EXPECT_EQ(claimed.count(id), 1u) << id;
}

TEST(PlanPoolTest, WalkedIsAllMovesMade) {
  ActivePlan plan = Plans(1, 3)[0];
  EXPECT_EQ(plan.moves(), 6u);
  plan.next_move = 5;
  EXPECT_FALSE(plan.walked());
  plan.next_move = 6;
  EXPECT_TRUE(plan.walked());
}

TEST(PlansForActivityRunTest, RateTimesSecondsWithAQuarterSparePlusOnePerSlot) {
  struct Case {
    ActivityRun run;
    int plans;
  };
  const Case cases[] = {
      // The bench's defaults: 4000/s over 3 rounds of 1 + 5 s, 8 activities,
      // 64 slots: 90000 moves of 16 per plan = 5625, + 64.
      {{4000, 18, 8, 64}, 5689},
      // Rounded up: 1.25 * 10 * 1 = 12.5 moves, 2 per plan.
      {{10, 1, 1, 0}, 7},
      // Nothing to provision but the slots.
      {{0, 18, 8, 64}, 64},
      // A plan of no activities counts as one (never a division by zero).
      {{8, 1, 0, 0}, 5},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PlansForActivityRun(c.run), c.plans)
        << c.run.calls_per_second << "/s x " << c.run.seconds_under_load
        << " s, " << c.run.activities_per_plan << " activities, " << c.run.slots
        << " slots";
  }
}

}  // namespace
}  // namespace homeward::bench
