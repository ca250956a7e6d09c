// The JSON face: Connect calls on the event-driven HTTP server; see
// json_http.h.
#include "services/gateway/json_http.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/gateway/tls_server_identity.h"

namespace homeward::gateway {
namespace {

// Beyond these a setting is a typo rather than a plan.
constexpr uint32_t kMaxConnectionsLimit = 1000000;
constexpr uint32_t kMaxTimeoutMs = 10 * 60 * 1000;

// Sets `*option` from a millisecond field that is 0 (keep the default) or
// 1..kMaxTimeoutMs.
void SetTimeout(uint32_t ms, absl::string_view field, absl::Duration* option,
                errors::FieldViolations& bad) {
  if (ms == 0) return;
  if (ms > kMaxTimeoutMs) {
    bad.Add(absl::StrCat("http_limits.", field),
            absl::StrCat("must be at most ", kMaxTimeoutMs,
                         " (10 minutes), or 0 for the default"));
    return;
  }
  *option = absl::Milliseconds(ms);
}

}  // namespace

JsonHttpServer::Options JsonFaceOptionsFrom(
    const homeward::internal::v1::HttpLimits& limits,
    errors::FieldViolations& bad) {
  JsonHttpServer::Options options;
  if (limits.max_connections() > kMaxConnectionsLimit) {
    bad.Add("http_limits.max_connections",
            absl::StrCat("must be at most ", kMaxConnectionsLimit,
                         ", or 0 for the default"));
  } else if (limits.max_connections() != 0) {
    options.max_connections = limits.max_connections();
  }
  SetTimeout(limits.header_timeout_ms(), "header_timeout_ms",
             &options.header_timeout, bad);
  SetTimeout(limits.body_timeout_ms(), "body_timeout_ms", &options.body_timeout,
             bad);
  SetTimeout(limits.idle_timeout_ms(), "idle_timeout_ms", &options.idle_timeout,
             bad);
  return options;
}

JsonHttpServer::Options JsonFaceOptionsFrom(
    const homeward::internal::v1::GatewayConfig& config,
    errors::FieldViolations& bad) {
  JsonHttpServer::Options options =
      JsonFaceOptionsFrom(config.http_limits(), bad);
  if (config.http_listen_address().empty() ||
      !config.public_transport().has_tls()) {
    return options;
  }
  absl::StatusOr<std::shared_ptr<TlsServerIdentity>> tls =
      TlsServerIdentity::Load(config.public_transport().tls(),
                              "public_transport.tls");
  if (tls.ok()) {
    options.tls = *std::move(tls);
  } else {
    std::vector<errors::FieldViolation> violations =
        errors::FieldViolationsOf(tls.status());
    // Not a violation: OpenSSL itself failed.
    if (violations.empty()) {
      bad.Add("public_transport.tls", std::string(tls.status().message()));
    }
    for (errors::FieldViolation& v : violations) {
      bad.Add(std::move(v.field), std::move(v.description));
    }
  }
  return options;
}

JsonHttpServer::JsonHttpServer(const CallerAuthenticator* keys,
                               Forwarder* forwarder, Options options)
    : connect_(std::make_unique<ConnectUnary>(keys, forwarder,
                                              std::move(options.ready),
                                              std::move(options.calls))) {
  http_ = std::make_unique<HttpServer>(
      static_cast<HttpServerOptions>(options),
      [connect = connect_.get()](HttpRequest request, HttpResponder respond) {
        connect->Serve(std::move(request), std::move(respond));
      },
      // The server's own refusals are Connect errors like every other.
      [](int http_status, absl::StatusCode code, absl::string_view message) {
        HttpResponse response;
        response.status = http_status;
        response.content_type = "application/json";
        response.body = ConnectErrorJson(code, message);
        return response;
      });
}

JsonHttpServer::~JsonHttpServer() { Stop(); }

absl::StatusOr<int> JsonHttpServer::Start(const std::string& listen_address) {
  return http_->Start(listen_address);
}

void JsonHttpServer::StopAccepting() { http_->StopAccepting(); }

void JsonHttpServer::Stop() { http_->Stop(); }

}  // namespace homeward::gateway
