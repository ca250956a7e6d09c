// Service-to-service calls routed by case; see upstream_calls.h.
#include "common/service/upstream_calls.h"

#include <utility>

#include "common/server/log.h"
#include "common/server/server_kit.h"
#include "common/status/status_macros.h"

namespace homeward::service {

struct UpstreamCalls::Routing {
  Routing(routing::RouteTable table, UpstreamChannels given,
          std::shared_ptr<grpc::ChannelCredentials> dial)
      : in_process(std::move(given)),
        credentials(std::move(dial)),
        routes(std::move(table)) {
    channels = ChannelsFor(routes, {});
  }
  // A channel per replica of `table`, reusing those of `kept` (by address).
  std::vector<feeds::ProducerChannel> ChannelsFor(
      const routing::RouteTable& table,
      const absl::flat_hash_map<std::string, feeds::ProducerChannel>& kept)
      const {
    std::vector<feeds::ProducerChannel> out;
    for (const std::string& address : table.addresses()) {
      if (auto it = in_process.find(address); it != in_process.end()) {
        out.push_back(it->second);
      } else if (auto k = kept.find(address); k != kept.end()) {
        out.push_back(k->second);
      } else {
        out.push_back(
            feeds::ProducerChannel(server::DialInternal(address, credentials)));
      }
    }
    return out;
  }

  const UpstreamChannels in_process;
  const std::shared_ptr<grpc::ChannelCredentials> credentials;
  mutable absl::Mutex mu;
  routing::RouteTable routes ABSL_GUARDED_BY(mu);
  // By replica, as indexed in routes.
  std::vector<feeds::ProducerChannel> channels ABSL_GUARDED_BY(mu);
};

absl::StatusOr<std::unique_ptr<UpstreamCalls>> UpstreamCalls::Create(
    const ServiceParts& parts, absl::string_view service,
    UpstreamChannels channels) {
  ASSIGN_OR_RETURN(routing::RouteTable routes,
                   UpstreamRoute(parts, service, "which this service calls"));
  std::unique_ptr<UpstreamCalls> calls =
      Create(Options{.routes = std::move(routes),
                     .principal_secret = parts.principal_secret(),
                     .caller = parts.name(),
                     .channels = std::move(channels),
                     .credentials = parts.internal_credentials()});
  // A partition move rewrites the route file: the next calls go to the
  // partition's new owner. The listener outlives nothing it touches: the
  // host stops the file before it destroys parts.
  std::weak_ptr<Routing> weak = calls->routing_;
  const ServiceParts* host_parts = &parts;
  parts.OnUpstreamRoutesChange([weak, host_parts, name = std::string(service)] {
    std::shared_ptr<Routing> routing = weak.lock();
    if (routing == nullptr) return;
    absl::StatusOr<routing::RouteTable> next =
        UpstreamRoute(*host_parts, name, "which this service calls");
    if (!next.ok()) {
      server::Log("warning",
                  "upstream route change ignored for calls: no route",
                  {{"service", name},
                   {"code", absl::StatusCodeToString(next.status().code())}});
      return;
    }
    UpstreamCalls::Switch(*routing, *std::move(next));
  });
  return calls;
}

std::unique_ptr<UpstreamCalls> UpstreamCalls::Create(Options options) {
  return std::unique_ptr<UpstreamCalls>(new UpstreamCalls(std::move(options)));
}

UpstreamCalls::UpstreamCalls(Options options)
    : service_(options.routes.service()),
      routing_(std::make_shared<Routing>(std::move(options.routes),
                                         std::move(options.channels),
                                         std::move(options.credentials))),
      signer_(std::move(options.principal_secret)) {
  principal_.set_user_id(std::move(options.caller));
  principal_.set_role(homeward::v1::ROLE_SERVICE);
}

void UpstreamCalls::Switch(Routing& routing, routing::RouteTable routes) {
  absl::flat_hash_map<std::string, feeds::ProducerChannel> kept;
  {
    absl::MutexLock lock(&routing.mu);
    for (size_t r = 0; r < routing.routes.replica_count(); ++r) {
      kept.emplace(routing.routes.address(r), routing.channels[r]);
    }
  }
  std::vector<feeds::ProducerChannel> channels =
      routing.ChannelsFor(routes, kept);
  absl::MutexLock lock(&routing.mu);
  routing.routes = std::move(routes);
  routing.channels = std::move(channels);
}

void UpstreamCalls::SwitchRoutes(routing::RouteTable routes) {
  Switch(*routing_, std::move(routes));
}

void UpstreamCalls::UseChannelForCase(
    absl::string_view case_id,
    const std::function<void(std::shared_ptr<grpc::Channel>)>& start) const {
  feeds::ProducerChannel channel;
  {
    absl::MutexLock lock(&routing_->mu);
    channel = routing_->channels[routing_->routes.ReplicaOfCase(case_id)];
  }
  channel.Use(start);
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
