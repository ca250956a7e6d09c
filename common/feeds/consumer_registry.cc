// The producer's registry of feed consumers; see consumer_registry.h.
#include "common/feeds/consumer_registry.h"

#include <algorithm>
#include <map>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/feeds/retention_rules.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/time_util.h"

namespace homeward::feeds {
namespace {

using google::protobuf::util::TimeUtil;
using homeward::v1::ConsumerPartitionState;
using homeward::v1::ConsumerPosition;

constexpr int kListPageSize = 256;

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(t));
}

}  // namespace

absl::Status ConsumerRegistry::Validate(
    const std::string& consumer,
    const google::protobuf::RepeatedPtrField<ConsumerPosition>& positions)
    const {
  errors::FieldViolations bad;
  if (consumer.empty()) {
    bad.Add("consumer", "is required: the consumer's name");
  } else if (consumer.size() > kMaxConsumerNameLength) {
    bad.Add("consumer", absl::StrCat("must be at most ", kMaxConsumerNameLength,
                                     " characters"));
  }
  if (positions.empty()) {
    bad.Add("positions", "must name at least one partition");
  }
  absl::flat_hash_set<uint32_t> seen;
  for (int i = 0; i < positions.size(); ++i) {
    const uint32_t p = positions[i].partition();
    const std::string field = absl::StrCat("positions[", i, "].partition");
    if (!owned_->Contains(p)) {
      bad.Add(field,
              absl::StrCat("partition ", p, " is not owned by this replica"));
    } else if (!seen.insert(p).second) {
      bad.Add(field, absl::StrCat("partition ", p, " is named more than once"));
    }
  }
  return bad.ToStatus();
}

absl::Status ConsumerRegistry::Register(
    const homeward::v1::RegisterConsumerRequest& request, absl::Time now) {
  return RecordPositions(request.consumer(), request.positions(), now,
                         /*register_new=*/true);
}

absl::Status ConsumerRegistry::Report(
    const homeward::v1::ReportConsumerPositionsRequest& request,
    absl::Time now) {
  return RecordPositions(request.consumer(), request.positions(), now,
                         /*register_new=*/false);
}

absl::Status ConsumerRegistry::RecordPositions(
    const std::string& consumer,
    const google::protobuf::RepeatedPtrField<ConsumerPosition>& positions,
    absl::Time now, bool register_new) {
  RETURN_IF_ERROR(Validate(consumer, positions));
  storage::WriteSet set;
  for (const ConsumerPosition& position : positions) {
    const uint32_t p = position.partition();
    ConsumerPartitionState state;
    uint64_t version = 0;
    ASSIGN_OR_RETURN(bool found, store_->GetRecord(p, kRecordKind, consumer,
                                                   &state, &version));
    if (!found && !register_new) {
      return errors::FailedPrecondition(
          "CONSUMER_NOT_REGISTERED", absl::StrCat("partition ", p),
          absl::StrCat("consumer '", consumer,
                       "' is not registered for partition ", p,
                       " on this replica: call RegisterConsumer first"));
    }
    if (!found) {
      state.set_partition(p);
      *state.mutable_registered_time() = ToProto(now);
    }
    state.set_applied_sequence(position.applied_sequence());
    *state.mutable_last_report_time() = ToProto(now);
    set.ExpectVersion(p, kRecordKind, consumer, version)
        .PutRecord(p, kRecordKind, consumer, version + 1, state);
  }
  return store_->Commit(std::move(set)).status();
}

