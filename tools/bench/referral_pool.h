// The sent referrals referral_status_gateway walks on the performer's side,
// and how many to preload for a run. Each referral goes REQUESTED ->
// RECEIVED -> ACCEPTED -> IN_PROGRESS, one UpdateSharedReferral per move
// (three per referral), each with the etag of the previous answer. A call
// slot claims a referral, makes its moves one after the other, then claims
// the next unclaimed one, so no two calls in flight touch one referral.
// What is walked stays walked: a later run (slice, round) goes on from there.
//
//   ReferralPool pool(std::move(preloaded));
//   SentReferral* r = pool.Claim();  // nullptr: none left
//   ... UpdateSharedReferral(r->case_id, r->referral_id, r->etag,
//                            SentReferral::Moves()[r->next_move]) ...
//   r->etag = answer.etag(); ++r->next_move;
//
//   int referrals = ReferralsForStatusRun({.calls_per_second = 4000,
//                                          .seconds_under_load = 18,
//                                          .slots = 64});
#ifndef HOMEWARD_TOOLS_BENCH_REFERRAL_POOL_H_
#define HOMEWARD_TOOLS_BENCH_REFERRAL_POOL_H_

#include <cstddef>
#include <string>
#include <vector>

#include "homeward/v1/referral.pb.h"
#include "tools/bench/walk_pool.h"

namespace homeward::bench {

struct SentReferral {
  std::string case_id;
  std::string referral_id;
  // Owned by the slot that claimed the referral while it walks it.
  std::string etag;
  size_t next_move = 0;  // index into Moves()

  // The statuses a sent (REQUESTED) referral is moved to, in order: the
  // performer's usual path to delivering the service.
  static const std::vector<homeward::v1::ReferralStatus>& Moves();

  size_t moves() const { return Moves().size(); }
  bool walked() const { return next_move >= moves(); }
};

using ReferralPool = WalkPool<SentReferral>;

struct StatusRun {
  // The UpdateSharedReferral rate to provision for.
  double calls_per_second = 0;
  // Warmup and measured seconds of every round together.
  double seconds_under_load = 0;
  // Calls in flight: each may leave a referral behind after a failed call.
  int slots = 0;
};

int ReferralsForStatusRun(const StatusRun& run);

}  // namespace homeward::bench

#endif  // HOMEWARD_TOOLS_BENCH_REFERRAL_POOL_H_
