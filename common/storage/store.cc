// The storage kernel; see store.h for the design (one committer thread, group
// commit, per-partition outbox sequences, hash-chained audit trail).
#include "common/storage/store.h"

#include <pthread.h>

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/auth/crypto.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "common/storage/columns.h"
#include "common/storage/encrypted_env.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/statistics.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace homeward::storage {

using homeward::internal::v1::AuditEntry;
using homeward::v1::Event;
using internal::Column;

struct Store::Pending {
  WriteSet set;
  bool durable = true;
  // Called with the result on the completion thread, which frees the
  // Pending afterwards; on the committer instead when `at_once`.
  CommitCallback done;
  // `done` only wakes a thread waiting in Commit(): running it on the
  // committer saves a hand-off to the completion thread per commit.
  bool at_once = false;
  absl::StatusOr<CommitResult> result;
};

namespace {

constexpr size_t kBlockCacheBytes = 64 << 20;

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return errors::StorageError(what, s.ToString());
}

uint64_t DecodeU64(absl::string_view bytes) {
  KeyReader r(bytes);
  uint64_t v = 0;
  r.U64(&v);
  return v;
}

// The audit hash covers the previous hash and the entry without its own hash,
// so changing or removing any entry breaks every later link.
std::string AuditHash(AuditEntry entry) {
  entry.clear_hash();
  return crypto::Sha256Hex(entry.SerializeAsString());
}

// `entry` (without its hash) hashed and encoded for storage. The stored
// bytes are the hashed bytes followed by the hash field: protobuf decodes a
// concatenation as one message, so this equals encoding the entry with its
// hash set, without copying and encoding the entry a second time.
std::string EncodeHashedAuditEntry(AuditEntry& entry) {
  std::string bytes = entry.SerializeAsString();
  AuditEntry hash_only;
  hash_only.set_hash(crypto::Sha256Hex(bytes));
  hash_only.AppendToString(&bytes);
  entry.set_hash(std::move(*hash_only.mutable_hash()));
  return bytes;
}

// A stored record is its version followed by the message's bytes.
absl::Status DecodeRecord(absl::string_view bytes,
                          google::protobuf::Message* out, uint64_t* version) {
  if (bytes.size() < 8 ||
      !out->ParseFromArray(bytes.data() + 8,
                           static_cast<int>(bytes.size() - 8))) {
    return errors::StorageError("reading a record", "stored value is corrupt");
  }
  if (version != nullptr) *version = DecodeU64(bytes.substr(0, 8));
  return absl::OkStatus();
}

std::string EncodePageToken(const std::string& scope, uint32_t partition,
                            const std::string& last_id) {
  // The scope hash ties a token to the filter it was made for.
  std::string raw = KeyBuilder()
                        .Str(crypto::Sha256Hex(scope).substr(0, 8))
                        .U32(partition)
                        .Str(last_id)
                        .key();
  return absl::WebSafeBase64Escape(raw);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const Options& options) {
  if (options.path.empty())
    return errors::InvalidField("data_dir", "is required");
  if (options.partition_count == 0)
    return errors::InvalidField("partition_count", "must be at least 1");
  std::error_code error;
  std::filesystem::create_directories(options.path, error);
  if (error) {
    return errors::StorageError("creating the data directory", error.message());
  }
  const EncryptionKey* key =
      options.encryption_key.has_value() ? &*options.encryption_key : nullptr;
  // Before RocksDB reads anything: a wrong key would otherwise surface as
  // "corruption" of whichever file it reads first.
  RETURN_IF_ERROR(CheckDataDirKey(options.path, key));
  std::unique_ptr<rocksdb::Env> env;
  if (key != nullptr) {
    ASSIGN_OR_RETURN(env, NewEncryptedEnv(*key));
  }
  rocksdb::DBOptions db_options;
  if (env != nullptr) db_options.env = env.get();
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  if (options.collect_statistics) {
    db_options.statistics = rocksdb::CreateDBStatistics();
    // Tickers only: the timers and histograms are what costs.
    db_options.statistics->set_stats_level(
        rocksdb::StatsLevel::kExceptHistogramOrTimers);
  }
  // One block cache for the whole database (OptimizeForPointLookup would
  // give each column family a cache of its own), and Bloom filters so that a
  // point read of a missing key rarely touches a data block.
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(kBlockCacheBytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Every write checks that its record and request id do not exist yet,
  // and a new one is never in the memtable: a Bloom filter over the
  // memtable's keys answers that without searching its skip list, which in
  // a memtable of a few hundred thousand keys is a cache miss per step.
  rocksdb::ColumnFamilyOptions checked = cf;
  checked.memtable_prefix_bloom_size_ratio = 0.05;
  checked.memtable_whole_key_filtering = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> columns;
  for (int c = 0; c < Column::kColumnCount; ++c) {
    const bool is_checked = c == Column::kRecords || c == Column::kRequests;
    columns.emplace_back(internal::kColumnNames[c], is_checked ? checked : cf);
  }
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  RETURN_IF_ERROR(FromRocks(
      rocksdb::DB::Open(db_options, options.path, columns, &handles, &db),
      "opening the database"));
  std::unique_ptr<Store> store(
      new Store(options, std::move(env), db, std::move(handles)));
  store->block_cache_ = table.block_cache;
  store->statistics_ = db_options.statistics;
  RETURN_IF_ERROR(store->LoadAuditHead());
  RETURN_IF_ERROR(store->LoadSequenceFloor());
  RETURN_IF_ERROR(store->IndexAuditTrail());
  RETURN_IF_ERROR(store->LoadOutboxHeads());
  RETURN_IF_ERROR(store->LoadFences());
  return store;
}

Store::Store(const Options& options, std::unique_ptr<rocksdb::Env> env,
             rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles)
    : options_(options),
      env_(std::move(env)),
      db_(db),
      record_cache_(options.record_cache_bytes),
      handles_(std::move(handles)) {
  // Named so that an operator can tell them apart in top -H or a profile.
  committer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "store-commit");
    CommitLoop();
  });
  completer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "store-complete");
    CompleteLoop();
  });
}

