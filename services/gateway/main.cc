// homeward-gateway: the public face of Homeward as its own process (usage in
// gateway_main.h).
#include "services/gateway/gateway_main.h"

int main(int argc, char** argv) {
  return homeward::gateway::RunGatewayMain(argc, argv);
}
