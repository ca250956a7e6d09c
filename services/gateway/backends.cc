// The gateway's backends from its config; see backends.h.
#include "services/gateway/backends.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/server/log.h"
#include "common/server/server_kit.h"
#include "common/server/transport.h"
#include "common/status/errors.h"

namespace homeward::gateway {

absl::StatusOr<std::vector<Backend>> ConnectBackends(
    const homeward::internal::v1::GatewayConfig& config,
    const MethodTable& methods,
    const std::map<std::string, std::shared_ptr<grpc::Channel>>&
        channel_overrides) {
  return ConnectBackends(config, methods, channel_overrides, {});
}

homeward::internal::v1::GatewayConfig WithRoutes(
    const homeward::internal::v1::GatewayConfig& config,
    const homeward::internal::v1::RouteMap& routes) {
  homeward::internal::v1::GatewayConfig with = config;
  *with.mutable_routes() = routes.routes();
  return with;
}

absl::StatusOr<std::vector<Backend>> ConnectBackends(
    const homeward::internal::v1::GatewayConfig& config,
    const MethodTable& methods,
    const std::map<std::string, std::shared_ptr<grpc::Channel>>&
        channel_overrides,
    const std::vector<Backend>& current) {
  // The channels in use, by address (the same address in two backends is
  // one replica process serving both).
  std::map<std::string, std::shared_ptr<grpc::Channel>> dialled =
      channel_overrides;
  for (const Backend& backend : current) {
    for (size_t r = 0; r < backend.channels.size(); ++r) {
      dialled.emplace(backend.routes.address(r), backend.channels[r]);
    }
  }
  const std::vector<std::string>& known = methods.backends();
  errors::FieldViolations bad;
  // Each backend's table checks the shared partition_count again: say it
  // once.
  std::set<std::pair<std::string, std::string>> said;
  auto add = [&](std::string field, std::string description) {
    if (said.emplace(field, description).second) {
      bad.Add(std::move(field), std::move(description));
    }
  };
  for (int i = 0; i < config.routes_size(); ++i) {
    const std::string& service = config.routes(i).service();
    if (std::find(known.begin(), known.end(), service) == known.end()) {
      add(absl::StrCat("routes[", i, "].service"),
          absl::StrCat("'", service,
                       "' is not a backend this gateway routes to (known: ",
                       absl::StrJoin(known, ", "), ")"));
    }
  }
  // Every replica not given as an in-process channel is dialled over the
  // gateway's internal transport (mutual TLS with its own certificate, or
  // plaintext when the config says so; unset: plaintext, for tests).
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> dial =
          server::DialCredentials(config.internal_transport(),
                                  "internal_transport");
      dial.ok()) {
    credentials = *std::move(dial);
  } else {
    for (const errors::FieldViolation& v :
         errors::FieldViolationsOf(dial.status())) {
      add(v.field, v.description);
    }
  }
  std::vector<Backend> backends;
  for (const std::string& name : known) {
    const bool routed =
        std::any_of(config.routes().begin(), config.routes().end(),
                    [&](const auto& route) { return route.service() == name; });
    if (!routed && IsOptionalBackend(name)) {
      // A deployment without this service: its methods answer UNIMPLEMENTED
      // (Forwarder), and readiness does not wait for it.
      server::Log("info", "backend not deployed: no route in the config",
                  {{"backend", name}});
      continue;
    }
    if (!routed) {
      // Name a method so that the operator sees why the backend is needed.
      const auto& all = methods.methods();
      const auto method =
          std::find_if(all.begin(), all.end(),
                       [&](const MethodRoute& m) { return m.backend == name; });
      add("routes", absl::StrCat("must include a route for backend '", name,
                                 "', which serves ", method->full_name,
                                 " and the other methods naming it"));
      continue;
    }
    absl::StatusOr<routing::RouteTable> routes = routing::RouteTable::Create(
        config.routes(), config.partition_count(), name);
    if (!routes.ok()) {
      for (const errors::FieldViolation& v :
           errors::FieldViolationsOf(routes.status())) {
        add(v.field, v.description);
      }
      continue;
    }
    Backend backend{*std::move(routes), {}};
    for (const std::string& address : backend.routes.addresses()) {
      auto it = dialled.find(address);
      backend.channels.push_back(
          it != dialled.end() ? it->second
                              : server::DialInternal(address, credentials));
    }
    backends.push_back(std::move(backend));
  }
  if (!bad.empty()) return bad.ToStatus();
  return backends;
}

const Backend* FindBackend(const std::vector<Backend>& backends,
                           absl::string_view name) {
  for (const Backend& backend : backends) {
    if (backend.name() == name) return &backend;
  }
  return nullptr;
}

}  // namespace homeward::gateway
