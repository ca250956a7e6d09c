// Where a case lives: its id, derived from the registration's office and
// request id (so that the gateway routes a registration before the case
// exists), and its partition, which must be one this replica owns.
//
//   std::string id = cases::CaseIdForRequest("office-dakar", "demo-1");
//   ASSIGN_OR_RETURN(uint32_t p, cases::OwnedCasePartition(owned, id));
#ifndef HOMEWARD_COMMON_CASES_CASE_IDS_H_
#define HOMEWARD_COMMON_CASES_CASE_IDS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/storage/ids.h"
#include "common/storage/partitions.h"

namespace homeward::cases {

// Defined in common/storage/ids.h, beside the request-id rule it builds on,
// because the gateway derives it too; case code names it from here.
using storage::CaseIdForRequest;

// The partition of `case_id`; FAILED_PRECONDITION (PARTITION_NOT_OWNED) when
// `owned` does not hold it: the caller bypassed the gateway's routing.
absl::StatusOr<uint32_t> OwnedCasePartition(const storage::PartitionSet& owned,
                                            absl::string_view case_id);

}  // namespace homeward::cases

#endif  // HOMEWARD_COMMON_CASES_CASE_IDS_H_
