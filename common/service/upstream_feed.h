// Keeps a projection of another service's events inside a service built on
// the host: follows the producer named in ServiceConfig.upstream for the
// partitions this replica owns, with a FeedFollower that the host stops at
// shutdown (after calls drain, before the consumer and the store go).
//
//   service::ServiceDefinition definition{
//       "planning", [&](service::ServiceParts& parts) -> absl::Status {
//         auto* directory = parts.Own(std::make_unique<cases::CaseDirectory>(
//             parts.store(), *parts.owned()));
//         ASSIGN_OR_RETURN(feeds::FeedFollower * follower,
//                          service::FollowUpstream(parts, "assessment",
//                                                  directory));
//         ...  // handlers answer "may this caller touch this case" locally
//       }};
#ifndef HOMEWARD_COMMON_SERVICE_UPSTREAM_FEED_H_
#define HOMEWARD_COMMON_SERVICE_UPSTREAM_FEED_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/feeds/event_consumer.h"
#include "common/feeds/feed_follower.h"
#include "common/service/service_host.h"
#include "common/service/upstream_route.h"
#include "grpcpp/channel.h"

namespace homeward::service {

// Starts following `producer`'s feed into `consumer` (which must outlive
// the host's stop hooks: make it a part added before this call). The
// producer's route comes from config().upstream (UpstreamRoute);
// INVALID_ARGUMENT on "upstream" when there is none. The follower is owned by
// `parts`.
absl::StatusOr<feeds::FeedFollower*> FollowUpstream(
    ServiceParts& parts, absl::string_view producer,
    feeds::EventConsumer* consumer, UpstreamChannels channels = {});

}  // namespace homeward::service

#endif  // HOMEWARD_COMMON_SERVICE_UPSTREAM_FEED_H_
