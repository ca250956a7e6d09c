// Which replica serves which partition, for one case-scoped service. Built
// from GatewayConfig.routes: replicas list the partitions they own, or, when
// none of them lists any, partitions are spread by rendezvous hashing over the
// replica addresses (the same rule every component uses, so the gateway and
// the replicas agree without further configuration).
//
//   ASSIGN_OR_RETURN(RouteTable routes,
//                    RouteTable::Create(config, "assessment"));
//   size_t replica = routes.ReplicaOfCase(case_id);
//   ... routes.address(replica) ...
#ifndef HOMEWARD_SERVICES_GATEWAY_ROUTING_H_
#define HOMEWARD_SERVICES_GATEWAY_ROUTING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::gateway {

// The service every public method is routed to (method_table.h): case
// intake, instruments, assessments, counselling and consent all live in the
// assessment service's replicas.
inline constexpr char kAssessmentService[] = "assessment";

class RouteTable {
 public:
  // Validates the route for `service` in `config` and computes the partition
  // map. partition_count 0 means storage::kDefaultPartitionCount. Errors are
  // INVALID_ARGUMENT with one field violation per problem (field paths such as
  // "routes[0].replicas[1].address"); a partition owned by no replica or by
  // several is named in the violation.
  static absl::StatusOr<RouteTable> Create(
      const homeward::internal::v1::GatewayConfig& config,
      absl::string_view service);

  uint32_t partition_count() const { return partition_count_; }
  size_t replica_count() const { return addresses_.size(); }
  const std::string& address(size_t replica) const {
    return addresses_[replica];
  }
  const std::vector<std::string>& addresses() const { return addresses_; }

  size_t ReplicaOfPartition(uint32_t partition) const {
    return owner_[partition];
  }
  size_t ReplicaOfCase(absl::string_view case_id) const;
  // Partitions owned by `replica`, ascending.
  std::vector<uint32_t> PartitionsOf(size_t replica) const;

  // Short digest of the replica list and partition map: list page tokens carry
  // it so that a token minted under another topology is refused rather than
  // silently resuming at the wrong replica.
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  uint32_t partition_count_ = 0;
  std::vector<std::string> addresses_;
  std::vector<size_t> owner_;  // partition -> replica index
  std::string fingerprint_;
};

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_ROUTING_H_
