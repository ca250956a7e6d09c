// Per-method call metrics; see rpc_metrics.h.
#include "common/metrics/rpc_metrics.h"

#include <utility>

#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/support/interceptor.h"

namespace homeward::metrics {
namespace {

constexpr absl::string_view kUnknownMethod = "unknown/unknown";

using grpc::experimental::InterceptionHookPoints;

// "/pkg.Service/Method" or "pkg.Service/Method" -> {"pkg.Service", "Method"}.
std::pair<std::string, std::string> SplitMethod(absl::string_view path) {
  absl::ConsumePrefix(&path, "/");
  const size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return {"", std::string(path)};
  return {std::string(path.substr(0, slash)),
          std::string(path.substr(slash + 1))};
}

// Whether `path` names a method of a linked service: anything else (a
// client's made-up path, answered UNIMPLEMENTED) is counted under one
// "unknown" series, so callers cannot mint series.
bool IsKnownMethod(absl::string_view path) {
  absl::ConsumePrefix(&path, "/");
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
             absl::StrReplaceAll(path, {{"/", "."}})) != nullptr;
}

class RpcMetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit RpcMetricsInterceptor(MethodCalls* calls) : timer_(calls) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* batch) override {
    // The status as it leaves: after the interceptors before this one (the
    // undecodable-request rewrite) had their say.
    if (batch->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      timer_.Finish(static_cast<int>(batch->GetSendStatus().error_code()));
    }
    batch->Proceed();
  }

 private:
  // A call destroyed without sending a status (the client went away) is
  // counted CANCELLED by the timer's destructor.
  CallTimer timer_;
};

class RpcMetricsInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcMetricsInterceptorFactory(std::shared_ptr<RpcMetrics> metrics)
      : metrics_(std::move(metrics)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    const char* method = info->method();
    return new RpcMetricsInterceptor(
        metrics_->Method(method == nullptr ? "" : method));
  }

 private:
  std::shared_ptr<RpcMetrics> metrics_;
};

}  // namespace

const std::vector<double>& DurationBuckets() {
  static const std::vector<double>* const buckets =
      new std::vector<double>{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                              0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return *buckets;
}

MethodCalls::MethodCalls(prometheus::Family<prometheus::Counter>* requests,
                         std::map<std::string, std::string> labels,
                         prometheus::Histogram* duration,
                         prometheus::Gauge* in_flight)
    : requests_(requests),
      labels_(std::move(labels)),
      duration_(duration),
      in_flight_(in_flight) {}

prometheus::Counter& MethodCalls::CounterFor(int code) {
  if (code < 0 || code >= static_cast<int>(by_code_.size())) {
    code = static_cast<int>(absl::StatusCode::kUnknown);
  }
  prometheus::Counter* counter = by_code_[code].load(std::memory_order_acquire);
  if (counter == nullptr) {
    std::map<std::string, std::string> labels = labels_;
    labels["code"] =
        absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
    // Family::Add returns the same counter for the same labels, so a race
    // between two first calls stores the same pointer twice.
    counter = &requests_->Add(labels);
    by_code_[code].store(counter, std::memory_order_release);
  }
  return *counter;
}

void MethodCalls::Finished(int code,
                           std::chrono::steady_clock::duration elapsed) {
  in_flight_->Decrement();
  CounterFor(code).Increment();
  duration_->Observe(std::chrono::duration<double>(elapsed).count());
}

RpcMetrics::RpcMetrics(std::shared_ptr<Metrics> metrics, std::string server,
                       std::string face)
    : metrics_(std::move(metrics)),
      server_(std::move(server)),
      face_(std::move(face)) {
  prometheus::Registry& registry = metrics_->registry();
  requests_ = &prometheus::BuildCounter()
                   .Name("homeward_rpc_requests_total")
                   .Help("Calls finished, by method and status code.")
                   .Register(registry);
  duration_ = &prometheus::BuildHistogram()
                   .Name("homeward_rpc_duration_seconds")
                   .Help("How long calls took, from arrival to status.")
                   .Register(registry);
  in_flight_ = &prometheus::BuildGauge()
                    .Name("homeward_rpc_in_flight")
                    .Help("Calls running now (streams count while open).")
                    .Register(registry);
}

MethodCalls* RpcMetrics::Method(absl::string_view method) {
  // gRPC paths and the gateway's full names share one entry.
  absl::ConsumePrefix(&method, "/");
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = methods_.find(method);
    if (it != methods_.end()) return it->second.get();
  }
  const bool known = IsKnownMethod(method);
  if (!known) method = kUnknownMethod;
  auto [service, name] = SplitMethod(method);
  std::map<std::string, std::string> labels = {{"server", server_},
                                               {"face", face_},
                                               {"service", std::move(service)},
                                               {"method", std::move(name)}};
  absl::MutexLock lock(&mu_);
  auto it = methods_.find(method);
  if (it != methods_.end()) return it->second.get();
  auto calls = std::make_unique<MethodCalls>(
      requests_, labels, &duration_->Add(labels, DurationBuckets()),
      &in_flight_->Add(labels));
  MethodCalls* raw = calls.get();
  methods_.emplace(std::string(method), std::move(calls));
  return raw;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
RpcMetrics::InterceptorFactory(std::shared_ptr<RpcMetrics> rpc_metrics) {
  return std::make_unique<RpcMetricsInterceptorFactory>(std::move(rpc_metrics));
}

}  // namespace homeward::metrics
