// The service host: what runs a Homeward service around its handlers. A
// service describes itself with a ServiceDefinition (its name and a build
// step); the host validates the common ServiceConfig (every problem named),
// opens the RocksDB store and keeps its fixed deployment settings, verifies
// principals, owns the partition set, runs the build step (which creates the
// service's stores and handlers), serves them together with the event feed,
// the BackupService (backup_service.h), health and reflection on
// listen_address (port 0 picks a free port) and/or in-process, and shuts
// everything down in order.
//
//   service::ServiceDefinition definition{
//       "planning", [&](service::ServiceParts& parts) -> absl::Status {
//         auto* plans = parts.Own(std::make_unique<PlanStore>(
//             parts.store(), *parts.owned()));
//         parts.AddService<homeward::v1::PlanningService>(
//             std::make_unique<PlanningServiceImpl>(plans, parts.verifier()));
//         return absl::OkStatus();
//       }};
//   ASSIGN_OR_RETURN(std::unique_ptr<service::ServiceHost> host,
//                    service::ServiceHost::Start(definition, config, secret));
//   ... host->port(), host->InProcessChannel() ...
//   host->Shutdown(absl::Seconds(10));
//
// The host also serves PartitionMoveService (partition_move_service.h) and
// keeps the owned partitions in the store (owned_partitions.h): owned() is a
// shared storage::PartitionSet that changes when partitions are adopted or
// released. With ServiceConfig.upstream_routes_file, UpstreamRoutes() follows
// that watched file.
//
// Teardown order (Shutdown or destruction): health answers NOT_SERVING,
// running calls drain for up to the grace period and the server stops; the
// stop hooks run (newest first: feed followers stop writing); the handlers
// are destroyed; the owned parts are destroyed newest first (a part may use
// the parts added before it); last the store closes, which drains its
// committer so every acknowledged write is in the synced WAL.
#ifndef HOMEWARD_COMMON_SERVICE_SERVICE_HOST_H_
#define HOMEWARD_COMMON_SERVICE_SERVICE_HOST_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/principal_token.h"
#include "common/metrics/metrics.h"
#include "common/metrics/metrics_endpoint.h"
#include "common/routing/route_map_file.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "grpcpp/channel.h"
#include "grpcpp/impl/service_type.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/server.h"
#include "homeward/internal/v1/config.pb.h"

namespace homeward::feeds {
class OutboxTrimmer;
}  // namespace homeward::feeds

namespace homeward::service {

// What a service's build step works with (the opened store, the principal
// verifier, the partitions this replica owns, the config) and what it adds
// (its RPC services, the parts they use, stop hooks). Everything it hands out
// lives until the host shuts down.
class ServiceParts {
 public:
  ServiceParts(const ServiceParts&) = delete;
  ServiceParts& operator=(const ServiceParts&) = delete;
  ~ServiceParts();

  // The service's name (ServiceDefinition::name, e.g. "referral"): the
  // user id of the ROLE_SERVICE principal its own calls to other services
  // carry (upstream_calls.h).
  const std::string& name() const { return name_; }
  const homeward::internal::v1::ServiceConfig& config() const {
    return config_;
  }
  // Opened, with the deployment's fixed settings checked.
  storage::Store* store() const { return store_.get(); }
  const auth::PrincipalVerifier* verifier() const { return verifier_.get(); }
  const storage::PartitionSet* owned() const { return owned_.get(); }
  // The deployment secret, for the service's own calls to other services
  // and feed subscriptions (signed ROLE_SERVICE principals).
  const std::string& principal_secret() const { return principal_secret_; }
  // How the service's own calls and feed subscriptions dial other replicas:
  // config().internal_transport (mutual TLS, or plaintext), built once.
  const std::shared_ptr<grpc::ChannelCredentials>& internal_credentials()
      const {
    return internal_credentials_;
  }

  // Where the service's metrics go (metrics.h): its own when
  // config().metrics_listen_address is set, else the process-wide ones (the
  // all-in-one's), else null (no metrics).
  metrics::Metrics* metrics() const { return metrics_.get(); }

