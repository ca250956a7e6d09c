// The /proc/self/status fields the memory gauges come from.
#include "common/metrics/process_memory.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace homeward::metrics {
namespace {

constexpr char kStatus[] =
    "Name:\thomeward\n"
    "VmPeak:\t  123456 kB\n"
    "VmSize:\t  120000 kB\n"
    "VmHWM:\t    8000 kB\n"
    "VmRSS:\t    7000 kB\n"
    "Threads:\t12\n";

TEST(StatusFieldBytesTest, ReadsKibibyteFields) {
  struct Case {
    const char* field;
    std::optional<uint64_t> bytes;
  };
  const Case cases[] = {
      {"VmRSS", 7000 * 1024ull},    {"VmHWM", 8000 * 1024ull},
      {"VmSize", 120000 * 1024ull}, {"Threads", std::nullopt},  // no unit
      {"VmSwap", std::nullopt},     {"Vm", std::nullopt},       // prefix only
  };
  for (const Case& c : cases) {
    EXPECT_EQ(StatusFieldBytes(kStatus, c.field), c.bytes) << c.field;
  }
}

TEST(ReadProcessMemoryTest, ReportsResidentAndPeakOfThisProcess) {
  std::vector<Reading> readings;
  ReadProcessMemory(readings);
  std::map<std::string, double> by_name;
  for (const Reading& r : readings) by_name[r.name] = r.value;
  ASSERT_EQ(by_name.count("homeward_process_resident_bytes"), 1u);
  ASSERT_EQ(by_name.count("homeward_process_peak_resident_bytes"), 1u);
  EXPECT_GT(by_name["homeward_process_resident_bytes"], 1 << 20);
  EXPECT_GE(by_name["homeward_process_peak_resident_bytes"],
            by_name["homeward_process_resident_bytes"]);
}

}  // namespace
}  // namespace homeward::metrics
