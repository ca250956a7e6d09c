// The referral service as a runnable server: the service directory (every
// replica keeps all of it), the referrals of the cases this replica owns,
// the projections it keeps from the assessment feed (scope, consent
// withdrawals, closures) and the planning feed (referrals to make), the
// consent check it asks the assessment service at a referral's creation,
// and the DirectoryService, ReferralService and PartnerReferralService
// handlers and the internal ReferralIndicators part (for the gateway's
// programme indicators), composed on the service host
// (common/service/service_host.h), which adds the event feed, health and
// reflection.
//
//   ReferralConfig cfg;  // service { data_dir, partition_count, upstream }
//   cfg.mutable_service()->set_listen_address("127.0.0.1:0");
//   cfg.set_taxonomy_dir("deploy/taxonomy");
//   ASSIGN_OR_RETURN(auto server, ReferralServer::Start(cfg, secret));
//   auto stub = ReferralService::NewStub(grpc::CreateChannel(
//       absl::StrCat("127.0.0.1:", server->port()),
//       grpc::InsecureChannelCredentials()));
#ifndef HOMEWARD_SERVICES_REFERRAL_REFERRAL_SERVER_H_
#define HOMEWARD_SERVICES_REFERRAL_REFERRAL_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/service/service_host.h"
#include "common/service/upstream_feed.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::referral {

// The backend name of the referral service in gateway routes and upstream
// lists.
inline constexpr char kReferralBackend[] = "referral";

class ReferralServer : public service::HostedServer {
 public:
  // Validates `config` (every problem named; config.service().upstream must
  // route "assessment" and may route "planning"), opens the store under
  // config.service().data_dir(), publishes the programme data not yet
  // published, starts following the upstream feeds and serving.
  // `principal_secret` verifies the principals the gateway signs and signs
  // this service's own calls and feed subscriptions. `channels` replaces
  // dialling upstream replicas (in-process).
  static absl::StatusOr<std::unique_ptr<ReferralServer>> Start(
      const homeward::internal::v1::ReferralConfig& config,
      const std::string& principal_secret,
      service::UpstreamChannels channels = {});

 private:
  using HostedServer::HostedServer;
};

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_REFERRAL_SERVER_H_
