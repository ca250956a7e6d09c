// Gateway assembly and lifecycle; see gateway_server.h.
#include "services/gateway/gateway_server.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/metrics/metrics.h"
#include "common/metrics/metrics_endpoint.h"
#include "common/metrics/rpc_metrics.h"
#include "common/routing/route_map_file.h"
#include "common/server/log.h"
#include "common/server/server_kit.h"
#include "common/server/transport.h"
#include "common/status/errors.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "services/gateway/backends.h"
#include "services/gateway/caller_authenticator.h"
#include "services/gateway/forwarder.h"
#include "services/gateway/grpc_face.h"
#include "services/gateway/json_http.h"
#include "services/gateway/method_table.h"
#include "services/gateway/programme_indicators.h"
#include "services/gateway/readiness.h"
#include "services/gateway/subject_access.h"

namespace homeward::gateway {
namespace {

// A forwarded call may not wait longer than this for a replica, whatever the
// configuration says: a stuck replica must not pin gateway resources.
constexpr uint32_t kMaxForwardDeadlineMs = 10 * 60 * 1000;
// Beyond this an office's indicators would be all but blank; the bound also
// keeps the threshold an int.
constexpr uint32_t kMaxIndicatorSuppressionThreshold = 1000;

void AddAll(const absl::Status& status, absl::string_view prefix,
            errors::FieldViolations* bad) {
  for (const errors::FieldViolation& v : errors::FieldViolationsOf(status)) {
    bad->Add(absl::StrCat(prefix, v.field), v.description);
  }
}

}  // namespace

// The faces use the forwarder and the authenticator, so they are declared
// after them and therefore destroyed first.
struct GatewayServer::Parts {
  // Switches the forwarder's and the readiness tracker's routes, so it is
  // stopped first (GatewayServer's destructor).
  std::unique_ptr<routing::RouteMapFile> routes_file;
  std::unique_ptr<CallerAuthenticator> keys;
  std::unique_ptr<Forwarder> forwarder;
  std::unique_ptr<GrpcCalls> grpc_calls;
  std::vector<std::unique_ptr<grpc::Service>> grpc_services;
  std::unique_ptr<grpc::Server> grpc_server;
  std::unique_ptr<JsonHttpServer> http_server;
  // Publishes into the gRPC server's health service and answers the JSON
  // face, so it is declared last and destroyed first.
  std::unique_ptr<ReadinessTracker> readiness;
  // Its /healthz asks the readiness, so it is declared after it and
  // destroyed before it.
  std::unique_ptr<metrics::MetricsEndpoint> metrics_endpoint;
  int grpc_port = 0;
  int http_port = 0;

