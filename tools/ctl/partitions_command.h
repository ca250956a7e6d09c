// `homewardctl partitions`: the partition map of every service in the
// routes (which replica owns which partitions, as the gateway computes it:
// listed ranges, or rendezvous hashing when no replica lists any). With
// --live it also asks each replica what it owns and has fenced
// (PartitionMoveService/GetPartitionState, signed with
// --principal_secret_file) and says whether that agrees with the routes; a
// replica that does not answer is shown "unavailable" with the code.
#ifndef HOMEWARD_TOOLS_CTL_PARTITIONS_COMMAND_H_
#define HOMEWARD_TOOLS_CTL_PARTITIONS_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/ctl/ctl_context.h"

namespace homeward::ctl {

inline constexpr char kPartitionsUsage[] =
    "Usage: homewardctl [global flags] partitions [--live]\n\n"
    "The partition map per service from the routes (--gateway_config or\n"
    "--routes_file): replica -> partition ranges. --live also asks each\n"
    "replica (PartitionMoveService/GetPartitionState; needs\n"
    "--principal_secret_file and the replicas' transport) what it owns and\n"
    "has fenced, and whether that agrees with the routes.\n";

// "0-15,32,40-47": ascending partitions as ranges.
std::string FormatRanges(const std::vector<uint32_t>& partitions);

absl::Status RunPartitionsCommand(CtlContext& ctl,
                                  const std::vector<std::string>& args);

}  // namespace homeward::ctl

#endif  // HOMEWARD_TOOLS_CTL_PARTITIONS_COMMAND_H_
