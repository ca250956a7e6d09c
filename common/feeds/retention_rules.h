// The rules of event retention, as pure functions (no I/O, the time passed
// in): how far a producer may trim a partition's outbox, and whether a
// registered consumer is to be reported as behind. OutboxTrimmer gathers the
// facts from the store and applies the decision.
//
//   const uint64_t through = feeds::TrimThrough(
//       {.consumer_positions = {40, 55}, .oldest_events = stamps,
//        .latest_sequence = 60},
//       absl::Now(), absl::Hours(24 * 7));
//   if (through > 0) set.TrimOutbox(partition, through);
#ifndef HOMEWARD_COMMON_FEEDS_RETENTION_RULES_H_
#define HOMEWARD_COMMON_FEEDS_RETENTION_RULES_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/time/time.h"

namespace homeward::feeds {

// An outbox event reduced to what the trim decision needs.
struct EventStamp {
  uint64_t sequence = 0;
  absl::Time time;  // its commit time (Event.time)
};

// What the producer knows of one partition when it decides to trim.
struct PartitionOutbox {
  // The applied position of every consumer registered for the partition.
  // Empty: nobody registered, so nothing may go.
  std::vector<uint64_t> consumer_positions;
  // The partition's oldest retained events in sequence order, from the
  // oldest: the decision walks them and stops at the first that must stay.
  std::vector<EventStamp> oldest_events;
  // The partition's latest sequence: that event always stays, since a
  // store finds its next sequence from the outbox's last key.
  uint64_t latest_sequence = 0;
};

// The highest sequence that may be deleted from the partition (every event
// up to it goes), or 0 when none may. An event may go only when every
// registered consumer has applied it, it is older than `min_age` at `now`,
// it is not the latest, and every event before it may go too (the oldest
// events are trimmed as one range; a younger event stops the walk even if
// a later one has an older clock time).
uint64_t TrimThrough(const PartitionOutbox& outbox, absl::Time now,
                     absl::Duration min_age);

// Whether a registered consumer is to be reported as behind: the first
// event it has not applied (`oldest_unapplied`, nullopt when it has applied
// everything) was committed more than `limit` before `now`, or it has not
// reported its position for more than `limit`. Such a consumer is logged,
// counted and listed; its events are kept all the same.
bool ConsumerBehind(std::optional<absl::Time> oldest_unapplied,
                    absl::Time last_report, absl::Time now,
                    absl::Duration limit);

}  // namespace homeward::feeds

#endif  // HOMEWARD_COMMON_FEEDS_RETENTION_RULES_H_
