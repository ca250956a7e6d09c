// Service-to-service calls routed by case; see upstream_calls.h.
#include "common/service/upstream_calls.h"

#include <utility>

#include "common/server/server_kit.h"
#include "common/status/status_macros.h"

namespace homeward::service {

absl::StatusOr<std::unique_ptr<UpstreamCalls>> UpstreamCalls::Create(
    const ServiceParts& parts, absl::string_view service,
    UpstreamChannels channels) {
  ASSIGN_OR_RETURN(routing::RouteTable routes,
                   UpstreamRoute(parts, service, "which this service calls"));
  return Create(Options{.routes = std::move(routes),
                        .principal_secret = parts.principal_secret(),
                        .caller = parts.name(),
                        .channels = std::move(channels),
                        .credentials = parts.internal_credentials()});
}

std::unique_ptr<UpstreamCalls> UpstreamCalls::Create(Options options) {
  return std::unique_ptr<UpstreamCalls>(new UpstreamCalls(std::move(options)));
}

UpstreamCalls::UpstreamCalls(Options options)
    : routes_(std::move(options.routes)),
      signer_(std::move(options.principal_secret)) {
  for (const std::string& address : routes_.addresses()) {
    auto it = options.channels.find(address);
    channels_.push_back(it != options.channels.end()
                            ? it->second
                            : feeds::ProducerChannel(server::DialInternal(
                                  address, options.credentials)));
  }
  principal_.set_user_id(std::move(options.caller));
  principal_.set_role(homeward::v1::ROLE_SERVICE);
}

void UpstreamCalls::UseChannelForCase(
    absl::string_view case_id,
    const std::function<void(std::shared_ptr<grpc::Channel>)>& start) const {
  channels_[routes_.ReplicaOfCase(case_id)].Use(start);
}

std::shared_ptr<grpc::Channel> UpstreamCalls::ChannelForCase(
    absl::string_view case_id) const {
  std::shared_ptr<grpc::Channel> out;
  UseChannelForCase(case_id, [&out](std::shared_ptr<grpc::Channel> channel) {
    out = std::move(channel);
  });
  return out;
}

void UpstreamCalls::Prepare(grpc::ClientContext* context,
                            absl::Duration deadline) const {
  signer_.Attach(principal_, context);
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
}

}  // namespace homeward::service
