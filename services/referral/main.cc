// homeward-referral: the referral service as its own process, for
// multi-process and replicated deployments.
//
//   homeward-referral --config=deploy/config/referral.textproto
//   homeward-referral --listen=127.0.0.1:7301 --data_dir=/srv/hw/r0
//       --principal_secret_file=/etc/homeward/principal.secret
#include <string>

#include "common/service/service_main.h"
#include "services/referral/referral_server.h"

int main(int argc, char** argv) {
  using homeward::internal::v1::ReferralConfig;
  return homeward::service::RunServiceMain<ReferralConfig>(
      argc, argv,
      {.name = "referral",
       .usage =
           "Usage: homeward-referral [--config=FILE] --listen=HOST:PORT\n"
           "    --data_dir=DIR --principal_secret_file=FILE [flags]\n\n"
           "Runs one replica of the referral service (the service directory,\n"
           "referrals and the partner agencies' side of them, its event\n"
           "feed) over gRPC. The config file is a ReferralConfig; its\n"
           "service block's upstream must route the assessment service\n"
           "(feed and consent checks) and may route the planning service\n"
           "(feed). Flags override the fields of `service`;\n"
           "partition_count and owned_partitions come from the file only."},
      [](ReferralConfig& config) { return config.mutable_service(); },
      [](const ReferralConfig& config, const std::string& secret) {
        return homeward::referral::ReferralServer::Start(config, secret);
      });
}
