// Metrics::Collect (readers merged into families, registrations removed)
// and RpcMetrics' series (codes, unknown methods, calls never finished).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/metrics/metrics.h"
#include "common/metrics/rpc_metrics.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.pb.h"

namespace homeward::metrics {
namespace {

const prometheus::MetricFamily* Find(
    const std::vector<prometheus::MetricFamily>& families,
    const std::string& name) {
  const prometheus::MetricFamily* found = nullptr;
  for (const auto& f : families) {
    if (f.name == name) {
      EXPECT_EQ(found, nullptr) << name << " appears twice";
      found = &f;
    }
  }
  return found;
}

std::map<std::string, std::string> LabelsOf(
    const prometheus::ClientMetric& metric) {
  std::map<std::string, std::string> labels;
  for (const auto& l : metric.label) labels[l.name] = l.value;
  return labels;
}

Reader Gauge(std::string server, double value) {
  return [server, value](std::vector<Reading>& out) {
    out.push_back({"test_gauge",
                   "A gauge.",
                   prometheus::MetricType::Gauge,
                   {{"server", server}},
                   value});
  };
}

TEST(MetricsTest, ReadingsOfOneNameFormOneFamilyUntilUnregistered) {
  Metrics metrics;
  auto a = metrics.AddReader(Gauge("a", 1));
  auto b = metrics.AddReader(Gauge("b", 2));
  std::vector<prometheus::MetricFamily> families = metrics.Collect();
  const prometheus::MetricFamily* gauge = Find(families, "test_gauge");
  ASSERT_NE(gauge, nullptr);
  EXPECT_EQ(gauge->type, prometheus::MetricType::Gauge);
  ASSERT_EQ(gauge->metric.size(), 2u);
  EXPECT_EQ(LabelsOf(gauge->metric[0]).at("server"), "a");
  EXPECT_EQ(gauge->metric[1].gauge.value, 2);
  // The process's memory is always there.
  EXPECT_NE(Find(families, "homeward_process_resident_bytes"), nullptr);

  a.reset();
  families = metrics.Collect();
  gauge = Find(families, "test_gauge");
  ASSERT_NE(gauge, nullptr);
  ASSERT_EQ(gauge->metric.size(), 1u);
  EXPECT_EQ(LabelsOf(gauge->metric[0]).at("server"), "b");
  b.reset();
  EXPECT_EQ(Find(metrics.Collect(), "test_gauge"), nullptr);
}

double Count(const Metrics& metrics,
             const std::map<std::string, std::string>& want) {
  const auto families = metrics.Collect();
  const prometheus::MetricFamily* requests =
      Find(families, "homeward_rpc_requests_total");
  if (requests == nullptr) return 0;
  double sum = 0;
  for (const auto& m : requests->metric) {
    auto labels = LabelsOf(m);
    bool match = true;
    for (const auto& [k, v] : want) {
      if (labels[k] != v) match = false;
    }
    if (match) sum += m.counter.value;
  }
  return sum;
}

TEST(RpcMetricsTest, CountsByCodeAndNamesOnlyKnownMethods) {
  // Links the CaseService's descriptor in, as a server serving it would.
  (void)homeward::v1::GetCaseRequest::descriptor();
  auto metrics = std::make_shared<Metrics>();
  RpcMetrics calls(metrics, "gateway", "json");
  MethodCalls* get = calls.Method("homeward.v1.CaseService/GetCase");
  EXPECT_EQ(calls.Method("/homeward.v1.CaseService/GetCase"), get);
  CallTimer(get).Finish(absl::StatusCode::kOk);
  CallTimer(get).Finish(absl::StatusCode::kNotFound);
  { CallTimer abandoned(get); }  // never finished: CANCELLED
  EXPECT_EQ(Count(*metrics, {{"method", "GetCase"}, {"code", "OK"}}), 1);
  EXPECT_EQ(Count(*metrics, {{"method", "GetCase"}, {"code", "NOT_FOUND"}}), 1);
  EXPECT_EQ(Count(*metrics, {{"method", "GetCase"}, {"code", "CANCELLED"}}), 1);
  EXPECT_EQ(Count(*metrics, {{"server", "gateway"},
                             {"face", "json"},
                             {"service", "homeward.v1.CaseService"}}),
            3);

  // Made-up paths share one series instead of minting one each.
  MethodCalls* made_up = calls.Method("/x.Y/Z");
  EXPECT_EQ(calls.Method("/x.Y/Other"), made_up);
  CallTimer(made_up).Finish(absl::StatusCode::kUnimplemented);
  EXPECT_EQ(Count(*metrics, {{"service", "unknown"}, {"method", "unknown"}}),
            1);
  EXPECT_EQ(Count(*metrics, {{"method", "Z"}}), 0);
}

}  // namespace
}  // namespace homeward::metrics
