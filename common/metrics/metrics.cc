// A process's metrics; see metrics.h.
#include "common/metrics/metrics.h"

#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "common/metrics/process_memory.h"
#include "prometheus/text_serializer.h"

namespace homeward::metrics {

struct Metrics::Registration::Readers {
  absl::Mutex mu;
  uint64_t next_id ABSL_GUARDED_BY(mu) = 0;
  std::map<uint64_t, Reader> readers ABSL_GUARDED_BY(mu);
};

Metrics::Registration::~Registration() {
  // Waits for a scrape running the reader: Collect holds the mutex.
  absl::MutexLock lock(&readers_->mu);
  readers_->readers.erase(id_);
}

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      readers_(std::make_shared<Registration::Readers>()) {
  memory_ = AddReader(ReadProcessMemory);
}

Metrics::~Metrics() = default;

std::unique_ptr<Metrics::Registration> Metrics::AddReader(Reader reader) {
  absl::MutexLock lock(&readers_->mu);
  const uint64_t id = readers_->next_id++;
  readers_->readers.emplace(id, std::move(reader));
  return std::unique_ptr<Registration>(new Registration(readers_, id));
}

std::vector<prometheus::MetricFamily> Metrics::Collect() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  std::vector<Reading> readings;
  {
    absl::MutexLock lock(&readers_->mu);
    for (const auto& [id, reader] : readers_->readers) reader(readings);
  }
  // Readings of one name form one family, in the order first seen: the text
  // format wants each family once.
  absl::flat_hash_map<std::string, size_t> index;
  for (Reading& reading : readings) {
    auto [it, added] = index.emplace(reading.name, families.size());
    if (added) {
      prometheus::MetricFamily family;
      family.name = reading.name;
      family.help = std::move(reading.help);
      family.type = reading.type;
      families.push_back(std::move(family));
    }
    prometheus::MetricFamily& family = families[it->second];
    prometheus::ClientMetric metric;
    for (auto& [name, value] : reading.labels) {
      metric.label.push_back({name, value});
    }
    if (family.type == prometheus::MetricType::Counter) {
      metric.counter.value = reading.value;
    } else {
      metric.gauge.value = reading.value;
    }
    family.metric.push_back(std::move(metric));
  }
  return families;
}

std::string Metrics::Scrape() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, Collect());
  return out.str();
}

namespace {
absl::Mutex process_wide_mu(absl::kConstInit);
std::shared_ptr<Metrics>* process_wide ABSL_GUARDED_BY(process_wide_mu) =
    nullptr;
}  // namespace

void Metrics::SetProcessWide(std::shared_ptr<Metrics> metrics) {
  absl::MutexLock lock(&process_wide_mu);
  if (process_wide == nullptr) process_wide = new std::shared_ptr<Metrics>();
  *process_wide = std::move(metrics);
}

std::shared_ptr<Metrics> Metrics::ProcessWide() {
  absl::MutexLock lock(&process_wide_mu);
  return process_wide == nullptr ? nullptr : *process_wide;
}

}  // namespace homeward::metrics
