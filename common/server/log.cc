// JSON-lines logging; see log.h.
#include "common/server/log.h"

#include <atomic>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/stubs/logging.h"

namespace homeward::server {
namespace {

std::atomic<bool> request_logging{true};

void AppendJsonString(std::string* out, absl::string_view s) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppend(out, "\\u00", absl::Hex(c, absl::kZeroPad2));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

const char* LevelName(google::protobuf::LogLevel level) {
  switch (level) {
    case google::protobuf::LOGLEVEL_INFO:
      return "info";
    case google::protobuf::LOGLEVEL_WARNING:
      return "warn";
    case google::protobuf::LOGLEVEL_ERROR:
      return "error";
    case google::protobuf::LOGLEVEL_FATAL:
      return "fatal";
  }
  return "error";
}

// protobuf's messages name fields and types, never their values (its UTF-8
// check says which string field, not what it held); the cap keeps a long
// text-format parse error from flooding the log.
constexpr size_t kMaxProtobufDetail = 512;

void LogProtobufLine(google::protobuf::LogLevel level, const char* filename,
                     int line, const std::string& message) {
  Log(LevelName(level), "protobuf",
      {{"source", absl::StrCat(filename == nullptr ? "" : filename, ":", line)},
       {"detail", message.substr(0, kMaxProtobufDetail)}});
}

}  // namespace

void RouteProtobufLogs() {
  // SetLogHandler is not thread-safe: set it once, before the first server
  // of the process starts, and never again.
  static const bool routed = [] {
    google::protobuf::SetLogHandler(&LogProtobufLine);
    return true;
  }();
  (void)routed;
}

void Log(absl::string_view level, absl::string_view message,
         std::initializer_list<LogField> fields) {
  std::string line = "{\"ts\":";
  AppendJsonString(&line, absl::FormatTime(absl::RFC3339_full, absl::Now(),
                                           absl::UTCTimeZone()));
  line.append(",\"level\":");
  AppendJsonString(&line, level);
  line.append(",\"msg\":");
  AppendJsonString(&line, message);
  for (const auto& [key, value] : fields) {
    line.push_back(',');
    AppendJsonString(&line, key);
    line.push_back(':');
    AppendJsonString(&line, value);
  }
  line.append("}\n");
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void SetRequestLogging(bool enabled) { request_logging = enabled; }
bool RequestLoggingEnabled() { return request_logging; }

}  // namespace homeward::server
