// Internal to the storage kernel: the column families and the layout of the
// keys in each. Every case-scoped key starts with its partition so that a
// partition can be copied or moved as one key range.
//
//   records   [partition][kind][id]            -> [version u64][proto bytes]
//   index     [partition][index][value][id]    -> ""
//   outbox    [partition][sequence u64]        -> Event
//   requests  [partition][scope][request_id]   -> IdempotencyRecord
//   cursors   [consumer][partition]            -> [sequence u64]
//   audit     [sequence u64]                   -> AuditEntry
//   audit_by_subject [partition][subject][sequence as an 8-byte string]
//                                              -> ""
//   default   "audit_by_subject_through"       -> [sequence u64]
//   default   "outbox_sequence_floor"          -> [sequence u64]
//
// audit_by_subject indexes each audit entry under its subject (a case id),
// in the subject's partition, so that one case's entries are one key range.
// The sequence is stored as a length-prefixed string so that the generic
// index listing (Store::ListRange) reads it as the id. The default column
// family holds how far the index covers the trail (see
// Store::IndexAuditTrail) and, in a restored database, the outbox sequence
// floor (Store::RaiseSequenceFloor).
#ifndef HOMEWARD_COMMON_STORAGE_COLUMNS_H_
#define HOMEWARD_COMMON_STORAGE_COLUMNS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "common/storage/keys.h"

namespace homeward::storage::internal {

enum Column : int {
  kDefault = 0,
  kRecords,
  kIndex,
  kOutbox,
  kRequests,
  kCursors,
  kAudit,
  kAuditBySubject,
  kColumnCount,
};

inline constexpr const char* kColumnNames[kColumnCount] = {
    "default",  "records", "index", "outbox",
    "requests", "cursors", "audit", "audit_by_subject"};

// In the default column family: the last audit sequence the index covers,
// or kAuditFullyIndexed once the committer indexes every new entry itself.
inline constexpr char kAuditIndexedThroughKey[] = "audit_by_subject_through";
inline constexpr uint64_t kAuditFullyIndexed = UINT64_MAX;
// In the default column family: the lowest sequence the next event of any
// partition may get (absent: 1). A restore raises it above every sequence
// the lost incarnation could have handed out (docs/OPERATIONS.md).
inline constexpr char kOutboxSequenceFloorKey[] = "outbox_sequence_floor";

inline std::string RecordKey(uint32_t p, absl::string_view kind,
                             absl::string_view id) {
  return KeyBuilder().U32(p).Str(kind).Str(id).key();
}
inline std::string IndexKey(uint32_t p, absl::string_view index,
                            absl::string_view value, absl::string_view id) {
  return KeyBuilder().U32(p).Str(index).Str(value).Str(id).key();
}
inline std::string OutboxKey(uint32_t p, uint64_t sequence) {
  return KeyBuilder().U32(p).U64(sequence).key();
}
inline std::string RequestKey(uint32_t p, absl::string_view scope,
                              absl::string_view request_id) {
  return KeyBuilder().U32(p).Str(scope).Str(request_id).key();
}
inline std::string CursorKey(absl::string_view consumer, uint32_t p) {
  return KeyBuilder().Str(consumer).U32(p).key();
}
inline std::string AuditKey(uint64_t sequence) {
  return KeyBuilder().U64(sequence).key();
}
// The audit index's id for `sequence` (an 8-byte big-endian string, so that
// a subject's entries list in sequence order).
inline std::string AuditIndexId(uint64_t sequence) {
  return KeyBuilder().U64(sequence).key();
}
inline std::string AuditBySubjectKey(uint32_t p, absl::string_view subject,
                                     uint64_t sequence) {
  return KeyBuilder().U32(p).Str(subject).Str(AuditIndexId(sequence)).key();
}

}  // namespace homeward::storage::internal

#endif  // HOMEWARD_COMMON_STORAGE_COLUMNS_H_
