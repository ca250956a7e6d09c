// The embedded default: every Homeward service (assessment, planning,
// referral, follow-up) and the gateway in one process, wired over in-process
// gRPC channels, with all data under one local directory
// (<data_dir>/assessment, <data_dir>/planning, <data_dir>/referral,
// <data_dir>/follow_up). The services follow each
// other's event feeds in-process too (see Start in embedded_suite.cc for the
// start order). On first start it creates the deployment secret and, when no
// API key file exists, one holding development keys (a supervisor of
// "office-demo", an administrator, the partner agency "org-atelier-pikine"
// of the example directory and a monitoring officer of "office-demo"); an
// existing key file is the operator's and is never rewritten. It can print
// ready-to-paste example calls.
//
//   EmbeddedOptions options;
//   options.data_dir = "homeward-data";
//   ASSIGN_OR_RETURN(auto suite, EmbeddedSuite::Start(options));
//   std::cout << suite->Instructions();
#ifndef HOMEWARD_SERVICES_ALL_IN_ONE_EMBEDDED_SUITE_H_
#define HOMEWARD_SERVICES_ALL_IN_ONE_EMBEDDED_SUITE_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/feeds/producer_channel.h"
#include "common/metrics/metrics_endpoint.h"
#include "services/assessment/assessment_server.h"
#include "services/follow_up/follow_up_server.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/local_services.h"
#include "services/planning/planning_server.h"
#include "services/referral/referral_server.h"

namespace homeward::all_in_one {

inline constexpr char kDemoOffice[] = "office-demo";
// The agency of the development partner key: an organization of the example
// directory (deploy/directory/example_directory.json), which the worked
// example of docs/REFERRAL.md imports.
inline constexpr char kDemoPartner[] = "org-atelier-pikine";

struct EmbeddedOptions {
  std::string data_dir = "homeward-data";
  std::string grpc_listen = "127.0.0.1:7000";
  std::string http_listen = "127.0.0.1:7080";
  // Fixed when the data directory is created; a later start with another
  // value is refused (storage::KeepDeploymentSettings).
  uint32_t partition_count = 64;
  // The ApiKeyFile textproto. Empty: <data_dir>/api_keys.textproto, created
  // with a development key when absent. A file named here must exist.
  std::string api_keys_file;
  // Programme data to publish at start (empty: none): the taxonomy, the
  // programmes cases belong to and the instrument definitions (assessment),
  // the feasibility grids plans are checked against (planning; the taxonomy
  // and programmes are published in both services).
  std::string taxonomy_dir;
  std::string programmes_dir;
  std::string instruments_dir;
  std::string feasibility_dir;
  // The assessment service's retention job interval (AssessmentConfig
  // retention_interval_seconds): unset, daily; 0, only on request.
  std::optional<uint32_t> retention_interval_seconds;
  // The key file that encrypts every service's data at rest (each
  // service's ServiceConfig.encryption_key_file); empty: not encrypted.
  std::string encryption_key_file;
  // Scheduled backups of every service's store (docs/OPERATIONS.md),
  // each into <backup_dir>/<service>, every backup_interval_seconds;
  // empty: none.
  std::string backup_dir;
  uint32_t backup_interval_seconds = 3600;
  // Both public faces (gRPC and JSON; docs/TLS.md): `tls` from certificate
  // files reloaded when they change, or `plaintext: true`. Unset: plaintext
  // only when every listen address is loopback (127.0.0.0/8, [::1],
  // localhost); another address is refused, naming this field. The
  // services' in-process channels need no transport.
  homeward::internal::v1::Transport public_transport;
  // One Prometheus endpoint for the whole process (docs/OPERATIONS.md):
  // http://<address>/metrics with every service's and the gateway's series
  // (told apart by their `server` label) and /healthz (200 while the
  // gateway is ready). Empty: no metrics. Port 0 picks one (metrics_port()).
  std::string metrics_listen_address;
};

class EmbeddedSuite {
 public:
  static absl::StatusOr<std::unique_ptr<EmbeddedSuite>> Start(
      const EmbeddedOptions& options);
  ~EmbeddedSuite();

  int grpc_port() const { return gateway_->grpc_port(); }
  int http_port() const { return gateway_->http_port(); }
  // The metrics endpoint's port (0: EmbeddedOptions::metrics_listen_address
  // was empty).
  int metrics_port() const {
    return metrics_endpoint_ != nullptr ? metrics_endpoint_->port() : 0;
  }
  // The development key when the key file still accepts it, else empty (an
  // operator's key file without it).
  const std::string& dev_api_key() const { return dev_api_key_; }
  // The development administrator's and partner agency's keys, likewise.
  const std::string& dev_admin_key() const { return dev_admin_key_; }
  const std::string& dev_partner_key() const { return dev_partner_key_; }
  // The development monitoring officer's key (indicators of the demo
  // office), likewise.
  const std::string& dev_monitoring_key() const { return dev_monitoring_key_; }
  // How to call the running suite: the key and example calls.
  std::string Instructions() const;
  // Whether the public faces are TLS (EmbeddedOptions::public_transport).
  bool tls() const { return tls_; }
  // Gateway first (no new calls), then the services (drain, flush).
  void Shutdown(absl::Duration grace);

 private:
  EmbeddedSuite() = default;
  std::string PlaintextInstructions() const;
  std::string dev_api_key_;
  std::string dev_admin_key_;
  std::string dev_partner_key_;
  std::string dev_monitoring_key_;
  std::string api_keys_file_;
  bool tls_ = false;
  // The in-process channels the services follow each other's feeds over,
  // revoked first at shutdown.
  std::vector<std::shared_ptr<feeds::LateChannel>> feed_channels_;
  // Every service of the suite, in start order; the gateway routes to each
  // over its in-process channel.
  std::vector<gateway::LocalService> services_;
  std::unique_ptr<gateway::GatewayServer> gateway_;
  // True once the gateway runs, until Shutdown: with the gateway's
  // readiness, the metrics endpoint's /healthz.
  std::atomic<bool> serving_{false};
  // The process-wide metrics every part records into, when served.
  std::shared_ptr<metrics::Metrics> metrics_;
  // Asks gateway_ for /healthz, so it is declared after it and destroyed
  // before it.
  std::unique_ptr<metrics::MetricsEndpoint> metrics_endpoint_;
};

}  // namespace homeward::all_in_one

#endif  // HOMEWARD_SERVICES_ALL_IN_ONE_EMBEDDED_SUITE_H_