  absl::Mutex switch_mu;  // SwitchGatewayRoutes
  absl::Mutex shutdown_mu;
  bool shut_down ABSL_GUARDED_BY(shutdown_mu) = false;
};

std::vector<MethodRoute> GatewayMethods(int indicator_suppression_threshold) {
  std::vector<MethodRoute> methods = PublicMethods();
  for (MethodRoute& method :
       IndicatorMethods(indicator_suppression_threshold)) {
    methods.push_back(std::move(method));
  }
  for (MethodRoute& method : SubjectAccessMethods()) {
    methods.push_back(std::move(method));
  }
  return methods;
}

// Rebuilds the backends from a new route map and switches the forwarder and
// readiness to them; a map the gateway cannot route by (a backend added or
// left out, a bad transport) is logged and the routes in force stay.
void SwitchGatewayRoutes(
    const homeward::internal::v1::GatewayConfig& config,
    const std::map<std::string, std::shared_ptr<grpc::Channel>>& overrides,
    const homeward::internal::v1::RouteMap& map, Forwarder& forwarder,
    ReadinessTracker& readiness, absl::Mutex& one_at_a_time) {
  // The watcher thread and the start's catch-up may both switch: one at a
  // time, and never back to an older generation.
  absl::MutexLock lock(&one_at_a_time);
  if (map.generation() <= forwarder.routes_generation()) return;
  absl::StatusOr<std::vector<Backend>> next =
      ConnectBackends(WithRoutes(config, map), forwarder.methods(), overrides,
                      forwarder.backends());
  absl::Status status = next.status();
  if (status.ok()) status = forwarder.SwitchRoutes(map.generation(), *next);
  if (!status.ok()) {
    std::string reason(status.message());
    for (const errors::FieldViolation& v : errors::FieldViolationsOf(status)) {
      absl::StrAppend(&reason, "; ", v.field, " ", v.description);
    }
    server::Log("error",
                "gateway routes not switched: keeping the routes in force",
                {{"generation", absl::StrCat(map.generation())},
                 {"in_force", absl::StrCat(forwarder.routes_generation())},
                 {"reason", reason}});
    return;
  }
  readiness.SwitchBackends(*next);
}

absl::StatusOr<std::unique_ptr<GatewayServer>> GatewayServer::Start(
    Options options) {
  errors::FieldViolations bad;
  // With routes_file, the routes are that file's (watched below) and the
  // config's own `routes` must stay empty: two sources would disagree.
  std::unique_ptr<routing::RouteMapFile> routes_file;
  if (!options.config.routes_file().empty()) {
    if (options.config.routes_size() > 0) {
      bad.Add("routes_file", "replaces `routes`: set one of them, not both");
    } else {
      absl::StatusOr<std::unique_ptr<routing::RouteMapFile>> loaded =
          routing::RouteMapFile::Load(options.config.routes_file(),
                                      options.config.partition_count());
      if (loaded.ok()) {
        routes_file = *std::move(loaded);
        options.config = WithRoutes(options.config, routes_file->Current());
      } else if (errors::FieldViolationsOf(loaded.status()).empty()) {
        bad.Add("routes_file", std::string(loaded.status().message()));
      } else {
        AddAll(loaded.status(), "routes_file: ", &bad);
      }
    }
  }
  const homeward::internal::v1::GatewayConfig& config = options.config;
  if (config.grpc_listen_address().empty() &&
      config.http_listen_address().empty()) {
    bad.Add("grpc_listen_address",
            "is required unless http_listen_address is set (the gateway would "
            "serve nothing)");
  }
  if (config.forward_deadline_ms() > kMaxForwardDeadlineMs) {
    bad.Add("forward_deadline_ms",
            absl::StrCat("must be at most ", kMaxForwardDeadlineMs,
                         " (10 minutes)"));
  }
  const uint32_t threshold = config.indicator_suppression_threshold() == 0
                                 ? kDefaultIndicatorSuppressionThreshold
                                 : config.indicator_suppression_threshold();
  if (threshold < 2 || threshold > kMaxIndicatorSuppressionThreshold) {
    bad.Add("indicator_suppression_threshold",
            absl::StrCat("must be 0 (the default, ",
                         kDefaultIndicatorSuppressionThreshold, ") or 2 to ",
                         kMaxIndicatorSuppressionThreshold,
                         ": groups smaller than it are suppressed, so 1 "
                         "would suppress nothing"));
  }
  JsonHttpServer::Options http_options = JsonFaceOptionsFrom(config, bad);
  if (options.principal_secret.empty()) {
    bad.Add("principal_secret_file",
            "must hold the deployment's principal secret");
  }
  // Not configuration: a wrong table is a gateway bug, refused before any
  // call could meet it.
  std::vector<MethodRoute> declared;
  if (options.methods.empty()) {
    // The programme indicators are composed with the configured threshold
    // (a refused threshold fails the start below anyway).
    declared = GatewayMethods(static_cast<int>(threshold));
  } else {
    declared = std::move(options.methods);
  }
  for (MethodRoute& method : options.extra_methods) {
    declared.push_back(std::move(method));
  }
  absl::StatusOr<MethodTable> methods =
      MethodTable::Create(std::move(declared));
  if (!methods.ok()) return methods.status();
  // The routes are checked against the backends the table names.
  absl::StatusOr<std::vector<Backend>> backends =
      ConnectBackends(config, *methods, options.channel_overrides);
  if (!backends.ok()) AddAll(backends.status(), "", &bad);
  // The public gRPC face: TLS, asking clients for certificates only when
  // public_transport.tls.ca_file is set.
  std::shared_ptr<grpc::ServerCredentials> grpc_credentials;
  if (!config.grpc_listen_address().empty()) {
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
        server::ListenerCredentials(config.public_transport(),
                                    "public_transport",
                                    server::ClientCertificates::kWhenCaFileSet);
    if (credentials.ok()) {
      grpc_credentials = *std::move(credentials);
    } else {
      AddAll(credentials.status(), "", &bad);
    }
  }
  // API keys, and OIDC tokens when config.oidc is set (docs/OIDC.md).
  absl::StatusOr<std::unique_ptr<CallerAuthenticator>> keys =
      CallerAuthenticator::Create(options.api_keys, config);
  if (!keys.ok()) AddAll(keys.status(), "", &bad);
  if (!bad.empty()) return bad.ToStatus();
  if ((*keys)->api_key_count() == 0 && !(*keys)->accepts_tokens()) {
    server::Log("warn",
                "the API key file holds no keys: every call will be refused");
  }

  auto parts = std::make_unique<Parts>();
  parts->keys = *std::move(keys);
  // Its own metrics when metrics_listen_address is set, else the process's
  // (the all-in-one's), else none.
  std::shared_ptr<metrics::Metrics> metrics =
      config.metrics_listen_address().empty()
          ? metrics::Metrics::ProcessWide()
          : std::make_shared<metrics::Metrics>();
  Forwarder::Options forwarder_options{
      *std::move(backends), *std::move(methods),
      std::move(options.principal_secret),
      config.forward_deadline_ms() == 0
          ? kDefaultForwardDeadline
          : absl::Milliseconds(config.forward_deadline_ms()),
      routes_file != nullptr ? routes_file->generation() : 0};
  parts->forwarder = std::make_unique<Forwarder>(std::move(forwarder_options));
  // The readiness probes use the forwarder's channels.
  parts->readiness = std::make_unique<ReadinessTracker>(
      parts->forwarder->backends(), parts->forwarder->methods(),
      ReadinessTracker::Options{});
  parts->grpc_calls =
      std::make_unique<GrpcCalls>(parts->keys.get(), parts->forwarder.get());
  parts->grpc_services = MakeGrpcServices(parts->grpc_calls.get());

  if (!config.grpc_listen_address().empty()) {
    grpc::ServerBuilder builder;
    // The gateway's methods are raw: it decodes each request itself and
    // answers a bad one INVALID_ARGUMENT (forwarder.cc).
    server::ServerInterceptorFactories interceptors;
    if (metrics != nullptr) {
      interceptors.push_back(metrics::RpcMetrics::InterceptorFactory(
          std::make_shared<metrics::RpcMetrics>(metrics, "gateway", "grpc")));
    }
    server::PrepareServerBuilder(&builder, server::RequestDecoding::kRaw,
                                 std::move(interceptors));
    builder.AddListeningPort(config.grpc_listen_address(), grpc_credentials,
                             &parts->grpc_port);
    for (auto& service : parts->grpc_services) {
      builder.RegisterService(service.get());
    }
    parts->grpc_server = builder.BuildAndStart();
    if (parts->grpc_server == nullptr || parts->grpc_port == 0) {
      if (parts->grpc_server != nullptr) parts->grpc_server->Shutdown();
      return errors::Unavailable(absl::StrCat(
          "cannot listen for gRPC on '", config.grpc_listen_address(),
          "': is the address local and the port free?"));
    }
  }
  // Probes the replicas once before Start returns (the gRPC face's health
  // said SERVING only since BuildAndStart), then keeps its health service,
  // overall and per public service, up to date.
  parts->readiness->Start(parts->grpc_server != nullptr
                              ? parts->grpc_server->GetHealthCheckService()
                              : nullptr);
  // The JSON face's /healthz follows the same readiness.
  if (!config.http_listen_address().empty()) {
    http_options.ready = [r = parts->readiness.get()] { return r->Ready(); };
    if (metrics != nullptr) {
      http_options.calls =
          std::make_shared<metrics::RpcMetrics>(metrics, "gateway", "json");
    }
    parts->http_server = std::make_unique<JsonHttpServer>(
        parts->keys.get(), parts->forwarder.get(), std::move(http_options));
    absl::StatusOr<int> port =
        parts->http_server->Start(config.http_listen_address());
    if (!port.ok()) {
      if (parts->grpc_server != nullptr) parts->grpc_server->Shutdown();
      return port.status();
    }
    parts->http_port = *port;
  }
  if (routes_file != nullptr) {
    const uint64_t started_with = parts->forwarder->routes_generation();
    parts->routes_file = std::move(routes_file);
    auto switch_routes = [config, overrides = options.channel_overrides,
                          forwarder = parts->forwarder.get(),
                          readiness = parts->readiness.get(),
                          mu = &parts->switch_mu](
                             const homeward::internal::v1::RouteMap& map) {
      SwitchGatewayRoutes(config, overrides, map, *forwarder, *readiness, *mu);
    };
    parts->routes_file->OnChange(switch_routes);
    // A map accepted between the load and the registration above.
    if (parts->routes_file->generation() != started_with) {
      switch_routes(parts->routes_file->Current());
    }
  }

  if (!config.metrics_listen_address().empty()) {
    absl::StatusOr<std::unique_ptr<metrics::MetricsEndpoint>> endpoint =
        metrics::MetricsEndpoint::Start(
            config.metrics_listen_address(), metrics,
            [r = parts->readiness.get()] { return r->Ready(); });
    if (!endpoint.ok()) {
      if (parts->http_server != nullptr) parts->http_server->Stop();
      if (parts->grpc_server != nullptr) parts->grpc_server->Shutdown();
      return endpoint.status();
    }
    parts->metrics_endpoint = *std::move(endpoint);
  }
  return std::unique_ptr<GatewayServer>(new GatewayServer(std::move(parts)));
}

GatewayServer::GatewayServer(std::unique_ptr<Parts> parts)
    : parts_(std::move(parts)) {}

GatewayServer::~GatewayServer() {
  // No route switch while the parts it switches go away.
  parts_->routes_file.reset();
  Shutdown(absl::ZeroDuration());
  parts_->metrics_endpoint.reset();
  // Faces first, then the forwarder (which waits for any forwarded call still
  // completing), then the keys.
  parts_->http_server.reset();
  parts_->readiness.reset();
  parts_->grpc_server.reset();
  parts_->grpc_services.clear();
  parts_->grpc_calls.reset();
  parts_->forwarder.reset();
}

int GatewayServer::grpc_port() const { return parts_->grpc_port; }
int GatewayServer::http_port() const { return parts_->http_port; }
int GatewayServer::metrics_port() const {
  return parts_->metrics_endpoint != nullptr ? parts_->metrics_endpoint->port()
                                             : 0;
}
bool GatewayServer::Ready() const { return parts_->readiness->Ready(); }

void GatewayServer::Shutdown(absl::Duration grace) {
  absl::MutexLock lock(&parts_->shutdown_mu);
  if (parts_->shut_down) return;
  parts_->shut_down = true;
  // Health answers NOT_SERVING from here on, while calls drain.
  parts_->readiness->Stop();
  // Stop both faces accepting first, then drain: gRPC waits for its calls up
  // to the grace period, then cancels the rest; the HTTP listener finishes
  // the requests its threads hold (each bounded by the forward deadline).
  if (parts_->http_server != nullptr) parts_->http_server->StopAccepting();
  if (parts_->grpc_server != nullptr) {
    parts_->grpc_server->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  }
  if (parts_->http_server != nullptr) parts_->http_server->Stop();
}

}  // namespace homeward::gateway
