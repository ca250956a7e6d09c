// Upstream routes of a hosted service; see upstream_route.h.
#include "common/service/upstream_route.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace homeward::service {

bool RoutesUpstream(const homeward::internal::v1::ServiceConfig& config,
                    absl::string_view service) {
  return std::any_of(
      config.upstream().begin(), config.upstream().end(),
      [service](const auto& route) { return route.service() == service; });
}

absl::StatusOr<routing::RouteTable> UpstreamRoute(const ServiceParts& parts,
                                                  absl::string_view service,
                                                  absl::string_view why) {
  if (!RoutesUpstream(parts.config(), service)) {
    return errors::InvalidField(
        "upstream", absl::StrCat("must list the replicas of the ", service,
                                 " service, ", why));
  }
  // Validated by the host already; the other service shares the partition
  // count.
  return routing::RouteTable::Create(parts.config().upstream(),
                                     parts.owned()->count(), service);
}

}  // namespace homeward::service
