// Partitioning of case-scoped data: every case-scoped record lives in
// partition hash(case_id) mod P, and each replica owns a set of partitions.
//
//   uint32_t p = PartitionOf(case_id, 64);
//   ASSIGN_OR_RETURN(PartitionSet owned,
//                    PartitionSet::FromRanges(cfg.owned_partitions(), 64));
//   if (!owned.Contains(p)) ...
#ifndef HOMEWARD_COMMON_STORAGE_PARTITIONS_H_
#define HOMEWARD_COMMON_STORAGE_PARTITIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
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

// A sorted set of partitions out of 0..count-1.
class PartitionSet {
 public:
  static PartitionSet All(uint32_t count);
  // Empty `ranges` means all partitions. Refuses ranges outside 0..count-1
  // or with first > last, naming `field` in the error.
  static absl::StatusOr<PartitionSet> FromRanges(
      const google::protobuf::RepeatedPtrField<
          homeward::internal::v1::PartitionRange>& ranges,
      uint32_t count, absl::string_view field = "owned_partitions");
  bool Contains(uint32_t partition) const;
  const std::vector<uint32_t>& partitions() const { return partitions_; }
  uint32_t count() const { return count_; }

 private:
  uint32_t count_ = 0;
  std::vector<uint32_t> partitions_;
  std::vector<bool> member_;
};

// Rendezvous (highest random weight) hashing: the index into `replicas` that
// owns `partition`. Adding or removing a replica moves only the partitions it
// gains or loses.
size_t RendezvousOwner(uint32_t partition,
                       const std::vector<std::string>& replicas);

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_PARTITIONS_H_
