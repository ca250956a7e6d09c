// The gateway's public JSON face: Connect-style unary calls over HTTP/1.1,
// served by cpp-httplib. Every method of the method table (method_table.h)
// is served at POST /<full method name>, e.g.
//
//   POST /homeward.v1.CaseService/GetCase
//   Content-Type: application/json
//   Authorization: Bearer <API key>        (or X-Api-Key: <API key>)
//   {"caseId": "C..."}
//
// Bodies use protobuf's canonical JSON mapping (lowerCamelCase out; either
// spelling in; unknown fields refused). A success is 200 with the response
// message; an error is a Connect error object with the HTTP status Connect
// assigns to its code:
//   {"code":"invalid_argument","message":"...","details":[{"type":
//    "google.rpc.BadRequest","value":"<base64>","fieldViolations":[...]}]}
// Calls go through the same authentication, method table and Forwarder as
// the gRPC face, so both faces route and refuse alike.
// GET /healthz answers 200 "ok". Request bodies are never logged.
#ifndef HOMEWARD_SERVICES_GATEWAY_JSON_HTTP_H_
#define HOMEWARD_SERVICES_GATEWAY_JSON_HTTP_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/forwarder.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace homeward::gateway {

// Connect's name for `code` ("invalid_argument", "canceled", ...).
std::string ConnectCodeName(absl::StatusCode code);
// The HTTP status Connect uses for `code` (e.g. 400 for invalid_argument).
int HttpStatusForCode(absl::StatusCode code);
// The Connect error object for a non-OK `status`, with its details (field
// violations and precondition failures spelled out as well as encoded).
std::string ConnectErrorJson(const absl::Status& status);

class JsonHttpServer {
 public:
  // Both must outlive the server.
  JsonHttpServer(const ApiKeyAuthenticator* keys, Forwarder* forwarder);
  ~JsonHttpServer();
  JsonHttpServer(const JsonHttpServer&) = delete;
  JsonHttpServer& operator=(const JsonHttpServer&) = delete;

  // Binds `listen_address` ("host:port", port 0 picks one; "[::]:port" for
  // IPv6) and serves on a background thread. Returns the bound port.
  absl::StatusOr<int> Start(const std::string& listen_address);
  // Closes the listening socket; requests in progress carry on.
  void StopAccepting();
  // StopAccepting, then waits for requests in progress to finish (each is
  // bounded by the forward deadline). Idempotent.
  void Stop();

 private:
  const ApiKeyAuthenticator* keys_;
  Forwarder* forwarder_;
  std::unique_ptr<httplib::Server> http_;
  std::thread listener_;
  std::atomic<bool> stopped_accepting_{false};
};

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_JSON_HTTP_H_
