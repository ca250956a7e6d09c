// The plans of plan_activity_gateway; see plan_pool.h.
#include "tools/bench/plan_pool.h"

#include <algorithm>
#include <cmath>

namespace homeward::bench {

size_t PlanPool::UnclaimedMoves() const {
  size_t moves = 0;
  for (size_t i = std::min(next_claim_.load(), plans_.size());
       i < plans_.size(); ++i) {
    moves +=
        plans_[i].moves() - std::min(plans_[i].next_move, plans_[i].moves());
  }
  return moves;
}

PlanPool::ActivePlan* PlanPool::Claim() {
  // Past the end the counter keeps growing harmlessly (a size_t does not
  // wrap in any run).
  const size_t i = next_claim_.fetch_add(1, std::memory_order_relaxed);
  return i < plans_.size() ? &plans_[i] : nullptr;
}

int PlansForActivityRun(const ActivityRun& run) {
  const double moves = 1.25 * run.calls_per_second * run.seconds_under_load;
  const double per_plan = 2.0 * std::max(1, run.activities_per_plan);
  return static_cast<int>(std::ceil(moves / per_plan)) + std::max(0, run.slots);
}

}  // namespace homeward::bench
