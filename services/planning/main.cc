// homeward-planning: the planning service as its own process, for
// multi-process and replicated deployments.
//
//   homeward-planning --config=deploy/config/planning.textproto
//   homeward-planning --listen=127.0.0.1:7201 --data_dir=/srv/hw/p0
//       --principal_secret_file=/etc/homeward/principal.secret
#include <string>

#include "common/service/service_main.h"
#include "services/planning/planning_server.h"

int main(int argc, char** argv) {
  using homeward::internal::v1::PlanningConfig;
  return homeward::service::RunServiceMain<PlanningConfig>(
      argc, argv,
      {.name = "planning",
       .usage =
           "Usage: homeward-planning [--config=FILE] --listen=HOST:PORT\n"
           "    --data_dir=DIR --principal_secret_file=FILE [flags]\n\n"
           "Runs one replica of the planning service (reintegration plans,\n"
           "feasibility checks, approvals and revisions, its event feed)\n"
           "over gRPC. The config file is a PlanningConfig; its service\n"
           "block's upstream must route the assessment service, whose feed\n"
           "it follows. Flags override the fields of `service`;\n"
           "partition_count and owned_partitions come from the file only."},
      [](PlanningConfig& config) { return config.mutable_service(); },
      [](const PlanningConfig& config, const std::string& secret) {
        return homeward::planning::PlanningServer::Start(config, secret);
      });
}
