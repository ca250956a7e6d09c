// The producer side of event retention: a job that, every
// EventRetention.trim_interval_seconds, trims each owned partition's outbox
// of the events every consumer registered for the partition
// (ConsumerRegistry) has applied and that are older than min_age_seconds
// (TrimThrough, retention_rules.h). A partition nobody registered for is
// never trimmed. A consumer that is behind (ConsumerBehind) is logged
// ("feed consumer behind": consumer and partition, never a payload) and
// counted in Figures(); its events are kept, so it can still catch up.
//
// The deletion is a WriteSet::TrimOutbox committed through the store's
// committer, so it is ordered with every append and keeps the partition's
// last event (the next sequence never goes back, restarts included).
//
//   OutboxTrimmer::Options options{.store = store, .owned = &owned,
//                                  .registry = &registry};
//   OutboxTrimmer trimmer(options);
//   trimmer.Start();                   // a pass every options.interval
//   RetentionFigures figures = trimmer.Figures();  // for metrics
//   trimmer.Stop();                    // also done by the destructor
#ifndef HOMEWARD_COMMON_FEEDS_OUTBOX_TRIM_H_
#define HOMEWARD_COMMON_FEEDS_OUTBOX_TRIM_H_

#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/feeds/consumer_registry.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::feeds {

// A consumer reported as behind in one partition.
struct BehindConsumer {
  std::string consumer;
  uint32_t partition = 0;
  uint64_t applied_sequence = 0;
  uint64_t events_behind = 0;
};

// What the trimmer has done since it started, and the consumers found
// behind by its last pass: the numbers a metrics endpoint exports.
struct RetentionFigures {
  uint64_t passes = 0;          // trim passes finished
  uint64_t failed_passes = 0;   // passes that stopped on a storage error
  uint64_t events_trimmed = 0;  // over all partitions and passes
  absl::Time last_pass = absl::InfinitePast();
  // Registrations (consumer, partition) seen by the last pass.
  uint64_t registrations = 0;
  std::vector<BehindConsumer> behind;  // by the last pass
};

// What one pass did.
struct TrimPass {
  uint64_t events_trimmed = 0;
  // Partitions trimmed, with the sequence they were trimmed through.
  std::vector<std::pair<uint32_t, uint64_t>> trimmed;
  uint64_t registrations = 0;
  std::vector<BehindConsumer> behind;
};

// EventRetention with its defaults applied (0 means the default).
struct RetentionSettings {
  absl::Duration min_age = absl::Hours(24 * 7);
  absl::Duration interval = absl::Hours(1);
  absl::Duration consumer_behind = absl::Hours(24);
};
RetentionSettings RetentionSettingsOf(
    const homeward::internal::v1::EventRetention& config);

class OutboxTrimmer {
 public:
  struct Options {
    storage::Store* store = nullptr;               // not owned
    const storage::PartitionSet* owned = nullptr;  // not owned
    const ConsumerRegistry* registry = nullptr;    // not owned
    RetentionSettings settings;
    // The most events a pass reads per partition to find how far it may
    // trim: a long backlog is trimmed over several passes.
    size_t max_scan_per_partition = 100000;
  };

  explicit OutboxTrimmer(Options options) : options_(std::move(options)) {}
  ~OutboxTrimmer() { Stop(); }
  OutboxTrimmer(const OutboxTrimmer&) = delete;
  OutboxTrimmer& operator=(const OutboxTrimmer&) = delete;

  // Starts a thread that runs a pass every settings.interval (the first
  // one an interval after the start).
  void Start();
  // Stops the thread (a pass under way finishes first). Idempotent.
  void Stop();

  // One pass over every owned partition, as of `now`; what it trimmed.
  // Also what the thread runs. Counted in Figures().
  absl::StatusOr<TrimPass> TrimOnce(absl::Time now);

  RetentionFigures Figures() const;

 private:
  // Trims one partition; adds to `pass`.
  absl::Status TrimPartition(uint32_t partition, absl::Time now,
                             TrimPass& pass);

  const Options options_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  RetentionFigures figures_ ABSL_GUARDED_BY(mu_);
  absl::Mutex pass_mu_;  // one pass at a time
  std::thread thread_;
};

}  // namespace homeward::feeds

#endif  // HOMEWARD_COMMON_FEEDS_OUTBOX_TRIM_H_
