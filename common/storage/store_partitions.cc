// The partition hand-over part of the storage kernel (store.h, "Partition
// hand-over"): fences checked by the committer, the stored owned set, and
// the export, import and deletion of a partition's key ranges.
//
// Every case-scoped key of records, index, outbox and requests starts with
// its partition (columns.h), so a partition is one key range there; a
// cursor is keyed (consumer, partition) and is selected by decoding its key.
#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/columns.h"
#include "common/storage/store.h"
#include "rocksdb/write_batch.h"

namespace homeward::storage {

using internal::Column;

namespace {

// In the default column family: the fenced and the owned partitions, each
// a run of 4-byte big-endian partition numbers.
constexpr char kFencedPartitionsKey[] = "handover/fenced_partitions";
constexpr char kOwnedPartitionsKey[] = "handover/owned_partitions";

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return errors::StorageError(what, s.ToString());
}

std::string EncodePartitions(const std::vector<uint32_t>& partitions) {
  KeyBuilder b;
  for (uint32_t p : partitions) b.U32(p);
  return b.key();
}

std::vector<uint32_t> DecodePartitions(absl::string_view bytes) {
  std::vector<uint32_t> out;
  KeyReader r(bytes);
  uint32_t p = 0;
  while (r.U32(&p)) out.push_back(p);
  return out;
}

// The column families copied, by name and number.
struct HandoverColumn {
  const char* name;
  Column column;
};
constexpr HandoverColumn kHandoverColumns[] = {
    {"records", Column::kRecords}, {"index", Column::kIndex},
    {"outbox", Column::kOutbox},   {"requests", Column::kRequests},
    {"cursors", Column::kCursors},
};

std::string PartitionPrefix(uint32_t partition) {
  return KeyBuilder().U32(partition).key();
}

// Whether `key` of `column` belongs to `partition`.
bool KeyInPartition(Column column, absl::string_view key, uint32_t partition) {
  KeyReader r(key);
  uint32_t p = 0;
  if (column == Column::kCursors) {
    std::string consumer;
    return r.Str(&consumer) && r.U32(&p) && r.done() && p == partition;
  }
  return r.U32(&p) && p == partition;
}

// The partition a put of `column` writes to; false for keys of no partition
// (the audit trail, the default column family).
bool PartitionOfPut(int column, absl::string_view key, uint32_t* partition) {
  KeyReader r(key);
  switch (column) {
    case Column::kRecords:
    case Column::kIndex:
    case Column::kOutbox:
    case Column::kRequests:
      return r.U32(partition);
    case Column::kCursors: {
      std::string consumer;
      return r.Str(&consumer) && r.U32(partition);
    }
    default:
      return false;
  }
}

// The partitions `set` holds, in order.
std::vector<uint32_t> MembersOf(const std::vector<bool>& set) {
  std::vector<uint32_t> members;
  for (uint32_t p = 0; p < set.size(); ++p) {
    if (set[p]) members.push_back(p);
  }
  return members;
}

}  // namespace

const std::vector<std::string>& Store::HandoverColumns() {
  static const auto* names = [] {
    auto* v = new std::vector<std::string>;
    for (const HandoverColumn& c : kHandoverColumns) v->push_back(c.name);
    return v;
  }();
  return *names;
}

absl::Status Store::RefuseFenced(const WriteSet& set) const {
  // Called by the committer, which holds commit_mu_.
  if (std::find(fenced_.begin(), fenced_.end(), true) == fenced_.end()) {
    return absl::OkStatus();
  }
  auto refuse = [this](uint32_t p) { return p < fenced_.size() && fenced_[p]; };
  for (const auto& put : set.puts_) {
    uint32_t p = 0;
    if (PartitionOfPut(put.column, put.key, &p) && refuse(p)) {
      return errors::PartitionMoving(p);
    }
  }
  for (const auto& claim : set.claims_) {
    uint32_t p = 0;
    if (PartitionOfPut(Column::kRequests, claim.key, &p) && refuse(p)) {
      return errors::PartitionMoving(p);
    }
  }
  for (const auto& event : set.events_) {
    if (refuse(event.partition())) {
      return errors::PartitionMoving(event.partition());
    }
  }
  return absl::OkStatus();
}

absl::Status Store::LoadFences() {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), handles_[Column::kDefault],
               kFencedPartitionsKey, &value);
  if (!s.IsNotFound()) RETURN_IF_ERROR(FromRocks(s, "reading the fences"));
  absl::MutexLock lock(&commit_mu_);
  fenced_.assign(options_.partition_count, false);
  for (uint32_t p : DecodePartitions(value)) {
    if (p < fenced_.size()) fenced_[p] = true;
  }
  return absl::OkStatus();
}

