// Upstream feeds of a hosted service; see upstream_feed.h.
#include "common/service/upstream_feed.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/routing/route_table.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace homeward::service {

absl::StatusOr<feeds::FeedFollower*> FollowUpstream(
    ServiceParts& parts, absl::string_view producer,
    feeds::EventConsumer* consumer, UpstreamChannels channels) {
  const auto& upstream = parts.config().upstream();
  bool routed = false;
  for (const auto& route : upstream) routed |= route.service() == producer;
  if (!routed) {
    return errors::InvalidField(
        "upstream", absl::StrCat("must list the replicas of the ", producer,
                                 " service, whose events this service "
                                 "follows"));
  }
  // Validated by the host already; the producer shares the partition count.
  ASSIGN_OR_RETURN(
      routing::RouteTable routes,
      routing::RouteTable::Create(upstream, parts.owned()->count(), producer));
  feeds::FeedFollower::Options options;
  options.producer = std::move(routes);
  options.partitions = *parts.owned();
  options.store = parts.store();
  options.consumer = consumer;
  options.principal_secret = parts.principal_secret();
  options.channels = std::move(channels);
  ASSIGN_OR_RETURN(std::unique_ptr<feeds::FeedFollower> follower,
                   feeds::FeedFollower::Start(std::move(options)));
  feeds::FeedFollower* raw = parts.Own(std::move(follower));
  parts.AddStop([raw] { raw->Stop(); });
  return raw;
}

}  // namespace homeward::service
