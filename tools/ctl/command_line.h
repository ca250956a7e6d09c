// The command line of `homewardctl`: global flags (anywhere before or after
// the command name), the command name, and the command's own arguments
// (everything else, in order, including flags the global set does not know
// once the command is named; "--" ends flag parsing). Parsed by hand rather
// than with absl flags, whose parser exits by itself (code 1) on an unknown
// flag: homewardctl must tell usage errors (exit 2) from failures.
//
//   ASSIGN_OR_RETURN(CommandLine line, ParseCommandLine(argc, argv));
//   ... line.options, line.command, line.args, line.help ...
#ifndef HOMEWARD_TOOLS_CTL_COMMAND_LINE_H_
#define HOMEWARD_TOOLS_CTL_COMMAND_LINE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/ctl/ctl_session.h"

namespace homeward::ctl {

struct CommandLine {
  CtlOptions options;
  std::string command;  // empty: none given
  std::vector<std::string> args;
  bool help = false;  // --help or -h
};

// What `homewardctl --help` says about the global flags.
extern const char kGlobalFlagsUsage[];

// UsageError naming the flag for an unknown flag before the command, a
// flag without its value, a bad --output or --partition_count.
absl::StatusOr<CommandLine> ParseCommandLine(
    const std::vector<std::string>& argv);

}  // namespace homeward::ctl

#endif  // HOMEWARD_TOOLS_CTL_COMMAND_LINE_H_
