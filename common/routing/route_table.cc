// Partition map for a routed service; see route_table.h.
#include "common/routing/route_table.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/auth/crypto.h"
#include "common/status/errors.h"
#include "common/storage/partitions.h"

namespace homeward::routing {
namespace {

// The largest partition count we accept: P is a key prefix and a loop bound in
// several places; anything near this is a typo, not a deployment.
constexpr uint32_t kMaxPartitionCount = 1 << 16;

// "partition 3 is" or "partitions 3, 7..12, 40 are" for a sorted list, so
// that an error about many partitions stays readable.
std::string DescribePartitions(const std::vector<uint32_t>& sorted) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    parts.push_back(j == i ? absl::StrCat(sorted[i])
                           : absl::StrCat(sorted[i], "..", sorted[j]));
    i = j + 1;
  }
  return absl::StrCat(sorted.size() == 1 ? "partition " : "partitions ",
                      absl::StrJoin(parts, ", "),
                      sorted.size() == 1 ? " is" : " are");
}

}  // namespace

absl::StatusOr<RouteTable> RouteTable::Create(
    const google::protobuf::RepeatedPtrField<
        homeward::internal::v1::ServiceRoute>& routes,
    uint32_t partition_count, absl::string_view service) {
  errors::FieldViolations bad;
  RouteTable table;
  table.service_ = std::string(service);
  table.partition_count_ =
      partition_count == 0 ? storage::kDefaultPartitionCount : partition_count;
  if (table.partition_count_ > kMaxPartitionCount) {
    bad.Add("partition_count",
            absl::StrCat("must be at most ", kMaxPartitionCount));
    return bad.ToStatus();
  }

  int route_index = -1;
  for (int i = 0; i < routes.size(); ++i) {
    if (routes[i].service() != service) continue;
    if (route_index >= 0) {
      bad.Add(absl::StrCat("routes[", i, "].service"),
              absl::StrCat("'", service, "' is already routed by routes[",
                           route_index, "]"));
    } else {
      route_index = i;
    }
  }
  if (route_index < 0) {
    bad.Add("routes",
            absl::StrCat("must include a route for service '", service, "'"));
    return bad.ToStatus();
  }

  const homeward::internal::v1::ServiceRoute& route = routes[route_index];
  const std::string at = absl::StrCat("routes[", route_index, "]");
  if (route.replicas().empty()) {
    bad.Add(at + ".replicas", "must list at least one replica");
    return bad.ToStatus();
  }
  bool any_lists_partitions = false;
  for (int r = 0; r < route.replicas_size(); ++r) {
    const homeward::internal::v1::ReplicaConfig& replica = route.replicas(r);
    const std::string replica_at = absl::StrCat(at, ".replicas[", r, "]");
    if (replica.address().empty())
      bad.Add(replica_at + ".address", "is required");
    for (int q = 0; q < r; ++q) {
      if (!replica.address().empty() &&
          route.replicas(q).address() == replica.address()) {
        bad.Add(replica_at + ".address",
                absl::StrCat("'", replica.address(), "' is also replicas[", q,
                             "]"));
      }
    }
    if (!replica.partitions().empty()) any_lists_partitions = true;
    table.addresses_.push_back(replica.address());
  }

  const uint32_t count = table.partition_count_;
  constexpr size_t kUnowned = static_cast<size_t>(-1);
  table.owner_.assign(count, kUnowned);
  if (!any_lists_partitions) {
    for (uint32_t p = 0; p < count; ++p) {
      table.owner_[p] = storage::RendezvousOwner(p, table.addresses_);
    }
  } else {
    // Explicit map: every partition must have exactly one owner. A replica
    // that lists nothing owns nothing here (FromRanges would read an empty
    // list as "all").
    std::vector<uint32_t> doubly_owned;
    bool ranges_ok = true;
    for (int r = 0; r < route.replicas_size(); ++r) {
      const auto& ranges = route.replicas(r).partitions();
      if (ranges.empty()) continue;
      absl::StatusOr<storage::PartitionSet> set =
          storage::PartitionSet::FromRanges(
              ranges, count, absl::StrCat(at, ".replicas[", r, "].partitions"));
      if (!set.ok()) {
        ranges_ok = false;
        for (const auto& v : errors::FieldViolationsOf(set.status())) {
          bad.Add(v.field, v.description);
        }
        continue;
      }
      for (uint32_t p : set->partitions()) {
        if (table.owner_[p] == kUnowned) {
          table.owner_[p] = r;
        } else {
          doubly_owned.push_back(p);
        }
      }
    }
    if (!doubly_owned.empty()) {
      bad.Add(at + ".replicas",
              absl::StrCat(DescribePartitions(doubly_owned),
                           " listed by more than one replica; each partition "
                           "must have exactly one owner"));
    }
    std::vector<uint32_t> unowned;
    for (uint32_t p = 0; p < count; ++p) {
      if (table.owner_[p] == kUnowned) unowned.push_back(p);
    }
    // Only meaningful when the ranges themselves parsed.
    if (!unowned.empty() && ranges_ok) {
      bad.Add(at + ".replicas",
              absl::StrCat(DescribePartitions(unowned),
                           " owned by no replica (partition_count is ", count,
                           ")"));
    }
  }
  if (!bad.empty()) return bad.ToStatus();

  std::string digest_input = absl::StrCat(count, "|");
  for (uint32_t p = 0; p < count; ++p) {
    absl::StrAppend(&digest_input, table.addresses_[table.owner_[p]], ",");
  }
  absl::StrAppend(&digest_input, "|", absl::StrJoin(table.addresses_, ","));
  table.fingerprint_ = crypto::Sha256Hex(digest_input).substr(0, 8);
  return table;
}

size_t RouteTable::ReplicaOfCase(absl::string_view case_id) const {
  return owner_[storage::PartitionOf(case_id, partition_count_)];
}

std::vector<uint32_t> RouteTable::PartitionsOf(size_t replica) const {
  std::vector<uint32_t> out;
  for (uint32_t p = 0; p < partition_count_; ++p) {
    if (owner_[p] == replica) out.push_back(p);
  }
  return out;
}

}  // namespace homeward::routing
