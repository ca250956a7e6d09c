// Upstream routes of a hosted service; see upstream_route.h.
#include "common/service/upstream_route.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/routing/route_map_file.h"
#include "common/status/errors.h"

namespace homeward::service {

namespace {

bool Names(const google::protobuf::RepeatedPtrField<
               homeward::internal::v1::ServiceRoute>& routes,
           absl::string_view service) {
  return std::any_of(
      routes.begin(), routes.end(),
      [service](const auto& route) { return route.service() == service; });
}

}  // namespace

bool RoutesUpstream(const homeward::internal::v1::ServiceConfig& config,
                    absl::string_view service) {
  if (!config.upstream_routes_file().empty()) {
    // Read at the build step only; the host has loaded and checked it.
    absl::StatusOr<homeward::internal::v1::RouteMap> map =
        routing::ReadRouteMap(config.upstream_routes_file());
    return map.ok() && Names(map->routes(), service);
  }
  return Names(config.upstream(), service);
}

absl::StatusOr<routing::RouteTable> UpstreamRoute(const ServiceParts& parts,
                                                  absl::string_view service,
                                                  absl::string_view why) {
  const auto routes = parts.UpstreamRoutes();
  if (!Names(routes, service)) {
    return errors::InvalidField(parts.config().upstream_routes_file().empty()
                                    ? "upstream"
                                    : "upstream_routes_file",
                                absl::StrCat("must list the replicas of the ",
                                             service, " service, ", why));
  }
  // Validated by the host (or the route file) already; the other service
  // shares the partition count.
  return routing::RouteTable::Create(routes, parts.owned()->count(), service);
}

}  // namespace homeward::service
