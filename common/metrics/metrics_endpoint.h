// The plaintext HTTP listener of a process's metrics (metrics_listen_address):
//   GET /metrics  the Prometheus text format (Metrics::Scrape)
//   GET /healthz  200 "ok" while `healthy()` says so (the process's overall
//                 gRPC health is SERVING), else 503: for Kubernetes probes,
//                 whose gRPC probes cannot speak TLS.
// Anything else is 404.
//
//   ASSIGN_OR_RETURN(auto endpoint, MetricsEndpoint::Start(
//       "127.0.0.1:0", metrics, [&] { return serving.load(); }));
//   ... endpoint->port() ...           // the bound port (0 picks one)
//
// Served by civetweb (Debian's libcivetweb, which prometheus-cpp's own
// Exposer runs on) with two handlers of ours, because the Exposer serves
// collectables only and cannot answer /healthz with a 503. Plain HTTP on
// purpose: the figures carry no personal data, and the address should be
// one only the cluster (or loopback) reaches.
#ifndef HOMEWARD_COMMON_METRICS_METRICS_ENDPOINT_H_
#define HOMEWARD_COMMON_METRICS_METRICS_ENDPOINT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/metrics/metrics.h"

class CivetServer;

namespace homeward::metrics {

class MetricsEndpoint {
 public:
  // Listens on `listen_address` ("host:port", port 0 picks one; "[::]:port"
  // for IPv6). UNAVAILABLE naming the address when it cannot listen.
  // `healthy` is called on the endpoint's threads; empty means always.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const std::string& listen_address, std::shared_ptr<Metrics> metrics,
      std::function<bool()> healthy);
  // Stops listening and waits for requests being answered.
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  int port() const { return port_; }

 private:
  struct Handlers;
  MetricsEndpoint() = default;
  std::unique_ptr<Handlers> handlers_;
  std::unique_ptr<CivetServer> server_;
  int port_ = 0;
};

}  // namespace homeward::metrics

#endif  // HOMEWARD_COMMON_METRICS_METRICS_ENDPOINT_H_
