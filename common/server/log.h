// Structured logs: one JSON object per line on stderr. Callers pass only
// identifiers and codes (method, request id, case id, status code), never
// personal data: returnees include trafficking and violence survivors.
//
//   server::Log("info", "rpc", {{"method", m}, {"request_id", id}});
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

// Turns request logging off (benchmarks, quiet tests) or on.
void SetRequestLogging(bool enabled);
bool RequestLoggingEnabled();

}  // namespace homeward::server

#endif  // HOMEWARD_COMMON_SERVER_LOG_H_
