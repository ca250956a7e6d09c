// CombineSlices: the slices of one measurement add up to one result.
#include "tools/bench/load_runner.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace homeward::bench {
namespace {

LoadResult SliceOf(std::vector<uint32_t> sorted_latencies, double seconds,
                   double cpu_seconds, uint64_t errors = 0,
                   std::string first_error = "") {
  LoadResult r;
  r.ok_calls = sorted_latencies.size();
  r.seconds = seconds;
  r.cpu_seconds = cpu_seconds;
  r.errors = errors;
  r.first_error = std::move(first_error);
  r.latencies_us = std::move(sorted_latencies);
  return r;
}

TEST(CombineSlicesTest, AddsCallsTimeAndCpuAndTakesPercentilesOfAllCalls) {
  // Ten calls over two slices: latencies 1..10 us, interleaved.
  const LoadResult combined = CombineSlices(
      {SliceOf({1, 3, 5, 7, 9}, 0.5, 0.25),
       SliceOf({2, 4, 6, 8, 10}, 1.5, 0.75, 2, "UNAVAILABLE: down")});
  EXPECT_EQ(combined.ok_calls, 10u);
  EXPECT_DOUBLE_EQ(combined.seconds, 2.0);
  EXPECT_DOUBLE_EQ(combined.calls_per_second, 5.0);  // 10 calls / 2 s
  EXPECT_DOUBLE_EQ(combined.cpu_seconds, 1.0);
  EXPECT_DOUBLE_EQ(combined.cpu_us_per_call, 100000.0);  // 1 s / 10 calls
  // Nearest rank: p50 is the 5th of 10, p90 the 9th, p99 the 10th.
  EXPECT_DOUBLE_EQ(combined.p50_us, 5);
  EXPECT_DOUBLE_EQ(combined.p90_us, 9);
  EXPECT_DOUBLE_EQ(combined.p99_us, 10);
  EXPECT_DOUBLE_EQ(combined.max_us, 10);
  EXPECT_EQ(combined.errors, 2u);
  EXPECT_EQ(combined.first_error, "UNAVAILABLE: down");
  EXPECT_EQ(combined.latencies_us,
            (std::vector<uint32_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
}

TEST(CombineSlicesTest, KeepsTheFirstSlicesError) {
  const LoadResult combined =
      CombineSlices({SliceOf({}, 1, 0.1, 1, "INTERNAL: first"),
                     SliceOf({}, 1, 0.1, 3, "INTERNAL: second")});
  EXPECT_EQ(combined.errors, 4u);
  EXPECT_EQ(combined.first_error, "INTERNAL: first");
  // No successful call: no rates or percentiles to speak of.
  EXPECT_EQ(combined.ok_calls, 0u);
  EXPECT_DOUBLE_EQ(combined.calls_per_second, 0);
  EXPECT_DOUBLE_EQ(combined.cpu_us_per_call, 0);
  EXPECT_DOUBLE_EQ(combined.p99_us, 0);
}

TEST(CombineSlicesTest, NoSlicesIsAnEmptyResult) {
  const LoadResult combined = CombineSlices({});
  EXPECT_EQ(combined.ok_calls, 0u);
  EXPECT_DOUBLE_EQ(combined.seconds, 0);
  EXPECT_DOUBLE_EQ(combined.calls_per_second, 0);
}

}  // namespace
}  // namespace homeward::bench
