// `homewardctl health`: asks every replica of every service in the routes,
// and the gateway when --gateway is given, for its gRPC health
// (grpc.health.v1): overall ("") with the time the answer took, then each
// Homeward service the process registers, listing those not SERVING (or,
// for a process that did not answer, the gRPC code and message).
// Fails UNAVAILABLE after printing when any process is not serving, so a
// script can use the exit code.
//
//   homewardctl --gateway_config=gateway.textproto --gateway=gw:7000
//       --tls_ca_file=ca.crt ... health
#ifndef HOMEWARD_TOOLS_CTL_HEALTH_COMMAND_H_
#define HOMEWARD_TOOLS_CTL_HEALTH_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/ctl/ctl_context.h"

namespace homeward::ctl {

inline constexpr char kHealthUsage[] =
    "Usage: homewardctl [global flags] health\n\n"
    "The gRPC health of every replica of every service in the routes\n"
    "(--gateway_config or --routes_file) and of the gateway (--gateway):\n"
    "overall status, answer latency, and the Homeward services each process\n"
    "registers that are not SERVING. Exits 1 when any is not serving.\n";

// `gateway` is the --gateway address, empty when not given.
absl::Status RunHealthCommand(CtlContext& ctl, const std::string& gateway,
                              const std::vector<std::string>& args);

}  // namespace homeward::ctl

#endif  // HOMEWARD_TOOLS_CTL_HEALTH_COMMAND_H_