  // Keeps `part` (a store class, a projection, a feed follower...) until the
  // server has stopped; parts are destroyed newest first, before the store
  // closes. Returns the part.
  template <typename T>
  T* Own(std::unique_ptr<T> part) {
    T* raw = part.get();
    parts_.push_back(std::shared_ptr<void>(std::move(part)));
    return raw;
  }

  // Serves `service`, reported SERVING by grpc.health.v1 under its full name
  // while the host is up. `Generated` is the protoc-generated class that names
  // the service, e.g. AddService<homeward::v1::CaseService>(impl).
  template <typename Generated, typename Impl>
  Impl* AddService(std::unique_ptr<Impl> service) {
    Impl* raw = service.get();
    AddService(Generated::service_full_name(), std::move(service));
    return raw;
  }
  void AddService(std::string full_name,
                  std::unique_ptr<grpc::Service> service);

  // ---- Partition moves and route switches (partition_move_service.h) ----
  // The routes of the services this replica follows or calls:
  // config().upstream, or the RouteMap in force of the watched
  // config().upstream_routes_file.
  google::protobuf::RepeatedPtrField<homeward::internal::v1::ServiceRoute>
  UpstreamRoutes() const;
  // `listener` runs after each accepted change of upstream_routes_file (on
  // the file's watching thread); never without that file. Register during
  // the build step.
  void OnUpstreamRoutesChange(std::function<void()> listener) const;
  // `listener` runs after owned() changed (partitions adopted or released),
  // on the thread that changed it. Register during the build step.
  void OnOwnedPartitionsChange(std::function<void()> listener) {
    ownership_listeners_.push_back(std::move(listener));
  }
  // Runs the OnOwnedPartitionsChange listeners (the partition hand-over).
  void OwnedPartitionsChanged() {
    for (const auto& listener : ownership_listeners_) listener();
  }

  // Runs `stop` at shutdown once calls have drained and before any handler
  // or part is destroyed (newest first): for parts whose threads write to
  // the store, e.g. a feed follower.
  void AddStop(std::function<void()> stop) {
    stops_.push_back(std::move(stop));
  }

 private:
  friend class ServiceHost;
  ServiceParts(std::string name, homeward::internal::v1::ServiceConfig config)
      : name_(std::move(name)), config_(std::move(config)) {}
  // Stops the server (if any) and destroys everything in teardown order.
  void Close(absl::Duration grace);

  std::string name_;
  homeward::internal::v1::ServiceConfig config_;
  std::string principal_secret_;
  std::shared_ptr<grpc::ChannelCredentials> internal_credentials_;
  std::shared_ptr<metrics::Metrics> metrics_;
  // True from the server's start until Close begins: the metrics
  // endpoint's /healthz (the overall gRPC health).
  std::shared_ptr<std::atomic<bool>> serving_ =
      std::make_shared<std::atomic<bool>>(false);
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<auth::PrincipalVerifier> verifier_;
  std::unique_ptr<storage::PartitionSet> owned_;
  // Set when config().upstream_routes_file is; stopped first at Close.
  std::unique_ptr<routing::RouteMapFile> upstream_routes_file_;
  std::vector<std::function<void()>> ownership_listeners_;
  std::vector<std::shared_ptr<void>> parts_;
  std::vector<std::function<void()>> stops_;
  // Every RPC service served, in registration order, and its full name.
  std::vector<std::pair<std::string, std::unique_ptr<grpc::Service>>> services_;
  std::unique_ptr<grpc::Server> server_;
  // The event retention job (owned in parts_): ServiceHost::outbox_trimmer.
  feeds::OutboxTrimmer* outbox_trimmer_ = nullptr;
};

// A service as the host runs it.
struct ServiceDefinition {
  // "assessment": names the service in log lines and errors.
  std::string name;
  // Creates the service's stores and handlers; an error stops the start
  // (and everything built so far is torn down).
  std::function<absl::Status(ServiceParts&)> build;
};

class ServiceHost {
 public:
  // Validates `config` (INVALID_ARGUMENT with one violation per bad field:
  // data_dir, record_cache_mb, principal_secret_file, owned_partitions,
  // upstream, internal_transport's files), opens the store under
  // config.data_dir() (refusing a data directory created with another partition
  // count), runs definition.build and starts serving. `principal_secret`
  // verifies the principals the gateway signs. With internal_transport.tls the
  // listener is mutual TLS (every caller presents a certificate of
  // tls.ca_file's CA) and the service's own dials present tls.certificate_file;
  // unset means plaintext here (the binaries refuse an unset one,
  // service_main.h).
  static absl::StatusOr<std::unique_ptr<ServiceHost>> Start(
      const ServiceDefinition& definition,
      const homeward::internal::v1::ServiceConfig& config,
      const std::string& principal_secret);
  ~ServiceHost();  // Shutdown(absl::Seconds(5))

