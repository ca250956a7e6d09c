// The JSON face: Connect calls on the event-driven HTTP server; see
// json_http.h.
#include "services/gateway/json_http.h"

#include <utility>

namespace homeward::gateway {

JsonHttpServer::JsonHttpServer(const ApiKeyAuthenticator* keys,
                               Forwarder* forwarder, Options options)
    : connect_(std::make_unique<ConnectUnary>(keys, forwarder,
                                              std::move(options.ready))) {
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
