// The storage kernel every service uses: one RocksDB database with named
// column families for versioned records, secondary indexes, the event outbox
// (a sequence per partition), request-id claims, consumer cursors and a
// hash-chained audit trail.
//
// Writes go through one committer thread that checks each WriteSet's
// preconditions, assigns event sequences and audit hashes, and commits
// everything queued meanwhile as one WriteBatch with one WAL sync (group
// commit): concurrent durable writers share an fsync, and outbox sequences
// become visible strictly in order, so a tailing feed never skips an event.
// Commit() returns only after the batch is durable. Record reads go through
// a RecordCache that the committer keeps coherent (record_cache.h).
//
// Every audit entry is also indexed under its subject (a case id) in the
// subject's partition, in the same batch, so that one case's entries are
// read from one key range (ListAuditOf) instead of the whole trail.
//
//   ASSIGN_OR_RETURN(auto store, Store::Open({.path = dir}));
//   ASSIGN_OR_RETURN(CommitResult r, store->Commit(std::move(set)));
//   Case c;
//   uint64_t version;
//   ASSIGN_OR_RETURN(bool found,
//                    store->GetRecord(p, "case", id, &c, &version));
//
// With Options::encryption_key set, every file of the database is encrypted
// at rest (encrypted_env.h); opening a directory written under another key
// or none is refused before RocksDB reads it.
#ifndef HOMEWARD_COMMON_STORAGE_STORE_H_
#define HOMEWARD_COMMON_STORAGE_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/storage/commit_observer.h"
#include "common/storage/encryption_key.h"
#include "common/storage/partitions.h"
#include "common/storage/record_cache.h"
#include "common/storage/write_set.h"
#include "google/protobuf/message.h"
#include "homeward/internal/v1/storage.pb.h"
#include "homeward/v1/events.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/utilities/backup_engine.h"

namespace homeward::storage {

struct CommitResult {
  // True when a claimed request id had been used before: nothing was applied
  // and `original` names what the first request created.
  bool replayed = false;
  homeward::internal::v1::IdempotencyRecord original;
  // The appended events with their sequences and times.
  std::vector<homeward::v1::Event> events;
};

struct IndexEntry {
  uint32_t partition;
  std::string id;
};

struct IndexPage {
  std::vector<IndexEntry> entries;
  std::string next_page_token;  // empty on the last page
};

struct AuditPage {
  std::vector<homeward::internal::v1::AuditEntry> entries;  // oldest first
  std::string next_page_token;  // empty on the last page
};

// Where a hash chain first fails to verify, and how.
struct AuditBreak {
  enum class Kind {
    kAltered,      // does not match its hash or cannot be decoded: edited
    kMissing,      // no entry with this sequence before later ones: deleted
    kLinkBroken,   // prev_hash is not the previous entry's hash
    kTailMissing,  // the index names entries after the last: tail deleted
  };
  uint64_t sequence = 0;  // the first sequence that fails (or is missing)
  Kind kind = Kind::kAltered;
  std::string description;  // names sequences only, never entry contents
};

// RocksDB's figures for an operator (read by the metrics at scrape time).
struct StorageFigures {
  // Memtables of every column family (active and immutable).
  uint64_t memtable_bytes = 0;
  // The block cache shared by the column families.
  uint64_t block_cache_usage_bytes = 0;
  uint64_t block_cache_pinned_bytes = 0;
  uint64_t block_cache_capacity_bytes = 0;
  // Block cache lookups since the store opened; zero unless
  // Options::collect_statistics.
  uint64_t block_cache_hits = 0;
  uint64_t block_cache_misses = 0;
  // What compaction still has to rewrite, and the work running now.
  uint64_t pending_compaction_bytes = 0;
  uint64_t running_compactions = 0;
  uint64_t running_flushes = 0;
  // The SST files of every column family.
  uint64_t sst_files_bytes = 0;
};

struct AuditVerification {
  // Entries that verified, from the first up to the break or the end.
  uint64_t entries_checked = 0;
  std::optional<AuditBreak> first_break;  // nullopt: the chain is intact
};

class Store {
 public:
  // The longest a read's audit entry waits to be batched with others.
  static constexpr absl::Duration kReadAuditDelay = absl::Milliseconds(20);

