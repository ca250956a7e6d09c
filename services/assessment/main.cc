// homeward-assessment: the assessment service as its own process, for
// multi-process and replicated deployments.
//
//   homeward-assessment --config=deploy/config/assessment.textproto
//   homeward-assessment --listen=127.0.0.1:7101 --data_dir=/srv/hw/a0
//       --principal_secret_file=/etc/homeward/principal.secret
#include <string>

#include "common/service/service_main.h"
#include "services/assessment/assessment_server.h"

int main(int argc, char** argv) {
  using homeward::internal::v1::AssessmentConfig;
  return homeward::service::RunServiceMain<AssessmentConfig>(
      argc, argv,
      {.name = "assessment",
       .usage =
           "Usage: homeward-assessment [--config=FILE] --listen=HOST:PORT\n"
           "    --data_dir=DIR --principal_secret_file=FILE [flags]\n\n"
           "Runs one replica of the assessment service (cases, instruments,\n"
           "assessments, counselling, consent and the event feed) over gRPC.\n"
           "The config file is an AssessmentConfig; flags override the\n"
           "fields of its ServiceConfig (`service`); partition_count and\n"
           "owned_partitions come from the file only."},
      [](AssessmentConfig& config) { return config.mutable_service(); },
      [](const AssessmentConfig& config, const std::string& secret) {
        return homeward::assessment::AssessmentServer::Start(config, secret);
      });
}
