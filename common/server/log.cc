// JSON-lines logging; see log.h.
#include "common/server/log.h"

#include <atomic>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status/utf8.h"
#include "google/protobuf/stubs/logging.h"

namespace homeward::server {
namespace {

std::atomic<bool> request_logging{true};

// Bytes that are not well-formed UTF-8 (a message may quote an id read from
// an operator's file) are written as \u00XX escapes, so that every line stays
// valid JSON whatever it quotes.
void AppendJsonString(std::string* out, absl::string_view s) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    const unsigned char byte = static_cast<unsigned char>(c);
    if (c == '"') {
      out->append("\\\"");
    } else if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '\t') {
      out->append("\\t");
    } else if (byte >= 0x80) {
      size_t next = i;
      if (NextCodePoint(s, &next) >= 0) {
        out->append(s.data() + i, next - i);
        i = next;
        continue;
      }
      absl::StrAppend(out, "\\u00", absl::Hex(byte, absl::kZeroPad2));
    } else if (byte < 0x20) {
      absl::StrAppend(out, "\\u00", absl::Hex(byte, absl::kZeroPad2));
    } else {
      out->push_back(c);
    }
    ++i;
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

std::string JsonLogLine(absl::string_view level, absl::string_view message,
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
  return line;
}

void Log(absl::string_view level, absl::string_view message,
         std::initializer_list<LogField> fields) {
  const std::string line = JsonLogLine(level, message, fields);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void SetRequestLogging(bool enabled) { request_logging = enabled; }
bool RequestLoggingEnabled() { return request_logging; }

}  // namespace homeward::server
