// The gateway's public JSON face: Connect unary calls over HTTP/1.1, in JSON
// or binary protobuf, on an event-driven server. Every method of the method
// table (method_table.h) is served at POST /<full method name>, e.g.
//
//   POST /homeward.v1.CaseService/GetCase
//   Content-Type: application/json         (or application/proto)
//   Authorization: Bearer <API key>        (or X-Api-Key: <API key>, or
//                                           Bearer <OIDC token>)
//   {"caseId": "C..."}
//
// and GET /healthz answers 200 "ok" while Options::ready says so. Served over
// HTTPS when GatewayConfig.public_transport says tls (see http_server.h). What
// a call may send and what it gets back is in connect_unary.h; the limits,
// timeouts and connection cap that keep slow, idle or flooding clients from
// hurting the others, and why the server is Boost.Beast, are in http_server.h.
// Every refusal, the server's own included (413, 414, 431, 400, 408, 503), is a
// Connect error object:
//   {"code":"invalid_argument","message":"...","details":[...]}
// Calls go through the same authentication, method table and Forwarder as the
// gRPC face, so both faces route and refuse alike.
//
//   JsonHttpServer::Options options;           // defaults suit production
//   options.ready = [&readiness] { return readiness.Ready(); };
//   JsonHttpServer http(&keys, &forwarder, options);
//   ASSIGN_OR_RETURN(int port, http.Start("0.0.0.0:7080"));
//   ...
//   http.Stop();
#ifndef HOMEWARD_SERVICES_GATEWAY_JSON_HTTP_H_
#define HOMEWARD_SERVICES_GATEWAY_JSON_HTTP_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/status/errors.h"
#include "homeward/internal/v1/config.pb.h"
#include "services/gateway/caller_authenticator.h"
#include "services/gateway/connect_error.h"
#include "services/gateway/connect_unary.h"
#include "services/gateway/forwarder.h"
#include "services/gateway/http_server.h"

namespace homeward::gateway {

class JsonHttpServer {
 public:
  // The HTTP server's limits and timeouts (HttpServerOptions: io_threads,
  // max_connections, max_header_bytes, max_target_bytes, max_body_bytes,
  // header_timeout, body_timeout, idle_timeout, write_timeout,
  // linger_timeout), its TLS identity (tls; null: plain HTTP) and the
  // readiness /healthz reports.
  struct Options : HttpServerOptions {
    // Whether the gateway can serve calls now; empty means always.
    std::function<bool()> ready;
    // Where calls are counted (face "json"); null: not counted.
    std::shared_ptr<metrics::RpcMetrics> calls;
  };

  // `keys` and `forwarder` must outlive the server.
  JsonHttpServer(const CallerAuthenticator* keys, Forwarder* forwarder,
                 Options options = Options());
  ~JsonHttpServer();
  JsonHttpServer(const JsonHttpServer&) = delete;
  JsonHttpServer& operator=(const JsonHttpServer&) = delete;

  // Binds `listen_address` ("host:port", port 0 picks one; "[::]:port" for
  // IPv6) and serves on the I/O threads. Returns the bound port; a port that
  // another listener holds is UNAVAILABLE (no SO_REUSEPORT).
  absl::StatusOr<int> Start(const std::string& listen_address);
  // Closes the listening socket; requests in progress carry on.
  void StopAccepting();
  // StopAccepting, then waits for requests in progress to be answered (each
  // is bounded by the forward deadline) and closes every connection.
  // Idempotent.
  void Stop();

 private:
  std::unique_ptr<ConnectUnary> connect_;
  std::unique_ptr<HttpServer> http_;
};

// The options an operator's `limits` (GatewayConfig.http_limits) ask for,
// over the defaults (a field left 0 keeps its default). A value out of range
// is a violation of "http_limits.<field>" added to `bad`.
JsonHttpServer::Options JsonFaceOptionsFrom(
    const homeward::internal::v1::HttpLimits& limits,
    errors::FieldViolations& bad);

// The options of the JSON face `config` describes: its http_limits as above
// and, when public_transport sets tls and the face is served
// (http_listen_address), HTTPS with the identity loaded from its files
// (tls_server_identity.h); a file that is missing, unparseable, not the
// certificate's key or a key readable by others is a violation of
// "public_transport.tls.<file field>" added to `bad`. Unset
// public_transport, or plaintext, serves plain HTTP.
JsonHttpServer::Options JsonFaceOptionsFrom(
    const homeward::internal::v1::GatewayConfig& config,
    errors::FieldViolations& bad);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_JSON_HTTP_H_