  // The bound TCP port, or 0 when config.listen_address() was empty.
  int port() const { return port_; }
  // The metrics endpoint's bound port, or 0 when
  // config.metrics_listen_address() was empty.
  int metrics_port() const {
    return metrics_endpoint_ != nullptr ? metrics_endpoint_->port() : 0;
  }
  // The job trimming this replica's outbox (event retention): its figures
  // for metrics (consumers behind, events trimmed), TrimOnce for tests.
  feeds::OutboxTrimmer* outbox_trimmer() const {
    return parts_->outbox_trimmer_;
  }
  // A channel to this server that does not leave the process.
  std::shared_ptr<grpc::Channel> InProcessChannel();
  // For benchmarks: waits until the store has no flush or compaction running
  // or pending (storage::Store::WaitForBackgroundWork).
  absl::Status WaitForStorageIdle(absl::Duration timeout) const;
  // Stops accepting calls (health NOT_SERVING first), lets running ones
  // finish for up to `grace`, then tears down as described above, closing
  // the store last. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  ServiceHost(std::unique_ptr<ServiceParts> parts, int port,
              std::unique_ptr<metrics::MetricsEndpoint> metrics_endpoint)
      : metrics_endpoint_(std::move(metrics_endpoint)),
        parts_(std::move(parts)),
        port_(port) {}
  // Outlives Shutdown (until the host is destroyed), so that /healthz
  // answers 503 while and after the server stops instead of refusing
  // connections.
  std::unique_ptr<metrics::MetricsEndpoint> metrics_endpoint_;
  std::unique_ptr<ServiceParts> parts_;
  int port_;
};

// A service's runnable server as its owners hold it (AssessmentServer,
// PlanningServer derive from it and add their Start): the host under the
// service's own name, with what the all-in-one, tests and benchmarks use.
class HostedServer {
 public:
  virtual ~HostedServer() = default;

  // The bound TCP port, or 0 when the listen_address was empty.
  int port() const { return host_->port(); }
  // The metrics endpoint's bound port (0: none).
  int metrics_port() const { return host_->metrics_port(); }
  // A channel to this server that does not leave the process.
  std::shared_ptr<grpc::Channel> InProcessChannel() {
    return host_->InProcessChannel();
  }
  // For benchmarks: waits until the store has no flush or compaction running
  // or pending (storage::Store::WaitForBackgroundWork).
  absl::Status WaitForStorageIdle(absl::Duration timeout) const {
    return host_->WaitForStorageIdle(timeout);
  }
  // Stops accepting calls, lets running ones finish for up to `grace`, stops
  // the feed followers, then closes the store (flushing it). Idempotent.
  void Shutdown(absl::Duration grace) { host_->Shutdown(grace); }

 protected:
  explicit HostedServer(std::unique_ptr<ServiceHost> host)
      : host_(std::move(host)) {}

 private:
  std::unique_ptr<ServiceHost> host_;
};

}  // namespace homeward::service

#endif  // HOMEWARD_COMMON_SERVICE_SERVICE_HOST_H_
