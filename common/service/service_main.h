// The main of a service binary: flags (--config, --listen, --data_dir,
// --principal_secret_file, --log_requests), the config file, the principal
// secret, termination signals and the start/stop log lines, so that each
// service's main.cc only names its config message and how it starts.
//
//   int main(int argc, char** argv) {
//     return service::RunServiceMain<PlanningConfig>(
//         argc, argv,
//         {.name = "planning",
//          .usage = "Usage: homeward-planning [--config=FILE] ...\n\n..."},
//         [](PlanningConfig& c) { return c.mutable_service(); },
//         [](const PlanningConfig& c, const std::string& secret) {
//           return PlanningServer::Start(c, secret);
//         });
//   }
//
// The config file is the service's own message as textproto, whose
// `service { ... }` block is the ServiceConfig every service shares; the
// flags override that block's fields. Exit codes: 0 after a clean shutdown
// on SIGTERM/SIGINT, 1 when the service cannot start (logged as
// "<name> service cannot start" with the error).
#ifndef HOMEWARD_COMMON_SERVICE_SERVICE_MAIN_H_
#define HOMEWARD_COMMON_SERVICE_SERVICE_MAIN_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::service {

struct ServiceProgram {
  // "assessment": log lines say "assessment service listening".
  std::string name;
  // What --help prints before the flags.
  std::string usage;
};

// Blocks termination signals (before any thread starts), parses the flags
// and `config`'s file, applies the flags to the ServiceConfig that
// `common()` returns from inside `config` (asked only once the file is
// parsed: parsing clears `config`, destroying its sub-messages), checks that
// listen_address and principal_secret_file are set and that the config file
// sets service.internal_transport explicitly (tls, or plaintext: true:
// server/transport.h) and returns the secret read from that file.
absl::StatusOr<std::string> LoadServiceConfig(
    int argc, char** argv, const ServiceProgram& program,
    google::protobuf::Message* config,
    const std::function<homeward::internal::v1::ServiceConfig*()>& common);

// Logs why `program` cannot start; returns the exit code (1).
int FailToStart(const ServiceProgram& program, const absl::Status& status);

// Logs the bound port, waits for SIGTERM or SIGINT, then calls `shutdown`
// with the grace period for running calls; returns the exit code (0).
int ServeUntilSignal(const ServiceProgram& program, int port,
                     const std::function<void(absl::Duration)>& shutdown);

// The whole main: `common` returns the ServiceConfig inside a Config;
// `start(config, secret)` returns a StatusOr of a pointer to a running
// server with port() and Shutdown(absl::Duration).
template <typename Config, typename Common, typename Start>
int RunServiceMain(int argc, char** argv, const ServiceProgram& program,
                   Common common, Start start) {
  Config config;
  absl::StatusOr<std::string> secret =
      LoadServiceConfig(argc, argv, program, &config,
                        [&config, &common] { return common(config); });
  if (!secret.ok()) return FailToStart(program, secret.status());
  auto server = start(config, *secret);
  if (!server.ok()) return FailToStart(program, server.status());
  return ServeUntilSignal(
      program, (*server)->port(),
      [&](absl::Duration grace) { (*server)->Shutdown(grace); });
}

}  // namespace homeward::service

#endif  // HOMEWARD_COMMON_SERVICE_SERVICE_MAIN_H_
