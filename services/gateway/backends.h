// The backend services behind the gateway, as it reaches them: for each
// backend the method table names (method_table.h), the route table of its
// replicas (common/routing/route_table.h) and one channel per replica. Built
// at start from the gateway's config (its `routes`, or the route map file
// `routes_file`), and again each time the route map file switches to a new
// generation; the Forwarder, the readiness tracker and the list page tokens
// all work per backend from here.
//
//   ASSIGN_OR_RETURN(MethodTable methods, PublicMethodTable());
//   ASSIGN_OR_RETURN(std::vector<Backend> backends,
//                    ConnectBackends(config, methods, channel_overrides));
//   const Backend* assessment = FindBackend(backends, "assessment");
//   ... assessment->routes.ReplicaOfCase(case_id) ...
#ifndef HOMEWARD_SERVICES_GATEWAY_BACKENDS_H_
#define HOMEWARD_SERVICES_GATEWAY_BACKENDS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/routing/route_table.h"
#include "grpcpp/channel.h"
#include "homeward/internal/v1/config.pb.h"
#include "services/gateway/method_table.h"

namespace homeward::gateway {

// One backend service: its name (routes.service(), e.g. "assessment"), its
// replicas and the partitions each owns, and a channel per replica indexed
// as in `routes`.
struct Backend {
  routing::RouteTable routes;
  std::vector<std::shared_ptr<grpc::Channel>> channels;

  const std::string& name() const { return routes.service(); }
};

// Checks `config.routes` against the backends `methods` names and connects
// one Backend per named backend that has a route, in methods.backends()
// order; an optional backend (IsOptionalBackend) without a route is left
// out, so its methods have no Backend (the Forwarder answers them
// UNIMPLEMENTED). Every backend shares config.partition_count.
// INVALID_ARGUMENT with one field violation per problem:
//   - routes[i].service names a backend no method names (the message lists
//     the known ones);
//   - "routes": a backend the methods need, not optional, has no route (the
//     message names the backend and one of its methods);
//   - a route's own problems (RouteTable::Create: empty or duplicate
//     addresses, partitions with no owner or several).
//   - internal_transport's problems (transport.h: its files).
// A replica whose address is a key of `channel_overrides` uses that channel
// (the all-in-one's in-process channels); the others are dialled lazily
// over config.internal_transport, so a replica that is down does not fail
// the start.
absl::StatusOr<std::vector<Backend>> ConnectBackends(
    const homeward::internal::v1::GatewayConfig& config,
    const MethodTable& methods,
    const std::map<std::string, std::shared_ptr<grpc::Channel>>&
        channel_overrides);

// The same for a route map that replaces the routes in force (`current`):
// a replica whose address `current` already dials keeps its channel, so a
// partition move between running replicas opens no connection.
absl::StatusOr<std::vector<Backend>> ConnectBackends(
    const homeward::internal::v1::GatewayConfig& config,
    const MethodTable& methods,
    const std::map<std::string, std::shared_ptr<grpc::Channel>>&
        channel_overrides,
    const std::vector<Backend>& current);

// `config` with the routes of `routes` (a RouteMap from routes_file) in
// place of its own `routes`.
homeward::internal::v1::GatewayConfig WithRoutes(
    const homeward::internal::v1::GatewayConfig& config,
    const homeward::internal::v1::RouteMap& routes);

// The backend called `name`, or nullptr.
const Backend* FindBackend(const std::vector<Backend>& backends,
                           absl::string_view name);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_BACKENDS_H_
