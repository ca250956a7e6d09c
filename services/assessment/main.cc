// homeward-assessment: the assessment service as its own process, for
// multi-process and replicated deployments.
//
//   homeward-assessment --config=deploy/config/assessment.textproto
//   homeward-assessment --listen=127.0.0.1:7101 --data_dir=/srv/hw/a0
//       --principal_secret_file=/etc/homeward/principal.secret
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "common/auth/principal_token.h"
#include "common/server/config_file.h"
#include "common/server/flags_usage.h"
#include "common/server/log.h"
#include "common/server/shutdown.h"
#include "services/assessment/assessment_server.h"

ABSL_FLAG(std::string, config, "",
          "ServiceConfig textproto file (deploy/config/assessment.textproto)");
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

namespace {

int Fail(const absl::Status& status) {
  homeward::server::Log("error", "assessment service cannot start",
                        {{"error", status.ToString()}});
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  homeward::server::BlockTerminationSignals();
  homeward::server::SetUpFlagsUsage(
      "Usage: homeward-assessment [--config=FILE] --listen=HOST:PORT\n"
      "    --data_dir=DIR --principal_secret_file=FILE [flags]\n\n"
      "Runs one replica of the assessment service (cases, instruments,\n"
      "assessments, counselling, consent and the event feed) over gRPC.\n"
      "Flags override the ServiceConfig file; partition_count and\n"
      "owned_partitions come from the file only.");
  absl::ParseCommandLine(argc, argv);
  homeward::server::SetRequestLogging(absl::GetFlag(FLAGS_log_requests));
  homeward::internal::v1::ServiceConfig config;
  if (!absl::GetFlag(FLAGS_config).empty()) {
    absl::Status loaded = homeward::server::ParseTextProtoFile(
        absl::GetFlag(FLAGS_config), &config);
    if (!loaded.ok()) return Fail(loaded);
  }
  if (!absl::GetFlag(FLAGS_listen).empty())
    config.set_listen_address(absl::GetFlag(FLAGS_listen));
  if (!absl::GetFlag(FLAGS_data_dir).empty())
    config.set_data_dir(absl::GetFlag(FLAGS_data_dir));
  if (!absl::GetFlag(FLAGS_principal_secret_file).empty()) {
    config.set_principal_secret_file(
        absl::GetFlag(FLAGS_principal_secret_file));
  }
  if (config.listen_address().empty()) {
    return Fail(
        absl::InvalidArgumentError("listen_address (--listen) is required"));
  }
  if (config.principal_secret_file().empty()) {
    return Fail(absl::InvalidArgumentError(
        "principal_secret_file (--principal_secret_file) is required"));
  }
  auto secret = homeward::auth::ReadSecretFile(config.principal_secret_file());
  if (!secret.ok()) return Fail(secret.status());
  auto server = homeward::assessment::AssessmentServer::Start(config, *secret);
  if (!server.ok()) return Fail(server.status());
  homeward::server::Log("info", "assessment service listening",
                        {{"port", absl::StrCat((*server)->port())}});
  int sig = homeward::server::WaitForTerminationSignal();
  homeward::server::Log("info", "shutting down",
                        {{"signal", absl::StrCat(sig)}});
  (*server)->Shutdown(absl::Seconds(10));
  return 0;
}
