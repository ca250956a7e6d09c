#include "tools/ctl/partitions_command.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/routing/route_table.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "homeward/internal/v1/operations.grpc.pb.h"
#include "tools/ctl/usage_error.h"

namespace homeward::ctl {
namespace {

using homeward::internal::v1::GetPartitionStateRequest;
using homeward::internal::v1::PartitionMoveService;
using homeward::internal::v1::PartitionState;

constexpr absl::Duration kStateDeadline = absl::Seconds(10);

std::vector<uint32_t> Expand(const google::protobuf::RepeatedPtrField<
                             homeward::internal::v1::PartitionRange>& ranges) {
  std::vector<uint32_t> partitions;
  for (const auto& range : ranges) {
    for (uint32_t p = range.first(); p <= range.last(); ++p) {
      partitions.push_back(p);
    }
  }
  std::sort(partitions.begin(), partitions.end());
  return partitions;
}

}  // namespace

std::string FormatRanges(const std::vector<uint32_t>& partitions) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < partitions.size();) {
    size_t j = i;
    while (j + 1 < partitions.size() &&
           partitions[j + 1] == partitions[j] + 1) {
      ++j;
    }
    parts.push_back(i == j ? absl::StrCat(partitions[i])
                           : absl::StrCat(partitions[i], "-", partitions[j]));
    i = j + 1;
  }
  return absl::StrJoin(parts, ",");
}

absl::Status RunPartitionsCommand(CtlContext& ctl,
                                  const std::vector<std::string>& args) {
  bool live = false;
  for (const std::string& arg : args) {
    if (arg == "--live") {
      live = true;
    } else {
      return UsageError(arg, "partitions takes only --live");
    }
  }
  if (ctl.routes().routes().empty()) {
    return UsageError("--gateway_config",
                      "partitions needs the routes: --gateway_config or "
                      "--routes_file");
  }
  Table table;
  table.columns = {"service", "replica", "count", "partitions"};
  if (live) {
    table.columns.insert(table.columns.end(),
                         {"live_owned", "live_fenced", "agrees"});
  }
  uint64_t total = 0;
  for (const auto& route : ctl.routes().routes()) {
    total += route.replicas_size();
  }
  auto progress =
      ctl.StartProgress(live ? "asking replicas" : "mapping", total);
  for (const auto& route : ctl.routes().routes()) {
    ASSIGN_OR_RETURN(
        routing::RouteTable routes,
        routing::RouteTable::Create(ctl.routes().routes(),
                                    ctl.partition_count(), route.service()));
    for (size_t r = 0; r < routes.replica_count(); ++r) {
      const std::vector<uint32_t> mapped = routes.PartitionsOf(r);
      std::vector<std::string> row = {route.service(), routes.address(r),
                                      absl::StrCat(mapped.size()),
                                      FormatRanges(mapped)};
      if (live) {
        ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
                         ctl.DialReplica(routes.address(r)));
        grpc::ClientContext context;
        RETURN_IF_ERROR(ctl.PrepareReplicaCall(context, kStateDeadline));
        PartitionState state;
        grpc::Status status =
            PartitionMoveService::NewStub(channel)->GetPartitionState(
                &context, GetPartitionStateRequest(), &state);
        if (status.ok()) {
          const std::vector<uint32_t> owned = Expand(state.owned());
          std::vector<uint32_t> fenced(state.fenced().begin(),
                                       state.fenced().end());
          std::sort(fenced.begin(), fenced.end());
          row.push_back(FormatRanges(owned));
          row.push_back(FormatRanges(fenced));
          row.push_back(owned == mapped ? "yes" : "NO");
        } else {
          absl::Status error = FromGrpcStatus(status);
          row.push_back(absl::StrCat(
              "unavailable (", absl::StatusCodeToString(error.code()), ")"));
          row.push_back("");
          row.push_back("unknown");
        }
      }
      table.rows.push_back(std::move(row));
      progress->Advance(1);
    }
  }
  progress->Finish();
  ctl.Print(table);
  return absl::OkStatus();
}

}  // namespace homeward::ctl
