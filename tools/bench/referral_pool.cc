// The referrals of referral_status_gateway; see referral_pool.h.
#include "tools/bench/referral_pool.h"

namespace homeward::bench {

const std::vector<homeward::v1::ReferralStatus>& SentReferral::Moves() {
  static const auto* const kMoves =
      new std::vector<homeward::v1::ReferralStatus>{
          homeward::v1::REFERRAL_STATUS_RECEIVED,
          homeward::v1::REFERRAL_STATUS_ACCEPTED,
          homeward::v1::REFERRAL_STATUS_IN_PROGRESS,
      };
  return *kMoves;
}

int ReferralsForStatusRun(const StatusRun& run) {
  return ItemsForRun(
      {.calls_per_second = run.calls_per_second,
       .seconds_under_load = run.seconds_under_load,
       .moves_per_item = static_cast<double>(SentReferral::Moves().size()),
       .slots = run.slots});
}

}  // namespace homeward::bench