  struct Options {
    std::string path;
    // Sync the WAL before acknowledging a durable write. Turn off only in
    // benchmarks that measure the cost of syncing.
    bool sync_writes = true;
    // Bounds the cache of recently read records (record_cache.h); 0 turns
    // it off.
    size_t record_cache_bytes = 32 << 20;
    // The deployment's partition count: audit entries are indexed in their
    // subject's partition, PartitionOf(subject_id, partition_count).
    uint32_t partition_count = kDefaultPartitionCount;
    // Encrypts every file of the database under this key; unset: plaintext
    // (RocksDB's default Env, no cost). A directory written otherwise is
    // refused (CheckDataDirKey).
    std::optional<EncryptionKey> encryption_key = std::nullopt;
    // Told about every group commit (sizes, fsync latency) on the committer
    // thread; null: nobody watches.
    std::shared_ptr<CommitObserver> commit_observer = nullptr;
    // Counts RocksDB's tickers (block cache hits and misses for Figures()):
    // per-core counters, no timers or histograms, so the cost is small; off
    // when no metrics are served.
    bool collect_statistics = false;
  };

  static absl::StatusOr<std::unique_ptr<Store>> Open(const Options& options);
  // Drains queued writes, stops the committer and closes the database.
  ~Store();

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  using CommitCallback = std::function<void(absl::StatusOr<CommitResult>)>;

  // How a commit reaches the disk.
  enum class Durability {
    // The WAL is synced before the commit is reported: every write a client
    // is told about.
    kSynced,
    // The batch is in the WAL, in commit order, but the commit is reported
    // without waiting for a sync: the next synced commit makes it durable
    // (a sync covers the whole WAL before it), and so does the process
    // surviving. For a feed consumer's projection, whose cursor commits with
    // it: a power loss loses the projection and its cursor together, and
    // the consumer applies those events again. A set that appends an event
    // or an audit entry is synced anyway: an event's sequence must not be
    // handed to a consumer and then reassigned after a crash.
    kOrdered,
  };
  // Whether a commit of `set` asked with `durability` waits for a WAL sync.
  static bool SyncsBeforeReporting(const WriteSet& set, Durability durability) {
    return durability == Durability::kSynced || set.AppendsEventsOrAudit();
  }

  // Applies `set` atomically and durably, or returns why not (nothing
  // applied). Safe to call from many threads.
  absl::StatusOr<CommitResult> Commit(
      WriteSet set, Durability durability = Durability::kSynced);
  // The same without blocking: `done` runs once the batch is durable (or
  // failed), on the store's completion thread, in commit order; it must be
  // quick and must not call Commit. This lets callback-API handlers finish a
  // durable write without holding a thread while the WAL syncs, and keeps
  // finishing calls off the committer, which every write waits for.
  void CommitAsync(WriteSet set, CommitCallback done,
                   Durability durability = Durability::kSynced);
  // Appends audit entries of reads without waiting for them: a read must not
  // pay for an fsync, nor for waking the committer. They ride with the next
  // durable commit, or are written on their own within kReadAuditDelay.
  void AuditRead(homeward::internal::v1::AuditEntry entry);

  // Reads a record into `out`; false when it does not exist.
  absl::StatusOr<bool> GetRecord(uint32_t partition, absl::string_view kind,
                                 absl::string_view id,
                                 google::protobuf::Message* out,
                                 uint64_t* version) const;

  // A page of ids under index `index` = `value`, over `partitions` in order.
  // `page_token` must come from the same call with the same index and value.
  absl::StatusOr<IndexPage> ListIndex(const std::vector<uint32_t>& partitions,
                                      absl::string_view index,
                                      absl::string_view value, int page_size,
                                      absl::string_view page_token) const;
  // A page of the ids of every record of `kind` over `partitions`.
  absl::StatusOr<IndexPage> ListRecordIds(
      const std::vector<uint32_t>& partitions, absl::string_view kind,
      int page_size, absl::string_view page_token) const;

