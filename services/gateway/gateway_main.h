// The main of homeward-gateway, the public face of Homeward as its own
// process: flags, config and key files, signals. A test binary may serve
// methods beyond the public table with the same main (extra_methods, see
// GatewayServer::Options).
//
//   int main(int argc, char** argv) {
//     return homeward::gateway::RunGatewayMain(argc, argv);
//   }
//
// Usage of the binary:
//
//   homeward-gateway --config=/etc/homeward/gateway.textproto
//       [--grpc_listen=0.0.0.0:7000] [--http_listen=0.0.0.0:7080]
//
// The config file is a homeward.internal.v1.GatewayConfig textproto; it names
// the API key file (ApiKeyFile textproto) and the principal secret file. Prints
// one JSON log line with "grpc_port" and "http_port" once listening, and shuts
// down gracefully on SIGTERM or SIGINT.
#ifndef HOMEWARD_SERVICES_GATEWAY_GATEWAY_MAIN_H_
#define HOMEWARD_SERVICES_GATEWAY_GATEWAY_MAIN_H_

#include <vector>

#include "services/gateway/method_table.h"

namespace homeward::gateway {

// Runs the gateway until SIGTERM or SIGINT; returns the process's exit code
// (0 after a clean shutdown, 2 for a bad configuration, 1 otherwise).
int RunGatewayMain(int argc, char** argv,
                   std::vector<MethodRoute> extra_methods = {});

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_GATEWAY_MAIN_H_
