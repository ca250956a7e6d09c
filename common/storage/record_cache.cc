// The record cache; see record_cache.h for how it stays coherent with writes.
#include "common/storage/record_cache.h"

#include <utility>

#include "absl/hash/hash.h"

namespace homeward::storage {

RecordCache::RecordCache(size_t capacity_bytes, int shards)
    : shards_(shards), shard_capacity_(capacity_bytes / shards) {}

RecordCache::Shard& RecordCache::ShardOf(absl::string_view key) {
  return shards_[absl::Hash<absl::string_view>()(key) % shards_.size()];
}

size_t RecordCache::Charge(absl::string_view key, absl::string_view bytes) {
  return key.size() + bytes.size() + kEntryOverhead;
}

void RecordCache::Erase(Shard& shard, absl::string_view key) {
  auto it = shard.index.find(key);
  if (it == shard.index.end()) return;
  auto node = it->second;
  shard.index.erase(it);
  shard.bytes -= Charge(node->key, *node->bytes);
  shard.order.erase(node);
}

RecordCache::Bytes RecordCache::Find(absl::string_view key) {
  if (shard_capacity_ == 0) return nullptr;
  Shard& shard = ShardOf(key);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.index.find(key);
  if (it == shard.index.end()) return nullptr;
  shard.order.splice(shard.order.begin(), shard.order, it->second);
  return it->second->bytes;
}

RecordCache::Ticket RecordCache::FillTicket(absl::string_view key) {
  if (shard_capacity_ == 0) return {};
  Shard& shard = ShardOf(key);
  absl::MutexLock lock(&shard.mu);
  return {shard.epoch, shard.writes_in_flight == 0};
}

void RecordCache::Fill(absl::string_view key, const Ticket& ticket,
                       absl::string_view bytes) {
  if (!ticket.fillable) return;
  const size_t charge = Charge(key, bytes);
  if (charge > shard_capacity_) return;
  Shard& shard = ShardOf(key);
  absl::MutexLock lock(&shard.mu);
  // A write began after the ticket: the bytes may predate it.
  if (shard.writes_in_flight > 0 || shard.epoch != ticket.epoch) return;
  // Copied only once they are known to be kept.
  Entry entry{std::string(key), std::make_shared<const std::string>(bytes)};
  // Another reader may have filled it meanwhile; keep one copy.
  Erase(shard, key);
  while (shard.bytes + charge > shard_capacity_) {
    Erase(shard, shard.order.back().key);
  }
  shard.order.push_front(std::move(entry));
  shard.index.emplace(shard.order.front().key, shard.order.begin());
  shard.bytes += charge;
}

void RecordCache::BeginWrite(const std::vector<absl::string_view>& keys) {
  if (shard_capacity_ == 0) return;
  for (absl::string_view key : keys) {
    Shard& shard = ShardOf(key);
    absl::MutexLock lock(&shard.mu);
    Erase(shard, key);
    ++shard.writes_in_flight;
    ++shard.epoch;
  }
}

void RecordCache::EndWrite(const std::vector<absl::string_view>& keys) {
  if (shard_capacity_ == 0) return;
  for (absl::string_view key : keys) {
    Shard& shard = ShardOf(key);
    absl::MutexLock lock(&shard.mu);
    --shard.writes_in_flight;
    ++shard.epoch;
  }
}

size_t RecordCache::size_bytes() {
  size_t total = 0;
  for (Shard& shard : shards_) {
    absl::MutexLock lock(&shard.mu);
    total += shard.bytes;
  }
  return total;
}

size_t RecordCache::entry_count() {
  size_t total = 0;
  for (Shard& shard : shards_) {
    absl::MutexLock lock(&shard.mu);
    total += shard.index.size();
  }
  return total;
}

}  // namespace homeward::storage
