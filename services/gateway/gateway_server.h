// The gateway as a runnable server: the only public face of Homeward. It
// authenticates every call (API keys), checks the caller's role against the
// method, signs the caller's principal for the internal hop and routes the
// call as its method table says (method_table.h) to the backend service the
// method names, among that backend's replicas (backends.h): case-scoped calls
// to the replica owning the case's partition, cross-case lists fanned out
// over all replicas, programme configuration broadcast to every replica and
// read from any one. It serves the same methods over gRPC and over
// JSON/HTTP: CaseService, InstrumentService, ProgrammeService,
// AssessmentService, NeedService, CounsellingService, ConsentService and
// AuditService in the "assessment" backend, PlanService in the "planning"
// backend (optional: without a route for it the gateway starts and answers
// PlanService calls UNIMPLEMENTED naming the backend). It holds no durable
// state.
//
//   GatewayServer::Options options;
//   options.config = config;                 // listen addresses, routes
//                                            // of every backend, ...
//   options.principal_secret = secret;       // the deployment secret
//   options.api_keys = api_key_file;         // hashed keys -> principals
//                                            // (config.oidc: tokens too)
//   ASSIGN_OR_RETURN(auto gateway, GatewayServer::Start(std::move(options)));
//   ... gateway->grpc_port(), gateway->http_port() ...
//   gateway->Shutdown(absl::Seconds(10));
#ifndef HOMEWARD_SERVICES_GATEWAY_GATEWAY_SERVER_H_
#define HOMEWARD_SERVICES_GATEWAY_GATEWAY_SERVER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "homeward/internal/v1/config.pb.h"
#include "services/gateway/method_table.h"

namespace homeward::gateway {

// Every method a gateway serves: PublicMethods(), the programme indicators
// composed with `indicator_suppression_threshold` (IndicatorMethods,
// programme_indicators.h) and the subject-access export with its internal
// parts (SubjectAccessMethods, subject_access.h).
std::vector<MethodRoute> GatewayMethods(int indicator_suppression_threshold);

class GatewayServer {
 public:
  struct Options {
    // Listen addresses (port 0 picks a free one; an empty address disables
    // that face), routes (one per backend the methods name; every backend
    // shares partition_count), partition_count (0: 64), forward_deadline_ms
    // (0: 5000), indicator_suppression_threshold (0: 5, else 2 to 1000).
    // The *_file fields are main()'s business and are ignored here, except
    // oidc.jwks_file, which the gateway reads and re-reads when it changes,
    // and routes_file (a RouteMap replacing `routes`; setting both is
    // refused), which it watches: a higher generation switches the routes
    // of new calls (Forwarder::SwitchRoutes) and readiness while it runs.
    homeward::internal::v1::GatewayConfig config;
    // HMAC secret that signs principals (auth::PrincipalSigner).
    std::string principal_secret;
    // Hashed API keys and the principal each one stands for.
    homeward::internal::v1::ApiKeyFile api_keys;
    // Channels to use instead of dialing a replica's address (all-in-one uses
    // in-process channels). Keyed by ReplicaConfig.address, whichever
    // backend's route lists it (local_services.h builds both).
    std::map<std::string, std::shared_ptr<grpc::Channel>> channel_overrides;
    // The methods served, replacing GatewayMethods() when not empty, and
    // methods served besides them. For tests (a probe backend) and for
    // a service whose methods are not in PublicMethods() yet; a deployment
    // leaves both empty. Checked by MethodTable::Create like the public
    // table.
    std::vector<MethodRoute> methods;
    std::vector<MethodRoute> extra_methods;
  };

  // Validates the options (INVALID_ARGUMENT naming every problem, among them
  // a route for a backend no method names, a backend the methods name
  // without a route unless it is optional (IsOptionalBackend), and a partition
  // of a backend without an owner) and the method table (INTERNAL: a gateway
  // bug), then listens on both faces.
  static absl::StatusOr<std::unique_ptr<GatewayServer>> Start(Options options);
  ~GatewayServer();
  GatewayServer(const GatewayServer&) = delete;
  GatewayServer& operator=(const GatewayServer&) = delete;

  // Bound public gRPC port (0 if grpc_listen_address is empty).
  int grpc_port() const;
  // Bound JSON/HTTP port (0 if http_listen_address is empty).
  int http_port() const;
  // Bound metrics port (0 if metrics_listen_address is empty).
  int metrics_port() const;
  // Whether every partition's owner (and every replica a broadcast needs)
  // answered its last health probe SERVING (readiness.h); false once
  // shutting down. The gRPC health service reports the same, overall and per
  // public service.
  bool Ready() const;
  // Reports NOT_SERVING, stops accepting on both faces, lets calls in progress
  // finish for up to `grace` (then cancels them), and stops the HTTP listener.
  // Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  struct Parts;
  explicit GatewayServer(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_GATEWAY_SERVER_H_
