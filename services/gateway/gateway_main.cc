// The gateway's main; see gateway_main.h.
#include "services/gateway/gateway_main.h"

#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/auth/principal_token.h"
#include "common/server/config_file.h"
#include "common/server/flags_usage.h"
#include "common/server/log.h"
#include "common/server/shutdown.h"
#include "common/server/transport.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/method_table.h"

ABSL_FLAG(std::string, config, "",
          "Path of the GatewayConfig textproto (required).");
ABSL_FLAG(std::string, grpc_listen, "",
          "Overrides grpc_listen_address from the config, e.g. 0.0.0.0:7000.");
ABSL_FLAG(std::string, http_listen, "",
          "Overrides http_listen_address from the config, e.g. 0.0.0.0:7080.");

namespace {

using homeward::gateway::GatewayServer;

// How long calls in progress may run on after SIGTERM.
constexpr absl::Duration kShutdownGrace = absl::Seconds(10);

absl::StatusOr<GatewayServer::Options> LoadOptions() {
  const std::string config_path = absl::GetFlag(FLAGS_config);
  if (config_path.empty()) {
    return homeward::errors::InvalidField(
        "--config", "is required: the GatewayConfig textproto");
  }
  GatewayServer::Options options;
  ASSIGN_OR_RETURN(options.config,
                   homeward::server::LoadTextProtoFile<
                       homeward::internal::v1::GatewayConfig>(config_path));
  if (!absl::GetFlag(FLAGS_grpc_listen).empty()) {
    options.config.set_grpc_listen_address(absl::GetFlag(FLAGS_grpc_listen));
  }
  if (!absl::GetFlag(FLAGS_http_listen).empty()) {
    options.config.set_http_listen_address(absl::GetFlag(FLAGS_http_listen));
  }
  homeward::errors::FieldViolations bad;
  if (options.config.api_keys_file().empty())
    bad.Add("api_keys_file", "is required");
  if (options.config.principal_secret_file().empty()) {
    bad.Add("principal_secret_file", "is required");
  }
  // Plaintext only when the config file says so, on each side.
  for (const auto& [transport, field] :
       {std::pair(&options.config.public_transport(), "public_transport"),
        std::pair(&options.config.internal_transport(),
                  "internal_transport")}) {
    for (const homeward::errors::FieldViolation& v :
         homeward::errors::FieldViolationsOf(
             homeward::server::RequireExplicitTransport(*transport, field))) {
      bad.Add(v.field, v.description);
    }
  }
  RETURN_IF_ERROR(bad.ToStatus());
  ASSIGN_OR_RETURN(
      options.api_keys,
      homeward::server::LoadTextProtoFile<homeward::internal::v1::ApiKeyFile>(
          options.config.api_keys_file()));
  ASSIGN_OR_RETURN(
      options.principal_secret,
      homeward::auth::ReadSecretFile(options.config.principal_secret_file()));
  return options;
}

}  // namespace

namespace homeward::gateway {

int RunGatewayMain(int argc, char** argv,
                   std::vector<MethodRoute> extra_methods) {
  // Before any thread exists, so that every thread inherits the mask and the
  // signals reach WaitForTerminationSignal below.
  homeward::server::BlockTerminationSignals();
  homeward::server::SetUpFlagsUsage(
      "Usage: homeward-gateway --config=FILE [--grpc_listen=HOST:PORT] "
      "[--http_listen=HOST:PORT]\n\n"
      "The public face of Homeward: authenticates API keys and routes every\n"
      "call to the replicas named in the GatewayConfig file, over gRPC and\n"
      "JSON/HTTP.");
  absl::ParseCommandLine(argc, argv);

  absl::StatusOr<GatewayServer::Options> options = LoadOptions();
  if (!options.ok()) {
    homeward::server::Log(
        "error", "cannot start the gateway: bad configuration",
        {{"code", absl::StatusCodeToString(options.status().code())},
         {"error", std::string(options.status().message())}});
    return 2;
  }
  options->extra_methods = std::move(extra_methods);
  absl::StatusOr<std::unique_ptr<GatewayServer>> gateway =
      GatewayServer::Start(*std::move(options));
  if (!gateway.ok()) {
    homeward::server::Log(
        "error", "cannot start the gateway",
        {{"code", absl::StatusCodeToString(gateway.status().code())},
         {"error", std::string(gateway.status().message())}});
    return gateway.status().code() == absl::StatusCode::kInvalidArgument ? 2
                                                                         : 1;
  }
  homeward::server::Log("info", "gateway listening",
                        {{"grpc_port", absl::StrCat((*gateway)->grpc_port())},
                         {"http_port", absl::StrCat((*gateway)->http_port())}});

  const int signal = homeward::server::WaitForTerminationSignal();
  homeward::server::Log("info", "gateway shutting down",
                        {{"signal", absl::StrCat(signal)}});
  (*gateway)->Shutdown(kShutdownGrace);
  gateway->reset();
  homeward::server::Log("info", "gateway stopped");
  return 0;
}

}  // namespace homeward::gateway
