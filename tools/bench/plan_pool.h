// The active plans plan_activity_gateway walks, and how many to preload for a
// run. Each plan's activities go PLANNED -> IN_PROGRESS -> DONE, one
// SetActivityStatus per move (two per activity). A call slot claims a plan,
// makes its moves one after the other with the etag of each answer, then
// claims the next unclaimed plan, so no two calls in flight touch one plan.
// What is walked stays walked: a later run (slice, round) goes on from there.
//
//   PlanPool pool(std::move(preloaded));
//   ActivePlan* plan = pool.Claim();  // nullptr: none left
//   ... SetActivityStatus(plan->case_id, plan->etag,
//                         plan->activity_ids[plan->next_move / 2]) ...
//   plan->etag = answer.etag(); ++plan->next_move;
//
//   int plans = PlansForActivityRun({.calls_per_second = 4000,
//                                    .seconds_under_load = 18,
//                                    .activities_per_plan = 8,
//                                    .slots = 64});
#ifndef HOMEWARD_TOOLS_BENCH_PLAN_POOL_H_
#define HOMEWARD_TOOLS_BENCH_PLAN_POOL_H_

#include <cstddef>
#include <string>
#include <vector>

#include "tools/bench/walk_pool.h"

namespace homeward::bench {

struct ActivePlan {
  std::string case_id;
  std::vector<std::string> activity_ids;  // in plan order
  // Owned by the slot that claimed the plan while it walks it.
  std::string etag;
  size_t next_move = 0;  // 0 .. moves()

  size_t moves() const { return 2 * activity_ids.size(); }
  bool walked() const { return next_move >= moves(); }
};

using PlanPool = WalkPool<ActivePlan>;

struct ActivityRun {
  // The SetActivityStatus rate to provision for.
  double calls_per_second = 0;
  // Warmup and measured seconds of every round together.
  double seconds_under_load = 0;
  int activities_per_plan = 1;
  // Calls in flight: each may leave a plan behind after a failed call.
  int slots = 0;
};

// Plans enough for `run` at its rate with a quarter to spare, plus one per
// slot (ItemsForRun, two moves per activity).
int PlansForActivityRun(const ActivityRun& run);

}  // namespace homeward::bench

#endif  // HOMEWARD_TOOLS_BENCH_PLAN_POOL_H_
