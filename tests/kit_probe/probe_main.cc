// homeward-test-probe: the kit probe (case_scope_probe.h) as its own process,
// for the multi-process proof of the kit. Test fixture, not shipped.
//
//   homeward-test-probe --config=probe.textproto --listen=127.0.0.1:0
//
// The config file is a ServiceConfig textproto whose upstream routes the
// assessment service's replicas.
#include <string>

#include "common/service/service_main.h"
#include "tests/kit_probe/case_scope_probe.h"

int main(int argc, char** argv) {
  using homeward::internal::v1::ServiceConfig;
  return homeward::service::RunServiceMain<ServiceConfig>(
      argc, argv,
      {.name = "probe",
       .usage = "Usage: homeward-test-probe --config=FILE --listen=HOST:PORT\n"
                "\nRuns one replica of the kit probe, a test service that\n"
                "follows the assessment feed into a case directory."},
      [](ServiceConfig& config) { return &config; },
      [](const ServiceConfig& config, const std::string& secret) {
        return homeward::testing::StartCaseScopeProbe(config, secret);
      });
}
