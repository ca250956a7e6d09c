// Case partitions; see case_ids.h.
#include "common/cases/case_ids.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace homeward::cases {

absl::StatusOr<uint32_t> OwnedCasePartition(const storage::PartitionSet& owned,
                                            absl::string_view case_id) {
  const uint32_t p = storage::PartitionOf(case_id, owned.count());
  if (!owned.Contains(p)) {
    return errors::FailedPrecondition(
        "PARTITION_NOT_OWNED", absl::StrCat("partition ", p),
        absl::StrCat(
            "case '", case_id, "' is in partition ", p,
            ", which this replica does not own: call through the gateway"));
  }
  return p;
}

}  // namespace homeward::cases
