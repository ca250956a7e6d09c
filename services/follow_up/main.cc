// homeward-follow-up: the follow-up service as its own process, for
// multi-process and replicated deployments.
//
//   homeward-follow-up --config=deploy/config/follow_up.textproto
//   homeward-follow-up --listen=127.0.0.1:7401 --data_dir=/srv/hw/f0
//       --principal_secret_file=/etc/homeward/principal.secret
#include <string>

#include "common/service/service_main.h"
#include "services/follow_up/follow_up_server.h"

int main(int argc, char** argv) {
  using homeward::internal::v1::FollowUpConfig;
  return homeward::service::RunServiceMain<FollowUpConfig>(
      argc, argv,
      {.name = "follow_up",
       .usage =
           "Usage: homeward-follow-up [--config=FILE] --listen=HOST:PORT\n"
           "    --data_dir=DIR --principal_secret_file=FILE [flags]\n\n"
           "Runs one replica of the follow-up service (the monitoring\n"
           "schedule, follow-up contacts, the W-model trajectory, closing\n"
           "and reopening cases, its event feed) over gRPC. The config file\n"
           "is a FollowUpConfig; its service block's upstream must route the\n"
           "assessment and planning services and may route the referral\n"
           "service (their feeds). Flags override the fields of `service`;\n"
           "partition_count and owned_partitions come from the file only."},
      [](FollowUpConfig& config) { return config.mutable_service(); },
      [](const FollowUpConfig& config, const std::string& secret) {
        return homeward::follow_up::FollowUpServer::Start(config, secret);
      });
}