absl::Status Store::WriteMetaPartitions(
    absl::string_view key, const std::vector<uint32_t>& partitions) {
  rocksdb::WriteOptions write;
  write.sync = options_.sync_writes;
  return FromRocks(db_->Put(write, handles_[Column::kDefault],
                            rocksdb::Slice(key.data(), key.size()),
                            EncodePartitions(partitions)),
                   "storing the partition hand-over state");
}

absl::Status Store::FencePartitions(const std::vector<uint32_t>& partitions) {
  // Taken between two groups: a set either committed already or is checked
  // against the new fence.
  absl::MutexLock lock(&commit_mu_);
  std::vector<bool> next = fenced_;
  for (uint32_t p : partitions) {
    if (p >= next.size()) {
      return errors::InvalidField(
          "partitions",
          absl::StrCat("partition ", p, " must be below the partition count ",
                       options_.partition_count));
    }
    next[p] = true;
  }
  RETURN_IF_ERROR(WriteMetaPartitions(kFencedPartitionsKey, MembersOf(next)));
  fenced_ = std::move(next);
  return absl::OkStatus();
}

absl::Status Store::UnfencePartitions(const std::vector<uint32_t>& partitions) {
  absl::MutexLock lock(&commit_mu_);
  std::vector<bool> next = fenced_;
  for (uint32_t p : partitions) {
    if (p < next.size()) next[p] = false;
  }
  RETURN_IF_ERROR(WriteMetaPartitions(kFencedPartitionsKey, MembersOf(next)));
  fenced_ = std::move(next);
  return absl::OkStatus();
}

std::vector<uint32_t> Store::FencedPartitions() const {
  absl::MutexLock lock(&commit_mu_);
  return MembersOf(fenced_);
}

absl::StatusOr<std::optional<std::vector<uint32_t>>>
Store::ReadOwnedPartitions() const {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), handles_[Column::kDefault],
               kOwnedPartitionsKey, &value);
  if (s.IsNotFound()) return std::optional<std::vector<uint32_t>>();
  RETURN_IF_ERROR(FromRocks(s, "reading the owned partitions"));
  return std::optional<std::vector<uint32_t>>(DecodePartitions(value));
}

absl::Status Store::WriteOwnedPartitions(
    const std::vector<uint32_t>& partitions) {
  std::vector<uint32_t> sorted = partitions;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  return WriteMetaPartitions(kOwnedPartitionsKey, sorted);
}

absl::StatusOr<uint64_t> Store::ExportPartition(
    uint32_t partition, size_t chunk_keys,
    const std::function<absl::Status(PartitionKeys)>& sink) const {
  if (chunk_keys == 0) chunk_keys = 1;
  // One snapshot for every column family: a consistent copy even if a write
  // slipped in (the caller fences first, so none should).
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  std::unique_ptr<const rocksdb::Snapshot,
                  std::function<void(const rocksdb::Snapshot*)>>
      release(snapshot,
              [this](const rocksdb::Snapshot* s) { db_->ReleaseSnapshot(s); });
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  const std::string prefix = PartitionPrefix(partition);
  uint64_t total = 0;
  for (const HandoverColumn& c : kHandoverColumns) {
    PartitionKeys chunk;
    chunk.column = c.name;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(read, handles_[c.column]));
    const bool ranged = c.column != Column::kCursors;
    for (ranged ? it->Seek(prefix) : it->SeekToFirst();
         it->Valid() && (!ranged || it->key().starts_with(prefix));
         it->Next()) {
      const absl::string_view key(it->key().data(), it->key().size());
      if (!ranged && !KeyInPartition(c.column, key, partition)) continue;
      chunk.keys.emplace_back(key);
      chunk.values.emplace_back(it->value().data(), it->value().size());
      if (chunk.keys.size() == chunk_keys) {
        total += chunk.keys.size();
        RETURN_IF_ERROR(sink(std::move(chunk)));
        chunk = PartitionKeys();
        chunk.column = c.name;
      }
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "exporting a partition"));
    if (!chunk.keys.empty()) {
      total += chunk.keys.size();
      RETURN_IF_ERROR(sink(std::move(chunk)));
    }
  }
  return total;
}

absl::StatusOr<bool> Store::HoldsPartitionKeys(uint32_t partition) const {
  const std::string prefix = PartitionPrefix(partition);
  for (const HandoverColumn& c : kHandoverColumns) {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[c.column]));
    if (c.column == Column::kCursors) {
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        if (KeyInPartition(
                c.column, absl::string_view(it->key().data(), it->key().size()),
                partition)) {
          return true;
        }
      }
    } else {
      it->Seek(prefix);
      if (it->Valid() && it->key().starts_with(prefix)) return true;
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "looking for a partition's keys"));
  }
  return false;
}