Store::~Store() {
  {
    absl::MutexLock lock(&queue_mu_);
    stopping_ = true;
  }
  committer_.join();
  {
    absl::MutexLock lock(&completed_mu_);
    committer_stopped_ = true;
  }
  completer_.join();
  // Flushing the WAL is enough for durability; the memtables are recovered
  // from it on the next open.
  db_->FlushWAL(true).PermitUncheckedError();
  for (auto* h : handles_)
    db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  db_->Close().PermitUncheckedError();
  delete db_;
}

absl::Status Store::LoadAuditHead() {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[Column::kAudit]));
  it->SeekToLast();
  RETURN_IF_ERROR(FromRocks(it->status(), "reading the audit trail"));
  if (!it->Valid()) return absl::OkStatus();
  AuditEntry last;
  if (!last.ParseFromArray(it->value().data(),
                           static_cast<int>(it->value().size()))) {
    return errors::StorageError("reading the audit trail",
                                "last entry is corrupt");
  }
  audit_sequence_ = last.sequence();
  audit_hash_ = last.hash();
  return absl::OkStatus();
}

absl::Status Store::LoadSequenceFloor() {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), handles_[Column::kDefault],
               internal::kOutboxSequenceFloorKey, &value);
  if (s.IsNotFound()) return absl::OkStatus();
  RETURN_IF_ERROR(FromRocks(s, "reading the outbox sequence floor"));
  sequence_floor_ = DecodeU64(value);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Store::RaiseSequenceFloor(uint64_t at_least) {
  uint64_t floor = std::max(at_least, sequence_floor_.load());
  // Every partition's head, one seek each: jump to the next partition's
  // first key, then to its last.
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[Column::kOutbox]));
  for (it->SeekToFirst(); it->Valid();) {
    KeyReader first(absl::string_view(it->key().data(), it->key().size()));
    uint32_t partition = 0;
    first.U32(&partition);
    it->SeekForPrev(internal::OutboxKey(partition, UINT64_MAX));
    if (!it->Valid()) break;
    KeyReader last(absl::string_view(it->key().data(), it->key().size()));
    uint32_t p = 0;
    uint64_t sequence = 0;
    last.U32(&p);
    last.U64(&sequence);
    if (sequence != UINT64_MAX) floor = std::max(floor, sequence + 1);
    if (partition == UINT32_MAX) break;
    it->Seek(KeyBuilder().U32(partition + 1).key());
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading the outbox"));
  rocksdb::WriteOptions synced;
  synced.sync = true;
  RETURN_IF_ERROR(FromRocks(db_->Put(synced, handles_[Column::kDefault],
                                     internal::kOutboxSequenceFloorKey,
                                     KeyBuilder().U64(floor).key()),
                            "writing the outbox sequence floor"));
  sequence_floor_ = floor;
  return floor;
}

