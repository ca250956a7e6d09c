// Per-method call metrics of one server face: how many calls ended with
// each status code, how long they took, and how many are running.
//   homeward_rpc_requests_total{server,face,service,method,code}   counter
//   homeward_rpc_duration_seconds{server,face,service,method}      histogram
//   homeward_rpc_in_flight{server,face,service,method}             gauge
// `server` names the process part ("assessment", "gateway"), `face` how the
// calls arrive ("grpc", or "json" for the gateway's Connect face), `service`
// and `method` the gRPC names ("homeward.v1.CaseService", "GetCase"), `code`
// the canonical code ("OK", "INVALID_ARGUMENT"...).
//
// A gRPC server gets them from an interceptor (RpcMetricsInterceptor, added
// by server::PrepareServerBuilder's `extra_interceptors`); a face that is
// not a gRPC server (the JSON face) records its calls itself:
//
//   auto calls = std::make_shared<RpcMetrics>(metrics, "gateway", "json");
//   MethodCalls* series = calls->Method("/homeward.v1.CaseService/GetCase");
//   CallTimer timer(series);        // in flight from here
//   ...
//   timer.Finish(absl::StatusCode::kOk);
#ifndef HOMEWARD_COMMON_METRICS_RPC_METRICS_H_
#define HOMEWARD_COMMON_METRICS_RPC_METRICS_H_

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics/metrics.h"
#include "grpcpp/support/server_interceptor.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"

namespace homeward::metrics {

// The series of one method; created by RpcMetrics::Method, which keeps it.
class MethodCalls {
 public:
  MethodCalls(prometheus::Family<prometheus::Counter>* requests,
              std::map<std::string, std::string> labels,
              prometheus::Histogram* duration, prometheus::Gauge* in_flight);

  void Started() { in_flight_->Increment(); }
  // `code` is a canonical code (absl and gRPC share the numbers).
  void Finished(int code, std::chrono::steady_clock::duration elapsed);

 private:
  prometheus::Counter& CounterFor(int code);

  prometheus::Family<prometheus::Counter>* const requests_;
  const std::map<std::string, std::string> labels_;
  prometheus::Histogram* const duration_;
  prometheus::Gauge* const in_flight_;
  // One counter per code, made when the code first ends a call.
  std::array<std::atomic<prometheus::Counter*>, 17> by_code_{};
};

// Times one call of a method: in flight from construction to Finish (or to
// destruction, counted CANCELLED, for a call that never finished).
class CallTimer {
 public:
  explicit CallTimer(MethodCalls* calls)
      : calls_(calls), start_(std::chrono::steady_clock::now()) {
    calls_->Started();
  }
  ~CallTimer() {
    if (calls_ != nullptr)
      Finish(static_cast<int>(absl::StatusCode::kCancelled));
  }
  CallTimer(const CallTimer&) = delete;
  CallTimer& operator=(const CallTimer&) = delete;

  void Finish(absl::StatusCode code) { Finish(static_cast<int>(code)); }
  void Finish(int code) {
    if (calls_ == nullptr) return;
    calls_->Finished(code, std::chrono::steady_clock::now() - start_);
    calls_ = nullptr;
  }

 private:
  MethodCalls* calls_;
  std::chrono::steady_clock::time_point start_;
};

// The methods of one server face.
class RpcMetrics {
 public:
  RpcMetrics(std::shared_ptr<Metrics> metrics, std::string server,
             std::string face);

  // The series of `method`: a gRPC path ("/pkg.Service/Method") or a full
  // name ("pkg.Service/Method"). Lives as long as this RpcMetrics. Cheap
  // after the first call for a method (a shared lock and a hash lookup).
  MethodCalls* Method(absl::string_view method);

  // A server interceptor factory recording every call of a gRPC server
  // into this face; the factory keeps this RpcMetrics alive.
  static std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  InterceptorFactory(std::shared_ptr<RpcMetrics> rpc_metrics);

 private:
  const std::shared_ptr<Metrics> metrics_;
  const std::string server_;
  const std::string face_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Histogram>* duration_;
  prometheus::Family<prometheus::Gauge>* in_flight_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<MethodCalls>> methods_
      ABSL_GUARDED_BY(mu_);
};

// The latency buckets (seconds): from half a millisecond (a cached read) to
// ten seconds (past every deadline the suite sets).
const std::vector<double>& DurationBuckets();

}  // namespace homeward::metrics

#endif  // HOMEWARD_COMMON_METRICS_RPC_METRICS_H_
