// Whether the gateway can serve what it offers, published where clients and
// orchestrators look: the gateway's own gRPC health service, overall ("") and
// for each public service it serves (homeward.v1.CaseService...), and Ready()
// for the JSON face's /healthz.
//
// It probes every replica of every backend (backends.h) with the replica's
// own gRPC health check ("" with a
// short deadline) about once a second, all replicas in parallel. Health
// checks rather than channel connectivity because a connection says only that
// a socket is open: a replica that is draining for shutdown still holds its
// connections but reports NOT_SERVING, an in-process channel (all-in-one) is
// always "connected", and a probe that completes shows the replica answers
// calls at all.
//
// A replica that answers NOT_SERVING (it is shutting down) counts as down at
// once; one that does not answer (refused connection, deadline) only after
// two probes in a row, so that one slow answer under load does not flap the
// gateway's health.
//
// A public service is ready when the replicas of its backend that its
// methods need are serving: the owner of every partition for case-scoped
// calls, registrations and fan-out lists; every replica for broadcasts and
// gathered calls; any one replica for reads of data every replica holds. So
// one backend being down makes its own public services NOT_SERVING and
// leaves the others' alone. A service of composed methods (answered by the
// gateway itself, which reports a missing part instead of failing) needs no
// replica and is ready while the gateway is; internal methods are not
// published. The gateway is ready ("" SERVING) when every public service is.
//
// When the gateway's routes switch (a partition move rewrote its route map
// file), SwitchBackends probes the new replica set once and publishes from
// it: a replica kept from the old routes keeps its recent history, a new one
// counts only once it answered.
//
//   ReadinessTracker readiness(forwarder.backends(), methods, {});
//   readiness.Start(grpc_server->GetHealthCheckService());  // first probe
//   ... readiness.Ready() ...
//   readiness.Stop();  // shutting down: NOT_SERVING from now on
#ifndef HOMEWARD_SERVICES_GATEWAY_READINESS_H_
#define HOMEWARD_SERVICES_GATEWAY_READINESS_H_

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/routing/route_table.h"
#include "grpcpp/channel.h"
#include "grpcpp/health_check_service_interface.h"
#include "services/gateway/backends.h"
#include "services/gateway/method_table.h"

namespace homeward::gateway {

class ReadinessTracker {
 public:
  struct Options {
    absl::Duration probe_interval = absl::Seconds(1);
    // Long enough for a loaded machine to answer a health check, short enough
    // that a hung replica is noticed within a couple of intervals.
    absl::Duration probe_deadline = absl::Seconds(1);
  };

  // Probes the replicas of `backends` over their channels. The public
  // services of a backend not among them (an optional backend the
  // deployment leaves out) are not published and do not count for Ready().
  // `methods` must outlive the tracker (the forwarder's table).
  ReadinessTracker(const std::vector<Backend>& backends,
                   const MethodTable& methods, Options options);
  // Stops probing (Stop()).
  ~ReadinessTracker();
  ReadinessTracker(const ReadinessTracker&) = delete;
  ReadinessTracker& operator=(const ReadinessTracker&) = delete;

  // Probes every replica once, publishes the outcome into `health` (null:
  // the gateway has no gRPC face) and keeps probing in the background.
  // Call once.
  void Start(grpc::HealthCheckServiceInterface* health);
  // Stops probing and reports NOT_SERVING for everything from now on: the
  // gateway is shutting down. Idempotent.
  void Stop();

  // Every public service is ready (the gateway's overall health).
  bool Ready() const;
  // `service` (e.g. "homeward.v1.CaseService") is one the gateway serves and
  // its replicas are serving.
  bool ServiceReady(absl::string_view service) const;
  // The public services, as published in the health service.
  std::vector<std::string> services() const;

  // From now on, what the services need is read from `backends` (the same
  // backends, their replicas and partition owners switched): probes the new
  // replicas once and publishes. Called on the route map watcher's thread.
  void SwitchBackends(const std::vector<Backend>& backends);

 private:
  // What a public service needs of the replicas. Replicas are numbered
  // across backends: backend 0's, then backend 1's, ...
  struct Needs {
    std::vector<bool> every;  // per replica: must be serving
    // Backends of which at least one replica must be serving, as
    // [first, end) ranges of replica numbers.
    std::vector<std::pair<size_t, size_t>> any;
  };
  struct Replica {
    std::string backend;
    std::string address;
    std::shared_ptr<grpc::Channel> channel;
  };

  // The replicas probed and what each public service needs of them, for
  // one set of routes; replaced whole when the routes switch.
  struct Layout {
    std::vector<Replica> replicas;
    std::map<std::string, Needs, std::less<>> needs;
  };
  using LayoutRef = std::shared_ptr<const Layout>;
  static LayoutRef BuildLayout(const std::vector<Backend>& backends,
                               const MethodTable& methods);

  enum class Probe { kServing, kNotServing, kNoAnswer };
  // Unanswered probes in a row that make a replica count as down.
  static constexpr int kMissesToDown = 2;

  // One round: probes every replica in parallel and waits for all answers.
  std::vector<Probe> ProbeAll(const Layout& layout) const;
  // Records a round's outcome and publishes it; a round probed on a layout
  // replaced meanwhile is dropped.
  void Publish(const LayoutRef& layout, const std::vector<Probe>& probes);
  bool ReadyLocked(const Needs& needs) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  LayoutRef layout() const {
    absl::ReaderMutexLock lock(&mu_);
    return layout_;
  }
  // Passes `service`'s status to the health service when it changed.
  void SetStatus(const std::string& service, bool serving)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ProbeLoop();

  const MethodTable& methods_;
  Options options_;
  grpc::HealthCheckServiceInterface* health_ = nullptr;

  mutable absl::Mutex mu_;
  LayoutRef layout_ ABSL_GUARDED_BY(mu_);
  // Per replica of layout_: whether it was probed at least once.
  std::vector<bool> known_ ABSL_GUARDED_BY(mu_);
  std::vector<bool> serving_ ABSL_GUARDED_BY(mu_);
  std::vector<int> misses_ ABSL_GUARDED_BY(mu_);  // unanswered in a row
  // What the health service was last told, per service name.
  std::map<std::string, bool> published_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::thread prober_;
};

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_READINESS_H_
