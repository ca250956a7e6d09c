// The cases follow_up_record_gateway walks: each a case with an approved
// plan whose follow-up contacts were scheduled from the programme's cadence,
// each move recording the next of its SCHEDULED contacts as done, with that
// contact's own etag (every contact has one). A WalkPool (walk_pool.h).
//
//   ContactPool pool(std::move(preloaded));
//   ScheduledCase* c = pool.Claim();  // nullptr: none left
//   ... RecordContact(c->case_id, c->contact_ids[c->next_move],
//                     c->contact_etags[c->next_move], c->activity_ids) ...
//   ++c->next_move;
#ifndef HOMEWARD_TOOLS_BENCH_CONTACT_POOL_H_
#define HOMEWARD_TOOLS_BENCH_CONTACT_POOL_H_

#include <cstddef>
#include <string>
#include <vector>

#include "tools/bench/walk_pool.h"

namespace homeward::bench {

struct ScheduledCase {
  std::string case_id;
  // The plan's activities, each reviewed at every contact.
  std::vector<std::string> activity_ids;
  // The SCHEDULED contacts in due order, and the etag of each.
  std::vector<std::string> contact_ids;
  std::vector<std::string> contact_etags;
  // What the last answer said (WalkSlot keeps it; each move sends the
  // etag of its own contact instead).
  std::string etag;
  size_t next_move = 0;  // index into contact_ids

  size_t moves() const { return contact_ids.size(); }
  bool walked() const { return next_move >= moves(); }
};

using ContactPool = WalkPool<ScheduledCase>;

}  // namespace homeward::bench

#endif  // HOMEWARD_TOOLS_BENCH_CONTACT_POOL_H_
