// `homewardctl case overview CASE_ID`: GetCaseOverview through the gateway
// (a caller who may read the case), shown as one row per part of the
// overview (case, scores, needs, plan, referrals, follow-ups, trajectory)
// with what it holds in short, and the parts the gateway could not fill
// marked "missing" with the reason and code. Identifiers, stages and counts
// only: the returnee's personal data is printed only with --output json,
// which prints the whole CaseOverview message.
#ifndef HOMEWARD_TOOLS_CTL_CASE_COMMAND_H_
#define HOMEWARD_TOOLS_CTL_CASE_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "homeward/v1/overview.pb.h"
#include "tools/ctl/ctl_context.h"

namespace homeward::ctl {

inline constexpr char kCaseUsage[] =
    "Usage: homewardctl [global flags] case overview CASE_ID\n\n"
    "The case's overview (CaseOverviewService/GetCaseOverview through\n"
    "--gateway): one row per part with its summary; parts the gateway could\n"
    "not fill are marked missing with the reason. --output json prints the\n"
    "whole CaseOverview message.\n";

// The table form of `overview`: part, state ("present", "empty" or
// "missing"), summary.
Table OverviewTable(const homeward::v1::CaseOverview& overview);

absl::Status RunCaseCommand(CtlContext& ctl,
                            const std::vector<std::string>& args);

}  // namespace homeward::ctl

#endif  // HOMEWARD_TOOLS_CTL_CASE_COMMAND_H_