// Runs before the store is handed out, so the committer has nothing to do
// meanwhile. A database created with the index marks it complete at once;
// an older one is indexed in chunks, each with the progress marker, so a
// crash resumes where it stopped (re-putting an index entry is harmless).
absl::Status Store::IndexAuditTrail() {
  rocksdb::ColumnFamilyHandle* meta = handles_[Column::kDefault];
  std::string marker;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta,
                               internal::kAuditIndexedThroughKey, &marker);
  if (!s.IsNotFound()) RETURN_IF_ERROR(FromRocks(s, "reading the audit index"));
  const uint64_t through = s.ok() ? DecodeU64(marker) : 0;
  if (through == internal::kAuditFullyIndexed) return absl::OkStatus();

  constexpr size_t kChunk = 4096;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[Column::kAudit]));
  rocksdb::WriteBatch batch;
  auto write_chunk = [&](uint64_t indexed_through) {
    batch
        .Put(meta, internal::kAuditIndexedThroughKey,
             KeyBuilder().U64(indexed_through).key())
        .PermitUncheckedError();
    absl::Status written =
        FromRocks(db_->Write(rocksdb::WriteOptions(), &batch),
                  "indexing the audit trail");
    batch.Clear();
    return written;
  };
  size_t in_chunk = 0;
  for (it->Seek(internal::AuditKey(through + 1)); it->Valid(); it->Next()) {
    AuditEntry entry;
    // An entry that does not decode is left for VerifyAudit to report.
    if (entry.ParseFromArray(it->value().data(),
                             static_cast<int>(it->value().size()))) {
      IndexAuditEntry(entry, batch);
    }
    if (++in_chunk == kChunk) {
      RETURN_IF_ERROR(write_chunk(
          DecodeU64(absl::string_view(it->key().data(), it->key().size()))));
      in_chunk = 0;
    }
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "indexing the audit trail"));
  return write_chunk(internal::kAuditFullyIndexed);
}

absl::StatusOr<CommitResult> Store::Commit(WriteSet set,
                                           Durability durability) {
  absl::Notification done;
  absl::StatusOr<CommitResult> result;
  Enqueue(NewPending(
      std::move(set),
      [&](absl::StatusOr<CommitResult> r) {
        result = std::move(r);
        done.Notify();
      },
      durability, /*at_once=*/true));
  done.WaitForNotification();
  return result;
}

void Store::CommitAsync(WriteSet set, CommitCallback done,
                        Durability durability) {
  Enqueue(NewPending(std::move(set), std::move(done), durability,
                     /*at_once=*/false));
}

Store::Pending* Store::NewPending(WriteSet set, CommitCallback done,
                                  Durability durability, bool at_once) {
  auto* pending = new Pending;
  pending->durable = SyncsBeforeReporting(set, durability);
  pending->set = std::move(set);
  pending->done = std::move(done);
  pending->at_once = at_once;
  return pending;
}

void Store::AuditRead(AuditEntry entry) {
  absl::MutexLock lock(&queue_mu_);
  read_audits_.push_back(std::move(entry));
}

void Store::Enqueue(Pending* pending) {
  absl::MutexLock lock(&queue_mu_);
  queue_.push_back(pending);
}

void Store::CommitLoop() {
  auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) {
    return !queue_.empty() || stopping_;
  };
  while (true) {
    std::vector<AuditEntry> reads;
    std::vector<Pending*> group;
    {
      absl::MutexLock lock(&queue_mu_);
      // A write wakes the committer at once; read audits alone only on the
      // timeout, so that a burst of reads costs one batch, not one
      // thread wake-up each.
      queue_mu_.AwaitWithTimeout(absl::Condition(&has_work), kReadAuditDelay);
      if (stopping_ && queue_.empty() && read_audits_.empty()) return;
      reads.swap(read_audits_);
      group.swap(queue_);
    }
    if (!reads.empty() || !group.empty()) {
      absl::MutexLock commit_lock(&commit_mu_);  // between hand-over steps
      CommitGroup(reads, group);
    }
  }
}

// Runs before the store is handed out, like LoadAuditHead: the committer
// has nothing to do yet.
absl::Status Store::LoadOutboxHeads() {
  for (uint32_t p = 0; p < options_.partition_count; ++p) {
    RETURN_IF_ERROR(LoadOutboxHead(p));
  }
  absl::MutexLock lock(&generation_mu_);
  published_sequence_ = last_sequence_;
  return absl::OkStatus();
}

absl::Status Store::LoadOutboxHead(uint32_t partition) {
  if (last_sequence_.contains(partition)) return absl::OkStatus();
  std::unique_ptr<rocksdb::Iterator> iter(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[Column::kOutbox]));
  std::string prefix = KeyBuilder().U32(partition).key();
  iter->SeekForPrev(internal::OutboxKey(partition, UINT64_MAX));
  RETURN_IF_ERROR(FromRocks(iter->status(), "reading the outbox"));
  uint64_t last = 0;
  if (iter->Valid() && iter->key().starts_with(prefix)) {
    KeyReader r(absl::string_view(iter->key().data(), iter->key().size()));
    uint32_t p;
    r.U32(&p);
    r.U64(&last);
  }
  last_sequence_.emplace(partition, last);
  return absl::OkStatus();
}

