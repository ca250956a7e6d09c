// The planning service as a runnable server: the plan store, the case
// context projection (following the assessment service's feed), the
// programme data it checks plans against (taxonomy, feasibility grids,
// programmes, published from the config's directories when absent) and the
// PlanService handlers, composed on the service host
// (common/service/service_host.h), which adds the event feed, health and
// reflection.
//
//   PlanningConfig cfg;  // service { data_dir, partition_count, upstream }
//   cfg.mutable_service()->set_listen_address("127.0.0.1:0");
//   cfg.set_feasibility_dir("deploy/feasibility");
//   ASSIGN_OR_RETURN(auto server, PlanningServer::Start(cfg, secret));
//   auto stub = PlanService::NewStub(grpc::CreateChannel(
//       absl::StrCat("127.0.0.1:", server->port()),
//       grpc::InsecureChannelCredentials()));
#ifndef HOMEWARD_SERVICES_PLANNING_PLANNING_SERVER_H_
#define HOMEWARD_SERVICES_PLANNING_PLANNING_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/service/service_host.h"
#include "common/service/upstream_feed.h"
#include "grpcpp/channel.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::planning {

// The backend name of the planning service in gateway routes and upstream
// lists.
inline constexpr char kPlanningBackend[] = "planning";

class PlanningServer : public service::HostedServer {
 public:
  // Validates `config` (every problem named; config.service().upstream must
  // route "assessment"), opens the store under config.service().data_dir(),
  // publishes the programme data not yet published, starts following the
  // assessment feed (and the referral feed when the upstream routes
  // "referral") and serving. `principal_secret` verifies the principals
  // the gateway signs and signs this service's feed subscriptions.
  // `channels` replaces dialling the assessment and referral replicas
  // (in-process).
  static absl::StatusOr<std::unique_ptr<PlanningServer>> Start(
      const homeward::internal::v1::PlanningConfig& config,
      const std::string& principal_secret,
      service::UpstreamChannels channels = {});

 private:
  using HostedServer::HostedServer;
};

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_PLANNING_SERVER_H_
