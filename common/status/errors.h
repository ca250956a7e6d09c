// Every error Homeward shows a caller is made by one of these factories, so
// codes and wording stay consistent. Field violations ride in the status as a
// google.rpc.BadRequest payload and reach the client as rich error details
// (see grpc_status.h).
//
//   FieldViolations bad;
//   if (req.case_id().empty()) bad.Add("case_id", "is required");
//   RETURN_IF_ERROR(bad.ToStatus());
#ifndef HOMEWARD_COMMON_STATUS_ERRORS_H_
#define HOMEWARD_COMMON_STATUS_ERRORS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace homeward::errors {

// Type URL under which a google.rpc.BadRequest payload is stored.
inline constexpr absl::string_view kBadRequestTypeUrl =
    "type.googleapis.com/google.rpc.BadRequest";
inline constexpr absl::string_view kPreconditionFailureTypeUrl =
    "type.googleapis.com/google.rpc.PreconditionFailure";

struct FieldViolation {
  std::string field;
  std::string description;
  bool operator==(const FieldViolation& o) const {
    return field == o.field && description == o.description;
  }
};

// Collects every problem with a request so the caller learns them all at once.
class FieldViolations {
 public:
  void Add(std::string field, std::string description);
  // Adds each of `other`'s violations, its field path under `prefix` (e.g.
  // "plan." when checks of a plan report inside a request).
  void AddAll(const FieldViolations& other, absl::string_view prefix = "");
  bool empty() const { return violations_.empty(); }
  const std::vector<FieldViolation>& violations() const { return violations_; }
  // OK when nothing was added, else INVALID_ARGUMENT listing every violation.
  absl::Status ToStatus() const;

 private:
  std::vector<FieldViolation> violations_;
};

// INVALID_ARGUMENT for a single field.
absl::Status InvalidField(absl::string_view field,
                          absl::string_view description);
// INVALID_ARGUMENT for many; `violations` must not be empty.
absl::Status InvalidFields(const std::vector<FieldViolation>& violations);
// The violations carried by an INVALID_ARGUMENT status (empty if none).
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

absl::Status NotFound(absl::string_view kind, absl::string_view id);
absl::Status AlreadyExists(absl::string_view kind, absl::string_view id);
// ABORTED: the record changed since the caller read it.
absl::Status EtagMismatch(absl::string_view kind, absl::string_view id,
                          absl::string_view given_etag,
                          absl::string_view current_etag);
// ABORTED: a write lost a race with another writer of the same records
// (no etag involved) and gave up after replanning; retrying may succeed.
absl::Status ConcurrentChange(absl::string_view description);
// FAILED_PRECONDITION with a google.rpc.PreconditionFailure detail.
absl::Status FailedPrecondition(absl::string_view type,
                                absl::string_view subject,
                                absl::string_view description);
// One unmet precondition of several reported together.
struct PreconditionViolation {
  std::string type;
  std::string subject;
  std::string description;
};
// FAILED_PRECONDITION whose google.rpc.PreconditionFailure detail lists
// every one of `violations` (not empty), with `description` as the message:
// for a refusal the caller can only act on once it knows every open item
// (e.g. the checks of a case closure).
absl::Status FailedPreconditions(
    const std::vector<PreconditionViolation>& violations,
    absl::string_view description);
// FAILED_PRECONDITION for a feed subscriber whose cursor is below the events
// the producer has trimmed (event retention): the events after `cursor` up
// to `oldest_retained - 1` are gone, so resuming would skip them.
absl::Status EventsTrimmed(uint32_t partition, uint64_t cursor,
                           uint64_t oldest_retained);
absl::Status PermissionDenied(absl::string_view description);
absl::Status Unauthenticated(absl::string_view description);
absl::Status Unavailable(absl::string_view description);
// UNAVAILABLE: a write to `partition` refused because the partition is
// being handed over to another replica (fenced); the caller retries with
// the same request id and reaches the new owner once routes switch.
absl::Status PartitionMoving(uint32_t partition);
// UNIMPLEMENTED: what was asked for is not part of this deployment (e.g. a
// method whose service the deployment does not run); retrying cannot help.
absl::Status Unimplemented(absl::string_view description);
absl::Status Internal(absl::string_view description);
// A storage-engine failure; `what` names the operation, never the data.
absl::Status StorageError(absl::string_view what, absl::string_view detail);
// DATA_LOSS: stored data (a backup's files, a hash chain) no longer matches
// what was written; `description` names the damaged item, never its content.
absl::Status DataLoss(absl::string_view description);

}  // namespace homeward::errors

#endif  // HOMEWARD_COMMON_STATUS_ERRORS_H_