  // Up to `max` events of `partition` with sequence > `after`, in order.
  absl::StatusOr<std::vector<homeward::v1::Event>> ReadEvents(
      uint32_t partition, uint64_t after, size_t max) const;
  // The last sequence of `partition` that readers can see (0: no event
  // yet), moved before CommitGeneration; kUnknownSequence for a partition at
  // or beyond Options::partition_count that has had no event since the
  // store opened. Lets a tailing feed skip a partition whose outbox has not
  // moved instead of seeking it after every commit.
  static constexpr uint64_t kUnknownSequence = UINT64_MAX;
  uint64_t PublishedSequence(uint32_t partition) const;
  // A counter that moves after every commit (tests read it to see that
  // nothing was written).
  uint64_t CommitGeneration() const;
  // A counter that moves after every commit that appended events, after
  // PublishedSequence moved; WaitForEvents blocks until it differs from
  // `seen` or `timeout` passes, and returns its value. Commits without events
  // (projections, cursors, read audits) leave it alone, so that they do not
  // wake every tailing feed stream for nothing.
  uint64_t EventGeneration() const;
  uint64_t WaitForEvents(uint64_t seen, absl::Duration timeout) const;

  // Syncs the WAL: every commit reported before the call is durable when it
  // returns, Durability::kOrdered ones included. A feed consumer calls it
  // before telling the producer how far it has applied (the producer may
  // then trim those events), so that a power loss cannot take its cursor
  // back below what it reported.
  absl::Status SyncWal();

  // The last sequence `consumer` applied from `partition` (0 if none).
  absl::StatusOr<uint64_t> GetCursor(absl::string_view consumer,
                                     uint32_t partition) const;

  // Audit entries with sequence > `after`, in order.
  absl::StatusOr<std::vector<homeward::internal::v1::AuditEntry>> ReadAudit(
      uint64_t after, size_t max) const;
  // A page of the audit entries whose subject is `subject_id` (a case id),
  // oldest first, read from the subject's index range. `page_token` must come
  // from the same call for the same subject. An indexed entry that is no
  // longer in the trail (deleted) or no longer decodes is left out:
  // VerifyAudit reports it.
  absl::StatusOr<AuditPage> ListAuditOf(absl::string_view subject_id,
                                        int page_size,
                                        absl::string_view page_token) const;
  // Recomputes the hash chain from the first entry and reports the first
  // break. An error only when the database cannot be read.
  absl::StatusOr<AuditVerification> VerifyAudit() const;
  // The same as a status: DATA_LOSS naming the first broken entry.
  absl::Status VerifyAuditChain() const;

  // Flushes every memtable and compacts the records and the outbox of
  // `partition` down to the last level, so that the record versions and
  // events rewritten since no longer sit in any file (RocksDB keeps an
  // overwritten value until a compaction drops it, and a WAL until its
  // memtables are flushed). For the retention job after it anonymised cases
  // of the partition; slow on a large partition, never on a request path.
  absl::Status CompactPartition(uint32_t partition);

  // Waits until RocksDB has no flush or compaction running or pending, so
  // that a benchmark does not charge one workload's background work to the
  // next. DEADLINE_EXCEEDED if it is still busy after `timeout`.
  absl::Status WaitForBackgroundWork(absl::Duration timeout) const;

  // The Env the database's files are written through: the encrypted one
  // when Options::encryption_key is set, else Env::Default(). Lives as long
  // as the store. A BackupEngine must be opened on it AND given it as
  // BackupEngineOptions::backup_env: with backup_env left to Env::Default()
  // (or set to it), the backup's files are written in PLAINTEXT.
  rocksdb::Env* env() const {
    return env_ != nullptr ? env_.get() : rocksdb::Env::Default();
  }
  // Memtable, block cache and compaction figures, read now.
  StorageFigures Figures() const;

  // Writes the memtables to SST files (the WAL they came from can then go).
  absl::Status Flush();
  // Takes a backup of the database into `engine` after flushing, so that
  // the backup needs no WAL. `engine` must have been opened on env() with
  // env() as its backup_env (see env()). `app_metadata` is kept with the
  // backup (BackupInfo::app_metadata); `backup_id`, when given, receives the
  // new backup's id.
  absl::Status BackUp(rocksdb::BackupEngine& engine,
                      const std::string& app_metadata = "",
                      uint32_t* backup_id = nullptr);

