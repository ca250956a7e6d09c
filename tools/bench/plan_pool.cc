// The plans of plan_activity_gateway; see plan_pool.h.
#include "tools/bench/plan_pool.h"

#include <algorithm>

namespace homeward::bench {

int PlansForActivityRun(const ActivityRun& run) {
  return ItemsForRun(
      {.calls_per_second = run.calls_per_second,
       .seconds_under_load = run.seconds_under_load,
       .moves_per_item = 2.0 * std::max(1, run.activities_per_plan),
       .slots = run.slots});
}

}  // namespace homeward::bench
