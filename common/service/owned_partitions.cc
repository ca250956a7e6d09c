// Owned partitions kept in the store; see owned_partitions.h.
#include "common/service/owned_partitions.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/server/log.h"
#include "common/status/status_macros.h"

namespace homeward::service {

std::string DescribePartitions(const std::vector<uint32_t>& partitions) {
  if (partitions.empty()) return "none";
  std::vector<std::string> parts;
  for (const auto& range : storage::PartitionSet::ToRanges(partitions)) {
    parts.push_back(range.first() == range.last()
                        ? absl::StrCat(range.first())
                        : absl::StrCat(range.first(), "-", range.last()));
  }
  return absl::StrJoin(parts, ",");
}

absl::StatusOr<storage::PartitionSet> LoadOwnedPartitions(
    storage::Store& store, const homeward::internal::v1::ServiceConfig& config,
    uint32_t partition_count) {
  storage::PartitionSet configured =
      storage::PartitionSet::None(partition_count);
  if (!config.start_without_partitions()) {
    ASSIGN_OR_RETURN(
        configured, storage::PartitionSet::FromRanges(config.owned_partitions(),
                                                      partition_count));
  }
  ASSIGN_OR_RETURN(std::optional<std::vector<uint32_t>> stored,
                   store.ReadOwnedPartitions());
  if (!stored.has_value()) {
    RETURN_IF_ERROR(store.WriteOwnedPartitions(configured.partitions()));
    server::Log("info", "owned partitions recorded in the data directory",
                {{"data_dir", config.data_dir()},
                 {"owned", DescribePartitions(configured.partitions())}});
    return configured;
  }
  storage::PartitionSet owned =
      storage::PartitionSet::Of(partition_count, *stored);
  if (owned.partitions() != configured.partitions()) {
    server::Log("warn",
                "owned partitions differ from the config; serving those the "
                "data directory holds (partition moves change them)",
                {{"data_dir", config.data_dir()},
                 {"owned", DescribePartitions(owned.partitions())},
                 {"configured", DescribePartitions(configured.partitions())}});
  }
  return owned;
}

}  // namespace homeward::service
