// `homewardctl audit verify`: VerifyAuditTrail through the gateway (an
// administrator's key or token): every assessment replica checks its own
// hash chain, and the answer shows per replica whether it is intact, how
// many entries were checked and the first break. Fails FAILED_PRECONDITION
// after printing when any chain is broken.
#ifndef HOMEWARD_TOOLS_CTL_AUDIT_COMMAND_H_
#define HOMEWARD_TOOLS_CTL_AUDIT_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "homeward/v1/audit.pb.h"
#include "tools/ctl/ctl_context.h"

namespace homeward::ctl {

inline constexpr char kAuditUsage[] =
    "Usage: homewardctl [global flags] audit verify\n\n"
    "Verifies every replica's audit hash chain (AuditService/\n"
    "VerifyAuditTrail through --gateway, as an administrator): per replica\n"
    "intact or not, entries checked, the first break. Exits 1 when a chain\n"
    "is broken.\n";

// The table form: replica, intact ("yes" / "NO"), entries_checked and, for
// a broken chain, the first break's sequence, kind and description.
Table AuditTable(const homeward::v1::VerifyAuditTrailResponse& response);

absl::Status RunAuditCommand(CtlContext& ctl,
                             const std::vector<std::string>& args);

}  // namespace homeward::ctl

#endif  // HOMEWARD_TOOLS_CTL_AUDIT_COMMAND_H_
