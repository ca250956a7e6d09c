// The process's memory as the kernel counts it (/proc/self/status), for
// sizing a container's memory request and seeing a leak:
//   homeward_process_resident_bytes       VmRSS, resident now
//   homeward_process_peak_resident_bytes  VmHWM, the most resident so far
//   homeward_process_virtual_bytes        VmSize
//
//   std::vector<Reading> out;
//   ReadProcessMemory(out);
#ifndef HOMEWARD_COMMON_METRICS_PROCESS_MEMORY_H_
#define HOMEWARD_COMMON_METRICS_PROCESS_MEMORY_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/metrics/metrics.h"

namespace homeward::metrics {

// The value in bytes of a "Name:   1234 kB" line of /proc/<pid>/status
// text; nullopt when the line is absent or malformed.
std::optional<uint64_t> StatusFieldBytes(absl::string_view status,
                                         absl::string_view field);

// A Reader: appends the three gauges above (none if /proc is unreadable).
void ReadProcessMemory(std::vector<Reading>& out);

}  // namespace homeward::metrics

#endif  // HOMEWARD_COMMON_METRICS_PROCESS_MEMORY_H_
