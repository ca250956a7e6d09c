// The referrals of referral_status_gateway; see referral_pool.h.
#include "tools/bench/referral_pool.h"

#include <algorithm>
#include <cmath>

namespace homeward::bench {

const std::vector<homeward::v1::ReferralStatus>& ReferralPool::Moves() {
  static const auto* const kMoves =
      new std::vector<homeward::v1::ReferralStatus>{
          homeward::v1::REFERRAL_STATUS_RECEIVED,
          homeward::v1::REFERRAL_STATUS_ACCEPTED,
          homeward::v1::REFERRAL_STATUS_IN_PROGRESS,
      };
  return *kMoves;
}

size_t ReferralPool::UnclaimedMoves() const {
  const size_t per_referral = Moves().size();
  size_t moves = 0;
  for (size_t i = std::min(next_claim_.load(), referrals_.size());
       i < referrals_.size(); ++i) {
    moves += per_referral - std::min(referrals_[i].next_move, per_referral);
  }
  return moves;
}

ReferralPool::SentReferral* ReferralPool::Claim() {
  // Past the end the counter keeps growing harmlessly (a size_t does not
  // wrap in any run).
  const size_t i = next_claim_.fetch_add(1, std::memory_order_relaxed);
  return i < referrals_.size() ? &referrals_[i] : nullptr;
}

int ReferralsForStatusRun(const StatusRun& run) {
  const double moves = 1.25 * run.calls_per_second * run.seconds_under_load;
  const double per_referral = static_cast<double>(ReferralPool::Moves().size());
  return static_cast<int>(std::ceil(moves / per_referral)) +
         std::max(0, run.slots);
}

}  // namespace homeward::bench