struct Store::GroupState {
  rocksdb::WriteBatch batch;
  absl::flat_hash_map<std::string, uint64_t> versions;
  absl::flat_hash_map<std::string, homeward::internal::v1::IdempotencyRecord>
      claims;
  // The records the batch writes; they point into the sets' puts.
  std::vector<absl::string_view> record_keys;
  // The partition of each event the batch appends.
  std::vector<uint32_t> event_partitions;
};

absl::StatusOr<bool> Store::CheckSet(
    const WriteSet& set, const GroupState& group,
    homeward::internal::v1::IdempotencyRecord* original) {
  RETURN_IF_ERROR(RefuseFenced(set));  // a partition being handed over
  for (const auto& claim : set.claims_) {
    auto in_group = group.claims.find(claim.key);
    if (in_group != group.claims.end()) {
      *original = in_group->second;
      return true;
    }
    std::string value;
    rocksdb::Status s = db_->Get(
        rocksdb::ReadOptions(), handles_[Column::kRequests], claim.key, &value);
    if (s.ok()) {
      original->ParseFromString(value);
      return true;
    }
    if (!s.IsNotFound()) return FromRocks(s, "checking a request id");
  }
  for (const auto& e : set.expectations_) {
    uint64_t current = 0;
    auto in_group = group.versions.find(e.key);
    if (in_group != group.versions.end()) {
      current = in_group->second;
    } else {
      std::string value;
      rocksdb::Status s = db_->Get(rocksdb::ReadOptions(),
                                   handles_[Column::kRecords], e.key, &value);
      if (s.ok()) {
        current = DecodeU64(value);
      } else if (!s.IsNotFound()) {
        return FromRocks(s, "checking a record version");
      }
    }
    if (current == e.version) continue;
    if (e.replay_if_exists) {
      original->set_subject_id(e.id);
      original->set_partition(e.partition);
      return true;
    }
    if (e.version == 0) return errors::AlreadyExists(e.kind, e.id);
    if (current == 0) return errors::NotFound(e.kind, e.id);
    return errors::EtagMismatch(e.kind, e.id, absl::StrCat(e.version),
                                absl::StrCat(current));
  }
  // Read the outbox heads now, so that applying the set cannot fail halfway
  // and leave sequences or the audit hash chain advanced without a write.
  for (const Event& event : set.events_) {
    RETURN_IF_ERROR(LoadOutboxHead(event.partition()));
  }
  // A trim keeps the partition's last event: it needs the head too.
  for (const WriteSet::OutboxTrim& trim : set.trims_) {
    RETURN_IF_ERROR(LoadOutboxHead(trim.partition));
  }
  return false;
}

CommitResult Store::ApplySet(WriteSet& set, GroupState& group) {
  CommitResult result;
  for (const auto& put : set.puts_) {
    if (put.is_delete) {
      group.batch.Delete(handles_[put.column], put.key).PermitUncheckedError();
    } else {
      group.batch.Put(handles_[put.column], put.key, put.value)
          .PermitUncheckedError();
    }
    if (put.column == Column::kRecords) group.record_keys.push_back(put.key);
  }
  for (const auto& v : set.versions_) group.versions[v.key] = v.version;
  for (const auto& claim : set.claims_) {
    group.batch
        .Put(handles_[Column::kRequests], claim.key,
             claim.record.SerializeAsString())
        .PermitUncheckedError();
    group.claims[claim.key] = claim.record;
  }
  for (Event& event : set.events_) {
    uint64_t& last = last_sequence_[event.partition()];
    last = std::max(last + 1, sequence_floor_.load());
    event.set_sequence(last);
    group.event_partitions.push_back(event.partition());
    if (!event.has_time()) *event.mutable_time() = NowTimestamp();
    group.batch
        .Put(handles_[Column::kOutbox],
             internal::OutboxKey(event.partition(), event.sequence()),
             event.SerializeAsString())
        .PermitUncheckedError();
    result.events.push_back(event);
  }
  for (AuditEntry& entry : set.audits_) AppendAudit(entry, group);
  for (const WriteSet::OutboxTrim& trim : set.trims_) {
    // Events this group appends come after the head read here, so they are
    // never in the range; the last event kept marks the head for Open.
    const uint64_t head = last_sequence_[trim.partition];
    const uint64_t through =
        std::min(trim.through_sequence, head == 0 ? 0 : head - 1);
    if (through == 0) continue;
    group.batch
        .DeleteRange(handles_[Column::kOutbox],
                     internal::OutboxKey(trim.partition, 0),
                     internal::OutboxKey(trim.partition, through + 1))
        .PermitUncheckedError();
  }
  return result;
}

