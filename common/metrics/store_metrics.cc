// A store's metrics; see store_metrics.h.
#include "common/metrics/store_metrics.h"

#include <vector>

#include "prometheus/family.h"

namespace homeward::metrics {
namespace {

// Write sets per group: powers of two up to the most a burst of writers
// queues behind one sync.
const std::vector<double>& GroupSizeBuckets() {
  static const std::vector<double>* const buckets =
      new std::vector<double>{1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
  return *buckets;
}

// A batch write: tens of microseconds without a sync, milliseconds with one
// on a good disk, much more on a shared or network disk.
const std::vector<double>& WriteBuckets() {
  static const std::vector<double>* const buckets = new std::vector<double>{
      0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
      0.01,    0.025,  0.05,    0.1,    0.25,  0.5,    1};
  return *buckets;
}

}  // namespace

StoreCommitMetrics::StoreCommitMetrics(Metrics& metrics,
                                       const std::string& server) {
  prometheus::Registry& registry = metrics.registry();
  sets_ = &prometheus::BuildHistogram()
               .Name("homeward_store_group_commit_sets")
               .Help(
                   "Write sets committed together in one batch (one WAL "
                   "sync shared by all of them).")
               .Register(registry)
               .Add({{"server", server}}, GroupSizeBuckets());
  auto& write = prometheus::BuildHistogram()
                    .Name("homeward_store_commit_write_seconds")
                    .Help(
                        "How long the committer's batch write took; with "
                        "synced=\"true\" it includes the WAL fsync.")
                    .Register(registry);
  synced_write_ =
      &write.Add({{"server", server}, {"synced", "true"}}, WriteBuckets());
  unsynced_write_ =
      &write.Add({{"server", server}, {"synced", "false"}}, WriteBuckets());
  failures_ = &prometheus::BuildCounter()
                   .Name("homeward_store_commit_failures_total")
                   .Help(
                       "Batch writes RocksDB refused (every set of the "
                       "group was refused).")
                   .Register(registry)
                   .Add({{"server", server}});
}

void StoreCommitMetrics::OnGroupCommit(const storage::GroupCommit& commit) {
  sets_->Observe(static_cast<double>(commit.write_sets));
  (commit.synced ? synced_write_ : unsynced_write_)
      ->Observe(absl::ToDoubleSeconds(commit.write_time));
  if (commit.failed) failures_->Increment();
}

std::unique_ptr<Metrics::Registration> WatchStore(Metrics& metrics,
                                                  const std::string& server,
                                                  const storage::Store* store) {
  return metrics.AddReader([server, store](std::vector<Reading>& out) {
    const storage::StorageFigures f = store->Figures();
    const std::map<std::string, std::string> labels = {{"server", server}};
    auto gauge = [&](const char* name, const char* help, uint64_t value) {
      out.push_back({name, help, prometheus::MetricType::Gauge, labels,
                     static_cast<double>(value)});
    };
    auto counter = [&](const char* name, const char* help, uint64_t value) {
      out.push_back({name, help, prometheus::MetricType::Counter, labels,
                     static_cast<double>(value)});
    };
    gauge("homeward_rocksdb_memtable_bytes",
          "Bytes in RocksDB memtables (active and immutable), all column "
          "families.",
          f.memtable_bytes);
    gauge("homeward_rocksdb_block_cache_usage_bytes",
          "Bytes in the block cache.", f.block_cache_usage_bytes);
    gauge("homeward_rocksdb_block_cache_pinned_bytes",
          "Bytes of the block cache pinned by readers.",
          f.block_cache_pinned_bytes);
    gauge("homeward_rocksdb_block_cache_capacity_bytes",
          "The block cache's capacity.", f.block_cache_capacity_bytes);
    counter("homeward_rocksdb_block_cache_hits_total",
            "Block cache lookups that found the block.", f.block_cache_hits);
    counter("homeward_rocksdb_block_cache_misses_total",
            "Block cache lookups that read the block from a file.",
            f.block_cache_misses);
    gauge("homeward_rocksdb_pending_compaction_bytes",
          "Bytes RocksDB estimates compaction still has to rewrite.",
          f.pending_compaction_bytes);
    gauge("homeward_rocksdb_running_compactions", "Compactions running now.",
          f.running_compactions);
    gauge("homeward_rocksdb_running_flushes", "Memtable flushes running now.",
          f.running_flushes);
    gauge("homeward_rocksdb_sst_files_bytes",
          "Bytes of SST files, all column families.", f.sst_files_bytes);
  });
}

}  // namespace homeward::metrics
