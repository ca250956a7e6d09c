// Reading the records of an index page; see indexed_records.h.
#include "common/storage/indexed_records.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace homeward::storage {

absl::StatusOr<bool> ReadIndexedRecord(
    const Store& store, const IndexEntry& entry, absl::string_view kind,
    MissingRecord missing, google::protobuf::Message* out, uint64_t* version) {
  ASSIGN_OR_RETURN(bool found, store.GetRecord(entry.partition, kind, entry.id,
                                               out, version));
  if (found || missing == MissingRecord::kSkip) return found;
  // Like every storage error, it names the operation, never the data.
  return errors::StorageError(absl::StrCat("reading a ", kind, " record"),
                              "a record named by the index is missing");
}

}  // namespace homeward::storage
