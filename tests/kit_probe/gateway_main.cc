// homeward-test-gateway: the real gateway main serving the public methods
// plus the kit probe's, for the multi-process proof of the kit. Test
// fixture, not shipped.
#include "services/gateway/gateway_main.h"

#include "tests/kit_probe/case_scope_probe.h"

int main(int argc, char** argv) {
  return homeward::gateway::RunGatewayMain(
      argc, argv, homeward::testing::CaseScopeProbeMethods());
}
