// The assessment service as a runnable server: its stores and handlers
// (cases, instruments, assessments, consent, counselling, audit) composed on
// the service host (common/service/service_host.h), which adds the event
// feed, health and reflection, and listens on a TCP address (port 0 picks a
// free port) and/or in-process.
//
//   AssessmentConfig cfg;  // service { data_dir, partition_count... }
//   cfg.mutable_service()->set_listen_address("127.0.0.1:0");
//   cfg.set_instruments_dir("deploy/instruments");
//   ASSIGN_OR_RETURN(auto server, AssessmentServer::Start(cfg, secret));
//   auto stub = CaseService::NewStub(grpc::CreateChannel(
//       absl::StrCat("127.0.0.1:", server->port()),
//       grpc::InsecureChannelCredentials()));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_SERVER_H_
#define HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/service/service_host.h"
#include "common/service/upstream_feed.h"
#include "grpcpp/channel.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::assessment {

class AssessmentServer : public service::HostedServer {
 public:
  // Validates `config` (every problem named), opens the store under
  // config.service().data_dir(), publishes the instruments of
  // config.instruments_dir() not yet published, follows the planning
  // service's feed when config.service().upstream routes "planning" and the
  // referral service's when it routes "referral", and starts serving.
  // `principal_secret` verifies the principal the gateway signs. `channels`
  // replaces dialling the planning and referral replicas (in-process; a
  // feeds::LateChannel when that service starts after this server).
  static absl::StatusOr<std::unique_ptr<AssessmentServer>> Start(
      const homeward::internal::v1::AssessmentConfig& config,
      const std::string& principal_secret,
      service::UpstreamChannels channels = {});
  // The same without an instruments directory.
  static absl::StatusOr<std::unique_ptr<AssessmentServer>> Start(
      const homeward::internal::v1::ServiceConfig& config,
      const std::string& principal_secret);

 private:
  using HostedServer::HostedServer;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_SERVER_H_
