// Readiness of the gateway from its replicas' health; see readiness.h.
#include "services/gateway/readiness.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/server/log.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"

namespace homeward::gateway {
namespace {

using ::grpc::health::v1::Health;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;

// "homeward.v1.CaseService/GetCase" -> "homeward.v1.CaseService".
std::string ServiceOf(absl::string_view full_method_name) {
  return std::string(full_method_name.substr(0, full_method_name.find('/')));
}

}  // namespace

ReadinessTracker::ReadinessTracker(const std::vector<Backend>& backends,
                                   const MethodTable& methods, Options options)
    : methods_(methods), options_(std::move(options)) {
  LayoutRef layout = BuildLayout(backends, methods);
  absl::MutexLock lock(&mu_);
  layout_ = std::move(layout);
}

ReadinessTracker::LayoutRef ReadinessTracker::BuildLayout(
    const std::vector<Backend>& backends, const MethodTable& methods) {
  auto layout = std::make_shared<Layout>();
  std::vector<Replica>& replicas_ = layout->replicas;
  std::map<std::string, Needs, std::less<>>& needs_ = layout->needs;
  // Per backend: its replicas' numbers [first, end), and which of them own
  // a partition.
  struct Span {
    size_t first = 0;
    size_t end = 0;
    std::vector<bool> owners;  // indexed from `first`
  };
  std::map<std::string, Span, std::less<>> spans;
  for (const Backend& backend : backends) {
    const routing::RouteTable& routes = backend.routes;
    Span& span = spans[backend.name()];
    span.first = replicas_.size();
    for (size_t r = 0; r < routes.replica_count(); ++r) {
      replicas_.push_back(
          {backend.name(), routes.address(r), backend.channels[r]});
    }
    span.end = replicas_.size();
    span.owners.assign(routes.replica_count(), false);
    for (uint32_t p = 0; p < routes.partition_count(); ++p) {
      span.owners[routes.ReplicaOfPartition(p)] = true;
    }
  }
  for (const MethodRoute& method : methods.methods()) {
    // Not offered to clients, so not published; the public services of the
    // same backend stand for its replicas.
    if (method.internal) continue;
    if (method.route.kind == Routing::kComposed) {
      // The gateway answers it itself, with whatever parts it can read, so
      // it needs no replica in particular: ready while the gateway is.
      needs_[ServiceOf(method.full_name)].every.resize(replicas_.size(), false);
      continue;
    }
    auto it = spans.find(method.backend);
    // A backend the deployment leaves out: its services are not offered
    // (the forwarder answers UNIMPLEMENTED), so they are neither published
    // nor waited for.
    if (it == spans.end()) continue;
    Needs& needs = needs_[ServiceOf(method.full_name)];
    needs.every.resize(replicas_.size(), false);
    const Span& span = it->second;
    switch (method.route.kind) {
      case Routing::kByCaseId:
      case Routing::kByRegistration:
      case Routing::kFanOut:
        for (size_t r = 0; r < span.owners.size(); ++r) {
          if (span.owners[r]) needs.every[span.first + r] = true;
        }
        break;
      case Routing::kBroadcast:
      case Routing::kGather:
        for (size_t r = span.first; r < span.end; ++r) needs.every[r] = true;
        break;
      case Routing::kAnyReplica:
        if (std::find(needs.any.begin(), needs.any.end(),
                      std::make_pair(span.first, span.end)) ==
            needs.any.end()) {
          needs.any.emplace_back(span.first, span.end);
        }
        break;
      case Routing::kComposed:
        break;  // above
    }
  }
  return layout;
}

ReadinessTracker::~ReadinessTracker() { Stop(); }

void ReadinessTracker::Start(grpc::HealthCheckServiceInterface* health) {
  health_ = health;
  LayoutRef layout = this->layout();
  Publish(layout, ProbeAll(*layout));
  prober_ = std::thread([this] { ProbeLoop(); });
}

void ReadinessTracker::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    // NOT_SERVING for "" and every service, and no later change: the default
    // health service ignores updates after Shutdown.
    if (health_ != nullptr) health_->Shutdown();
  }
  if (prober_.joinable()) prober_.join();
}

bool ReadinessTracker::Ready() const {
  absl::ReaderMutexLock lock(&mu_);
  if (stopped_) return false;
  for (const auto& [name, needs] : layout_->needs) {
    if (!ReadyLocked(needs)) return false;
  }
  return true;
}

bool ReadinessTracker::ServiceReady(absl::string_view service) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = layout_->needs.find(service);
  return !stopped_ && it != layout_->needs.end() && ReadyLocked(it->second);
}

std::vector<std::string> ReadinessTracker::services() const {
  std::vector<std::string> names;
  LayoutRef layout = this->layout();
  for (const auto& [name, needs] : layout->needs) names.push_back(name);
  return names;
}

bool ReadinessTracker::ReadyLocked(const Needs& needs) const {
  // Before the first round nothing is known, so nothing is ready.
  if (serving_.empty()) return false;
  for (size_t r = 0; r < serving_.size(); ++r) {
    if (needs.every[r] && !serving_[r]) return false;
  }
  for (const auto& [first, end] : needs.any) {
    bool any = false;
    for (size_t r = first; r < end; ++r) any = any || serving_[r];
    if (!any) return false;
  }
  return true;
}

