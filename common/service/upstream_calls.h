// Calls from a hosted service to another Homeward service, each to the
// replica owning the partition of the case it is about: routed from the
// caller's ServiceConfig.upstream with the rule the gateway and the feed
// followers use (upstream_route.h, common/routing/route_table.h), over the
// all-in-one's in-process channels when given, and signed as a ROLE_SERVICE
// principal whose user id is the calling service's name, so that the callee
// knows another service asks (e.g. the assessment service answers
// CheckConsent to services for cases of any office).
//
// The channels are dialled lazily: a replica that is down fails its calls
// (UNAVAILABLE), not the start. Every call carries a deadline, so a caller
// never waits on a replica that does not answer for longer than it chose.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<service::UpstreamCalls> assessment,
//                    service::UpstreamCalls::Create(parts, "assessment"));
//   auto call = std::make_shared<Call>();  // context, request, response
//   assessment->Prepare(&call->context, absl::Seconds(3));
//   assessment->UseChannelForCase(case_id, [&](auto channel) {
//     if (channel == nullptr) return;  // in-process replica not serving
//     call->stub = ConsentService::NewStub(channel);
//     call->stub->async()->CheckConsent(&call->context, &call->request,
//                                       &call->response,
//                                       [call](grpc::Status s) { ... });
//   });
#ifndef HOMEWARD_COMMON_SERVICE_UPSTREAM_CALLS_H_
#define HOMEWARD_COMMON_SERVICE_UPSTREAM_CALLS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/auth/principal_token.h"
#include "common/feeds/producer_channel.h"
#include "common/routing/route_table.h"
#include "common/service/service_host.h"
#include "common/service/upstream_route.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "homeward/internal/v1/principal.pb.h"

namespace homeward::service {

class UpstreamCalls {
 public:
  // Everything a caller is made of; Create(parts, ...) fills it from the
  // host.
  struct Options {
    // The called service's replicas and the partitions each owns.
    routing::RouteTable routes;
    // Signs the ROLE_SERVICE principal of every call.
    std::string principal_secret;
    // Its user id: the calling service's name, e.g. "referral".
    std::string caller;
    // Channels replacing the dialled ones, by replica address.
    UpstreamChannels channels;
    // How the other replicas are dialled: the process's internal transport
    // (common/server/transport.h); nullptr: plaintext.
    std::shared_ptr<grpc::ChannelCredentials> credentials;
  };

  // Calls to the replicas of `service` named in parts.config().upstream, as
  // the service `parts` builds (its name signs the calls). INVALID_ARGUMENT
  // on "upstream" when the config has no route for `service`.
  static absl::StatusOr<std::unique_ptr<UpstreamCalls>> Create(
      const ServiceParts& parts, absl::string_view service,
      UpstreamChannels channels = {});
  static std::unique_ptr<UpstreamCalls> Create(Options options);

  // The called service, e.g. "assessment".
  const std::string& service() const { return service_; }

  // Routes the next calls by `routes` (the same service's new route map,
  // e.g. after a partition moved): a replica kept keeps its channel, a new
  // one is dialled. Create(parts, ...) calls it on every change of the
  // upstream route file (ServiceParts::OnUpstreamRoutesChange).
  void SwitchRoutes(routing::RouteTable routes);

  // Runs `start` with the channel to the replica owning the partition of
  // `case_id`: the dialled channel, or the in-process one, which is nullptr
  // while that replica has not started or is shutting down
  // (feeds::LateChannel). A call started inside `start` is safe from the
  // channel's revocation, so `start` must only start a call.
  void UseChannelForCase(
      absl::string_view case_id,
      const std::function<void(std::shared_ptr<grpc::Channel>)>& start) const;
  // The same channel for a caller that starts its call at once (nullptr as
  // above). Prefer UseChannelForCase when the channel may be an in-process
  // one of a replica that can stop first.
  std::shared_ptr<grpc::Channel> ChannelForCase(
      absl::string_view case_id) const;

  // Readies `context` for a call: the signed principal and a deadline
  // `deadline` from now.
  void Prepare(grpc::ClientContext* context, absl::Duration deadline) const;

 private:
  explicit UpstreamCalls(Options options);
  struct Routing;
  static void Switch(Routing& routing, routing::RouteTable routes);

  // The routes in force and a channel per replica, shared with the route
  // file's listener (which holds it weakly).
  std::string service_;
  std::shared_ptr<Routing> routing_;
  auth::PrincipalSigner signer_;
  homeward::internal::v1::Principal principal_;
};

}  // namespace homeward::service

#endif  // HOMEWARD_COMMON_SERVICE_UPSTREAM_CALLS_H_
