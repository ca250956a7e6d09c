// `homewardctl move`; see move_command.h.
#include "tools/ctl/move_command.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/routing/route_table.h"
#include "common/status/errors.h"
#include "tools/ctl/partition_move.h"

namespace homeward::ctl {
namespace {

// --name value or --name=value; flags without a value are listed in
// `switches`.
absl::StatusOr<std::map<std::string, std::string>> ParseFlags(
    const std::vector<std::string>& args, size_t from,
    const std::vector<std::string>& with_value,
    const std::vector<std::string>& switches) {
  std::map<std::string, std::string> flags;
  for (size_t i = from; i < args.size(); ++i) {
    std::string name = args[i], value;
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const bool takes_value = std::find(with_value.begin(), with_value.end(),
                                       name) != with_value.end();
    const bool is_switch =
        std::find(switches.begin(), switches.end(), name) != switches.end();
    if (!takes_value && !is_switch) {
      return errors::InvalidField(
          name, absl::StrCat("is not a flag of this command (",
                             absl::StrJoin(with_value, ", "),
                             switches.empty() ? "" : ", ",
                             absl::StrJoin(switches, ", "), ")"));
    }
    if (takes_value && eq == std::string::npos) {
      if (i + 1 >= args.size()) {
        return errors::InvalidField(name, "needs a value");
      }
      value = args[++i];
    }
    if (is_switch && eq == std::string::npos) value = "true";
    flags[name] = value;
  }
  return flags;
}

absl::Status RunPlan(CtlContext& ctl, const std::vector<std::string>& args) {
  absl::StatusOr<std::map<std::string, std::string>> flags =
      ParseFlags(args, 1, {"--service", "--replicas"}, {});
  if (!flags.ok()) return flags.status();
  const std::string service =
      flags->count("--service") ? (*flags)["--service"] : "assessment";
  if (!flags->count("--replicas")) {
    return errors::InvalidField(
        "--replicas",
        "is required: the replicas' addresses after the resize, comma "
        "separated (the kept ones as they are, new ones added)");
  }
  std::vector<std::string> addresses =
      absl::StrSplit((*flags)["--replicas"], ',', absl::SkipEmpty());
  absl::StatusOr<routing::RouteTable> table = routing::RouteTable::Create(
      ctl.routes().routes(), ctl.partition_count(), service);
  if (!table.ok()) return table.status();
  absl::StatusOr<std::vector<PlannedMove>> plan = PlanResize(*table, addresses);
  if (!plan.ok()) return plan.status();
  Table out{{"partition", "from", "to"}, {}};
  for (const PlannedMove& move : *plan) {
    out.rows.push_back({absl::StrCat(move.partition), move.from, move.to});
  }
  ctl.Print(out);
  return absl::OkStatus();
}

}  // namespace

const char kMoveUsage[] =
    "move --service S --partitions 3,7-9 --to ADDRESS [--dry_run] "
    "[--switch_wait 5s]\n"
    "  Moves the partitions to the replica at ADDRESS: fence on the owner, "
    "copy, adopt, rewrite the route map file (--routes_file), wait, "
    "release. Safe to run again after a failure.\n"
    "move plan --service S --replicas ADDRESS,ADDRESS,...\n"
    "  Which partitions move where to spread them over these replicas, "
    "moving the fewest.\n";

absl::Status RunMoveCommand(CtlContext& ctl,
                            const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "plan") return RunPlan(ctl, args);
  absl::StatusOr<std::map<std::string, std::string>> flags = ParseFlags(
      args, 0, {"--service", "--partitions", "--to", "--switch_wait"},
      {"--dry_run"});
  if (!flags.ok()) return flags.status();
  MoveRequest request;
  request.service =
      flags->count("--service") ? (*flags)["--service"] : "assessment";
  if (!flags->count("--to") || (*flags)["--to"].empty()) {
    return errors::InvalidField(
        "--to", "is required: the new owner's internal address");
  }
  request.target = (*flags)["--to"];
  absl::StatusOr<std::vector<uint32_t>> partitions = ParsePartitionList(
      flags->count("--partitions") ? (*flags)["--partitions"] : "",
      ctl.partition_count());
  if (!partitions.ok()) return partitions.status();
  request.partitions = *std::move(partitions);
  request.dry_run =
      flags->count("--dry_run") > 0 && (*flags)["--dry_run"] != "false";
  if (flags->count("--switch_wait")) {
    absl::Duration wait;
    if (!absl::ParseDuration((*flags)["--switch_wait"], &wait) ||
        wait < 2 * routing::kRouteMapCheckInterval) {
      return errors::InvalidField(
          "--switch_wait",
          absl::StrCat(
              "must be a duration of at least ",
              absl::FormatDuration(2 * routing::kRouteMapCheckInterval),
              " (twice the route map watch interval), e.g. 5s"));
    }
    request.switch_wait = wait;
  }
  MoveReport report;
  absl::Status status = MovePartitions(ctl, request, &report);
  Table out{{"step", "replica", "partitions", "outcome"}, {}};
  for (const MoveStep& step : report.steps) {
    out.rows.push_back({step.step, step.replica, step.detail, step.outcome});
  }
  if (!out.rows.empty()) ctl.Print(out);
  return status;
}

}  // namespace homeward::ctl
