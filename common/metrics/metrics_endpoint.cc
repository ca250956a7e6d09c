// The metrics listener; see metrics_endpoint.h.
#include "common/metrics/metrics_endpoint.h"

#include <cstring>
#include <exception>
#include <vector>

#include "CivetServer.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace homeward::metrics {
namespace {

void Answer(mg_connection* connection, int status, const char* content_type,
            const std::string& body) {
  mg_response_header_start(connection, status);
  mg_response_header_add(connection, "Content-Type", content_type, -1);
  mg_response_header_add(connection, "Cache-Control", "no-store", -1);
  const std::string length = absl::StrCat(body.size());
  mg_response_header_add(connection, "Content-Length", length.c_str(), -1);
  mg_response_header_send(connection);
  const mg_request_info* info = mg_get_request_info(connection);
  if (info != nullptr && std::strcmp(info->request_method, "HEAD") == 0) return;
  mg_write(connection, body.data(), body.size());
}

class ScrapeHandler : public CivetHandler {
 public:
  explicit ScrapeHandler(std::shared_ptr<Metrics> metrics)
      : metrics_(std::move(metrics)) {}
  bool handleGet(CivetServer*, mg_connection* connection) override {
    Answer(connection, 200, "text/plain; version=0.0.4; charset=utf-8",
           metrics_->Scrape());
    return true;
  }
  bool handleHead(CivetServer* server, mg_connection* connection) override {
    return handleGet(server, connection);
  }

 private:
  std::shared_ptr<Metrics> metrics_;
};

class HealthHandler : public CivetHandler {
 public:
  explicit HealthHandler(std::function<bool()> healthy)
      : healthy_(std::move(healthy)) {}
  bool handleGet(CivetServer*, mg_connection* connection) override {
    if (healthy_ == nullptr || healthy_()) {
      Answer(connection, 200, "text/plain", "ok\n");
    } else {
      Answer(connection, 503, "text/plain", "not serving\n");
    }
    return true;
  }
  bool handleHead(CivetServer* server, mg_connection* connection) override {
    return handleGet(server, connection);
  }

 private:
  std::function<bool()> healthy_;
};

}  // namespace

struct MetricsEndpoint::Handlers {
  ScrapeHandler scrape;
  HealthHandler health;
};

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const std::string& listen_address, std::shared_ptr<Metrics> metrics,
    std::function<bool()> healthy) {
  auto endpoint = std::unique_ptr<MetricsEndpoint>(new MetricsEndpoint());
  endpoint->handlers_ = std::unique_ptr<Handlers>(new Handlers{
      ScrapeHandler(std::move(metrics)), HealthHandler(std::move(healthy))});
  // Two threads: a scrape every few seconds and a probe or two.
  const std::vector<std::string> options = {
      "listening_ports",    listen_address, "num_threads",       "2",
      "request_timeout_ms", "10000",        "enable_keep_alive", "no"};
  try {
    endpoint->server_ = std::make_unique<CivetServer>(options);
  } catch (const std::exception& e) {
    return errors::Unavailable(absl::StrCat(
        "cannot serve metrics on '", listen_address,
        "': is the address local and the port free? (", e.what(), ")"));
  }
  endpoint->server_->addHandler("/metrics", endpoint->handlers_->scrape);
  endpoint->server_->addHandler("/healthz", endpoint->handlers_->health);
  const std::vector<int> ports = endpoint->server_->getListeningPorts();
  if (ports.empty() || ports.front() == 0) {
    return errors::Unavailable(absl::StrCat(
        "cannot serve metrics on '", listen_address, "': no port bound"));
  }
  endpoint->port_ = ports.front();
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() {
  // Joins civetweb's threads before the handlers they call go.
  if (server_ != nullptr) server_->close();
  server_.reset();
}

}  // namespace homeward::metrics
