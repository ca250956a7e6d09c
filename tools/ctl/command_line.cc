#include "tools/ctl/command_line.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tools/ctl/usage_error.h"

namespace homeward::ctl {

const char kGlobalFlagsUsage[] =
    "Global flags:\n"
    "  --gateway=HOST:PORT        the gateway's public gRPC face\n"
    "  --api_key_file=F           the caller's API key (sent as a bearer\n"
    "                             credential to the gateway)\n"
    "  --token_file=F             or a bearer token (OpenID Connect JWT)\n"
    "  --tls_ca_file=F            CA of the gateway's and replicas'\n"
    "                             certificates (without it the gateway is\n"
    "                             checked against the system's roots)\n"
    "  --tls_certificate_file=F   client certificate (mutual TLS to replicas)\n"
    "  --tls_private_key_file=F   its private key\n"
    "  --plaintext                no TLS anywhere (loopback deployments)\n"
    "  --gateway_config=F         the deployment's routes: a GatewayConfig\n"
    "                             textproto (routes or routes_file)\n"
    "  --routes_file=F            or a RouteMap textproto\n"
    "  --partition_count=N        with --routes_file (default 64)\n"
    "  --principal_secret_file=F  the deployment secret: signs the\n"
    "                             administrator principal of replica calls\n"
    "  --user=ID                  that principal's user id (default: the OS "
    "user)\n"
    "  --output=table|json        how answers are printed (default table)\n"
    "  --help                     usage (of a command: COMMAND --help)\n";

namespace {

enum class FlagKind { kString, kBool };

struct FlagTarget {
  FlagKind kind;
  std::string* text = nullptr;
  bool* flag = nullptr;
};

}  // namespace

absl::StatusOr<CommandLine> ParseCommandLine(
    const std::vector<std::string>& argv) {
  CommandLine line;
  CtlOptions& o = line.options;
  std::string output = "table";
  std::string partition_count;
  const std::map<std::string, FlagTarget> flags = {
      {"gateway", {FlagKind::kString, &o.gateway}},
      {"api_key_file", {FlagKind::kString, &o.api_key_file}},
      {"token_file", {FlagKind::kString, &o.token_file}},
      {"tls_ca_file", {FlagKind::kString, &o.tls_ca_file}},
      {"tls_certificate_file", {FlagKind::kString, &o.tls_certificate_file}},
      {"tls_private_key_file", {FlagKind::kString, &o.tls_private_key_file}},
      {"plaintext", {FlagKind::kBool, nullptr, &o.plaintext}},
      {"gateway_config", {FlagKind::kString, &o.gateway_config}},
      {"routes_file", {FlagKind::kString, &o.routes_file}},
      {"partition_count", {FlagKind::kString, &partition_count}},
      {"principal_secret_file", {FlagKind::kString, &o.principal_secret_file}},
      {"user", {FlagKind::kString, &o.user}},
      {"output", {FlagKind::kString, &output}},
      {"help", {FlagKind::kBool, nullptr, &line.help}},
  };
  bool flags_ended = false;
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (flags_ended) {
      line.args.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_ended = true;
      continue;
    }
    if (arg == "-h") {
      line.help = true;
      continue;
    }
    if (!absl::StartsWith(arg, "-") || arg == "-") {
      if (line.command.empty()) {
        line.command = arg;
      } else {
        line.args.push_back(arg);
      }
      continue;
    }
    // "--name=value", "--name value", "-name" alike.
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::string name = body;
    std::string value;
    bool has_value = false;
    if (size_t eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    auto it = flags.find(name);
    if (it == flags.end()) {
      // The command's own flag (e.g. `partitions --live`).
      if (!line.command.empty()) {
        line.args.push_back(arg);
        continue;
      }
      return UsageError(absl::StrCat("--", name), "is not a global flag");
    }
    const FlagTarget& target = it->second;
    if (target.kind == FlagKind::kBool) {
      if (!has_value || value == "true") {
        *target.flag = true;
      } else if (value == "false") {
        *target.flag = false;
      } else {
        return UsageError(absl::StrCat("--", name), "takes true or false");
      }
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argv.size()) {
        return UsageError(absl::StrCat("--", name), "needs a value");
      }
      value = argv[++i];
    }
    *target.text = value;
  }
  if (output == "json") {
    o.output = OutputFormat::kJson;
  } else if (output != "table") {
    return UsageError("--output", "is table or json");
  }
  if (!partition_count.empty() &&
      (!absl::SimpleAtoi(partition_count, &o.partition_count) ||
       o.partition_count == 0)) {
    return UsageError("--partition_count", "is a positive number");
  }
  return line;
}

}  // namespace homeward::ctl
