// Which partitions a service replica owns, kept in its own store: the first
// start on an empty data directory records ServiceConfig.owned_partitions
// (empty: all of them; none with start_without_partitions), and every later
// start serves what the store holds, because partition moves
// (partition_move_service.h) change it at run time. A config that says
// otherwise is logged, not obeyed.
//
//   ASSIGN_OR_RETURN(storage::PartitionSet owned,
//                    service::LoadOwnedPartitions(*store, config, 64));
#ifndef HOMEWARD_COMMON_SERVICE_OWNED_PARTITIONS_H_
#define HOMEWARD_COMMON_SERVICE_OWNED_PARTITIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::service {

// The owned set as described above (recorded in `store` when new).
absl::StatusOr<storage::PartitionSet> LoadOwnedPartitions(
    storage::Store& store, const homeward::internal::v1::ServiceConfig& config,
    uint32_t partition_count);

// "0-3,7" for logs and messages.
std::string DescribePartitions(const std::vector<uint32_t>& partitions);

}  // namespace homeward::service

#endif  // HOMEWARD_COMMON_SERVICE_OWNED_PARTITIONS_H_
