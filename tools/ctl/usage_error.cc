#include "tools/ctl/usage_error.h"

#include "absl/strings/cord.h"
#include "common/status/errors.h"

namespace homeward::ctl {
namespace {
// A payload only this process sets: it never crosses the wire, so a
// server's INVALID_ARGUMENT (converted by FromGrpcStatus) never carries it.
constexpr char kUsagePayload[] = "homeward.ctl/usage";
}  // namespace

absl::Status UsageError(absl::string_view argument,
                        absl::string_view description) {
  absl::Status status = errors::InvalidField(argument, description);
  status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

bool IsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

}  // namespace homeward::ctl
