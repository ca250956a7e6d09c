// The main of a service binary; see service_main.h.
#include "common/service/service_main.h"

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "common/auth/principal_token.h"
#include "common/server/config_file.h"
#include "common/server/flags_usage.h"
#include "common/server/log.h"
#include "common/server/shutdown.h"
#include "common/server/transport.h"

ABSL_FLAG(std::string, config, "",
          "config file: the service's own config message as textproto, e.g. "
          "deploy/config/assessment.textproto; its `service { }` block holds "
          "the fields of a ServiceConfig textproto file, shared by every "
          "service");
ABSL_FLAG(std::string, listen, "",
          "gRPC listen address, e.g. 127.0.0.1:7101 (port 0 picks a free "
          "one); overrides the config's listen_address");
ABSL_FLAG(std::string, data_dir, "",
          "data directory; overrides the config's data_dir");
ABSL_FLAG(std::string, principal_secret_file, "",
          "file holding the deployment secret that signs principals; "
          "overrides the config's principal_secret_file");
ABSL_FLAG(bool, log_requests, true,
          "log one line per request (identifiers only)");

namespace homeward::service {

absl::StatusOr<std::string> LoadServiceConfig(
    int argc, char** argv, const ServiceProgram& program,
    google::protobuf::Message* config,
    const std::function<homeward::internal::v1::ServiceConfig*()>& common_of) {
  server::BlockTerminationSignals();
  server::SetUpFlagsUsage(program.usage);
  absl::ParseCommandLine(argc, argv);
  server::SetRequestLogging(absl::GetFlag(FLAGS_log_requests));
  if (!absl::GetFlag(FLAGS_config).empty()) {
    absl::Status loaded =
        server::ParseTextProtoFile(absl::GetFlag(FLAGS_config), config);
    if (!loaded.ok()) return loaded;
  }
  homeward::internal::v1::ServiceConfig* common = common_of();
  if (!absl::GetFlag(FLAGS_listen).empty()) {
    common->set_listen_address(absl::GetFlag(FLAGS_listen));
  }
  if (!absl::GetFlag(FLAGS_data_dir).empty()) {
    common->set_data_dir(absl::GetFlag(FLAGS_data_dir));
  }
  if (!absl::GetFlag(FLAGS_principal_secret_file).empty()) {
    common->set_principal_secret_file(
        absl::GetFlag(FLAGS_principal_secret_file));
  }
  if (common->listen_address().empty()) {
    return absl::InvalidArgumentError("listen_address (--listen) is required");
  }
  if (common->principal_secret_file().empty()) {
    return absl::InvalidArgumentError(
        "principal_secret_file (--principal_secret_file) is required");
  }
  absl::StatusOr<std::string> secret =
      auth::ReadSecretFile(common->principal_secret_file());
  if (!secret.ok()) return secret;
  // Plaintext only when the config file says so: no flag can stand in.
  absl::Status transport = server::RequireExplicitTransport(
      common->internal_transport(), "service.internal_transport");
  if (!transport.ok()) return transport;
  return secret;
}

int FailToStart(const ServiceProgram& program, const absl::Status& status) {
  server::Log("error", absl::StrCat(program.name, " service cannot start"),
              {{"error", status.ToString()}});
  return 1;
}

int ServeUntilSignal(const ServiceProgram& program, int port,
                     const std::function<void(absl::Duration)>& shutdown) {
  server::Log("info", absl::StrCat(program.name, " service listening"),
              {{"port", absl::StrCat(port)}});
  const int signal = server::WaitForTerminationSignal();
  server::Log("info", "shutting down", {{"signal", absl::StrCat(signal)}});
  shutdown(absl::Seconds(10));
  return 0;
}

}  // namespace homeward::service
