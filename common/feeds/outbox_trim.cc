// The outbox trimming job; see outbox_trim.h.
#include "common/feeds/outbox_trim.h"

#include <pthread.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/feeds/retention_rules.h"
#include "common/server/log.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/time_util.h"

namespace homeward::feeds {
namespace {

// Events read per outbox read while looking for the trim point.
constexpr size_t kScanBatch = 1024;

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixNanos(
      google::protobuf::util::TimeUtil::TimestampToNanoseconds(t));
}

}  // namespace

RetentionSettings RetentionSettingsOf(
    const homeward::internal::v1::EventRetention& config) {
  RetentionSettings settings;
  if (config.min_age_seconds() != 0) {
    settings.min_age = absl::Seconds(config.min_age_seconds());
  }
  if (config.trim_interval_seconds() != 0) {
    settings.interval = absl::Seconds(config.trim_interval_seconds());
  }
  if (config.consumer_behind_seconds() != 0) {
    settings.consumer_behind = absl::Seconds(config.consumer_behind_seconds());
  }
  return settings;
}

void OutboxTrimmer::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "outbox-trim");
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stopping_;
        };
        if (mu_.AwaitWithTimeout(absl::Condition(&stopping),
                                 options_.settings.interval)) {
          return;
        }
      }
      absl::StatusOr<TrimPass> pass = TrimOnce(absl::Now());
      if (!pass.ok()) {
        server::Log("warning", "outbox trim pass failed",
                    {{"code", absl::StatusCodeToString(pass.status().code())}});
      }
    }
  });
}

void OutboxTrimmer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<TrimPass> OutboxTrimmer::TrimOnce(absl::Time now) {
  absl::MutexLock pass_lock(&pass_mu_);
  TrimPass pass;
  absl::Status status;
  for (uint32_t p : options_.owned->partitions()) {
    status = TrimPartition(p, now, pass);
    if (!status.ok()) break;
  }
  {
    absl::MutexLock lock(&mu_);
    figures_.events_trimmed += pass.events_trimmed;
    if (status.ok()) {
      ++figures_.passes;
      figures_.last_pass = now;
      figures_.registrations = pass.registrations;
      figures_.behind = pass.behind;
    } else {
      ++figures_.failed_passes;
    }
  }
  RETURN_IF_ERROR(status);
  if (pass.events_trimmed > 0) {
    server::Log("info", "outbox trimmed",
                {{"partitions", absl::StrCat(pass.trimmed.size())},
                 {"events", absl::StrCat(pass.events_trimmed)}});
  }
  return pass;
}

absl::Status OutboxTrimmer::TrimPartition(uint32_t partition, absl::Time now,
                                          TrimPass& pass) {
  ASSIGN_OR_RETURN(std::vector<RegisteredPosition> consumers,
                   options_.registry->ConsumersOf(partition, now));
  if (consumers.empty()) return absl::OkStatus();  // nobody said how far
  PartitionOutbox outbox;
  for (const RegisteredPosition& c : consumers) {
    ++pass.registrations;
    outbox.consumer_positions.push_back(c.state.applied_sequence());
    if (c.state.behind()) {
      // Identifiers and numbers only: never an event's content.
      server::Log(
          "warning", "feed consumer behind",
          {{"consumer", c.consumer},
           {"partition", absl::StrCat(partition)},
           {"applied_sequence", absl::StrCat(c.state.applied_sequence())},
           {"events_behind", absl::StrCat(c.state.events_behind())}});
      pass.behind.push_back({c.consumer, partition, c.state.applied_sequence(),
                             c.state.events_behind()});
    }
  }
  const uint64_t latest = options_.store->PublishedSequence(partition);
  if (latest == storage::Store::kUnknownSequence || latest == 0) {
    return absl::OkStatus();
  }
  outbox.latest_sequence = latest;
  const uint64_t passed_by_all = *std::min_element(
      outbox.consumer_positions.begin(), outbox.consumer_positions.end());
  const absl::Time cutoff = now - options_.settings.min_age;
  // Read from the oldest event kept up to the first that must stay.
  uint64_t after = 0;
  bool more = true;
  while (more &&
         outbox.oldest_events.size() < options_.max_scan_per_partition) {
    ASSIGN_OR_RETURN(auto events,
                     options_.store->ReadEvents(partition, after, kScanBatch));
    more = events.size() == kScanBatch;
    for (const homeward::v1::Event& event : events) {
      EventStamp stamp{event.sequence(), FromProto(event.time())};
      outbox.oldest_events.push_back(stamp);
      after = event.sequence();
      if (stamp.sequence >= passed_by_all || stamp.sequence >= latest ||
          stamp.time > cutoff ||
          outbox.oldest_events.size() >= options_.max_scan_per_partition) {
        more = false;
        break;
      }
    }
  }
  if (outbox.oldest_events.empty()) return absl::OkStatus();
  const uint64_t through = TrimThrough(outbox, now, options_.settings.min_age);
  const uint64_t oldest = outbox.oldest_events.front().sequence;
  if (through < oldest) return absl::OkStatus();
  storage::WriteSet set;
  set.TrimOutbox(partition, through);
  RETURN_IF_ERROR(options_.store->Commit(std::move(set)).status());
  for (const EventStamp& stamp : outbox.oldest_events) {
    if (stamp.sequence <= through) ++pass.events_trimmed;
  }
  pass.trimmed.emplace_back(partition, through);
  return absl::OkStatus();
}

RetentionFigures OutboxTrimmer::Figures() const {
  absl::MutexLock lock(&mu_);
  return figures_;
}

}  // namespace homeward::feeds