std::vector<ReadinessTracker::Probe> ReadinessTracker::ProbeAll(
    const Layout& layout) const {
  const std::vector<Replica>& replicas_ = layout.replicas;
  struct Call {
    std::unique_ptr<Health::Stub> stub;
    grpc::ClientContext context;
    HealthCheckRequest request;  // "": the replica as a whole
    HealthCheckResponse response;
    Probe outcome = Probe::kNoAnswer;
  };
  const size_t n = replicas_.size();
  std::vector<Call> calls(n);
  absl::Mutex mu;
  size_t pending = n;
  const auto deadline =
      absl::ToChronoTime(absl::Now() + options_.probe_deadline);
  for (size_t r = 0; r < n; ++r) {
    Call& call = calls[r];
    call.stub = Health::NewStub(replicas_[r].channel);
    call.context.set_deadline(deadline);
    call.stub->async()->Check(&call.context, &call.request, &call.response,
                              [&call, &mu, &pending](grpc::Status status) {
                                if (status.ok()) {
                                  call.outcome =
                                      call.response.status() ==
                                              HealthCheckResponse::SERVING
                                          ? Probe::kServing
                                          : Probe::kNotServing;
                                }
                                absl::MutexLock lock(&mu);
                                --pending;
                              });
  }
  // Every call ends by its deadline at the latest.
  mu.LockWhen(absl::Condition(
      +[](size_t* left) { return *left == 0; }, &pending));
  mu.Unlock();
  std::vector<Probe> outcomes(n);
  for (size_t r = 0; r < n; ++r) outcomes[r] = calls[r].outcome;
  return outcomes;
}

void ReadinessTracker::SwitchBackends(const std::vector<Backend>& backends) {
  LayoutRef next = BuildLayout(backends, methods_);
  // Probed before it is installed, so that the switch does not publish a
  // replica nobody has asked yet as down.
  std::vector<Probe> probes = ProbeAll(*next);
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    // Carry each kept replica's history (same backend and address) over.
    std::vector<bool> known(next->replicas.size(), false);
    std::vector<bool> serving(next->replicas.size(), false);
    std::vector<int> misses(next->replicas.size(), 0);
    for (size_t r = 0; r < next->replicas.size(); ++r) {
      for (size_t q = 0; q < layout_->replicas.size() && q < known_.size();
           ++q) {
        if (layout_->replicas[q].backend == next->replicas[r].backend &&
            layout_->replicas[q].address == next->replicas[r].address) {
          known[r] = known_[q];
          serving[r] = serving_[q];
          misses[r] = misses_[q];
        }
      }
    }
    layout_ = next;
    known_ = std::move(known);
    serving_ = std::move(serving);
    misses_ = std::move(misses);
  }
  server::Log("info", "readiness follows the switched routes",
              {{"replicas", absl::StrCat(next->replicas.size())}});
  Publish(next, probes);
}

void ReadinessTracker::Publish(const LayoutRef& layout,
                               const std::vector<Probe>& probes) {
  absl::MutexLock lock(&mu_);
  if (stopped_ || layout != layout_) return;
  const std::vector<Replica>& replicas_ = layout->replicas;
  if (serving_.size() != probes.size()) {
    known_.assign(probes.size(), false);
    serving_.assign(probes.size(), false);
    misses_.assign(probes.size(), 0);
  }
  for (size_t r = 0; r < probes.size(); ++r) {
    const bool first = !known_[r];
    known_[r] = true;
    misses_[r] = probes[r] == Probe::kNoAnswer ? misses_[r] + 1 : 0;
    bool serving = serving_[r];
    if (probes[r] != Probe::kNoAnswer) {
      serving = probes[r] == Probe::kServing;
    } else if (first || misses_[r] >= kMissesToDown) {
      serving = false;
    }
    // Changes only (and a replica that is down at start), so that the log
    // is not a line per second.
    if (first ? !serving : serving != serving_[r]) {
      server::Log(serving ? "info" : "warn",
                  serving ? "replica serving" : "replica not serving",
                  {{"backend", replicas_[r].backend},
                   {"replica", replicas_[r].address}});
    }
    serving_[r] = serving;
  }
  if (health_ == nullptr) return;
  bool all = true;
  for (const auto& [name, needs] : layout->needs) {
    const bool ready = ReadyLocked(needs);
    SetStatus(name, ready);
    all = all && ready;
  }
  SetStatus("", all);
}

void ReadinessTracker::SetStatus(const std::string& service, bool serving) {
  // The health service sends every update to its Watch streams, changed or
  // not, so only changes are passed on.
  auto [it, added] = published_.emplace(service, serving);
  if (!added && it->second == serving) return;
  it->second = serving;
  health_->SetServingStatus(service, serving);
}

void ReadinessTracker::ProbeLoop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopped_),
                               options_.probe_interval)) {
        return;
      }
    }
    LayoutRef layout = this->layout();
    Publish(layout, ProbeAll(*layout));
  }
}

}  // namespace homeward::gateway
