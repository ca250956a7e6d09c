// Upstream feeds of a hosted service; see upstream_feed.h.
#include "common/service/upstream_feed.h"

#include <utility>

#include "common/metrics/feed_metrics.h"
#include "common/service/upstream_route.h"
#include "common/status/status_macros.h"

namespace homeward::service {

absl::StatusOr<feeds::FeedFollower*> FollowUpstream(
    ServiceParts& parts, absl::string_view producer,
    feeds::EventConsumer* consumer, UpstreamChannels channels) {
  ASSIGN_OR_RETURN(
      routing::RouteTable routes,
      UpstreamRoute(parts, producer, "whose events this service follows"));
  feeds::FeedFollower::Options options;
  options.producer = std::move(routes);
  options.partitions = *parts.owned();
  options.store = parts.store();
  options.consumer = consumer;
  options.principal_secret = parts.principal_secret();
  options.channels = std::move(channels);
  options.credentials = parts.internal_credentials();
  ASSIGN_OR_RETURN(std::unique_ptr<feeds::FeedFollower> follower,
                   feeds::FeedFollower::Start(std::move(options)));
  feeds::FeedFollower* raw = parts.Own(std::move(follower));
  parts.AddStop([raw] { raw->Stop(); });
  // Added after the follower, so destroyed before it.
  if (parts.metrics() != nullptr) {
    parts.Own(metrics::WatchFeed(*parts.metrics(), parts.name(),
                                 consumer->name(), raw));
  }
  return raw;
}

}  // namespace homeward::service
