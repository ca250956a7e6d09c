// Moving case partitions of one service from the replicas that own them to
// another replica without losing a write (docs/OPERATIONS.md):
// fence on the source (writes refused UNAVAILABLE, clients retry), copy the
// key ranges (ExportPartitions piped into ImportPartitions), adopt on the
// target, rewrite the route map file with generation + 1 (the gateway and
// the feed followers switch to it), wait until the switch is in force,
// release on the source. A failure before the route map is rewritten
// undoes what was done (the target forgets what it imported, the source is
// unfenced and keeps owning everything), so a move can simply be run again;
// a failure after it leaves the new routes in force and a re-run finishes
// the release. Also the planning of a resize (N to M replicas): which
// partitions move where, moving the fewest.
//
//   ASSIGN_OR_RETURN(std::vector<uint32_t> partitions,
//                    ParsePartitionList("3,7-9", 64));
//   MoveRequest request{"assessment", partitions, "10.0.0.7:9001"};
//   ASSIGN_OR_RETURN(MoveReport report, MovePartitions(ctl, request));
//   ASSIGN_OR_RETURN(std::vector<PlannedMove> plan,
//                    PlanResize(table, {"a:1", "b:1", "c:1"}));
#ifndef HOMEWARD_TOOLS_CTL_PARTITION_MOVE_H_
#define HOMEWARD_TOOLS_CTL_PARTITION_MOVE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/routing/route_map_file.h"
#include "common/routing/route_table.h"
#include "homeward/internal/v1/config.pb.h"
#include "tools/ctl/ctl_context.h"

namespace homeward::ctl {

// "3,7-9" -> {3, 7, 8, 9}: sorted, each once, every one < count.
// INVALID_ARGUMENT on "--partitions" otherwise.
absl::StatusOr<std::vector<uint32_t>> ParsePartitionList(absl::string_view text,
                                                         uint32_t count);

struct MoveRequest {
  std::string service;               // e.g. "assessment"
  std::vector<uint32_t> partitions;  // ParsePartitionList
  std::string target;                // the new owner's internal address
  bool dry_run = false;
  // How long to wait after rewriting the route map before releasing on the
  // source: every process watching the file must have switched by then.
  // At least twice the watch interval (routing::kRouteMapCheckInterval);
  // with a Kubernetes ConfigMap, the kubelet's sync period (about a minute)
  // comes on top.
  absl::Duration switch_wait = 3 * routing::kRouteMapCheckInterval;
};

// The route map after `request`: the partitions belong to the target (added
// as a replica of the service when it is not one), every replica of the
// service lists what it owns explicitly, generation + 1; other services'
// routes unchanged. INVALID_ARGUMENT when the service has no route, a
// partition already belongs to the target, or the result does not route.
absl::StatusOr<homeward::internal::v1::RouteMap> MovedRouteMap(
    const homeward::internal::v1::RouteMap& map, uint32_t partition_count,
    const MoveRequest& request);

// One source replica of a move and the partitions it hands over.
struct MoveSource {
  std::string address;
  std::vector<uint32_t> partitions;
};
// The current owners of `request.partitions`, in replica order.
absl::StatusOr<std::vector<MoveSource>> SourcesOf(
    const homeward::internal::v1::RouteMap& map, uint32_t partition_count,
    const MoveRequest& request);

// What a move did, step by step, for the summary table.
struct MoveStep {
  std::string step;     // "fence", "copy", "adopt", "switch", "release"...
  std::string replica;  // address, or the route map file for "switch"
  std::string detail;   // partitions, keys copied, generation...
  std::string outcome;  // "done", "skipped", "undone", "failed: ..."
};
struct MoveReport {
  std::vector<MoveStep> steps;
  uint64_t keys_copied = 0;
  uint64_t generation = 0;  // of the route map written (0: none)
};

// Runs the move through `ctl` (its routes, route map file and replica
// channels). On an error the report so far is in `report` (not null).
absl::Status MovePartitions(CtlContext& ctl, const MoveRequest& request,
                            MoveReport* report);

// One partition of a resize plan.
struct PlannedMove {
  uint32_t partition;
  std::string from;
  std::string to;
};
// From the service's current table to `addresses` (the replicas after the
// resize: kept ones at their addresses, new ones added, missing ones
// removed): each replica ends with partition_count / M partitions (the
// first partition_count % M of them, in order of how many they keep, one
// more); a partition stays where it is unless its replica is removed or
// over its share, so the fewest move. Sorted by partition.
absl::StatusOr<std::vector<PlannedMove>> PlanResize(
    const routing::RouteTable& table,
    const std::vector<std::string>& addresses);

}  // namespace homeward::ctl

#endif  // HOMEWARD_TOOLS_CTL_PARTITION_MOVE_H_
