// How the gateway's HTTP face writes errors the Connect way: Connect's name
// and HTTP status for each canonical code, and the Connect error object
// (code, message, details) that is the body of every refusal, whether a
// replica refused the call or the HTTP server refused the request itself.
//
//   response.status = HttpStatusForCode(status.code());
//   response.body = ConnectErrorJson(status);
//   // {"code":"invalid_argument","message":"...","details":[{"type":
//   //  "google.rpc.BadRequest","value":"<base64>","fieldViolations":[...]}]}
#ifndef HOMEWARD_SERVICES_GATEWAY_CONNECT_ERROR_H_
#define HOMEWARD_SERVICES_GATEWAY_CONNECT_ERROR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace homeward::gateway {

// Connect's name for `code` ("invalid_argument", "canceled", ...).
std::string ConnectCodeName(absl::StatusCode code);
// The HTTP status Connect uses for `code` (e.g. 400 for invalid_argument).
int HttpStatusForCode(absl::StatusCode code);
// The Connect error object for a non-OK `status`, with its details (field
// violations and precondition failures spelled out as well as encoded).
std::string ConnectErrorJson(const absl::Status& status);
// The Connect error object for a refusal made before any call exists (an
// HTTP-level limit, no such method, an unsupported codec): a code and a
// message saying what was wrong and what is allowed, no details.
std::string ConnectErrorJson(absl::StatusCode code, absl::string_view message);
// `s` as a JSON string literal; bytes that are not valid UTF-8 become \u00XX
// escapes, so the result is always valid JSON.
std::string JsonString(absl::string_view s);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_CONNECT_ERROR_H_
