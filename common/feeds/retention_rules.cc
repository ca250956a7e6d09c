// Event retention rules; see retention_rules.h.
#include "common/feeds/retention_rules.h"

#include <algorithm>

namespace homeward::feeds {

uint64_t TrimThrough(const PartitionOutbox& outbox, absl::Time now,
                     absl::Duration min_age) {
  if (outbox.consumer_positions.empty()) return 0;
  const uint64_t passed_by_all = *std::min_element(
      outbox.consumer_positions.begin(), outbox.consumer_positions.end());
  const absl::Time cutoff = now - min_age;
  uint64_t through = 0;
  for (const EventStamp& event : outbox.oldest_events) {
    if (event.sequence > passed_by_all ||
        event.sequence >= outbox.latest_sequence || event.time > cutoff) {
      break;
    }
    through = event.sequence;
  }
  return through;
}

bool ConsumerBehind(std::optional<absl::Time> oldest_unapplied,
                    absl::Time last_report, absl::Time now,
                    absl::Duration limit) {
  if (now - last_report > limit) return true;
  return oldest_unapplied.has_value() && now - *oldest_unapplied > limit;
}

}  // namespace homeward::feeds
