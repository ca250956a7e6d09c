// The closed-loop driver behind homeward-bench; see load_runner.h.
#include "tools/bench/load_runner.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace homeward::bench {
namespace {

// Latencies use the monotonic clock: wall-clock steps (NTP) must not turn
// into negative or inflated latencies.
using Clock = std::chrono::steady_clock;

// CPU seconds (user + system) used by this process so far.
double ProcessCpuSeconds() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

enum Phase : int { kWarmup = 0, kMeasure = 1, kStop = 2 };

// The nearest-rank percentile of sorted `values` (0 when empty).
double Percentile(const std::vector<uint32_t>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(
      std::ceil(fraction * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

// The figures of calls that took `sorted` microseconds each, `seconds` of
// wall time and `cpu_seconds` of process CPU (errors are left to the caller).
LoadResult Summarize(std::vector<uint32_t> sorted, double seconds,
                     double cpu_seconds) {
  LoadResult result;
  result.ok_calls = sorted.size();
  result.seconds = seconds;
  result.cpu_seconds = cpu_seconds;
  result.calls_per_second = seconds > 0 ? sorted.size() / seconds : 0;
  result.cpu_us_per_call =
      sorted.empty() ? 0 : cpu_seconds * 1e6 / sorted.size();
  result.p50_us = Percentile(sorted, 0.50);
  result.p90_us = Percentile(sorted, 0.90);
  result.p99_us = Percentile(sorted, 0.99);
  result.max_us = sorted.empty() ? 0 : sorted.back();
  result.latencies_us = std::move(sorted);
  return result;
}

std::string StatusText(const grpc::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(
                          static_cast<absl::StatusCode>(status.error_code())),
                      ": ", status.error_message());
}

class Loop {
 public:
  explicit Loop(const LoadOptions& options) : options_(options) {}

  // Everything one slot touches. Only the slot's own completion callback
  // writes it while the loop runs (calls of one slot never overlap), and the
  // driver reads it after the drain, so it needs no lock.
  struct Worker {
    std::unique_ptr<CallSlot> slot;
    Clock::time_point started;
    std::vector<uint32_t> latencies_us;
    uint64_t errors = 0;
  };

  absl::Status AddWorkers(const SlotFactory& make_slot) {
    workers_.resize(options_.concurrency);
    for (int i = 0; i < options_.concurrency; ++i) {
      workers_[i].slot = make_slot(i);
      if (workers_[i].slot == nullptr) {
        return absl::InternalError(absl::StrCat("no call slot for index ", i));
      }
      // Sized for ~40k calls/s over the window, so the hot path rarely
      // reallocates.
      workers_[i].latencies_us.reserve(4096);
    }
    return absl::OkStatus();
  }

  void SetPhase(Phase phase) { phase_.store(phase, std::memory_order_release); }

  void StartAll() {
    {
      absl::MutexLock lock(&mu_);
      in_flight_ = static_cast<int>(workers_.size());
    }
    for (Worker& w : workers_) IssueNext(&w);
  }

  // True when every slot retired before `timeout`.
  bool AwaitDrained(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto drained = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return in_flight_ == 0;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&drained), timeout);
  }

  LoadResult Collect(double seconds, double cpu_seconds) {
    std::vector<uint32_t> all;
    uint64_t errors = 0;
    for (Worker& w : workers_) {
      all.insert(all.end(), w.latencies_us.begin(), w.latencies_us.end());
      errors += w.errors;
    }
    std::sort(all.begin(), all.end());
    LoadResult result = Summarize(std::move(all), seconds, cpu_seconds);
    result.errors = errors;
    absl::MutexLock lock(&mu_);
    result.first_error = first_error_;
    return result;
  }

 private:
  void IssueNext(Worker* w) {
    uint64_t sequence;
    if (options_.total_calls > 0) {
      sequence = next_sequence_.fetch_add(1, std::memory_order_relaxed);
      if (sequence >= options_.total_calls) return Retire();
    } else {
      if (phase_.load(std::memory_order_acquire) == kStop) return Retire();
      sequence = next_sequence_.fetch_add(1, std::memory_order_relaxed);
    }
    w->started = Clock::now();
    // Re-issuing from the completion callback keeps exactly `concurrency`
    // calls in flight without a dispatcher thread in the way.
    w->slot->Issue(
        sequence, [this, w](const grpc::Status& status) { OnDone(w, status); });
  }

  void OnDone(Worker* w, const grpc::Status& status) {
    const Clock::time_point now = Clock::now();
    if (status.ok()) {
      if (options_.total_calls > 0 ||
          phase_.load(std::memory_order_acquire) == kMeasure) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      now - w->started)
                      .count();
        w->latencies_us.push_back(static_cast<uint32_t>(
            std::min<int64_t>(us, std::numeric_limits<uint32_t>::max())));
      }
    } else {
      ++w->errors;
      absl::MutexLock lock(&mu_);
      if (first_error_.empty()) first_error_ = StatusText(status);
    }
    IssueNext(w);
  }

  void Retire() {
    absl::MutexLock lock(&mu_);
    --in_flight_;
  }

  const LoadOptions options_;
  std::vector<Worker> workers_;
  std::atomic<int> phase_{kWarmup};
  std::atomic<uint64_t> next_sequence_{0};

  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  std::string first_error_ ABSL_GUARDED_BY(mu_);
};

double SecondsBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

LoadResult CombineSlices(const std::vector<LoadResult>& slices) {
  std::vector<uint32_t> all;
  double seconds = 0;
  double cpu_seconds = 0;
  uint64_t errors = 0;
  std::string first_error;
  for (const LoadResult& slice : slices) {
    all.insert(all.end(), slice.latencies_us.begin(), slice.latencies_us.end());
    seconds += slice.seconds;
    cpu_seconds += slice.cpu_seconds;
    errors += slice.errors;
    if (first_error.empty()) first_error = slice.first_error;
  }
  std::sort(all.begin(), all.end());
  LoadResult result = Summarize(std::move(all), seconds, cpu_seconds);
  result.errors = errors;
  result.first_error = std::move(first_error);
  return result;
}

absl::StatusOr<LoadResult> RunClosedLoop(const LoadOptions& options,
                                         const SlotFactory& make_slot) {
  if (options.concurrency < 1) {
    return absl::InvalidArgumentError("concurrency must be at least 1");
  }
  if (options.total_calls == 0 && options.duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("duration must be positive");
  }
  auto loop = std::make_unique<Loop>(options);
  if (absl::Status s = loop->AddWorkers(make_slot); !s.ok()) return s;

  double seconds = 0;
  double cpu_seconds = 0;
  bool drained;
  if (options.total_calls > 0) {
    loop->SetPhase(kMeasure);
    const Clock::time_point start = Clock::now();
    const double cpu_start = ProcessCpuSeconds();
    loop->StartAll();
    drained = loop->AwaitDrained(options.drain_timeout);
    seconds = SecondsBetween(start, Clock::now());
    cpu_seconds = ProcessCpuSeconds() - cpu_start;
  } else {
    loop->StartAll();
    std::this_thread::sleep_for(absl::ToChronoNanoseconds(options.warmup));
    loop->SetPhase(kMeasure);
    const Clock::time_point start = Clock::now();
    const double cpu_start = ProcessCpuSeconds();
    std::this_thread::sleep_for(absl::ToChronoNanoseconds(options.duration));
    loop->SetPhase(kStop);
    seconds = SecondsBetween(start, Clock::now());
    cpu_seconds = ProcessCpuSeconds() - cpu_start;
    drained = loop->AwaitDrained(options.drain_timeout);
  }
  if (!drained) {
    // Calls still running reference the loop: leak it rather than free
    // memory a late callback would write. The caller is expected to exit.
    loop.release();
    return absl::DeadlineExceededError(
        absl::StrCat("calls still in flight after ",
                     absl::FormatDuration(options.drain_timeout)));
  }
  return loop->Collect(seconds, cpu_seconds);
}

}  // namespace homeward::bench
