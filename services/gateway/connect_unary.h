// Connect unary calls of the gateway's methods, as an HttpHandler
// (http_server.h): finds the method at the request's path, reads the body in
// the codec its Content-Type names, authenticates the caller and forwards the
// call through the Forwarder, then answers from the Forwarder's callback. No
// thread waits for a replica.
//
//   ConnectUnary connect(&keys, &forwarder, [] { return true; });
//   HttpServer server(options, [&connect](HttpRequest r, HttpResponder a) {
//     connect.Serve(std::move(r), std::move(a));
//   }, refusal);
//
// What it serves:
//   POST /<full method name>, e.g. /homeward.v1.CaseService/GetCase, the path
//     matched byte for byte (never percent-decoded: %2F is not a slash);
//     Content-Type application/json (protobuf's canonical JSON: lowerCamelCase
//     out, either spelling in, unknown fields ignored so that clients built
//     from newer contracts keep working) or application/proto (the message's
//     binary encoding, passed to the replica as it is). A success is 200 with
//     the response in the request's codec; an error is always a Connect error
//     object in JSON with the HTTP status Connect gives its code (for unary
//     calls Connect sends errors as JSON whatever the codec).
//   GetProgrammeIndicators with an Accept header listing text/csv: one
//     table as a CSV file (indicator_csv.h), 200 text/csv; charset=utf-8 with
//     Content-Disposition: attachment; filename="<table>.csv" and the
//     missing services in X-Missing-Services; the request must name its
//     `table` (else invalid_argument naming it). Other methods ignore Accept.
//   GET|HEAD /healthz: 200 "ok" while `ready()` says so, else 503 with a
//     Connect error `unavailable`.
// Refusals before a call exists say what is allowed: no method there (404
// unimplemented), another verb (405 with Allow), another codec (415 with
// Accept-Post, as the Connect protocol specifies, code unimplemented), a
// compressed body (501 unimplemented with Accept-Encoding: identity).
// Every call answers with X-Request-Id (the client's when usable), 401s carry
// WWW-Authenticate: Bearer, Connect-Timeout-Ms bounds the forwarded call, and
// each call gets one log line (LogPublicCall); bodies are never logged.
// With `calls` set, every call that reached a method is counted and timed
// there (rpc_metrics.h, face "json"); earlier refusals (404, 405, 415) are
// not, since they name no method.
#ifndef HOMEWARD_SERVICES_GATEWAY_CONNECT_UNARY_H_
#define HOMEWARD_SERVICES_GATEWAY_CONNECT_UNARY_H_

#include <functional>

#include "common/metrics/rpc_metrics.h"
#include "services/gateway/caller_authenticator.h"
#include "services/gateway/forwarder.h"
#include "services/gateway/http_server.h"

namespace homeward::gateway {

class ConnectUnary {
 public:
  // `keys` and `forwarder` must outlive every call this serves. `ready`
  // answers /healthz (empty: always ready).
  ConnectUnary(const CallerAuthenticator* keys, Forwarder* forwarder,
               std::function<bool()> ready,
               std::shared_ptr<metrics::RpcMetrics> calls = nullptr);

  // An HttpHandler: answers `request` through `respond`, now or later.
  void Serve(HttpRequest request, HttpResponder respond) const;

 private:
  void ServeHealth(const HttpRequest& request,
                   const HttpResponder& respond) const;

  const CallerAuthenticator* keys_;
  Forwarder* forwarder_;
  std::function<bool()> ready_;
  std::shared_ptr<metrics::RpcMetrics> calls_;
};

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_CONNECT_UNARY_H_
