// The producer's record of the consumers that follow its feed: which
// consumer follows which partitions, and how far each has applied. Stored
// in the producer's store as records of kind "feed_consumer" in the
// partition they are about (keyed by partition first), so a registration
// moves, is backed up and is restored with its partition. OutboxTrimmer
// trims only what every registered consumer of a partition has applied;
// EventFeedService serves RegisterConsumer, ReportConsumerPositions,
// ListConsumers and UnregisterConsumer through it.
//
//   ConsumerRegistry registry(store, &owned, absl::Hours(24));
//   RETURN_IF_ERROR(registry.Register(request, absl::Now()));
//   ASSIGN_OR_RETURN(auto states, registry.ConsumersOf(partition,
//   absl::Now()));
#ifndef HOMEWARD_COMMON_FEEDS_CONSUMER_REGISTRY_H_
#define HOMEWARD_COMMON_FEEDS_CONSUMER_REGISTRY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "homeward/v1/events.pb.h"

namespace homeward::feeds {

// One registered consumer in one partition, with what ListConsumers
// computes (events_behind, oldest_unapplied_time, behind) filled in.
struct RegisteredPosition {
  std::string consumer;
  homeward::v1::ConsumerPartitionState state;
};

class ConsumerRegistry {
 public:
  // The record kind registrations are stored under.
  static constexpr char kRecordKind[] = "feed_consumer";
  // Longer names are refused: a name is part of every registration key.
  static constexpr size_t kMaxConsumerNameLength = 200;

  // `store` and `owned` are not owned and must outlive the registry;
  // `behind_limit` is EventRetention.consumer_behind_seconds.
  ConsumerRegistry(storage::Store* store, const storage::PartitionSet* owned,
                   absl::Duration behind_limit)
      : store_(store), owned_(owned), behind_limit_(behind_limit) {}

  // Registers (or re-registers) the consumer for each named partition at
  // its position. INVALID_ARGUMENT per bad field; nothing is stored then.
  absl::Status Register(const homeward::v1::RegisterConsumerRequest& request,
                        absl::Time now);
  // Updates the positions; FAILED_PRECONDITION naming the first partition
  // the consumer is not registered for (nothing is stored then).
  absl::Status Report(
      const homeward::v1::ReportConsumerPositionsRequest& request,
      absl::Time now);
  absl::StatusOr<homeward::v1::UnregisterConsumerResponse> Unregister(
      const homeward::v1::UnregisterConsumerRequest& request);
  // Every consumer registered for an owned partition, and every owned
  // partition's retained range.
  absl::StatusOr<homeward::v1::ListConsumersResponse> List(
      absl::Time now) const;
  // The consumers registered for `partition`, ascending name.
  absl::StatusOr<std::vector<RegisteredPosition>> ConsumersOf(
      uint32_t partition, absl::Time now) const;

  absl::Duration behind_limit() const { return behind_limit_; }

 private:
  // Checks the consumer name and positions (owned, once each).
  absl::Status Validate(
      const std::string& consumer,
      const google::protobuf::RepeatedPtrField<homeward::v1::ConsumerPosition>&
          positions) const;
  // Records `positions` of `consumer`, reported at `now`, in one commit.
  // A partition the consumer is not registered for is registered when
  // `register_new`, and refused (CONSUMER_NOT_REGISTERED) otherwise.
  absl::Status RecordPositions(
      const std::string& consumer,
      const google::protobuf::RepeatedPtrField<homeward::v1::ConsumerPosition>&
          positions,
      absl::Time now, bool register_new);
  // Fills the computed fields of `state`.
  absl::Status Judge(homeward::v1::ConsumerPartitionState& state,
                     absl::Time now) const;

  storage::Store* store_;
  const storage::PartitionSet* owned_;
  const absl::Duration behind_limit_;
};

}  // namespace homeward::feeds

#endif  // HOMEWARD_COMMON_FEEDS_CONSUMER_REGISTRY_H_
