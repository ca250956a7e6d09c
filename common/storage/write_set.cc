// Building a WriteSet; see write_set.h. Values are encoded here so that the
// committer thread only checks and concatenates.
#include "common/storage/write_set.h"

#include <iterator>

#include "common/storage/columns.h"

namespace homeward::storage {

using internal::Column;

WriteSet& WriteSet::ExpectVersion(uint32_t partition, absl::string_view kind,
                                  absl::string_view id, uint64_t version) {
  expectations_.push_back({internal::RecordKey(partition, kind, id),
                           std::string(kind), std::string(id), version});
  return *this;
}

WriteSet& WriteSet::ExpectNewOrReplay(uint32_t partition,
                                      absl::string_view kind,
                                      absl::string_view id) {
  expectations_.push_back({internal::RecordKey(partition, kind, id),
                           std::string(kind), std::string(id), 0,
                           /*replay_if_exists=*/true, partition});
  return *this;
}

WriteSet& WriteSet::PutRecord(uint32_t partition, absl::string_view kind,
                              absl::string_view id, uint64_t version,
                              const google::protobuf::Message& value) {
  std::string key = internal::RecordKey(partition, kind, id);
  std::string encoded = KeyBuilder().U64(version).key();
  value.AppendToString(&encoded);
  versions_.push_back({key, version});
  puts_.push_back(
      {Column::kRecords, std::move(key), std::move(encoded), false});
  return *this;
}

WriteSet& WriteSet::DeleteRecord(uint32_t partition, absl::string_view kind,
                                 absl::string_view id) {
  std::string key = internal::RecordKey(partition, kind, id);
  versions_.push_back({key, 0});
  puts_.push_back({Column::kRecords, std::move(key), "", true});
  return *this;
}

WriteSet& WriteSet::PutIndex(uint32_t partition, absl::string_view index,
                             absl::string_view value, absl::string_view id) {
  puts_.push_back({Column::kIndex,
                   internal::IndexKey(partition, index, value, id), "", false});
  return *this;
}

WriteSet& WriteSet::DeleteIndex(uint32_t partition, absl::string_view index,
                                absl::string_view value, absl::string_view id) {
  puts_.push_back({Column::kIndex,
                   internal::IndexKey(partition, index, value, id), "", true});
  return *this;
}

WriteSet& WriteSet::ClaimRequest(
    uint32_t partition, absl::string_view scope, absl::string_view request_id,
    homeward::internal::v1::IdempotencyRecord record) {
  claims_.push_back(
      {internal::RequestKey(partition, scope, request_id), std::move(record)});
  return *this;
}

WriteSet& WriteSet::AppendEvent(homeward::v1::Event event) {
  events_.push_back(std::move(event));
  return *this;
}

WriteSet& WriteSet::RewriteEvent(const homeward::v1::Event& event) {
  puts_.push_back({Column::kOutbox,
                   internal::OutboxKey(event.partition(), event.sequence()),
                   event.SerializeAsString(), false});
  return *this;
}

WriteSet& WriteSet::PutCursor(absl::string_view consumer, uint32_t partition,
                              uint64_t sequence) {
  puts_.push_back({Column::kCursors, internal::CursorKey(consumer, partition),
                   KeyBuilder().U64(sequence).key(), false});
  return *this;
}

WriteSet& WriteSet::TrimOutbox(uint32_t partition, uint64_t through_sequence) {
  trims_.push_back({partition, through_sequence});
  return *this;
}

WriteSet& WriteSet::Audit(homeward::internal::v1::AuditEntry entry) {
  audits_.push_back(std::move(entry));
  return *this;
}

WriteSet& WriteSet::Append(WriteSet&& other) {
  auto move_all = [](auto& to, auto& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()),
              std::make_move_iterator(from.end()));
    from.clear();
  };
  move_all(expectations_, other.expectations_);
  move_all(puts_, other.puts_);
  move_all(claims_, other.claims_);
  move_all(versions_, other.versions_);
  move_all(events_, other.events_);
  move_all(audits_, other.audits_);
  move_all(trims_, other.trims_);
  return *this;
}

}  // namespace homeward::storage
