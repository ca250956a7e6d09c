// A process's Prometheus metrics: one prometheus-cpp registry for what is
// counted as it happens (RPCs, group commits) and readers for what is read
// when Prometheus scrapes (RocksDB figures, feed lag, process memory).
// MetricsEndpoint (metrics_endpoint.h) serves Scrape() as text.
//
//   auto metrics = std::make_shared<metrics::Metrics>();
//   std::unique_ptr<metrics::Metrics::Registration> lag = metrics->AddReader(
//       [follower](std::vector<metrics::Reading>& out) { ... });
//   std::string text = metrics->Scrape();  // Prometheus text format 0.0.4
//
// Components that run without an endpoint of their own (the services and the
// gateway of the all-in-one) record into the process-wide instance, when one
// is set (SetProcessWide); with none set they record nothing and cost
// nothing.
//
// Labels name the server ("assessment", "gateway"), the face, the gRPC
// service and method, the status code, a consumer or a partition: never
// anything taken from a request (ids, names, keys), so the series say
// nothing about a person.
#ifndef HOMEWARD_COMMON_METRICS_METRICS_H_
#define HOMEWARD_COMMON_METRICS_METRICS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "prometheus/metric_family.h"
#include "prometheus/metric_type.h"
#include "prometheus/registry.h"

namespace homeward::metrics {

// One value read at scrape time.
struct Reading {
  std::string name;  // the family, e.g. "homeward_rocksdb_memtable_bytes"
  std::string help;  // the family's help (the first reading's is used)
  prometheus::MetricType type = prometheus::MetricType::Gauge;  // or Counter
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Appends the readings it has now; called on the scraping thread.
using Reader = std::function<void(std::vector<Reading>&)>;

class Metrics {
 public:
  // Keeps a reader until destroyed: destroy it before anything the reader
  // uses (a reader never runs after its registration's destructor returned).
  class Registration {
   public:
    ~Registration();
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

   private:
    friend class Metrics;
    struct Readers;
    Registration(std::shared_ptr<Readers> readers, uint64_t id)
        : readers_(std::move(readers)), id_(id) {}
    std::shared_ptr<Readers> readers_;
    uint64_t id_;
  };

  // With the process's memory reader (process_memory.h) added.
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Where counters, gauges and histograms that move as things happen live.
  prometheus::Registry& registry() { return *registry_; }

  [[nodiscard]] std::unique_ptr<Registration> AddReader(Reader reader);

  // Every family: the registry's, then the readers' (readings of one name
  // merged into one family).
  std::vector<prometheus::MetricFamily> Collect() const;
  // Collect() in the Prometheus text format.
  std::string Scrape() const;

  // The instance components without an endpoint of their own record into;
  // null (the default) when nothing serves one.
  static void SetProcessWide(std::shared_ptr<Metrics> metrics);
  static std::shared_ptr<Metrics> ProcessWide();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<Registration::Readers> readers_;
  std::unique_ptr<Registration> memory_;
};

}  // namespace homeward::metrics

#endif  // HOMEWARD_COMMON_METRICS_METRICS_H_
