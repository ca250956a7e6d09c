// A feed follower's lag, read at scrape time from FeedFollower::Lag():
//   homeward_feed_events_behind{server,consumer,producer,partition}  gauge
//   homeward_feed_applied_sequence{...}                              gauge
//   homeward_feed_last_event_age_seconds{...}    gauge: since the producer
//       committed the last event applied (0 before the first)
//   homeward_feed_apply_delay_seconds{...}       gauge: that event's commit
//       at the producer to its effect's commit here
//   homeward_feed_refused_total{...}             counter
//   homeward_feed_reconnects_total{server,consumer}                  counter
// `producer` is the producer replica's address, `partition` the partition
// number: a deployment's partitions are few and fixed, so the series are.
//
//   auto lag = WatchFeed(*metrics, "planning", "case-directory", follower);
//   ...                                 // destroy `lag` before `follower`
#ifndef HOMEWARD_COMMON_METRICS_FEED_METRICS_H_
#define HOMEWARD_COMMON_METRICS_FEED_METRICS_H_

#include <memory>
#include <string>

#include "common/feeds/feed_follower.h"
#include "common/metrics/metrics.h"

namespace homeward::metrics {

[[nodiscard]] std::unique_ptr<Metrics::Registration> WatchFeed(
    Metrics& metrics, const std::string& server, const std::string& consumer,
    const feeds::FeedFollower* follower);

}  // namespace homeward::metrics

#endif  // HOMEWARD_COMMON_METRICS_FEED_METRICS_H_