void Store::AppendAudit(AuditEntry& entry, GroupState& group) {
  entry.set_sequence(++audit_sequence_);
  if (!entry.has_time()) *entry.mutable_time() = NowTimestamp();
  entry.set_prev_hash(audit_hash_);
  std::string bytes = EncodeHashedAuditEntry(entry);
  audit_hash_ = entry.hash();
  group.batch
      .Put(handles_[Column::kAudit], internal::AuditKey(entry.sequence()),
           bytes)
      .PermitUncheckedError();
  IndexAuditEntry(entry, group.batch);
}

void Store::IndexAuditEntry(const AuditEntry& entry,
                            rocksdb::WriteBatch& batch) const {
  if (entry.subject_id().empty()) return;
  batch
      .Put(handles_[Column::kAuditBySubject],
           internal::AuditBySubjectKey(
               PartitionOf(entry.subject_id(), options_.partition_count),
               entry.subject_id(), entry.sequence()),
           "")
      .PermitUncheckedError();
}

void Store::CommitGroup(std::vector<AuditEntry>& reads,
                        std::vector<Pending*>& group) {
  GroupState state;
  // Restored if the batch fails, so that no sequence or hash is skipped.
  auto saved_sequences = last_sequence_;
  uint64_t saved_audit_sequence = audit_sequence_;
  std::string saved_audit_hash = audit_hash_;
  bool sync = false;
  std::vector<Pending*> applied;

  // Read audits first: they were queued before the writes waiting now.
  for (AuditEntry& entry : reads) AppendAudit(entry, state);

  for (Pending* p : group) {
    // A set that fails its check leaves the batch untouched.
    homeward::internal::v1::IdempotencyRecord original;
    absl::StatusOr<bool> replayed = CheckSet(p->set, state, &original);
    if (!replayed.ok()) {
      p->result = replayed.status();
    } else if (*replayed) {
      CommitResult result;
      result.replayed = true;
      result.original = std::move(original);
      p->result = std::move(result);
    } else {
      p->result = ApplySet(p->set, state);
      sync = sync || p->durable;
      applied.push_back(p);
    }
  }

  if (state.batch.Count() > 0) {
    rocksdb::WriteOptions write_options;
    write_options.sync = sync && options_.sync_writes;
    record_cache_.BeginWrite(state.record_keys);
    const absl::Time write_start = absl::Now();
    absl::Status written = FromRocks(db_->Write(write_options, &state.batch),
                                     "committing a write");
    record_cache_.EndWrite(state.record_keys);
    if (options_.commit_observer != nullptr) {
      options_.commit_observer->OnGroupCommit(
          {.write_sets = group.size(),
           .read_audits = reads.size(),
           .synced = write_options.sync,
           .write_time = absl::Now() - write_start,
           .failed = !written.ok()});
    }
    if (!written.ok()) {
      for (Pending* p : applied) p->result = written;
      last_sequence_ = std::move(saved_sequences);
      audit_sequence_ = saved_audit_sequence;
      audit_hash_ = std::move(saved_audit_hash);
    }
  }
  const bool appended_events = !state.event_partitions.empty();
  {
    absl::MutexLock lock(&generation_mu_);
    // Restored on failure: last_sequence_ is then what was published.
    for (uint32_t p : state.event_partitions) {
      auto it = last_sequence_.find(p);
      if (it == last_sequence_.end()) {
        published_sequence_.erase(p);  // loaded by this failed group only
      } else {
        published_sequence_[p] = it->second;
      }
    }
    ++generation_;
    if (appended_events) ++event_generation_;
  }
  if (appended_events) generation_cv_.SignalAll();
  std::vector<Pending*> later;
  for (Pending* p : group) {
    if (!p->at_once) {
      later.push_back(p);
      continue;
    }
    p->done(std::move(p->result));
    delete p;
  }
  if (later.empty()) return;
  absl::MutexLock lock(&completed_mu_);
  completed_.insert(completed_.end(), later.begin(), later.end());
}

void Store::CompleteLoop() {
  auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(completed_mu_) {
    return !completed_.empty() || committer_stopped_;
  };
  while (true) {
    std::vector<Pending*> batch;
    {
      absl::MutexLock lock(&completed_mu_);
      completed_mu_.Await(absl::Condition(&has_work));
      // The committer has stopped, so nothing more can arrive.
      if (completed_.empty()) return;
      batch.swap(completed_);
    }
    for (Pending* p : batch) {
      if (p->done) p->done(std::move(p->result));
      delete p;
    }
  }
}

