// Routing a gateway to the services of its own process; see
// local_services.h.
#include "services/gateway/local_services.h"

#include <map>

namespace homeward::gateway {

void RouteToLocalServices(const std::vector<LocalService>& services,
                          GatewayServer::Options* options) {
  std::map<std::string, homeward::internal::v1::ServiceRoute*> routes;
  for (const LocalService& service : services) {
    homeward::internal::v1::ServiceRoute*& route = routes[service.name];
    if (route == nullptr) {
      route = options->config.add_routes();
      route->set_service(service.name);
    }
    route->add_replicas()->set_address(service.address);
    if (service.channel != nullptr) {
      options->channel_overrides[service.address] = service.channel;
    }
  }
}

absl::Status WaitForLocalStorageIdle(const std::vector<LocalService>& services,
                                     absl::Duration timeout) {
  for (const LocalService& service : services) {
    if (!service.wait_for_storage_idle) continue;
    absl::Status status = service.wait_for_storage_idle(timeout);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

void ShutdownLocalServices(const std::vector<LocalService>& services,
                           absl::Duration grace) {
  for (auto it = services.rbegin(); it != services.rend(); ++it) {
    if (it->shutdown) it->shutdown(grace);
  }
}

}  // namespace homeward::gateway
