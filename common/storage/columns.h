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
  kColumnCount,
};

inline constexpr const char* kColumnNames[kColumnCount] = {
    "default", "records", "index", "outbox", "requests", "cursors", "audit"};

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

}  // namespace homeward::storage::internal

#endif  // HOMEWARD_COMMON_STORAGE_COLUMNS_H_
