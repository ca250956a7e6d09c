// Reads the records an index page names (Store::ListIndex, ListRecordIds)
// into a typed Page, with an explicit policy for an index entry whose record
// is not there. Every listing of a store is "list ids, then read each record";
// writing that loop once keeps the answer to "what if the record is missing?"
// a deliberate choice per listing instead of an accident of each copy.
//
//   ASSIGN_OR_RETURN(storage::IndexPage ids,
//                    store.ListIndex({p}, "need_by_case", case_id, 50, token));
//   // Needs are written once with their index entry and never deleted.
//   ASSIGN_OR_RETURN(storage::Page<Need> page,
//                    storage::ReadIndexedRecords<Need>(
//                        store, std::move(ids), "need",
//                        storage::MissingRecord::kCorruption));
//
// With a callback, a listing completes each record from where it was found
// (etag from the version, partition) or leaves it out (a filter applied in
// memory):
//
//   storage::ReadIndexedRecords<Case>(
//       store, std::move(ids), "case", storage::MissingRecord::kCorruption,
//       [](const storage::IndexEntry& entry, uint64_t version, Case& c) {
//         c.set_etag(api::EtagOf(version));
//         return true;  // false leaves `c` out of the page
//       });
#ifndef HOMEWARD_COMMON_STORAGE_INDEXED_RECORDS_H_
#define HOMEWARD_COMMON_STORAGE_INDEXED_RECORDS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/status/status_macros.h"
#include "common/storage/page.h"
#include "common/storage/store.h"
#include "google/protobuf/message.h"

namespace homeward::storage {

// What an index entry whose record is not found means.
enum class MissingRecord {
  // The record is committed in the same WriteSet as every pointer to it and
  // is never deleted, so a miss means the database lost data: the whole
  // listing fails with INTERNAL "storage failure while reading a <kind>
  // record: a record named by the index is missing" (errors::StorageError),
  // rather than silently showing a shorter history.
  kCorruption,
  // The record may legitimately be gone between listing its id and reading
  // it (records that are deleted or expire): it is left out, and the page is
  // shorter than asked for; its token still continues correctly.
  kSkip,
};

// Reads the record of `kind` that `entry` names into `out` (and its version
// into `version` when not null). True when read; false when it is missing
// and `missing` is kSkip; the kCorruption error when it is missing and
// `missing` is kCorruption; a storage error when it cannot be read.
absl::StatusOr<bool> ReadIndexedRecord(
    const Store& store, const IndexEntry& entry, absl::string_view kind,
    MissingRecord missing, google::protobuf::Message* out, uint64_t* version);

// Called with each record read, where it was found and its version; it may
// complete the record and returns false to leave it out of the page.
template <typename T>
using AdmitRecord =
    std::function<bool(const IndexEntry& entry, uint64_t version, T& record)>;

// The records of `kind` that `ids` names, in index order, as one page with
// the index page's token. `admit` (optional) sees each record read.
template <typename T>
absl::StatusOr<Page<T>> ReadIndexedRecords(const Store& store, IndexPage ids,
                                           absl::string_view kind,
                                           MissingRecord missing,
                                           const AdmitRecord<T>& admit = {}) {
  Page<T> page;
  page.items.reserve(ids.entries.size());
  for (const IndexEntry& entry : ids.entries) {
    T record;
    uint64_t version = 0;
    ASSIGN_OR_RETURN(bool found, ReadIndexedRecord(store, entry, kind, missing,
                                                   &record, &version));
    if (!found) continue;
    if (admit && !admit(entry, version, record)) continue;
    page.items.push_back(std::move(record));
  }
  page.next_page_token = std::move(ids.next_page_token);
  return page;
}

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_INDEXED_RECORDS_H_
