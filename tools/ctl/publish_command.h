// `homewardctl publish instrument FILE...`: publishes instrument definitions
// (homeward.v1.InstrumentDefinition textproto, as under deploy/instruments)
// through the gateway, which publishes each to every assessment replica.
// Every file is parsed before anything is sent, so a typo publishes
// nothing; then each is published in turn (a progress bar on a terminal)
// and the table shows each file's outcome. Publishing the same content
// again is accepted (idempotent); a changed definition under a published
// version is refused ALREADY_EXISTS by the service: that file's row shows
// the error and the command fails with the first error.
//
// `publish grid FILE...`: feasibility grids (homeward.v1.FeasibilityGrid
// textproto, as under deploy/feasibility) the same way, through
// FeasibilityGridService/PublishFeasibilityGrid (every planning replica).
#ifndef HOMEWARD_TOOLS_CTL_PUBLISH_COMMAND_H_
#define HOMEWARD_TOOLS_CTL_PUBLISH_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/ctl/ctl_context.h"

namespace homeward::ctl {

inline constexpr char kPublishUsage[] =
    "Usage: homewardctl [global flags] publish instrument FILE...\n"
    "       homewardctl [global flags] publish grid FILE...\n\n"
    "Publishes instrument definitions (InstrumentDefinition textproto, as\n"
    "under deploy/instruments) or feasibility grids through --gateway, as\n"
    "an administrator. Every file is parsed first; nothing is sent if one\n"
    "does not parse. A published version never changes: a changed file\n"
    "under the same version is refused (ALREADY_EXISTS); give it a new\n"
    "version.\n";

absl::Status RunPublishCommand(CtlContext& ctl,
                               const std::vector<std::string>& args);

}  // namespace homeward::ctl

#endif  // HOMEWARD_TOOLS_CTL_PUBLISH_COMMAND_H_
