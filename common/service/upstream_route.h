// Where a hosted service finds the replicas of another service it follows
// or calls: the route named in its ServiceConfig.upstream, read with the
// same rule as the gateway's routes (common/routing/route_table.h). Shared
// by the feed followers (upstream_feed.h) and the service-to-service calls
// (upstream_calls.h), and by servers deciding whether an optional upstream
// is deployed at all.
//
//   if (service::RoutesUpstream(config.service(), "referral")) {
//     ... follow it ...
//   }
//   ASSIGN_OR_RETURN(routing::RouteTable routes,
//                    service::UpstreamRoute(parts, "assessment",
//                                           "whose consent decisions this "
//                                           "service asks for"));
#ifndef HOMEWARD_COMMON_SERVICE_UPSTREAM_ROUTE_H_
#define HOMEWARD_COMMON_SERVICE_UPSTREAM_ROUTE_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/feeds/producer_channel.h"
#include "common/routing/route_table.h"
#include "common/service/service_host.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::service {

// Channels to use instead of dialling an upstream replica's address (the
// all-in-one's in-process channels), by address: a channel, or a
// feeds::LateChannel set once that replica has started (for two services
// that follow each other; feeds/producer_channel.h).
using UpstreamChannels =
    absl::flat_hash_map<std::string, feeds::ProducerChannel>;

// Whether `config.upstream` has a route for `service`: for the optional
// upstreams a server follows only when the deployment has them.
bool RoutesUpstream(const homeward::internal::v1::ServiceConfig& config,
                    absl::string_view service);

// The route table of `service` from `parts.config().upstream`, with this
// replica's partition count. INVALID_ARGUMENT on "upstream" when there is
// no route for it, the message saying why the service needs one (`why`,
// e.g. "whose events this service follows"); the route's own problems as
// RouteTable::Create names them.
absl::StatusOr<routing::RouteTable> UpstreamRoute(const ServiceParts& parts,
                                                  absl::string_view service,
                                                  absl::string_view why);

}  // namespace homeward::service

#endif  // HOMEWARD_COMMON_SERVICE_UPSTREAM_ROUTE_H_
