// The process's memory; see process_memory.h.
#include "common/metrics/process_memory.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace homeward::metrics {

std::optional<uint64_t> StatusFieldBytes(absl::string_view status,
                                         absl::string_view field) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (!absl::ConsumePrefix(&line, field) || !absl::ConsumePrefix(&line, ":"))
      continue;
    line = absl::StripAsciiWhitespace(line);
    // The kernel reports these in kB (KiB).
    if (!absl::ConsumeSuffix(&line, "kB")) return std::nullopt;
    uint64_t kib = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kib))
      return std::nullopt;
    return kib * 1024;
  }
  return std::nullopt;
}

void ReadProcessMemory(std::vector<Reading>& out) {
  std::ifstream file("/proc/self/status");
  if (!file) return;
  std::stringstream text;
  text << file.rdbuf();
  const std::string status = text.str();
  struct Field {
    const char* field;
    const char* name;
    const char* help;
  };
  static constexpr Field kFields[] = {
      {"VmRSS", "homeward_process_resident_bytes",
       "Resident memory of the process (VmRSS)."},
      {"VmHWM", "homeward_process_peak_resident_bytes",
       "The most resident memory the process has had (VmHWM)."},
      {"VmSize", "homeward_process_virtual_bytes",
       "Virtual memory of the process (VmSize)."},
  };
  for (const Field& f : kFields) {
    std::optional<uint64_t> bytes = StatusFieldBytes(status, f.field);
    if (!bytes.has_value()) continue;
    out.push_back({f.name,
                   f.help,
                   prometheus::MetricType::Gauge,
                   {},
                   static_cast<double>(*bytes)});
  }
}

}  // namespace homeward::metrics