  // The lowest sequence the next event of any partition gets: each new
  // event's sequence is max(its partition's last + 1, floor). 0 until a
  // restore raised it.
  uint64_t sequence_floor() const { return sequence_floor_.load(); }
  // After a restore: raises the floor (durably, in the default column
  // family) to the highest of `at_least`, every partition's last sequence
  // + 1 and the floor already there, and returns it. Feed consumers may
  // hold cursors past the restored heads (events the lost incarnation
  // handed out after the backup); sequences above the floor reach them
  // instead of being skipped as already seen. Call it only while nothing
  // commits (a restored store before it serves).
  absl::StatusOr<uint64_t> RaiseSequenceFloor(uint64_t at_least);

  // ---- Partition hand-over (store_partitions.cc) ----
  // Moving case partitions between replicas of a service
  // (service/partition_move_service.h). Only case partitions
  // (< Options::partition_count) may be named.

  // From its return on, every write set that writes to one of `partitions`
  // (a record, index entry, event, request id or consumer cursor of it) is
  // refused by the committer with UNAVAILABLE (errors::PartitionMoving),
  // atomically with the commits: a group being committed finishes first, so
  // a set either committed before the fence or is refused. Reads go on. The
  // fence is stored, so it holds across a restart until unfenced.
  absl::Status FencePartitions(const std::vector<uint32_t>& partitions);
  absl::Status UnfencePartitions(const std::vector<uint32_t>& partitions);
  std::vector<uint32_t> FencedPartitions() const;  // ascending

  // The partitions this replica owns, as stored by WriteOwnedPartitions;
  // nullopt when none was ever stored (a new data directory).
  absl::StatusOr<std::optional<std::vector<uint32_t>>> ReadOwnedPartitions()
      const;
  absl::Status WriteOwnedPartitions(const std::vector<uint32_t>& partitions);

  // Keys of one partition in one column family, in key order.
  struct PartitionKeys {
    std::string column;  // "records", "index", "outbox", "requests", "cursors"
    std::vector<std::string> keys;
    std::vector<std::string> values;
  };
  // The column families a hand-over copies, in the order exported. The
  // audit trail and its subject index stay: they belong to this replica's
  // hash chain.
  static const std::vector<std::string>& HandoverColumns();
  // Hands every key of `partition` to `sink`, column family by column family
  // (HandoverColumns), in chunks of at most `chunk_keys` keys, read from one
  // snapshot. Returns how many keys were handed over.
  absl::StatusOr<uint64_t> ExportPartition(
      uint32_t partition, size_t chunk_keys,
      const std::function<absl::Status(PartitionKeys)>& sink) const;
  // Whether any key of `partition` is stored (in HandoverColumns).
  absl::StatusOr<bool> HoldsPartitionKeys(uint32_t partition) const;
  // Writes an exported chunk (synced). INVALID_ARGUMENT naming the column or
  // the key when a key does not belong to `partition` in that column.
  absl::Status ImportPartitionKeys(uint32_t partition,
                                   const PartitionKeys& chunk);
  // After an import: reads the partitions' outbox heads, so that new events
  // continue the imported sequences and tailing feeds see them.
  absl::Status LoadImportedOutboxHeads(const std::vector<uint32_t>& partitions);
  // Deletes every key of `partitions` (HandoverColumns; DeleteRange where a
  // partition is one range) and forgets their outbox heads.
  absl::Status DeletePartitions(const std::vector<uint32_t>& partitions);

 private:
  // The hand-over's fence check (store_partitions.cc), run by CheckSet.
  absl::Status RefuseFenced(const WriteSet& set) const;
  absl::Status LoadFences();
  absl::Status WriteMetaPartitions(absl::string_view key,
                                   const std::vector<uint32_t>& partitions);

  struct Pending;

