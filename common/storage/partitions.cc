// Partition hashing and ownership; see partitions.h.
#include "common/storage/partitions.h"

#include "absl/strings/str_cat.h"
#include "common/auth/crypto.h"
#include "common/status/errors.h"

namespace homeward::storage {
namespace {

uint64_t Fnv1a64(absl::string_view data,
                 uint64_t seed = 0xcbf29ce484222325ULL) {
  uint64_t h = seed;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Final avalanche step (from SplitMix64) so that keys differing in one
// character spread over the whole 64-bit range.
uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

uint32_t PartitionOf(absl::string_view case_id, uint32_t partition_count) {
  return static_cast<uint32_t>(Fnv1a64(case_id) % partition_count);
}

PartitionSet::State::State(uint32_t n)
    : count(n), member(new std::atomic<bool>[n == 0 ? 1 : n]) {
  for (uint32_t p = 0; p < n; ++p) member[p].store(false);
}

PartitionSet::PartitionSet() : PartitionSet(0) {}

PartitionSet::PartitionSet(uint32_t count)
    : state_(std::make_shared<State>(count)) {}

PartitionSet PartitionSet::All(uint32_t count) {
  PartitionSet set(count);
  for (uint32_t p = 0; p < count; ++p) set.state_->member[p].store(true);
  return set;
}

PartitionSet PartitionSet::None(uint32_t count) { return PartitionSet(count); }

PartitionSet PartitionSet::Of(uint32_t count,
                              const std::vector<uint32_t>& partitions) {
  PartitionSet set(count);
  set.Add(partitions);
  return set;
}

absl::StatusOr<PartitionSet> PartitionSet::FromRanges(
    const google::protobuf::RepeatedPtrField<
        homeward::internal::v1::PartitionRange>& ranges,
    uint32_t count, absl::string_view field) {
  if (count == 0)
    return errors::InvalidField("partition_count", "must be at least 1");
  if (ranges.empty()) return All(count);
  PartitionSet set(count);
  errors::FieldViolations bad;
  for (int i = 0; i < ranges.size(); ++i) {
    const auto& r = ranges[i];
    if (r.first() > r.last() || r.last() >= count) {
      bad.Add(absl::StrCat(field, "[", i, "]"),
              absl::StrCat("range ", r.first(), "..", r.last(),
                           " must satisfy first <= last < partition_count (",
                           count, ")"));
      continue;
    }
    for (uint32_t p = r.first(); p <= r.last(); ++p) {
      set.state_->member[p].store(true);
    }
  }
  if (!bad.empty()) return bad.ToStatus();
  return set;
}

bool PartitionSet::Contains(uint32_t partition) const {
  return partition < state_->count &&
         state_->member[partition].load(std::memory_order_acquire);
}

std::vector<uint32_t> PartitionSet::partitions() const {
  std::vector<uint32_t> out;
  absl::MutexLock lock(&state_->mu);
  for (uint32_t p = 0; p < state_->count; ++p) {
    if (state_->member[p].load(std::memory_order_relaxed)) out.push_back(p);
  }
  return out;
}

void PartitionSet::Add(const std::vector<uint32_t>& partitions) {
  absl::MutexLock lock(&state_->mu);
  for (uint32_t p : partitions) {
    if (p < state_->count) state_->member[p].store(true);
  }
}

void PartitionSet::Remove(const std::vector<uint32_t>& partitions) {
  absl::MutexLock lock(&state_->mu);
  for (uint32_t p : partitions) {
    if (p < state_->count) state_->member[p].store(false);
  }
}

google::protobuf::RepeatedPtrField<homeward::internal::v1::PartitionRange>
PartitionSet::ToRanges(const std::vector<uint32_t>& partitions) {
  google::protobuf::RepeatedPtrField<homeward::internal::v1::PartitionRange>
      ranges;
  for (uint32_t p : partitions) {
    if (!ranges.empty() && ranges[ranges.size() - 1].last() + 1 == p) {
      ranges[ranges.size() - 1].set_last(p);
      continue;
    }
    auto* range = ranges.Add();
    range->set_first(p);
    range->set_last(p);
  }
  return ranges;
}

size_t RendezvousOwner(uint32_t partition,
                       const std::vector<std::string>& replicas) {
  size_t best = 0;
  uint64_t best_weight = 0;
  for (size_t i = 0; i < replicas.size(); ++i) {
    uint64_t w = Mix64(Fnv1a64(absl::StrCat(partition, "@", replicas[i])));
    if (i == 0 || w > best_weight) {
      best = i;
      best_weight = w;
    }
  }
  return best;
}

}  // namespace homeward::storage
