// A feed follower's lag; see feed_metrics.h.
#include "common/metrics/feed_metrics.h"

#include <vector>

#include "absl/strings/str_cat.h"

namespace homeward::metrics {

std::unique_ptr<Metrics::Registration> WatchFeed(
    Metrics& metrics, const std::string& server, const std::string& consumer,
    const feeds::FeedFollower* follower) {
  return metrics.AddReader([server, consumer,
                            follower](std::vector<Reading>& out) {
    const feeds::FeedLag lag = follower->Lag();
    for (const feeds::PartitionLag& p : lag.partitions) {
      const std::map<std::string, std::string> labels = {
          {"server", server},
          {"consumer", consumer},
          {"producer", p.producer},
          {"partition", absl::StrCat(p.partition)}};
      out.push_back({"homeward_feed_events_behind",
                     "Events the producer has sent that are not applied yet.",
                     prometheus::MetricType::Gauge, labels,
                     static_cast<double>(p.events_behind)});
      out.push_back({"homeward_feed_applied_sequence",
                     "The last event sequence applied (the stored cursor).",
                     prometheus::MetricType::Gauge, labels,
                     static_cast<double>(p.applied_sequence)});
      out.push_back({"homeward_feed_last_event_age_seconds",
                     "Since the producer committed the last event applied "
                     "(0 before the first).",
                     prometheus::MetricType::Gauge, labels,
                     absl::ToDoubleSeconds(p.last_event_age)});
      out.push_back({"homeward_feed_apply_delay_seconds",
                     "From the last applied event's commit at the producer "
                     "to its effect's commit here.",
                     prometheus::MetricType::Gauge, labels,
                     absl::ToDoubleSeconds(p.last_apply_delay)});
      out.push_back({"homeward_feed_refused_total",
                     "Events the consumer refused or whose commit failed "
                     "(each retried until applied).",
                     prometheus::MetricType::Counter, labels,
                     static_cast<double>(p.refused_count)});
    }
    out.push_back({"homeward_feed_reconnects_total",
                   "Feed streams opened again after they failed or ended.",
                   prometheus::MetricType::Counter,
                   {{"server", server}, {"consumer", consumer}},
                   static_cast<double>(lag.reconnects)});
  });
}

}  // namespace homeward::metrics
