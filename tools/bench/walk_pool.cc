// The preload sizing rule of the walked scenarios; see walk_pool.h.
#include "tools/bench/walk_pool.h"

#include <cmath>

namespace homeward::bench {

int ItemsForRun(const WalkRun& run) {
  const double moves = 1.25 * run.calls_per_second * run.seconds_under_load;
  return static_cast<int>(
             std::ceil(moves / std::max(1.0, run.moves_per_item))) +
         std::max(0, run.slots);
}

}  // namespace homeward::bench