absl::StatusOr<homeward::v1::UnregisterConsumerResponse>
ConsumerRegistry::Unregister(
    const homeward::v1::UnregisterConsumerRequest& request) {
  errors::FieldViolations bad;
  if (request.consumer().empty()) bad.Add("consumer", "is required");
  for (int i = 0; i < request.partitions_size(); ++i) {
    if (!owned_->Contains(request.partitions(i))) {
      bad.Add(absl::StrCat("partitions[", i, "]"),
              absl::StrCat("partition ", request.partitions(i),
                           " is not owned by this replica"));
    }
  }
  RETURN_IF_ERROR(bad.ToStatus());
  std::vector<uint32_t> partitions(request.partitions().begin(),
                                   request.partitions().end());
  if (partitions.empty()) partitions = owned_->partitions();
  std::sort(partitions.begin(), partitions.end());
  partitions.erase(std::unique(partitions.begin(), partitions.end()),
                   partitions.end());
  storage::WriteSet set;
  homeward::v1::UnregisterConsumerResponse response;
  for (uint32_t p : partitions) {
    ConsumerPartitionState state;
    uint64_t version = 0;
    ASSIGN_OR_RETURN(bool found,
                     store_->GetRecord(p, kRecordKind, request.consumer(),
                                       &state, &version));
    if (!found) continue;
    set.ExpectVersion(p, kRecordKind, request.consumer(), version)
        .DeleteRecord(p, kRecordKind, request.consumer());
    response.add_partitions(p);
  }
  if (response.partitions().empty()) {
    return errors::NotFound("feed consumer", request.consumer());
  }
  RETURN_IF_ERROR(store_->Commit(std::move(set)).status());
  return response;
}

absl::Status ConsumerRegistry::Judge(ConsumerPartitionState& state,
                                     absl::Time now) const {
  const uint64_t latest = store_->PublishedSequence(state.partition());
  std::optional<absl::Time> oldest_unapplied;
  state.clear_oldest_unapplied_time();
  state.set_events_behind(0);
  if (latest != storage::Store::kUnknownSequence &&
      latest > state.applied_sequence()) {
    state.set_events_behind(latest - state.applied_sequence());
    ASSIGN_OR_RETURN(
        auto next,
        store_->ReadEvents(state.partition(), state.applied_sequence(), 1));
    if (!next.empty()) {
      *state.mutable_oldest_unapplied_time() = next.front().time();
      oldest_unapplied = FromProto(next.front().time());
    }
  }
  state.set_behind(ConsumerBehind(oldest_unapplied,
                                  FromProto(state.last_report_time()), now,
                                  behind_limit_));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<RegisteredPosition>> ConsumerRegistry::ConsumersOf(
    uint32_t partition, absl::Time now) const {
  std::vector<RegisteredPosition> found;
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        storage::IndexPage page,
        store_->ListRecordIds({partition}, kRecordKind, kListPageSize, token));
    for (const storage::IndexEntry& entry : page.entries) {
      RegisteredPosition position;
      position.consumer = entry.id;
      ASSIGN_OR_RETURN(bool exists,
                       store_->GetRecord(partition, kRecordKind, entry.id,
                                         &position.state, nullptr));
      if (!exists) continue;  // unregistered meanwhile
      position.state.set_partition(partition);
      RETURN_IF_ERROR(Judge(position.state, now));
      found.push_back(std::move(position));
    }
    token = page.next_page_token;
  } while (!token.empty());
  return found;
}

absl::StatusOr<homeward::v1::ListConsumersResponse> ConsumerRegistry::List(
    absl::Time now) const {
  homeward::v1::ListConsumersResponse response;
  std::map<std::string, homeward::v1::RegisteredConsumer> by_name;
  for (uint32_t p : owned_->partitions()) {
    ASSIGN_OR_RETURN(std::vector<RegisteredPosition> consumers,
                     ConsumersOf(p, now));
    for (RegisteredPosition& c : consumers) {
      homeward::v1::RegisteredConsumer& entry = by_name[c.consumer];
      entry.set_consumer(c.consumer);
      *entry.add_partitions() = std::move(c.state);
    }
    ASSIGN_OR_RETURN(auto oldest, store_->ReadEvents(p, 0, 1));
    homeward::v1::RetainedOutbox* outbox = response.add_outboxes();
    outbox->set_partition(p);
    if (!oldest.empty()) {
      outbox->set_oldest_retained_sequence(oldest.front().sequence());
    }
    const uint64_t latest = store_->PublishedSequence(p);
    outbox->set_latest_sequence(
        latest == storage::Store::kUnknownSequence ? 0 : latest);
  }
  for (auto& [name, consumer] : by_name) {
    *response.add_consumers() = std::move(consumer);
  }
  return response;
}

}  // namespace homeward::feeds
