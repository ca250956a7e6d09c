// ReferralPool hands each referral to one claimer and walks the performer's
// moves in order, and ReferralsForStatusRun sizes the preload from the run
// settings.
#include "tools/bench/referral_pool.h"

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace homeward::bench {
namespace {

std::vector<SentReferral> Referrals(int count) {
  std::vector<SentReferral> referrals(count);
  for (int i = 0; i < count; ++i) {
    referrals[i].case_id = "case-" + std::to_string(i);
    referrals[i].referral_id = "RF" + std::to_string(i);
  }
  return referrals;
}

TEST(ReferralPoolTest, MovesArePerformersPathFromRequestedToInProgress) {
  EXPECT_EQ(SentReferral::Moves(),
            (std::vector<homeward::v1::ReferralStatus>{
                homeward::v1::REFERRAL_STATUS_RECEIVED,
                homeward::v1::REFERRAL_STATUS_ACCEPTED,
                homeward::v1::REFERRAL_STATUS_IN_PROGRESS}));
}

TEST(ReferralPoolTest, ClaimHandsOutEachReferralOnceThenNothing) {
  ReferralPool pool(Referrals(3));
  EXPECT_EQ(pool.UnclaimedMoves(), 9u);
  SentReferral* first = pool.Claim();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->referral_id, "RF0");
  EXPECT_EQ(pool.UnclaimedMoves(), 6u);
  EXPECT_EQ(pool.Claim()->referral_id, "RF1");
  EXPECT_EQ(pool.Claim()->referral_id, "RF2");
  EXPECT_EQ(pool.UnclaimedMoves(), 0u);
  EXPECT_EQ(pool.Claim(), nullptr);
  EXPECT_EQ(pool.Claim(), nullptr);  // and stays empty
}

TEST(ReferralPoolTest, UnclaimedMovesLeaveOutMovesAlreadyMade) {
  std::vector<SentReferral> referrals = Referrals(2);
  referrals[1].next_move = 2;
  ReferralPool pool(std::move(referrals));
  EXPECT_EQ(pool.UnclaimedMoves(), 3u + 1u);
}

TEST(ReferralPoolTest, ConcurrentClaimersNeverShareAReferral) {
  constexpr int kReferrals = 1000;
  ReferralPool pool(Referrals(kReferrals));
  absl::Mutex mu;
  std::multiset<std::string> claimed;
  std::vector<std::thread> claimers;
  for (int t = 0; t < 8; ++t) {
    claimers.emplace_back([&] {
      while (SentReferral* r = pool.Claim()) {
        absl::MutexLock lock(&mu);
        claimed.insert(r->referral_id);
      }
    });
  }
  for (std::thread& t : claimers) t.join();
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kReferrals));
  for (const std::string& id : claimed) EXPECT_EQ(claimed.count(id), 1u) << id;
}

TEST(ReferralPoolTest, WalkedIsEveryMoveMade) {
  SentReferral referral = Referrals(1)[0];
  referral.next_move = 2;
  EXPECT_FALSE(referral.walked());
  referral.next_move = 3;
  EXPECT_TRUE(referral.walked());
}

TEST(ReferralsForStatusRunTest,
     RateTimesSecondsWithAQuarterSparePlusOnePerSlot) {
  struct Case {
    StatusRun run;
    int referrals;
  };
  const Case cases[] = {
      // The bench's defaults: 6000/s over 3 rounds of 1 + 5 s, 64 slots:
      // 135000 moves of 3 per referral = 45000, + 64.
      {{6000, 18, 64}, 45064},
      // Rounded up: 1.25 * 10 * 1 = 12.5 moves, 3 per referral.
      {{10, 1, 0}, 5},
      // Nothing to provision but the slots.
      {{0, 18, 64}, 64},
      // No negative slot count subtracts.
      {{12, 1, -3}, 5},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ReferralsForStatusRun(c.run), c.referrals)
        << c.run.calls_per_second << "/s x " << c.run.seconds_under_load
        << " s, " << c.run.slots << " slots";
  }
}

}  // namespace
}  // namespace homeward::bench
