// Structured logs: one JSON object per line on stderr. Callers pass only
// identifiers and codes (method, request id, case id, status code), never
// personal data: returnees include trafficking and violence survivors.
//
//   server::Log("info", "rpc", {{"method", m}, {"request_id", id}});
//   server::RouteProtobufLogs();  // protobuf's warnings as JSON lines too
#ifndef HOMEWARD_COMMON_SERVER_LOG_H_
#define HOMEWARD_COMMON_SERVER_LOG_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace homeward::server {

using LogField = std::pair<absl::string_view, std::string>;

void Log(absl::string_view level, absl::string_view message,
         std::initializer_list<LogField> fields = {});
// The line Log writes, newline included: a JSON object whatever the bytes of
// `message` and the fields (those that are not UTF-8 are escaped).
std::string JsonLogLine(absl::string_view level, absl::string_view message,
                        std::initializer_list<LogField> fields = {});

// Sends protobuf's own log lines (for example "String field ... contains
// invalid UTF-8", printed while a request is decoded) through Log as JSON
// lines instead of protobuf's plain-text lines on stderr. Process-wide;
// PrepareServerBuilder calls it.
void RouteProtobufLogs();

// Turns request logging off (benchmarks, quiet tests) or on.
void SetRequestLogging(bool enabled);
bool RequestLoggingEnabled();

}  // namespace homeward::server

#endif  // HOMEWARD_COMMON_SERVER_LOG_H_