absl::StatusOr<bool> Store::GetRecord(uint32_t partition,
                                      absl::string_view kind,
                                      absl::string_view id,
                                      google::protobuf::Message* out,
                                      uint64_t* version) const {
  const std::string key = internal::RecordKey(partition, kind, id);
  if (RecordCache::Bytes cached = record_cache_.Find(key)) {
    RETURN_IF_ERROR(DecodeRecord(*cached, out, version));
    return true;
  }
  const RecordCache::Ticket ticket = record_cache_.FillTicket(key);
  rocksdb::PinnableSlice value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), handles_[Column::kRecords], key, &value);
  if (s.IsNotFound()) return false;
  RETURN_IF_ERROR(FromRocks(s, "reading a record"));
  const absl::string_view bytes(value.data(), value.size());
  RETURN_IF_ERROR(DecodeRecord(bytes, out, version));
  record_cache_.Fill(key, ticket, bytes);
  return true;
}

absl::StatusOr<IndexPage> Store::ListIndex(
    const std::vector<uint32_t>& partitions, absl::string_view index,
    absl::string_view value, int page_size,
    absl::string_view page_token) const {
  return ListRange(Column::kIndex, partitions,
                   KeyBuilder().Str(index).Str(value).key(), page_size,
                   page_token);
}

absl::StatusOr<IndexPage> Store::ListRecordIds(
    const std::vector<uint32_t>& partitions, absl::string_view kind,
    int page_size, absl::string_view page_token) const {
  return ListRange(Column::kRecords, partitions, KeyBuilder().Str(kind).key(),
                   page_size, page_token);
}

absl::StatusOr<IndexPage> Store::ListRange(
    int column, const std::vector<uint32_t>& partitions,
    const std::string& scope, int page_size,
    absl::string_view page_token) const {
  if (page_size <= 0)
    return errors::InvalidField("page.page_size", "must be positive");
  // Resume point: the partition and the last id the previous page returned.
  uint32_t start_partition = partitions.empty() ? 0 : partitions.front();
  std::string after_id;
  bool resuming = false;
  if (!page_token.empty()) {
    std::string raw, scope_hash;
    bool valid = absl::WebSafeBase64Unescape(page_token, &raw);
    KeyReader r(raw);
    valid = valid && r.Str(&scope_hash) && r.U32(&start_partition) &&
            r.Str(&after_id) && r.done() &&
            scope_hash == crypto::Sha256Hex(scope).substr(0, 8);
    if (!valid) {
      return errors::InvalidField("page.page_token",
                                  "is not a token returned by this list with "
                                  "the same filters; start again "
                                  "with an empty token");
    }
    resuming = true;
  }

  IndexPage page;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[column]));
  for (uint32_t partition : partitions) {
    if (partition < start_partition) continue;
    std::string prefix = KeyBuilder().U32(partition).key() + scope;
    if (resuming && partition == start_partition) {
      std::string last_key = prefix + KeyBuilder().Str(after_id).key();
      it->Seek(last_key);
      if (it->Valid() && it->key() == rocksdb::Slice(last_key)) it->Next();
    } else {
      it->Seek(prefix);
    }
    for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
      KeyReader r(absl::string_view(it->key().data() + prefix.size(),
                                    it->key().size() - prefix.size()));
      std::string id;
      if (!r.Str(&id)) {
        return errors::StorageError("listing", "an index key is corrupt");
      }
      if (static_cast<int>(page.entries.size()) == page_size) {
        // One more exists: the page is full and there is a next one.
        const IndexEntry& last = page.entries.back();
        page.next_page_token = EncodePageToken(scope, last.partition, last.id);
        return page;
      }
      page.entries.push_back({partition, std::move(id)});
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "listing"));
  }
  return page;
}

absl::StatusOr<std::vector<Event>> Store::ReadEvents(uint32_t partition,
                                                     uint64_t after,
                                                     size_t max) const {
  std::vector<Event> events;
  std::string prefix = KeyBuilder().U32(partition).key();
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[Column::kOutbox]));
  for (it->Seek(internal::OutboxKey(partition, after + 1));
       it->Valid() && it->key().starts_with(prefix) && events.size() < max;
       it->Next()) {
    Event event;
    if (!event.ParseFromArray(it->value().data(),
                              static_cast<int>(it->value().size()))) {
      return errors::StorageError("reading the outbox", "an event is corrupt");
    }
    events.push_back(std::move(event));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading the outbox"));
  return events;
}

uint64_t Store::PublishedSequence(uint32_t partition) const {
  absl::MutexLock lock(&generation_mu_);
  auto it = published_sequence_.find(partition);
  return it == published_sequence_.end() ? kUnknownSequence : it->second;
}

uint64_t Store::CommitGeneration() const {
  absl::MutexLock lock(&generation_mu_);
  return generation_;
}

uint64_t Store::EventGeneration() const {
  absl::MutexLock lock(&generation_mu_);
  return event_generation_;
}

