// homewardctl: the command line for operators and integrators of a Homeward
// deployment (docs/OPERATIONS.md). Parses the global flags into
// a CtlSession and runs the command named on the command line from the
// table below; every command lives in its own file.
//
// Exit codes: 0 done; 1 the command failed (the gRPC code and message are
// printed on stderr); 2 the command line is wrong (usage errors).
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "tools/ctl/audit_command.h"
#include "tools/ctl/backup_command.h"
#include "tools/ctl/case_command.h"
#include "tools/ctl/command_line.h"
#include "tools/ctl/ctl_session.h"
#include "tools/ctl/health_command.h"
#include "tools/ctl/move_command.h"
#include "tools/ctl/partitions_command.h"
#include "tools/ctl/publish_command.h"
#include "tools/ctl/usage_error.h"

namespace homeward::ctl {
namespace {

constexpr char kUsage[] =
    "Usage: homewardctl [global flags] COMMAND [arguments]\n\n"
    "Operates a Homeward deployment over gRPC: the gateway's public face\n"
    "with an API key or bearer token, the replicas' internal listeners with\n"
    "mutual TLS and a principal signed with the deployment secret.\n\n";

struct Command {
  std::string name;
  std::string summary;
  // Empty: the command prints its own usage when given --help.
  std::string usage;
  std::function<absl::Status(CtlSession&, const std::vector<std::string>&)> run;
};

std::vector<Command> Commands() {
  std::vector<Command> commands = {
      {"health", "gRPC health of the gateway and every replica", kHealthUsage,
       [](CtlSession& ctl, const std::vector<std::string>& args) {
         return RunHealthCommand(ctl, ctl.gateway_address(), args);
       }},
      {"partitions", "the partition map per service (--live: as replicas say)",
       kPartitionsUsage, RunPartitionsCommand},
      {"audit", "audit verify: every replica's audit hash chain", kAuditUsage,
       RunAuditCommand},
      {"publish", "publish instrument|grid FILE...: programme configuration",
       kPublishUsage, RunPublishCommand},
      {"case", "case overview CASE_ID: a case's overview", kCaseUsage,
       RunCaseCommand},
  };
  commands.push_back({"backup", "backups of the replicas' stores", "",
                      [](CtlSession& ctl, const std::vector<std::string>& a) {
                        return RunBackupCommand(ctl, a);
                      }});
  commands.push_back({"move", "move partitions between replicas", "",
                      [](CtlSession& ctl, const std::vector<std::string>& a) {
                        return RunMoveCommand(ctl, a);
                      }});
  return commands;
}

std::string GlobalUsage(const std::vector<Command>& commands) {
  std::string usage = kUsage;
  absl::StrAppend(&usage, "Commands:\n");
  for (const Command& command : commands) {
    std::string name = command.name;
    name.resize(std::max<size_t>(name.size() + 2, 12), ' ');
    absl::StrAppend(&usage, "  ", name, command.summary, "\n");
  }
  absl::StrAppend(&usage, "\n", kGlobalFlagsUsage,
                  "\nExit codes: 0 done, 1 the command failed, 2 usage "
                  "error.\n");
  return usage;
}

// "homewardctl: NOT_FOUND: case c-1 not found", then each field violation
// of an INVALID_ARGUMENT on its own line.
void PrintError(const absl::Status& status) {
  std::cerr << "homewardctl: " << absl::StatusCodeToString(status.code())
            << ": " << status.message() << "\n";
  const auto violations = errors::FieldViolationsOf(status);
  if (violations.size() > 1) {
    for (const auto& violation : violations) {
      std::cerr << "  " << violation.field << ": " << violation.description
                << "\n";
    }
  }
}

int Run(int argc, char** argv) {
  const std::vector<Command> commands = Commands();
  absl::StatusOr<CommandLine> line =
      ParseCommandLine(std::vector<std::string>(argv, argv + argc));
  if (!line.ok()) {
    PrintError(line.status());
    std::cerr << "Run 'homewardctl --help' for usage.\n";
    return kUsageExitCode;
  }
  if (line->command.empty()) {
    if (line->help) {
      std::cout << GlobalUsage(commands);
      return 0;
    }
    std::cerr << GlobalUsage(commands);
    return kUsageExitCode;
  }
  const Command* command = nullptr;
  for (const Command& c : commands) {
    if (c.name == line->command) command = &c;
  }
  if (command == nullptr) {
    PrintError(UsageError(line->command, "is not a homewardctl command"));
    std::cerr << "Run 'homewardctl --help' for the commands.\n";
    return kUsageExitCode;
  }
  if (line->help && !command->usage.empty()) {
    std::cout << command->usage << "\n" << kGlobalFlagsUsage;
    return 0;
  }
  if (line->help) line->args.insert(line->args.begin(), "--help");
  absl::StatusOr<std::unique_ptr<CtlSession>> session =
      CtlSession::Create(line->options, std::cout, stderr);
  absl::Status status =
      session.ok() ? command->run(**session, line->args) : session.status();
  if (status.ok()) return 0;
  PrintError(status);
  if (IsUsageError(status)) {
    std::cerr << "Run 'homewardctl " << command->name
              << " --help' for usage.\n";
    return kUsageExitCode;
  }
  return kFailureExitCode;
}

}  // namespace
}  // namespace homeward::ctl

int main(int argc, char** argv) { return homeward::ctl::Run(argc, argv); }
