// A bounded cache of recently read records (their stored bytes, keyed by the
// record key), in front of RocksDB. A point read of a record otherwise walks
// the records memtable, a skip list that grows to tens of megabytes between
// flushes; every step of that walk is a cache miss, and in a store grown by
// a day of registrations it costs several microseconds per read (see
// docs/PERFORMANCE.md). Case managers reopen the same few cases all day, so
// the hot records fit in a few megabytes.
//
// Coherence with writes, which all go through the store's committer:
//   - the committer calls BeginWrite with the record keys of a batch before
//     writing it, and EndWrite after, whether or not the write succeeded;
//   - BeginWrite drops those keys' entries; while a write to a shard is in
//     flight, and after it, no read that started before it may fill the
//     shard. A reader takes a FillTicket before reading RocksDB and Fill
//     refuses the bytes when the shard has seen a write since.
// So an entry never holds bytes older than what RocksDB returns, and a read
// that follows an acknowledged write sees that write.
//
// Thread-safe; each shard has its own lock and least-recently-used order.
#ifndef HOMEWARD_COMMON_STORAGE_RECORD_CACHE_H_
#define HOMEWARD_COMMON_STORAGE_RECORD_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace homeward::storage {

class RecordCache {
 public:
  // `capacity_bytes` bounds the keys and values held (plus a fixed
  // per-entry overhead), split evenly over `shards` shards, each with its
  // own lock; 0 disables the cache.
  explicit RecordCache(size_t capacity_bytes, int shards = 16);
  RecordCache(const RecordCache&) = delete;
  RecordCache& operator=(const RecordCache&) = delete;

  using Bytes = std::shared_ptr<const std::string>;

  // The cached bytes of `key`, or null.
  Bytes Find(absl::string_view key);

  // Taken before reading `key` from the database, handed back to Fill.
  struct Ticket {
    uint64_t epoch = 0;
    bool fillable = false;
  };
  Ticket FillTicket(absl::string_view key);
  // Caches `bytes`, read after `ticket` was taken, unless a write to the
  // shard began since.
  void Fill(absl::string_view key, const Ticket& ticket,
            absl::string_view bytes);

  void BeginWrite(const std::vector<absl::string_view>& keys);
  void EndWrite(const std::vector<absl::string_view>& keys);

  // What the cache holds now, for tests and diagnostics.
  size_t size_bytes();
  size_t entry_count();

  // Charged per entry on top of its key and value: list node, map slot,
  // shared string control block.
  static constexpr size_t kEntryOverhead = 96;

 private:
  struct Entry {
    std::string key;
    Bytes bytes;
  };
  struct Shard {
    absl::Mutex mu;
    // Most recently used first.
    std::list<Entry> order ABSL_GUARDED_BY(mu);
    absl::flat_hash_map<absl::string_view, std::list<Entry>::iterator> index
        ABSL_GUARDED_BY(mu);
    size_t bytes ABSL_GUARDED_BY(mu) = 0;
    // Moves at the start and end of every write to the shard.
    uint64_t epoch ABSL_GUARDED_BY(mu) = 0;
    int writes_in_flight ABSL_GUARDED_BY(mu) = 0;
  };
  Shard& ShardOf(absl::string_view key);
  static size_t Charge(absl::string_view key, absl::string_view bytes);
  void Erase(Shard& shard, absl::string_view key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  std::vector<Shard> shards_;
  const size_t shard_capacity_;
};

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_RECORD_CACHE_H_
