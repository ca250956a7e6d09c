// Upstream feeds of a hosted service; see upstream_feed.h.
#include "common/service/upstream_feed.h"

#include <utility>

#include "common/feeds/consumer_registration.h"
#include "common/metrics/feed_metrics.h"
#include "common/server/log.h"
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
  // Event retention: the producers learn how far this consumer applied.
  feeds::ConsumerRegistration::Options registration;
  registration.store = parts.store();
  registration.consumer_name = consumer->name();
  registration.principal_secret = parts.principal_secret();
  registration.channels = options.channels;
  registration.credentials = options.credentials;
  ASSIGN_OR_RETURN(std::unique_ptr<feeds::FeedFollower> follower,
                   feeds::FeedFollower::Start(std::move(options)));
  feeds::FeedFollower* raw = parts.Own(std::move(follower));
  parts.AddStop([raw] { raw->Stop(); });
  // Partitions adopted or released: follow the owned set as it is now.
  const std::string consumer_name = consumer->name();
  parts.OnOwnedPartitionsChange([raw, consumer_name] {
    absl::Status resubscribed = raw->Resubscribe();
    if (!resubscribed.ok()) {
      server::Log("error", "feed follower could not follow the new partitions",
                  {{"consumer", consumer_name},
                   {"code", absl::StatusCodeToString(resubscribed.code())}});
    }
  });
  // A partition moved at the producer: subscribe to its new owner.
  const ServiceParts* host_parts = &parts;
  parts.OnUpstreamRoutesChange([raw, host_parts, consumer_name,
                                name = std::string(producer)] {
    absl::StatusOr<routing::RouteTable> routes =
        UpstreamRoute(*host_parts, name, "whose events this service follows");
    absl::Status resubscribed =
        routes.ok() ? raw->Resubscribe(*std::move(routes)) : routes.status();
    if (!resubscribed.ok()) {
      server::Log("error", "feed follower could not switch to the new routes",
                  {{"consumer", consumer_name},
                   {"producer_service", name},
                   {"code", absl::StatusCodeToString(resubscribed.code())}});
    }
  });

  // Added after the follower, so destroyed before it.
  if (parts.metrics() != nullptr) {
    parts.Own(metrics::WatchFeed(*parts.metrics(), parts.name(),
                                 consumer->name(), raw));
  }

  registration.follower = raw;
  ASSIGN_OR_RETURN(std::unique_ptr<feeds::ConsumerRegistration> reporter,
                   feeds::ConsumerRegistration::Start(std::move(registration)));
  feeds::ConsumerRegistration* reporting = parts.Own(std::move(reporter));
  // Stops run last added first: the reporter stops before the follower.
  parts.AddStop([reporting] { reporting->Stop(); });
  return raw;
}

}  // namespace homeward::service
