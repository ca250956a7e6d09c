// A store's metrics: its committer's group commits, counted as they happen
// (StoreCommitMetrics, the store's CommitObserver), and RocksDB's figures,
// read at scrape time (WatchStore):
//   homeward_store_group_commit_sets{server}           histogram: write sets
//                                                       per group commit
//   homeward_store_commit_write_seconds{server,synced} histogram: the batch
//                                                       write, fsync included
//                                                       when synced="true"
//   homeward_store_commit_failures_total{server}       counter
//   homeward_rocksdb_memtable_bytes{server}            gauge
//   homeward_rocksdb_block_cache_usage_bytes{server}   gauge (and _pinned_,
//                                                       _capacity_)
//   homeward_rocksdb_block_cache_hits_total{server}    counter (and _misses_)
//   homeward_rocksdb_pending_compaction_bytes{server}  gauge
//   homeward_rocksdb_running_compactions{server}       gauge (and _flushes)
//   homeward_rocksdb_sst_files_bytes{server}           gauge
//
//   auto observer = std::make_shared<StoreCommitMetrics>(*metrics, "planning");
//   options.commit_observer = observer;
//   options.collect_statistics = true;     // for the block cache hit ratio
//   ASSIGN_OR_RETURN(auto store, storage::Store::Open(options));
//   auto watch = WatchStore(*metrics, "planning", store.get());
//   ...                                     // destroy `watch` before `store`
#ifndef HOMEWARD_COMMON_METRICS_STORE_METRICS_H_
#define HOMEWARD_COMMON_METRICS_STORE_METRICS_H_

#include <memory>
#include <string>

#include "common/metrics/metrics.h"
#include "common/storage/commit_observer.h"
#include "common/storage/store.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"

namespace homeward::metrics {

class StoreCommitMetrics : public storage::CommitObserver {
 public:
  StoreCommitMetrics(Metrics& metrics, const std::string& server);
  void OnGroupCommit(const storage::GroupCommit& commit) override;

 private:
  prometheus::Histogram* sets_;
  prometheus::Histogram* synced_write_;
  prometheus::Histogram* unsynced_write_;
  prometheus::Counter* failures_;
};

// Reads `store`'s figures at every scrape until the registration is
// destroyed (before the store is).
[[nodiscard]] std::unique_ptr<Metrics::Registration> WatchStore(
    Metrics& metrics, const std::string& server, const storage::Store* store);

}  // namespace homeward::metrics

#endif  // HOMEWARD_COMMON_METRICS_STORE_METRICS_H_
