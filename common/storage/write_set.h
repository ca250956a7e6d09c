// One atomic change to a service's store: records, their index entries, the
// events and audit entries they cause, consumer cursors, and preconditions
// (expected versions, request-id claims). Store::Commit applies all of it in
// one RocksDB WriteBatch, or none of it.
//
//   WriteSet set;
//   set.ExpectVersion(p, "assessment", id, 0)        // must not exist yet
//      .ClaimRequest(p, "SubmitAssessment", request_id, {id, p})
//      .PutRecord(p, "assessment", id, 1, a)
//      .PutIndex(p, "assessment_by_case", a.case_id(), id)
//      .AppendEvent(event)
//      .Audit(entry);
//   ASSIGN_OR_RETURN(CommitResult r, store.Commit(std::move(set)));
#ifndef HOMEWARD_COMMON_STORAGE_WRITE_SET_H_
#define HOMEWARD_COMMON_STORAGE_WRITE_SET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "homeward/internal/v1/storage.pb.h"
#include "homeward/v1/events.pb.h"

namespace homeward::storage {

class WriteSet {
 public:
  // The record's version must be `version` when the set commits (0: the
  // record must not exist). Violations fail the commit with ALREADY_EXISTS,
  // NOT_FOUND or ABORTED and apply nothing.
  WriteSet& ExpectVersion(uint32_t partition, absl::string_view kind,
                          absl::string_view id, uint64_t version);
  // Stores `value` as version `version` of the record.
  WriteSet& PutRecord(uint32_t partition, absl::string_view kind,
                      absl::string_view id, uint64_t version,
                      const google::protobuf::Message& value);
  // Deletes the record (a later read finds nothing; a later set of the
  // same group sees version 0). Combine with ExpectVersion to delete only
  // what was read.
  WriteSet& DeleteRecord(uint32_t partition, absl::string_view kind,
                         absl::string_view id);
  WriteSet& PutIndex(uint32_t partition, absl::string_view index,
                     absl::string_view value, absl::string_view id);
  WriteSet& DeleteIndex(uint32_t partition, absl::string_view index,
                        absl::string_view value, absl::string_view id);
  // For a create whose record id derives from its request id (so that the
  // id names the request): expects record `id` not to exist yet, and if it
  // does, the create that made it carried the same request id, so the set is
  // a replay of it. The commit then applies nothing and reports the record
  // as ClaimRequest would, without storing a claim of its own.
  WriteSet& ExpectNewOrReplay(uint32_t partition, absl::string_view kind,
                              absl::string_view id);
  // Makes the set idempotent: if `request_id` was already claimed in `scope`,
  // the commit applies nothing and reports the first claim's record.
  WriteSet& ClaimRequest(uint32_t partition, absl::string_view scope,
                         absl::string_view request_id,
                         homeward::internal::v1::IdempotencyRecord record);
  // Appends to the partition's outbox (event.partition() must be set); the
  // sequence and, when unset, the time are assigned at commit.
  WriteSet& AppendEvent(homeward::v1::Event event);
  // Writes `event` over the event its partition's outbox already holds at
  // its sequence (partition and sequence must be set, and the event must
  // exist): only for taking personal data out of past events (the
  // assessment service's retention job). Consumers that applied the event
  // keep what they made of it; the new content must only remove.
  WriteSet& RewriteEvent(const homeward::v1::Event& event);
  // Records that `consumer` has applied `partition`'s events up to `sequence`,
  // atomically with the projection change in the same set.
  WriteSet& PutCursor(absl::string_view consumer, uint32_t partition,
                      uint64_t sequence);
  // Deletes the events of `partition`'s outbox up to `through_sequence`
  // (event retention: feeds/outbox_trim.h). The committer keeps the
  // partition's last event whatever `through_sequence` says, so that the
  // next sequence, which a store finds at open from the outbox's last key,
  // never goes back; and since the deletion is in the committer's order it
  // never races an append.
  WriteSet& TrimOutbox(uint32_t partition, uint64_t through_sequence);
  // Appends to the audit trail; sequence, time and hashes are set at commit.
  WriteSet& Audit(homeward::internal::v1::AuditEntry entry);
  // Adds everything `other` holds (preconditions included) after what this
  // set holds, so that both commit as one; for batching the changes of
  // several events (feeds::FeedFollower).
  WriteSet& Append(WriteSet&& other);
  // Whether the set appends an event or an audit entry (Store::Durability).
  bool AppendsEventsOrAudit() const {
    return !events_.empty() || !audits_.empty();
  }

 private:
  friend class Store;
  struct Expectation {
    std::string key;
    std::string kind;
    std::string id;
    uint64_t version;
    // Set by ExpectNewOrReplay (version 0): an existing record is a replay.
    bool replay_if_exists = false;
    uint32_t partition = 0;
  };
  struct Put {
    int column;
    std::string key;
    std::string value;
    bool is_delete;
  };
  struct Claim {
    std::string key;
    homeward::internal::v1::IdempotencyRecord record;
  };
  struct Version {
    std::string key;
    uint64_t version;
  };
  std::vector<Expectation> expectations_;
  std::vector<Put> puts_;
  std::vector<Claim> claims_;
  std::vector<Version> versions_;  // record versions written by puts_
  std::vector<homeward::v1::Event> events_;
  std::vector<homeward::internal::v1::AuditEntry> audits_;
  struct OutboxTrim {
    uint32_t partition;
    uint64_t through_sequence;
  };
  std::vector<OutboxTrim> trims_;
};

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_WRITE_SET_H_
