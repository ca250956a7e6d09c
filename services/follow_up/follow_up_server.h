// The follow-up service as a runnable server: the projections it keeps from
// the assessment feed (scope, return date, programme, RSS scores, protection
// concerns), the planning feed (the delivered plan, which schedules the
// contacts) and the referral feed (the case's referrals), the contacts and
// closures of the cases this replica owns, and the FollowUpService and
// CaseClosureService handlers and the internal FollowUpIndicators part (for
// the gateway's programme indicators), composed on the service host
// (common/service/service_host.h), which adds the event feed (FollowUpRecorded,
// FollowUpMissed, CaseClosed, CaseReopened), health and reflection.
//
//   FollowUpConfig cfg;  // service { data_dir, partition_count, upstream }
//   cfg.mutable_service()->set_listen_address("127.0.0.1:0");
//   cfg.set_programmes_dir("deploy/programmes");
//   ASSIGN_OR_RETURN(auto server, FollowUpServer::Start(cfg, secret));
//   auto stub = FollowUpService::NewStub(grpc::CreateChannel(
//       absl::StrCat("127.0.0.1:", server->port()),
//       grpc::InsecureChannelCredentials()));
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_SERVER_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/service/service_host.h"
#include "common/service/upstream_feed.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::follow_up {

// The backend name of the follow-up service in gateway routes and upstream
// lists.
inline constexpr char kFollowUpBackend[] = "follow_up";

class FollowUpServer : public service::HostedServer {
 public:
  // Validates `config` (every problem named; config.service().upstream must
  // route "assessment" and "planning" and may route "referral"), opens the
  // store under config.service().data_dir(), publishes the programme data
  // not yet published, starts following the upstream feeds and serving.
  // `principal_secret` verifies the principals the gateway signs and signs
  // this service's feed subscriptions. `channels` replaces dialling
  // upstream replicas (in-process).
  static absl::StatusOr<std::unique_ptr<FollowUpServer>> Start(
      const homeward::internal::v1::FollowUpConfig& config,
      const std::string& principal_secret,
      service::UpstreamChannels channels = {});

 private:
  using HostedServer::HostedServer;
};

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_SERVER_H_
