// The items a durable-change scenario walks (plans, referrals, a case's
// scheduled contacts), and how many to preload for a run. Each item is a
// fixed number of moves, one call each. A call slot claims an item, makes
// its moves one after the other, then claims the next unclaimed one, so no
// two calls in flight touch one item. What is walked stays walked: a later
// run (slice, round) goes on from there.
//
//   struct Referral { ...; size_t next_move = 0; size_t moves() const; };
//   WalkPool<Referral> pool(std::move(preloaded));
//   Referral* r = pool.Claim();  // nullptr: none left
//   ... the call of move r->next_move ...; ++r->next_move;
//
//   int items = ItemsForRun({.calls_per_second = 4000,
//                            .seconds_under_load = 18,
//                            .moves_per_item = 3, .slots = 64});
#ifndef HOMEWARD_TOOLS_BENCH_WALK_POOL_H_
#define HOMEWARD_TOOLS_BENCH_WALK_POOL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <utility>
#include <vector>

namespace homeward::bench {

// `Item` has a `size_t next_move` (0 .. moves()), owned by the slot that
// claimed it, and `size_t moves() const`.
template <typename Item>
class WalkPool {
 public:
  explicit WalkPool(std::vector<Item> items) : items_(std::move(items)) {}
  WalkPool(const WalkPool&) = delete;
  WalkPool& operator=(const WalkPool&) = delete;

  size_t size() const { return items_.size(); }
  const Item& item(size_t i) const { return items_[i]; }

  // The moves left on items nobody has claimed yet. Not to be called while
  // slots are claiming.
  size_t UnclaimedMoves() const {
    size_t moves = 0;
    for (size_t i = std::min(next_claim_.load(), items_.size());
         i < items_.size(); ++i) {
      moves +=
          items_[i].moves() - std::min(items_[i].next_move, items_[i].moves());
    }
    return moves;
  }

  // The next unclaimed item, now the caller's; nullptr when none is left.
  // Thread-safe. Past the end the counter keeps growing harmlessly (a
  // size_t does not wrap in any run).
  Item* Claim() {
    const size_t i = next_claim_.fetch_add(1, std::memory_order_relaxed);
    return i < items_.size() ? &items_[i] : nullptr;
  }

 private:
  std::vector<Item> items_;
  std::atomic<size_t> next_claim_{0};
};

struct WalkRun {
  // The rate of moves to provision for.
  double calls_per_second = 0;
  // Warmup and measured seconds of every round together.
  double seconds_under_load = 0;
  // Moves per item (at least one is counted).
  double moves_per_item = 1;
  // Calls in flight: each may leave an item behind after a failed call.
  int slots = 0;
};

// Items enough for `run` at its rate with a quarter to spare, plus one per
// slot.
int ItemsForRun(const WalkRun& run);

}  // namespace homeward::bench

#endif  // HOMEWARD_TOOLS_BENCH_WALK_POOL_H_