absl::Status Store::ImportPartitionKeys(uint32_t partition,
                                        const PartitionKeys& chunk) {
  const HandoverColumn* column = nullptr;
  for (const HandoverColumn& c : kHandoverColumns) {
    if (chunk.column == c.name) column = &c;
  }
  if (column == nullptr) {
    return errors::InvalidField(
        "column_family",
        absl::StrCat("'", chunk.column,
                     "' must be one of records, index, outbox, requests, "
                     "cursors"));
  }
  if (chunk.keys.size() != chunk.values.size()) {
    return errors::InvalidField("values", "must have one value per key");
  }
  if (partition >= options_.partition_count) {
    return errors::InvalidField(
        "partition", absl::StrCat("must be below the partition count ",
                                  options_.partition_count));
  }
  rocksdb::WriteBatch batch;
  std::vector<absl::string_view> record_keys;
  for (size_t i = 0; i < chunk.keys.size(); ++i) {
    if (!KeyInPartition(column->column, chunk.keys[i], partition)) {
      return errors::InvalidField(
          absl::StrCat("keys[", i, "]"),
          absl::StrCat("must be a ", column->name, " key of partition ",
                       partition));
    }
    batch.Put(handles_[column->column], chunk.keys[i], chunk.values[i])
        .PermitUncheckedError();
    if (column->column == Column::kRecords)
      record_keys.push_back(chunk.keys[i]);
  }
  rocksdb::WriteOptions write;
  write.sync = options_.sync_writes;
  record_cache_.BeginWrite(record_keys);
  absl::Status written =
      FromRocks(db_->Write(write, &batch), "importing a partition");
  record_cache_.EndWrite(record_keys);
  return written;
}

absl::Status Store::LoadImportedOutboxHeads(
    const std::vector<uint32_t>& partitions) {
  absl::MutexLock lock(&commit_mu_);  // last_sequence_ is the committer's
  for (uint32_t p : partitions) {
    last_sequence_.erase(p);
    RETURN_IF_ERROR(LoadOutboxHead(p));
  }
  {
    absl::MutexLock generation(&generation_mu_);
    for (uint32_t p : partitions) published_sequence_[p] = last_sequence_[p];
    ++generation_;
  }
  generation_cv_.SignalAll();
  return absl::OkStatus();
}

absl::Status Store::DeletePartitions(const std::vector<uint32_t>& partitions) {
  rocksdb::WriteBatch batch;
  std::vector<std::string> record_keys;
  for (uint32_t p : partitions) {
    if (p >= options_.partition_count) {
      return errors::InvalidField(
          "partitions",
          absl::StrCat("partition ", p, " must be below the partition count ",
                       options_.partition_count));
    }
    const std::string begin = PartitionPrefix(p);
    const std::string end = PartitionPrefix(p + 1);
    for (const HandoverColumn& c : kHandoverColumns) {
      if (c.column == Column::kCursors) continue;
      batch.DeleteRange(handles_[c.column], begin, end).PermitUncheckedError();
    }
    // The record cache must not serve a deleted record (should the
    // partition come back later).
    std::unique_ptr<rocksdb::Iterator> records(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[Column::kRecords]));
    for (records->Seek(begin);
         records->Valid() && records->key().starts_with(begin);
         records->Next()) {
      record_keys.emplace_back(records->key().data(), records->key().size());
    }
    RETURN_IF_ERROR(FromRocks(records->status(), "deleting a partition"));
  }
  std::unique_ptr<rocksdb::Iterator> cursors(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[Column::kCursors]));
  for (cursors->SeekToFirst(); cursors->Valid(); cursors->Next()) {
    const absl::string_view key(cursors->key().data(), cursors->key().size());
    for (uint32_t p : partitions) {
      if (KeyInPartition(Column::kCursors, key, p)) {
        batch
            .Delete(handles_[Column::kCursors],
                    rocksdb::Slice(key.data(), key.size()))
            .PermitUncheckedError();
      }
    }
  }
  RETURN_IF_ERROR(FromRocks(cursors->status(), "deleting a partition"));
  rocksdb::WriteOptions write;
  write.sync = options_.sync_writes;
  const std::vector<absl::string_view> keys(record_keys.begin(),
                                            record_keys.end());
  absl::MutexLock lock(&commit_mu_);
  record_cache_.BeginWrite(keys);
  absl::Status written =
      FromRocks(db_->Write(write, &batch), "deleting a partition");
  record_cache_.EndWrite(keys);
  RETURN_IF_ERROR(written);
  for (uint32_t p : partitions) last_sequence_[p] = 0;
  {
    absl::MutexLock generation(&generation_mu_);
    for (uint32_t p : partitions) published_sequence_[p] = 0;
    ++generation_;
  }
  generation_cv_.SignalAll();
  return absl::OkStatus();
}

}  // namespace homeward::storage
