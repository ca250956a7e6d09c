// Which replica serves which partition, for one case-scoped service: used by
// the gateway, by feed followers (which producer replica to subscribe to) and
// by service-to-service clients. Built from a list of ServiceRoutes (the
// gateway's and a consumer's config both carry one): replicas list the
// partitions they own, or, when none of them lists any, partitions are spread
// by rendezvous hashing over the replica addresses (the same rule every
// component uses, so the gateway and the replicas agree without further
// configuration).
//
//   ASSIGN_OR_RETURN(RouteTable routes,
//                    RouteTable::Create(config.routes(),
//                                       config.partition_count(),
//                                       "assessment"));
//   size_t replica = routes.ReplicaOfCase(case_id);
//   ... routes.address(replica) ...
#ifndef HOMEWARD_COMMON_ROUTING_ROUTE_TABLE_H_
#define HOMEWARD_COMMON_ROUTING_ROUTE_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::routing {

class RouteTable {
 public:
  // Validates the route for `service` in `routes` (routes of other services
  // are ignored) and computes the partition map. partition_count 0 means
  // storage::kDefaultPartitionCount. Errors are
  // INVALID_ARGUMENT with one field violation per problem (field paths such as
  // "routes[0].replicas[1].address"); a partition owned by no replica or by
  // several is named in the violation.
  static absl::StatusOr<RouteTable> Create(
      const google::protobuf::RepeatedPtrField<
          homeward::internal::v1::ServiceRoute>& routes,
      uint32_t partition_count, absl::string_view service);

  // The service this table routes to, e.g. "assessment".
  const std::string& service() const { return service_; }
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
  std::string service_;
  uint32_t partition_count_ = 0;
  std::vector<std::string> addresses_;
  std::vector<size_t> owner_;  // partition -> replica index
  std::string fingerprint_;
};

}  // namespace homeward::routing

#endif  // HOMEWARD_COMMON_ROUTING_ROUTE_TABLE_H_
