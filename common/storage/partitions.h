// Partitioning of case-scoped data: every case-scoped record lives in
// partition hash(case_id) mod P, and each replica owns a set of partitions.
//
// A PartitionSet is a handle: copies share one set. The replica's owned set
// changes at run time when partitions move between replicas (Add, Remove:
// common/service/partition_move_service.h), and every part that holds a copy
// (handlers' PARTITION_NOT_OWNED check, lists, the event feed, followers)
// sees the change at once. Contains() and partitions() are safe to call
// from any thread while it changes; partitions() returns a snapshot.
//
//   uint32_t p = PartitionOf(case_id, 64);
//   ASSIGN_OR_RETURN(PartitionSet owned,
//                    PartitionSet::FromRanges(cfg.owned_partitions(), 64));
//   if (!owned.Contains(p)) ...
//   owned.Add({5, 6});  // adopted partitions
//   for (uint32_t q : owned.partitions()) ...
#ifndef HOMEWARD_COMMON_STORAGE_PARTITIONS_H_
#define HOMEWARD_COMMON_STORAGE_PARTITIONS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/repeated_field.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::storage {

inline constexpr uint32_t kDefaultPartitionCount = 64;
// The partition that holds data of no case (programme configuration such as
// instruments, and the deployment's fixed settings); outside every case
// partition 0..P-1.
inline constexpr uint32_t kConfigurationPartition = 0xFFFFFFFFu;

// Stable across processes, builds and versions (FNV-1a 64-bit), because it
// decides where data lives on disk.
uint32_t PartitionOf(absl::string_view case_id, uint32_t partition_count);

// A sorted set of partitions out of 0..count-1 (a shared handle, see above).
class PartitionSet {
 public:
  PartitionSet();  // no partition out of 0
  static PartitionSet All(uint32_t count);
  static PartitionSet None(uint32_t count);
  // The partitions in `partitions` (those >= count are left out).
  static PartitionSet Of(uint32_t count,
                         const std::vector<uint32_t>& partitions);
  // Empty `ranges` means all partitions. Refuses ranges outside 0..count-1
  // or with first > last, naming `field` in the error.
  static absl::StatusOr<PartitionSet> FromRanges(
      const google::protobuf::RepeatedPtrField<
          homeward::internal::v1::PartitionRange>& ranges,
      uint32_t count, absl::string_view field = "owned_partitions");
  bool Contains(uint32_t partition) const;
  // A snapshot, ascending.
  std::vector<uint32_t> partitions() const;
  bool empty() const { return partitions().empty(); }
  uint32_t count() const { return state_->count; }

  // Changes the set every copy shares (partitions >= count are ignored).
  void Add(const std::vector<uint32_t>& partitions);
  void Remove(const std::vector<uint32_t>& partitions);

  // `partitions` as ranges of consecutive partitions.
  static google::protobuf::RepeatedPtrField<
      homeward::internal::v1::PartitionRange>
  ToRanges(const std::vector<uint32_t>& partitions);

 private:
  struct State {
    explicit State(uint32_t n);
    const uint32_t count;
    // Read without the lock by Contains; changed under `mu`.
    std::unique_ptr<std::atomic<bool>[]> member;
    mutable absl::Mutex mu;
  };
  explicit PartitionSet(uint32_t count);
  std::shared_ptr<State> state_;
};

// Rendezvous (highest random weight) hashing: the index into `replicas` that
// owns `partition`. Adding or removing a replica moves only the partitions it
// gains or loses.
size_t RendezvousOwner(uint32_t partition,
                       const std::vector<std::string>& replicas);

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_PARTITIONS_H_