uint64_t Store::WaitForEvents(uint64_t seen, absl::Duration timeout) const {
  absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock lock(&generation_mu_);
  while (event_generation_ == seen) {
    if (generation_cv_.WaitWithDeadline(&generation_mu_, deadline)) break;
  }
  return event_generation_;
}

absl::Status Store::SyncWal() {
  return FromRocks(db_->SyncWAL(), "syncing the write-ahead log");
}

absl::StatusOr<uint64_t> Store::GetCursor(absl::string_view consumer,
                                          uint32_t partition) const {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), handles_[Column::kCursors],
               internal::CursorKey(consumer, partition), &value);
  if (s.IsNotFound()) return 0;
  RETURN_IF_ERROR(FromRocks(s, "reading a consumer cursor"));
  return DecodeU64(value);
}

absl::StatusOr<std::vector<AuditEntry>> Store::ReadAudit(uint64_t after,
                                                         size_t max) const {
  std::vector<AuditEntry> entries;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[Column::kAudit]));
  for (it->Seek(internal::AuditKey(after + 1));
       it->Valid() && entries.size() < max; it->Next()) {
    AuditEntry entry;
    if (!entry.ParseFromArray(it->value().data(),
                              static_cast<int>(it->value().size()))) {
      return errors::StorageError("reading the audit trail",
                                  "an entry is corrupt");
    }
    entries.push_back(std::move(entry));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading the audit trail"));
  return entries;
}

absl::StatusOr<AuditPage> Store::ListAuditOf(
    absl::string_view subject_id, int page_size,
    absl::string_view page_token) const {
  const uint32_t partition = PartitionOf(subject_id, options_.partition_count);
  ASSIGN_OR_RETURN(
      IndexPage ids,
      ListRange(Column::kAuditBySubject, {partition},
                KeyBuilder().Str(subject_id).key(), page_size, page_token));
  AuditPage page;
  page.next_page_token = std::move(ids.next_page_token);
  for (const IndexEntry& id : ids.entries) {
    rocksdb::PinnableSlice value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), handles_[Column::kAudit],
                 internal::AuditKey(DecodeU64(id.id)), &value);
    if (s.IsNotFound()) continue;  // deleted from the trail
    RETURN_IF_ERROR(FromRocks(s, "reading the audit trail"));
    AuditEntry entry;
    // A sequence reused after the newest entries were deleted holds another
    // subject's entry: not this subject's.
    if (!entry.ParseFromArray(value.data(), static_cast<int>(value.size())) ||
        entry.subject_id() != subject_id) {
      continue;
    }
    page.entries.push_back(std::move(entry));
  }
  return page;
}

absl::StatusOr<AuditVerification> Store::VerifyAudit() const {
  using Kind = AuditBreak::Kind;
  AuditVerification result;
  auto broken = [&](uint64_t sequence, Kind kind, std::string description) {
    result.first_break = AuditBreak{sequence, kind, std::move(description)};
    return result;
  };
  std::string prev;
  uint64_t expected = 1;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[Column::kAudit]));
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expected) {
    KeyReader key(absl::string_view(it->key().data(), it->key().size()));
    uint64_t sequence = 0;
    if (!key.U64(&sequence) || !key.done()) {
      return broken(expected, Kind::kAltered,
                    absl::StrCat("the key after entry ", expected - 1,
                                 " is not an audit sequence"));
    }
    if (sequence != expected) {
      return broken(expected, Kind::kMissing,
                    sequence == expected + 1
                        ? absl::StrCat("entry ", expected, " is missing")
                        : absl::StrCat("entries ", expected, " to ",
                                       sequence - 1, " are missing"));
    }
    AuditEntry entry;
    if (!entry.ParseFromArray(it->value().data(),
                              static_cast<int>(it->value().size()))) {
      return broken(sequence, Kind::kAltered,
                    absl::StrCat("entry ", sequence, " cannot be decoded"));
    }
    if (entry.sequence() != sequence || entry.hash() != AuditHash(entry)) {
      return broken(sequence, Kind::kAltered,
                    absl::StrCat("entry ", sequence,
                                 " does not match its hash: it was edited"));
    }
    if (entry.prev_hash() != prev) {
      return broken(sequence, Kind::kLinkBroken,
                    absl::StrCat("entry ", sequence, " does not link to entry ",
                                 sequence - 1,
                                 ": that entry was replaced, or entries "
                                 "were deleted and the rest renumbered"));
    }
    prev = entry.hash();
    ++result.entries_checked;
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "verifying the audit trail"));

  // Deleting the newest entries leaves a shorter chain that verifies; the
  // index, written in the same batches, still names them.
  const uint64_t last = expected - 1;
  uint64_t beyond = 0;
  std::unique_ptr<rocksdb::Iterator> index(db_->NewIterator(
      rocksdb::ReadOptions(), handles_[Column::kAuditBySubject]));
  for (index->SeekToFirst(); index->Valid(); index->Next()) {
    KeyReader key(absl::string_view(index->key().data(), index->key().size()));
    uint32_t partition;
    std::string subject, id;
    if (!key.U32(&partition) || !key.Str(&subject) || !key.Str(&id)) continue;
    beyond = std::max(beyond, DecodeU64(id));
  }
  RETURN_IF_ERROR(FromRocks(index->status(), "verifying the audit trail"));
  if (beyond > last) {
    return broken(last + 1, Kind::kTailMissing,
                  absl::StrCat("the trail ends at entry ", last,
                               " but its index names entry ", beyond,
                               ": the newest entries were deleted"));
  }
  return result;
}

