// What the store's committer reports about each group commit, for whoever
// watches the store's performance (the metrics library implements it;
// storage itself knows nothing of Prometheus). Set it in
// Store::Options::commit_observer.
//
//   class Counting : public storage::CommitObserver {
//     void OnGroupCommit(const storage::GroupCommit& commit) override {
//       sets_.Observe(commit.write_sets);
//     }
//   };
//   options.commit_observer = std::make_shared<Counting>();
#ifndef HOMEWARD_COMMON_STORAGE_COMMIT_OBSERVER_H_
#define HOMEWARD_COMMON_STORAGE_COMMIT_OBSERVER_H_

#include <cstddef>

#include "absl/time/time.h"

namespace homeward::storage {

// One group the committer wrote as one RocksDB batch.
struct GroupCommit {
  // Write sets in the group (applied, refused and replayed ones alike) and
  // read audit entries that rode with them.
  size_t write_sets = 0;
  size_t read_audits = 0;
  // Whether the batch's write synced the WAL (fsync), and how long the
  // write took: with a sync, this is the fsync latency writers wait for.
  bool synced = false;
  absl::Duration write_time = absl::ZeroDuration();
  // The write failed: every set of the group was refused.
  bool failed = false;
};

class CommitObserver {
 public:
  virtual ~CommitObserver() = default;
  // Called on the committer thread after each batch is written (not for a
  // group with nothing to write): must be quick and must not call the store.
  virtual void OnGroupCommit(const GroupCommit& commit) = 0;
};

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_COMMIT_OBSERVER_H_
