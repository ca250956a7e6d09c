// `homewardctl move`: moves case partitions of one service to another
// replica without losing a write, or plans a resize (tools/ctl/
// partition_move.h does the work; docs/OPERATIONS.md is the
// operator's procedure).
//
//   homewardctl --routes_file routes.textproto move --service assessment
//       --partitions 3,7-9 --to 10.0.0.7:9001 [--dry_run] [--switch_wait 5s]
//   homewardctl --routes_file routes.textproto move plan --service assessment
//       --replicas 10.0.0.5:9001,10.0.0.6:9001,10.0.0.7:9001
//
//   RETURN_IF_ERROR(RunMoveCommand(ctl, {"plan", "--service", "assessment",
//                                        "--replicas", "a:1,b:1,c:1"}));
#ifndef HOMEWARD_TOOLS_CTL_MOVE_COMMAND_H_
#define HOMEWARD_TOOLS_CTL_MOVE_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/ctl/ctl_context.h"

namespace homeward::ctl {

// What `homewardctl move --help` prints.
extern const char kMoveUsage[];

// Prints a summary table (step, replica, detail, outcome) of the move, or
// the plan (partition, from, to), with ctl.Print. INVALID_ARGUMENT naming
// the flag for a bad command line; the move's own error otherwise (after
// printing the steps taken and undone).
absl::Status RunMoveCommand(CtlContext& ctl,
                            const std::vector<std::string>& args);

}  // namespace homeward::ctl

#endif  // HOMEWARD_TOOLS_CTL_MOVE_COMMAND_H_
