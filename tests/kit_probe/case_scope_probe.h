// The kit probe: a second Homeward service made only of the service kit
// (common/), as a test fixture and not shipped. It follows the assessment
// service's feed into a case directory (common/cases) and answers
// CaseScopeProbe.GetCaseScope from it with the same access rules as the
// assessment service. Tests serve it behind the gateway as the "probe"
// backend, in-process and as separate processes (homeward-test-probe), to
// prove that a new service composes the kit and copies nothing.
//
//   homeward::internal::v1::ServiceConfig config;  // data dir, partitions,
//   ...                                             // upstream: assessment
//   ASSIGN_OR_RETURN(std::unique_ptr<service::ServiceHost> probe,
//                    testing::StartCaseScopeProbe(config, secret));
//   gateway_options.extra_methods = testing::CaseScopeProbeMethods();
#ifndef HOMEWARD_TESTS_KIT_PROBE_CASE_SCOPE_PROBE_H_
#define HOMEWARD_TESTS_KIT_PROBE_CASE_SCOPE_PROBE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/service/service_host.h"
#include "common/service/upstream_feed.h"
#include "homeward/internal/v1/config.pb.h"
#include "services/gateway/method_table.h"

namespace homeward::testing {

// The backend name of the probe in gateway routes and upstream lists.
inline constexpr char kProbeBackend[] = "probe";

// Starts one replica of the probe. `config.upstream` must route the
// assessment service; `channels` replaces dialling its replicas (in-process).
absl::StatusOr<std::unique_ptr<service::ServiceHost>> StartCaseScopeProbe(
    const homeward::internal::v1::ServiceConfig& config,
    const std::string& principal_secret,
    service::UpstreamChannels channels = {});

// The gateway's declaration of the probe's methods (backend "probe").
std::vector<gateway::MethodRoute> CaseScopeProbeMethods();

}  // namespace homeward::testing

#endif  // HOMEWARD_TESTS_KIT_PROBE_CASE_SCOPE_PROBE_H_