  Store(const Options& options, std::unique_ptr<rocksdb::Env> env,
        rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles);
  absl::Status LoadAuditHead();
  absl::Status LoadSequenceFloor();
  // Indexes the entries written before the audit index existed (once per
  // database, resumable), so that ListAuditOf covers the whole trail.
  absl::Status IndexAuditTrail();
  static Pending* NewPending(WriteSet set, CommitCallback done,
                             Durability durability, bool at_once);
  void Enqueue(Pending* pending);
  void CommitLoop();
  // What the sets of the group being committed have written so far, so that
  // later sets in the same group see it.
  struct GroupState;
  // Commits the read audits and the write sets in one batch.
  void CommitGroup(std::vector<homeward::internal::v1::AuditEntry>& reads,
                   std::vector<Pending*>& group);
  // Checks `set`'s preconditions against the database and `group`. Returns
  // true with `original` set when a claimed request id was used before.
  absl::StatusOr<bool> CheckSet(
      const WriteSet& set, const GroupState& group,
      homeward::internal::v1::IdempotencyRecord* original);
  // Adds `set` to the group's batch, assigning sequences and audit hashes.
  // Cannot fail: everything that reads the database was done by CheckSet.
  CommitResult ApplySet(WriteSet& set, GroupState& group);
  // Numbers, chains and adds one audit entry to the group's batch.
  void AppendAudit(homeward::internal::v1::AuditEntry& entry,
                   GroupState& group);
  // Adds the audit_by_subject entry of a case-scoped `entry` to `batch`.
  void IndexAuditEntry(const homeward::internal::v1::AuditEntry& entry,
                       rocksdb::WriteBatch& batch) const;
  // Makes sure the last outbox sequence of `partition` is known.
  absl::Status LoadOutboxHead(uint32_t partition);
  // Loads and publishes the outbox heads of the deployment's partitions.
  absl::Status LoadOutboxHeads();
  absl::StatusOr<IndexPage> ListRange(int column,
                                      const std::vector<uint32_t>& partitions,
                                      const std::string& scope, int page_size,
                                      absl::string_view page_token) const;

  Options options_;
  // Null without encryption. Outlives db_, which the destructor deletes.
  std::unique_ptr<rocksdb::Env> env_;
  rocksdb::DB* db_;
  mutable RecordCache record_cache_;
  // For Figures(): the block cache, and the tickers (null unless
  // Options::collect_statistics).
  std::shared_ptr<rocksdb::Cache> block_cache_;
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;

  absl::Mutex queue_mu_;
  std::vector<Pending*> queue_ ABSL_GUARDED_BY(queue_mu_);
  // Read audits wait here without waking the committer (see CommitLoop).
  std::vector<homeward::internal::v1::AuditEntry> read_audits_
      ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;

  // Committed sets whose callbacks are still to run, in commit order.
  void CompleteLoop();
  absl::Mutex completed_mu_;
  std::vector<Pending*> completed_ ABSL_GUARDED_BY(completed_mu_);
  bool committer_stopped_ ABSL_GUARDED_BY(completed_mu_) = false;

  // Touched only by the committer thread.
  absl::flat_hash_map<uint32_t, uint64_t> last_sequence_;
  uint64_t audit_sequence_ = 0;
  // Read by the committer; set at open and by RaiseSequenceFloor.
  std::atomic<uint64_t> sequence_floor_{0};
  std::string audit_hash_;

  mutable absl::Mutex generation_mu_;
  mutable absl::CondVar generation_cv_;
  uint64_t generation_ ABSL_GUARDED_BY(generation_mu_) = 0;
  uint64_t event_generation_ ABSL_GUARDED_BY(generation_mu_) = 0;
  absl::flat_hash_map<uint32_t, uint64_t> published_sequence_
      ABSL_GUARDED_BY(generation_mu_);

  // Held by the committer while it checks and writes a group, and by the
  // partition hand-over while it changes what the committer checks (fences)
  // or reads (outbox heads), so both happen between groups.
  mutable absl::Mutex commit_mu_;
  std::vector<bool> fenced_;  // by partition; guarded by commit_mu_

  std::thread committer_;
  std::thread completer_;
};

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_STORE_H_