absl::Status Store::VerifyAuditChain() const {
  ASSIGN_OR_RETURN(AuditVerification verification, VerifyAudit());
  if (!verification.first_break.has_value()) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(
      "audit trail is broken at entry ", verification.first_break->sequence,
      ": ", verification.first_break->description));
}

absl::Status Store::CompactPartition(uint32_t partition) {
  RETURN_IF_ERROR(Flush());
  const std::string begin = KeyBuilder().U32(partition).key();
  const std::string end = KeyBuilder().U32(partition + 1).key();
  const rocksdb::Slice from(begin);
  const rocksdb::Slice to(end);
  rocksdb::CompactRangeOptions options;
  // The last level too: an overwritten value there would stay otherwise.
  options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  for (int column : {Column::kRecords, Column::kOutbox}) {
    RETURN_IF_ERROR(
        FromRocks(db_->CompactRange(options, handles_[column], &from, &to),
                  "compacting"));
  }
  return absl::OkStatus();
}

absl::Status Store::Flush() {
  rocksdb::FlushOptions flush;
  flush.wait = true;
  return FromRocks(db_->Flush(flush, handles_), "flushing the memtables");
}

absl::Status Store::BackUp(rocksdb::BackupEngine& engine,
                           const std::string& app_metadata,
                           uint32_t* backup_id) {
  rocksdb::CreateBackupOptions backup;
  backup.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  RETURN_IF_ERROR(FromRocks(
      engine.CreateNewBackupWithMetadata(backup, db_, app_metadata, &id),
      "taking a backup"));
  if (backup_id != nullptr) *backup_id = id;
  return absl::OkStatus();
}

StorageFigures Store::Figures() const {
  StorageFigures figures;
  auto aggregated = [this](const std::string& property) {
    uint64_t value = 0;
    return db_->GetAggregatedIntProperty(property, &value) ? value : 0;
  };
  auto db_wide = [this](const rocksdb::Slice& property) {
    uint64_t value = 0;
    return db_->GetIntProperty(property, &value) ? value : 0;
  };
  figures.memtable_bytes =
      aggregated(rocksdb::DB::Properties::kCurSizeAllMemTables);
  figures.pending_compaction_bytes =
      aggregated(rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
  figures.sst_files_bytes =
      aggregated(rocksdb::DB::Properties::kTotalSstFilesSize);
  figures.running_compactions =
      db_wide(rocksdb::DB::Properties::kNumRunningCompactions);
  figures.running_flushes =
      db_wide(rocksdb::DB::Properties::kNumRunningFlushes);
  if (block_cache_ != nullptr) {
    figures.block_cache_usage_bytes = block_cache_->GetUsage();
    figures.block_cache_pinned_bytes = block_cache_->GetPinnedUsage();
    figures.block_cache_capacity_bytes = block_cache_->GetCapacity();
  }
  if (statistics_ != nullptr) {
    figures.block_cache_hits =
        statistics_->getTickerCount(rocksdb::BLOCK_CACHE_HIT);
    figures.block_cache_misses =
        statistics_->getTickerCount(rocksdb::BLOCK_CACHE_MISS);
  }
  return figures;
}

absl::Status Store::WaitForBackgroundWork(absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  auto busy = [this] {
    for (const std::string& property :
         {rocksdb::DB::Properties::kNumRunningFlushes,
          rocksdb::DB::Properties::kNumRunningCompactions,
          rocksdb::DB::Properties::kMemTableFlushPending,
          rocksdb::DB::Properties::kCompactionPending}) {
      uint64_t value = 0;
      if (db_->GetAggregatedIntProperty(property, &value) && value > 0) {
        return true;
      }
    }
    return false;
  };
  while (busy()) {
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("storage still flushing or compacting after ",
                       absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::OkStatus();
}

}  // namespace homeward::storage
