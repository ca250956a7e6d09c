// A mistake on the command line (an unknown command or flag, a missing
// argument or file): `homewardctl` prints it with the usage hint and exits
// with kUsageExitCode, so a script can tell "called wrongly" from "the call
// failed" (exit 1). It is an INVALID_ARGUMENT naming the argument, marked so
// that main() can tell it from an INVALID_ARGUMENT a server answered.
//
//   if (args.empty()) return UsageError("CASE_ID", "is required");
//   ...
//   if (IsUsageError(status)) return kUsageExitCode;
#ifndef HOMEWARD_TOOLS_CTL_USAGE_ERROR_H_
#define HOMEWARD_TOOLS_CTL_USAGE_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace homeward::ctl {

inline constexpr int kFailureExitCode = 1;
inline constexpr int kUsageExitCode = 2;

// INVALID_ARGUMENT with one field violation on `argument` (a flag such as
// "--gateway" or a positional name such as "CASE_ID") saying what is allowed.
absl::Status UsageError(absl::string_view argument,
                        absl::string_view description);
bool IsUsageError(const absl::Status& status);

}  // namespace homeward::ctl

#endif  // HOMEWARD_TOOLS_CTL_USAGE_ERROR_H_
