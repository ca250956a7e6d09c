// A generic closed-loop load driver for homeward-bench: keeps a fixed number
// of asynchronous calls in flight, each "slot" issuing its next call as soon
// as its previous one completes, and records the latency and outcome of every
// call. It knows nothing about Homeward: a scenario supplies the slots, which
// start one gRPC callback-API call each and report its status.
//
//   LoadOptions options{.concurrency = 64,
//                       .warmup = absl::Seconds(1),
//                       .duration = absl::Seconds(5)};
//   ASSIGN_OR_RETURN(LoadResult r, RunClosedLoop(options, make_slot));
//   std::cout << r.calls_per_second << " " << r.p99_us << "\n";
#ifndef HOMEWARD_TOOLS_BENCH_LOAD_RUNNER_H_
#define HOMEWARD_TOOLS_BENCH_LOAD_RUNNER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"

namespace homeward::bench {

// One in-flight position of the closed loop. The driver calls Issue() again
// only after the previous call's `done` ran, so a slot may keep its
// ClientContext, request and response as members without locking.
class CallSlot {
 public:
  virtual ~CallSlot() = default;
  // Starts one asynchronous call and arranges for `done` to run exactly once
  // with its status, on any thread. `sequence` is unique across all slots of
  // one run (useful for unique request ids and round-robin keys). Must not
  // block: it runs on gRPC callback threads.
  virtual void Issue(uint64_t sequence,
                     std::function<void(const grpc::Status&)> done) = 0;
};

// Builds the slot for position `index` (0 <= index < concurrency).
using SlotFactory = std::function<std::unique_ptr<CallSlot>(int index)>;

struct LoadOptions {
  int concurrency = 64;
  // Calls completing during the warmup are not measured (connections,
  // caches and thread pools settle first), but their errors are counted.
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(5);
  // When > 0, issue exactly this many calls and measure all of them instead
  // of running for warmup + duration (used to preload data).
  uint64_t total_calls = 0;
  // Gives up waiting for in-flight calls after the run by this much; slots
  // should set a call deadline shorter than this.
  absl::Duration drain_timeout = absl::Seconds(60);
};

struct LoadResult {
  // Successful calls completed in the measured window, and its length.
  uint64_t ok_calls = 0;
  double seconds = 0;
  double calls_per_second = 0;
  // Latency of the successful measured calls, in microseconds.
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double max_us = 0;
  // CPU time (user + system) the whole process spent in the measured window,
  // in all and per successful call. The process holds the client and the
  // servers, so this is the machine's cost of one call.
  double cpu_seconds = 0;
  double cpu_us_per_call = 0;
  // Failed calls over the whole run, warmup included: a benchmark whose
  // calls fail measures nothing useful, so every failure is reported.
  uint64_t errors = 0;
  std::string first_error;  // "CODE: message" of the first failure
  // Every measured latency, sorted: kept so that slices can be combined.
  std::vector<uint32_t> latencies_us;
};

// One result for several runs of the same calls (the slices of one
// measurement): their calls, seconds, CPU and errors add up, and the
// percentiles are those of all their latencies together.
LoadResult CombineSlices(const std::vector<LoadResult>& slices);

// Runs the closed loop to completion. Fails (without a result) only when the
// options are invalid or in-flight calls do not finish within drain_timeout;
// call failures are reported in the result.
absl::StatusOr<LoadResult> RunClosedLoop(const LoadOptions& options,
                                         const SlotFactory& make_slot);

}  // namespace homeward::bench

#endif  // HOMEWARD_TOOLS_BENCH_LOAD_RUNNER_H_
