// The service replicas a process runs itself behind its own gateway (the
// all-in-one, the bench), as one list: each entry names its backend, says how
// the gateway reaches it (an in-process channel, or a loopback address) and
// how to wait for its storage and shut it down. The gateway's routes and
// channel overrides are built from the list, so adding a service to such a
// process is one more entry, not new wiring.
//
//   std::vector<gateway::LocalService> services;
//   ASSIGN_OR_RETURN(auto assessment, AssessmentServer::Start(cfg, secret));
//   services.push_back(
//       gateway::InProcessService("assessment", std::move(assessment)));
//   gateway::GatewayServer::Options gw;
//   gw.config.set_partition_count(cfg.partition_count());
//   gateway::RouteToLocalServices(services, &gw);
//   ASSIGN_OR_RETURN(auto gateway, gateway::GatewayServer::Start(gw));
//   ...
//   gateway->Shutdown(grace);
//   gateway::ShutdownLocalServices(services, grace);
//
// Any server type with InProcessChannel(), port(), WaitForStorageIdle() and
// Shutdown() fits (assessment::AssessmentServer, service::ServiceHost).
#ifndef HOMEWARD_SERVICES_GATEWAY_LOCAL_SERVICES_H_
#define HOMEWARD_SERVICES_GATEWAY_LOCAL_SERVICES_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "services/gateway/gateway_server.h"

namespace homeward::gateway {

struct LocalService {
  // The backend the replica serves (ServiceRoute.service), e.g. "assessment".
  std::string name;
  // The replica's address in the gateway's route: "127.0.0.1:<port>", or a
  // label such as "in-process:assessment" when `channel` is set.
  std::string address;
  // The gateway's channel to the replica; nullptr: it dials `address`.
  std::shared_ptr<grpc::Channel> channel;
  std::function<absl::Status(absl::Duration)> wait_for_storage_idle;
  std::function<void(absl::Duration)> shutdown;
  // Keeps the server alive as long as the entry (and its copies).
  std::shared_ptr<void> server;
};

namespace local_services_internal {

// The entry's name, storage wait, shutdown and ownership; the caller sets how
// the gateway reaches it.
template <typename Server>
LocalService Own(std::string name, std::shared_ptr<Server> server) {
  LocalService service;
  service.name = std::move(name);
  service.wait_for_storage_idle = [s = server.get()](absl::Duration timeout) {
    return s->WaitForStorageIdle(timeout);
  };
  service.shutdown = [s = server.get()](absl::Duration grace) {
    s->Shutdown(grace);
  };
  service.server = std::move(server);
  return service;
}

}  // namespace local_services_internal

// A replica the gateway reaches over its in-process channel (no port).
template <typename Server>
LocalService InProcessService(std::string name,
                              std::unique_ptr<Server> server) {
  std::shared_ptr<Server> shared = std::move(server);
  std::shared_ptr<grpc::Channel> channel = shared->InProcessChannel();
  LocalService service =
      local_services_internal::Own(std::move(name), std::move(shared));
  service.address = absl::StrCat("in-process:", service.name);
  service.channel = std::move(channel);
  return service;
}

// A replica the gateway dials on 127.0.0.1:port(), as in a deployment.
template <typename Server>
LocalService LoopbackService(std::string name, std::unique_ptr<Server> server) {
  const int port = server->port();
  LocalService service = local_services_internal::Own(
      std::move(name), std::shared_ptr<Server>(std::move(server)));
  service.address = absl::StrCat("127.0.0.1:", port);
  return service;
}

// Adds to options->config one route per backend in `services` (entries with
// the same name are replicas of one route, partitions spread by rendezvous
// hashing) and to options->channel_overrides the in-process channels.
void RouteToLocalServices(const std::vector<LocalService>& services,
                          GatewayServer::Options* options);

// Waits for each service's storage in turn to be idle (up to `timeout`
// each); the first error.
absl::Status WaitForLocalStorageIdle(const std::vector<LocalService>& services,
                                     absl::Duration timeout);

// Shuts the services down, the last started first. The servers live on until
// the list is destroyed, so a gateway holding their in-process channels must
// be destroyed first (declare the list before the gateway).
void ShutdownLocalServices(const std::vector<LocalService>& services,
                           absl::Duration grace);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_LOCAL_SERVICES_H_
