// homeward-bench: a closed-loop load generator that starts an embedded
// Homeward deployment (one assessment, one planning, one referral and one
// follow-up service following each other's feeds, and one gateway on
// loopback TCP, in this process) and measures the
// throughput and latency of the request paths the performance targets talk
// about, each as a ratio of the cost of a bare RPC hop on the same machine
// (architecture brief section 9: ratios matter, not absolutes).
//
//   homeward-bench --seconds=5 --concurrency=64
//   homeward-bench --scenarios=baseline,register_direct --sync_writes=false
//   homeward-bench --json=/tmp/bench.json
//
// Client side: the gRPC callback API keeps --concurrency calls in flight
// without a thread per call. Calls are spread over one channel per
// --calls_per_channel calls in flight, each channel with its own TCP
// connection: a single connection is served by one transport thread at each
// end and caps throughput below what the servers can do, which would make
// the benchmark measure its own client (on the 2-core VM: baseline 40.6k
// calls/s over one connection, 49.4k over four). Four connections for 64
// calls keep the client out of the way without turning it into a connection
// benchmark.
//
// Exits non-zero when a scenario could not run or any call failed. Missing a
// target ratio is reported only: performance is informational here.
#include <sched.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/server/flags_usage.h"
#include "common/server/log.h"
#include "common/status/status_macros.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "tests/fixtures/temp_dir.h"
#include "tools/bench/bench_directory.h"
#include "tools/bench/load_runner.h"
#include "tools/bench/plan_pool.h"
#include "tools/bench/referral_pool.h"
#include "tools/bench/scenarios.h"

ABSL_FLAG(int, concurrency, 64, "Calls in flight per scenario.");
ABSL_FLAG(double, seconds, 5, "Measured seconds per scenario.");
ABSL_FLAG(double, warmup_seconds, 1,
          "Unmeasured seconds of load before each scenario's measurement.");
ABSL_FLAG(std::string, scenarios,
          "baseline,get_direct,get_gateway,get_gateway_json,register_direct,"
          "register_gateway,plan_get_gateway,plan_activity_gateway,"
          "directory_search_gateway,partner_inbox_gateway,"
          "referral_status_gateway,follow_up_due_gateway,"
          "follow_up_record_gateway",
          "Comma-separated scenarios to run, in this order. Ratios need "
          "baseline. get_gateway_secure and register_gateway_secure run on a "
          "second deployment with TLS, mutual TLS and encryption at rest, "
          "against the same baseline (compared with get_gateway and "
          "register_gateway when those run too).");
ABSL_FLAG(bool, metrics, false,
          "Every service and the gateway serve Prometheus metrics (on "
          "loopback ports of their own), to measure what recording them "
          "costs against a run without.");
ABSL_FLAG(bool, sync_writes, true,
          "Durable writes: the service syncs its WAL before replying. false "
          "sets unsafe_skip_sync, to measure what syncing costs.");
ABSL_FLAG(std::string, tls_dir, "",
          "TLS everywhere: a directory made by deploy/local/make-dev-certs.sh "
          "(ca.crt and the gateway, assessment, planning, referral, follow-up "
          "and client certificates). Internal hops are mutual TLS, the "
          "gateway's faces TLS. Empty: plaintext.");
ABSL_FLAG(std::string, data_dir, "",
          "Where the service keeps its data (kept afterwards). Empty: a fresh "
          "temporary directory, removed at exit.");
ABSL_FLAG(int, calls_per_channel, 16,
          "In-flight calls per client channel (each its own TCP connection).");
ABSL_FLAG(int, preload_cases, 1000,
          "Cases registered before the get_* scenarios, read round-robin.");
ABSL_FLAG(bool, planning, true,
          "Run a planning replica (following the assessment feed) behind the "
          "gateway. false: the assessment service and gateway alone, as "
          "before issue 12; the plan_* scenarios cannot run.");
ABSL_FLAG(int, plan_activities, 8,
          "Activities per preloaded plan (plan_* scenarios).");
ABSL_FLAG(double, plan_activity_rate, 4000,
          "The plan_activity_gateway calls/s the preload provisions for: "
          "enough plans for rounds x (seconds + warmup_seconds) at this rate, "
          "plus a quarter, are made active first (each activity takes two "
          "calls). A run that goes faster fails its last calls, saying so.");
ABSL_FLAG(bool, referral, true,
          "Run a referral replica (following the assessment and planning "
          "feeds, followed by them, calling assessment for consent) behind "
          "the gateway. false: the deployment as before issue 13; the "
          "directory and referral scenarios cannot run.");
ABSL_FLAG(int, directory_organizations, 40,
          "Organizations of the generated directory (beside the example "
          "file's), for the directory and referral scenarios.");
ABSL_FLAG(int, directory_services, 8,
          "Services per organization of the generated directory.");
ABSL_FLAG(int, preload_referrals, 1000,
          "Sent referrals preloaded for partner_inbox_gateway, spread over 8 "
          "organizations (the inbox partner's one of them).");
ABSL_FLAG(double, referral_status_rate, 6000,
          "The referral_status_gateway calls/s the preload provisions for: "
          "enough referrals for rounds x (seconds + warmup_seconds) at this "
          "rate, plus a quarter, are sent first (each takes three calls). A "
          "run that goes faster fails its last calls, saying so.");
ABSL_FLAG(bool, follow_up, true,
          "Run a follow-up replica (following the assessment, planning and "
          "referral feeds) behind the gateway. false: the deployment as "
          "before issue 14; the follow-up scenarios cannot run.");
ABSL_FLAG(int, preload_follow_ups, 10000,
          "Cases of the bench office given an approved plan (one activity) "
          "and so a follow-up schedule before the follow-up scenarios: the "
          "office's due list, and the contacts follow_up_record_gateway "
          "records (six per case). Raised to cover --contact_record_rate.");
ABSL_FLAG(double, contact_record_rate, 2000,
          "The follow_up_record_gateway calls/s the preload provisions for "
          "(at six contacts per case, plus a quarter); a run that goes faster "
          "fails its last calls, saying so.");
ABSL_FLAG(std::string, json, "", "Also write the results to this JSON file.");
ABSL_FLAG(int, rounds, 3,
          "Measures the scenarios this many times in turn, so that each is "
          "sampled across the whole run.");
ABSL_FLAG(int, slices, 5,
          "Each round measures a scenario in this many slices, each right "
          "after a baseline slice of its own (seconds/slices of measured load "
          "each, after warmup_seconds/slices of unmeasured load), over "
          "connections kept open. The ratio reported is the median over these "
          "pairs: the machine's speed changes within seconds, and a pair's "
          "slices run a second apart.");

namespace homeward::bench {
namespace {

// One slice of a scenario's measurement, and the baseline slice run just
// before it.
struct Slice {
  LoadResult result;
  std::optional<LoadResult> baseline;
};

struct Row {
  const ScenarioInfo* info = nullptr;
  std::optional<LoadResult> result;  // empty when the scenario could not run
  std::string failure;               // why it could not run
  // Every baseline slice alternated with the scenario's, combined.
  std::optional<LoadResult> paired_baseline;
  // The median over the slice pairs of scenario calls/s / baseline calls/s,
  // and of baseline CPU per call / scenario CPU per call; with the
  // interquartile range of the first.
  std::optional<double> ratio;
  std::optional<double> cpu_ratio;
  std::optional<std::pair<double, double>> ratio_iqr;
};

// The CPU time (user + system) this process has used so far, in seconds.
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec +
                                    usage.ru_stime.tv_usec);
}

// Waits (up to `timeout`) until the process, servers included, has used
// less than a tenth of a CPU over a quarter of a second; whether it did.
// The services' feed followers apply what a preload wrote in the
// background (every preloaded referral's ReferralStatusChanged in the
// assessment and planning replicas, every plan step in assessment), which
// the storage-idle wait before each slice does not see: without this the
// first scenarios measured would share the CPU with that catching up.
bool WaitForQuiet(absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  constexpr absl::Duration kWindow = absl::Milliseconds(250);
  while (absl::Now() < give_up) {
    const double start = CpuSeconds();
    absl::SleepFor(kWindow);
    if (CpuSeconds() - start < 0.1 * absl::ToDoubleSeconds(kWindow)) {
      return true;
    }
  }
  return false;
}

// What `nproc` prints: the CPUs this process may run on.
int AvailableCpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(std::thread::hardware_concurrency());
}

bool IsSecure(const ScenarioInfo* info) {
  return absl::EndsWith(info->name, kSecureSuffix);
}

absl::StatusOr<std::vector<const ScenarioInfo*>> SelectedScenarios() {
  std::vector<const ScenarioInfo*> selected;
  for (absl::string_view name :
       absl::StrSplit(absl::GetFlag(FLAGS_scenarios), ',', absl::SkipEmpty())) {
    const ScenarioInfo* info = FindScenario(std::string(name));
    if (info == nullptr) {
      std::vector<std::string> known;
      for (const ScenarioInfo& s : AllScenarios()) known.push_back(s.name);
      return absl::InvalidArgumentError(
          absl::StrCat("--scenarios: unknown scenario '", name,
                       "'; known: ", absl::StrJoin(known, ",")));
    }
    selected.push_back(info);
  }
  if (selected.empty()) {
    return absl::InvalidArgumentError("--scenarios names no scenario");
  }
  return selected;
}

absl::Status ValidateFlags() {
  if (absl::GetFlag(FLAGS_concurrency) < 1) {
    return absl::InvalidArgumentError("--concurrency must be at least 1");
  }
  if (absl::GetFlag(FLAGS_seconds) <= 0) {
    return absl::InvalidArgumentError("--seconds must be positive");
  }
  if (absl::GetFlag(FLAGS_warmup_seconds) < 0) {
    return absl::InvalidArgumentError("--warmup_seconds must not be negative");
  }
  if (absl::GetFlag(FLAGS_calls_per_channel) < 1) {
    return absl::InvalidArgumentError("--calls_per_channel must be at least 1");
  }
  if (absl::GetFlag(FLAGS_slices) < 1) {
    return absl::InvalidArgumentError("--slices must be at least 1");
  }
  if (absl::GetFlag(FLAGS_preload_cases) < 1) {
    return absl::InvalidArgumentError("--preload_cases must be at least 1");
  }
  if (absl::GetFlag(FLAGS_plan_activities) < 1) {
    return absl::InvalidArgumentError("--plan_activities must be at least 1");
  }
  if (absl::GetFlag(FLAGS_plan_activity_rate) <= 0) {
    return absl::InvalidArgumentError("--plan_activity_rate must be positive");
  }
  if (absl::GetFlag(FLAGS_directory_organizations) <
      kInboxReferralOrganizations + 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--directory_organizations must be at least ",
                     kInboxReferralOrganizations + 1));
  }
  if (absl::GetFlag(FLAGS_directory_services) < 2) {
    return absl::InvalidArgumentError(
        "--directory_services must be at least 2");
  }
  if (absl::GetFlag(FLAGS_preload_referrals) < kInboxReferralOrganizations) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--preload_referrals must be at least ", kInboxReferralOrganizations));
  }
  if (absl::GetFlag(FLAGS_referral_status_rate) <= 0) {
    return absl::InvalidArgumentError(
        "--referral_status_rate must be positive");
  }
  return absl::OkStatus();
}

// The nearest-rank quantile of `values` (not empty).
double Quantile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(
      std::ceil(fraction * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

// The row of a scenario: every slice of every round combined, and the
// median ratio over the slice pairs. A pair's two slices ran a second apart,
// so its ratio holds even when the machine's speed changed between pairs;
// the median leaves out the few pairs that a change of speed split. Errors
// of any slice count, so that a scenario with errors is reported as failing.
Row SummaryRow(const ScenarioInfo* info, const std::vector<Slice>& slices,
               std::string failure) {
  Row row;
  row.info = info;
  row.failure = std::move(failure);
  if (slices.empty()) return row;
  std::vector<LoadResult> results, baselines;
  std::vector<double> ratios, cpu_ratios;
  for (const Slice& slice : slices) {
    results.push_back(slice.result);
    if (!slice.baseline.has_value()) continue;
    baselines.push_back(*slice.baseline);
    if (slice.baseline->calls_per_second > 0) {
      ratios.push_back(slice.result.calls_per_second /
                       slice.baseline->calls_per_second);
    }
    if (slice.result.cpu_us_per_call > 0) {
      cpu_ratios.push_back(slice.baseline->cpu_us_per_call /
                           slice.result.cpu_us_per_call);
    }
  }
  row.result = CombineSlices(results);
  if (info->name == "baseline") {
    row.ratio = row.cpu_ratio = 1.0;
    return row;
  }
  if (baselines.size() != slices.size()) return row;  // not every slice paired
  row.paired_baseline = CombineSlices(baselines);
  if (!ratios.empty()) {
    row.ratio = Quantile(ratios, 0.5);
    row.ratio_iqr = {Quantile(ratios, 0.25), Quantile(ratios, 0.75)};
  }
  if (!cpu_ratios.empty()) row.cpu_ratio = Quantile(cpu_ratios, 0.5);
  return row;
}

// How many active plans to preload for the selected scenarios: none without
// a plan scenario; for plan_activity_gateway enough moves for every round at
// --plan_activity_rate, a quarter more, and one plan per slot for the plans
// slots leave after a failed call; otherwise --preload_cases.
int PlansToPreload(const std::vector<const ScenarioInfo*>& selected) {
  bool needs_plans = false, walks_plans = false;
  for (const ScenarioInfo* info : selected) {
    needs_plans |= info->needs_plans;
    walks_plans |= info->name == "plan_activity_gateway";
  }
  if (!needs_plans) return 0;
  const int at_least = absl::GetFlag(FLAGS_preload_cases);
  if (!walks_plans) return at_least;
  const int plans = PlansForActivityRun(
      {.calls_per_second = absl::GetFlag(FLAGS_plan_activity_rate),
       .seconds_under_load =
           std::max(1, absl::GetFlag(FLAGS_rounds)) *
           (absl::GetFlag(FLAGS_seconds) + absl::GetFlag(FLAGS_warmup_seconds)),
       .activities_per_plan = absl::GetFlag(FLAGS_plan_activities),
       .slots = absl::GetFlag(FLAGS_concurrency)});
  return std::max(at_least, plans);
}

// How many referrals referral_status_gateway walks: none unless selected;
// enough moves for every round at --referral_status_rate, a quarter more,
// and one per slot.
// How many cases get a follow-up schedule: none without a follow-up
// scenario; --preload_follow_ups, raised to cover follow_up_record_gateway
// at --contact_record_rate for every round.
int FollowUpsToPreload(const std::vector<const ScenarioInfo*>& selected) {
  bool needs = false, records = false;
  for (const ScenarioInfo* info : selected) {
    needs |= info->needs_follow_ups;
    records |= info->name == "follow_up_record_gateway";
  }
  if (!needs) return 0;
  const int at_least = absl::GetFlag(FLAGS_preload_follow_ups);
  if (!records) return at_least;
  return std::max(
      at_least,
      ItemsForRun(
          {.calls_per_second = absl::GetFlag(FLAGS_contact_record_rate),
           .seconds_under_load = std::max(1, absl::GetFlag(FLAGS_rounds)) *
                                 (absl::GetFlag(FLAGS_seconds) +
                                  absl::GetFlag(FLAGS_warmup_seconds)),
           .moves_per_item = kContactsPerBenchCase,
           .slots = absl::GetFlag(FLAGS_concurrency)}));
}

int StatusReferralsToPreload(const std::vector<const ScenarioInfo*>& selected) {
  if (absl::c_none_of(selected, [](const ScenarioInfo* info) {
        return info->name == "referral_status_gateway";
      })) {
    return 0;
  }
  return ReferralsForStatusRun(
      {.calls_per_second = absl::GetFlag(FLAGS_referral_status_rate),
       .seconds_under_load =
           std::max(1, absl::GetFlag(FLAGS_rounds)) *
           (absl::GetFlag(FLAGS_seconds) + absl::GetFlag(FLAGS_warmup_seconds)),
       .slots = absl::GetFlag(FLAGS_concurrency)});
}

std::string Settings(int channels_per_target, const std::string& data_dir,
                     int preload_plans, int status_referrals) {
  return absl::StrFormat(
      "nproc=%d concurrency=%d seconds=%g rounds=%d slices=%d (ratio: median "
      "over the slice pairs) "
      "warmup_seconds=%g sync_writes=%s "
      "calls_per_channel=%d (%d channels per target) preload_cases=%d "
      "planning=%s preload_plans=%d plan_activities=%d "
      "plan_activity_rate=%g referral=%s directory=%dx%d "
      "preload_referrals=%d status_referrals=%d referral_status_rate=%g "
      "follow_up=%s preload_follow_ups=%d contact_record_rate=%g "
      "data_dir=%s",
      AvailableCpus(), absl::GetFlag(FLAGS_concurrency),
      absl::GetFlag(FLAGS_seconds), absl::GetFlag(FLAGS_rounds),
      absl::GetFlag(FLAGS_slices), absl::GetFlag(FLAGS_warmup_seconds),
      absl::GetFlag(FLAGS_sync_writes) ? "true" : "false",
      absl::GetFlag(FLAGS_calls_per_channel), channels_per_target,
      absl::GetFlag(FLAGS_preload_cases),
      absl::GetFlag(FLAGS_planning) ? "true" : "false", preload_plans,
      absl::GetFlag(FLAGS_plan_activities),
      absl::GetFlag(FLAGS_plan_activity_rate),
      absl::GetFlag(FLAGS_referral) ? "true" : "false",
      absl::GetFlag(FLAGS_directory_organizations),
      absl::GetFlag(FLAGS_directory_services),
      absl::GetFlag(FLAGS_preload_referrals), status_referrals,
      absl::GetFlag(FLAGS_referral_status_rate),
      absl::GetFlag(FLAGS_follow_up) ? "true" : "false",
      absl::GetFlag(FLAGS_preload_follow_ups),
      absl::GetFlag(FLAGS_contact_record_rate), data_dir);
}

// Each secure scenario's ratio over its plaintext twin's, both against the
// same baseline: 1 means TLS, mutual TLS and encryption at rest cost nothing.
void PrintSecureCost(const std::vector<Row>& rows) {
  for (const Row& secure : rows) {
    if (!IsSecure(secure.info) || !secure.ratio.has_value()) continue;
    const absl::string_view plain_name =
        absl::StripSuffix(secure.info->name, kSecureSuffix);
    for (const Row& plain : rows) {
      if (plain.info->name != plain_name || !plain.ratio.has_value()) continue;
      const double cost = *secure.ratio / *plain.ratio;
      std::cout << absl::StrFormat(
          "%s: ratio %.3f against %s's %.3f: %.2f of it (goal >= 0.75) %s\n",
          secure.info->name, *secure.ratio, plain.info->name, *plain.ratio,
          cost, cost >= 0.75 ? "met" : "NOT met");
    }
  }
}

void PrintTable(const std::vector<Row>& rows, const std::string& settings) {
  std::cout << "\nhomeward-bench: " << settings << "\n\n";
  std::cout << absl::StrFormat(
      "%-21s %9s %9s %9s %9s %7s %8s %10s %7s %11s %9s  %s\n", "scenario",
      "calls/s", "p50 us", "p99 us", "cpu us", "errors", "base/s", "base cpu",
      "ratio", "ratio iqr", "cpu ratio", "target");
  for (const Row& row : rows) {
    const ScenarioInfo& info = *row.info;
    if (!row.result.has_value()) {
      std::cout << absl::StrFormat("%-21s  did not run: %s\n", info.name,
                                   row.failure);
      continue;
    }
    const LoadResult& r = *row.result;
    std::string ratio = "-";
    std::string ratio_iqr = "-";
    std::string cpu_ratio = "-";
    std::string target = info.target_ratio > 0
                             ? absl::StrFormat(">= %.2f", info.target_ratio)
                             : "";
    if (row.ratio.has_value()) {
      ratio = absl::StrFormat("%.2f", *row.ratio);
      if (info.target_ratio > 0) {
        absl::StrAppend(&target,
                        *row.ratio >= info.target_ratio ? " meets" : " below");
      }
    }
    if (row.ratio_iqr.has_value()) {
      ratio_iqr = absl::StrFormat("%.2f-%.2f", row.ratio_iqr->first,
                                  row.ratio_iqr->second);
    }
    if (row.cpu_ratio.has_value()) {
      cpu_ratio = absl::StrFormat("%.2f", *row.cpu_ratio);
    }
    std::string base = "-", base_cpu = "-";
    if (row.paired_baseline.has_value()) {
      base = absl::StrFormat("%.0f", row.paired_baseline->calls_per_second);
      base_cpu = absl::StrFormat("%.1f", row.paired_baseline->cpu_us_per_call);
    }
    std::cout << absl::StrFormat(
        "%-21s %9.0f %9.0f %9.0f %9.1f %7d %8s %10s %7s %11s %9s  %s\n",
        info.name, r.calls_per_second, r.p50_us, r.p99_us, r.cpu_us_per_call,
        r.errors, base, base_cpu, ratio, ratio_iqr, cpu_ratio, target);
  }
  for (const Row& row : rows) {
    if (row.result.has_value() && row.result->errors > 0) {
      std::cout << "\n"
                << row.info->name
                << ": first error: " << row.result->first_error << "\n";
    }
  }
  std::cout << std::flush;
}

absl::Status WriteJson(const std::string& path, const std::vector<Row>& rows,
                       const std::string& settings) {
  // A Struct serialised by protobuf does the JSON escaping (error messages
  // can hold anything).
  google::protobuf::Struct root;
  auto& fields = *root.mutable_fields();
  fields["settings"].set_string_value(settings);
  fields["nproc"].set_number_value(AvailableCpus());
  fields["concurrency"].set_number_value(absl::GetFlag(FLAGS_concurrency));
  fields["seconds"].set_number_value(absl::GetFlag(FLAGS_seconds));
  fields["rounds"].set_number_value(absl::GetFlag(FLAGS_rounds));
  fields["slices"].set_number_value(absl::GetFlag(FLAGS_slices));
  fields["warmup_seconds"].set_number_value(
      absl::GetFlag(FLAGS_warmup_seconds));
  fields["sync_writes"].set_bool_value(absl::GetFlag(FLAGS_sync_writes));
  fields["calls_per_channel"].set_number_value(
      absl::GetFlag(FLAGS_calls_per_channel));
  fields["planning"].set_bool_value(absl::GetFlag(FLAGS_planning));
  fields["plan_activities"].set_number_value(
      absl::GetFlag(FLAGS_plan_activities));
  fields["plan_activity_rate"].set_number_value(
      absl::GetFlag(FLAGS_plan_activity_rate));
  fields["referral"].set_bool_value(absl::GetFlag(FLAGS_referral));
  fields["preload_referrals"].set_number_value(
      absl::GetFlag(FLAGS_preload_referrals));
  fields["referral_status_rate"].set_number_value(
      absl::GetFlag(FLAGS_referral_status_rate));
  auto* list = fields["scenarios"].mutable_list_value();
  for (const Row& row : rows) {
    auto& s = *list->add_values()->mutable_struct_value()->mutable_fields();
    s["name"].set_string_value(row.info->name);
    s["description"].set_string_value(row.info->description);
    if (row.info->target_ratio > 0) {
      s["target_ratio"].set_number_value(row.info->target_ratio);
    }
    if (!row.result.has_value()) {
      s["failure"].set_string_value(row.failure);
      continue;
    }
    const LoadResult& r = *row.result;
    s["ok_calls"].set_number_value(r.ok_calls);
    s["measured_seconds"].set_number_value(r.seconds);
    s["calls_per_second"].set_number_value(r.calls_per_second);
    s["p50_us"].set_number_value(r.p50_us);
    s["p90_us"].set_number_value(r.p90_us);
    s["p99_us"].set_number_value(r.p99_us);
    s["max_us"].set_number_value(r.max_us);
    s["errors"].set_number_value(r.errors);
    s["cpu_us_per_call"].set_number_value(r.cpu_us_per_call);
    if (!r.first_error.empty()) {
      s["first_error"].set_string_value(r.first_error);
    }
    if (row.paired_baseline.has_value()) {
      s["paired_baseline_calls_per_second"].set_number_value(
          row.paired_baseline->calls_per_second);
      s["paired_baseline_cpu_us_per_call"].set_number_value(
          row.paired_baseline->cpu_us_per_call);
    }
    if (row.ratio.has_value()) {
      s["ratio"].set_number_value(*row.ratio);
      if (row.info->target_ratio > 0) {
        s["meets_target"].set_bool_value(*row.ratio >= row.info->target_ratio);
      }
    }
    if (row.ratio_iqr.has_value()) {
      s["ratio_p25"].set_number_value(row.ratio_iqr->first);
      s["ratio_p75"].set_number_value(row.ratio_iqr->second);
    }
    if (row.cpu_ratio.has_value()) {
      s["cpu_ratio"].set_number_value(*row.cpu_ratio);
    }
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  if (auto s =
          google::protobuf::util::MessageToJsonString(root, &json, options);
      !s.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot encode JSON: ", s.ToString()));
  }
  std::ofstream out(path, std::ios::trunc);
  out << json;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

int Run() {
  if (absl::Status s = ValidateFlags(); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }
  absl::StatusOr<std::vector<const ScenarioInfo*>> selected =
      SelectedScenarios();
  if (!selected.ok()) {
    std::cerr << selected.status().message() << "\n";
    return 2;
  }
  // A log line per request would cost more than some of the calls measured.
  server::SetRequestLogging(false);

  // A fresh directory, removed however Run() returns, unless one was named.
  std::optional<testing::TempDir> temp_dir;
  std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (data_dir.empty()) data_dir = temp_dir.emplace().path();

  ScenarioSettings settings;
  settings.load.concurrency = absl::GetFlag(FLAGS_concurrency);
  settings.load.warmup = absl::Seconds(absl::GetFlag(FLAGS_warmup_seconds));
  settings.load.duration = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  settings.calls_per_channel = absl::GetFlag(FLAGS_calls_per_channel);
  const int channels_per_target =
      (settings.load.concurrency + settings.calls_per_channel - 1) /
      settings.calls_per_channel;
  const int preload_plans = PlansToPreload(*selected);
  const int status_referrals = StatusReferralsToPreload(*selected);
  const std::string settings_text =
      Settings(channels_per_target, data_dir, preload_plans, status_referrals);
  std::cerr << "homeward-bench: " << settings_text << "\n";

  std::vector<Row> rows;
  {
    // Scoped so that the servers are down (and the store closed) before the
    // temporary directory goes.
    absl::StatusOr<std::unique_ptr<Deployment>> deployment =
        Deployment::Start({.data_dir = data_dir,
                           .sync_writes = absl::GetFlag(FLAGS_sync_writes),
                           .deploy_dir = "",
                           .planning = absl::GetFlag(FLAGS_planning),
                           .referral = absl::GetFlag(FLAGS_referral),
                           .follow_up = absl::GetFlag(FLAGS_follow_up),
                           .tls_dir = absl::GetFlag(FLAGS_tls_dir),
                           .encryption_key_file = "",
                           .metrics = absl::GetFlag(FLAGS_metrics)});
    if (!deployment.ok()) {
      std::cerr << "cannot start the deployment: " << deployment.status()
                << "\n";
      return 1;
    }
    std::cerr << "service at " << (*deployment)->service_target()
              << ", planning at "
              << ((*deployment)->planning_target().empty()
                      ? "(none)"
                      : (*deployment)->planning_target())
              << ", referral at "
              << ((*deployment)->referral_target().empty()
                      ? "(none)"
                      : (*deployment)->referral_target())
              << ", gateway at " << (*deployment)->gateway_target() << "\n";

    std::vector<std::string> case_ids;
    std::string preload_failure;
    bool needs_cases = false;
    for (const ScenarioInfo* info : *selected) needs_cases |= info->needs_cases;
    if (needs_cases) {
      std::cerr << "preloading " << absl::GetFlag(FLAGS_preload_cases)
                << " cases...\n";
      absl::StatusOr<std::vector<std::string>> ids =
          PreloadCases(**deployment, absl::GetFlag(FLAGS_preload_cases),
                       settings.load.concurrency);
      if (ids.ok()) {
        case_ids = *std::move(ids);
      } else {
        preload_failure = ids.status().ToString();
      }
    }

    std::unique_ptr<PlanPool> plans;
    std::string plan_preload_failure;
    if (preload_plans > 0) {
      std::cerr << "preloading " << preload_plans << " active plans of "
                << absl::GetFlag(FLAGS_plan_activities) << " activities...\n";
      const absl::Time start = absl::Now();
      absl::StatusOr<std::unique_ptr<PlanPool>> pool = PreloadPlans(
          **deployment, preload_plans, absl::GetFlag(FLAGS_plan_activities),
          settings.load.concurrency);
      if (pool.ok()) {
        plans = *std::move(pool);
        std::cerr << "  done in " << absl::FormatDuration(absl::Now() - start)
                  << ": " << plans->UnclaimedMoves()
                  << " activity moves for plan_activity_gateway\n";
      } else {
        plan_preload_failure = pool.status().ToString();
      }
    }
    // The directory and the referrals, for the scenarios that need them.
    bool needs_directory = false, needs_referrals = false;
    for (const ScenarioInfo* info : *selected) {
      needs_directory |= info->needs_directory || info->needs_referrals;
      needs_referrals |= info->needs_referrals;
    }
    const BenchDirectoryShape shape{
        .organizations = absl::GetFlag(FLAGS_directory_organizations),
        .services_per_organization = absl::GetFlag(FLAGS_directory_services)};
    std::vector<std::string> components;
    std::string directory_failure;
    if (needs_directory) {
      std::cerr << "preloading the directory ("
                << shape.organizations * shape.services_per_organization
                << " services of " << shape.organizations
                << " organizations, and the example file)...\n";
      absl::StatusOr<std::vector<std::string>> loaded =
          PreloadDirectory(**deployment, shape);
      if (loaded.ok()) {
        components = *std::move(loaded);
      } else {
        directory_failure = loaded.status().ToString();
      }
    }
    std::unique_ptr<ReferralPool> referrals;
    std::string referral_failure = directory_failure;
    if (needs_referrals && directory_failure.empty()) {
      std::cerr << "preloading " << absl::GetFlag(FLAGS_preload_referrals)
                << " inbox referrals and " << status_referrals
                << " referrals to walk...\n";
      const absl::Time start = absl::Now();
      absl::StatusOr<std::unique_ptr<ReferralPool>> pool = PreloadReferrals(
          **deployment, shape, absl::GetFlag(FLAGS_preload_referrals),
          status_referrals, absl::GetFlag(FLAGS_preload_cases),
          settings.load.concurrency);
      if (pool.ok()) {
        referrals = *std::move(pool);
        std::cerr << "  done in " << absl::FormatDuration(absl::Now() - start)
                  << ": " << referrals->UnclaimedMoves()
                  << " status moves for referral_status_gateway\n";
      } else {
        referral_failure = pool.status().ToString();
      }
    }
    std::unique_ptr<ContactPool> contacts;
    std::string follow_up_failure;
    if (const int follow_ups = FollowUpsToPreload(*selected); follow_ups > 0) {
      std::cerr << "preloading " << follow_ups
                << " cases with an approved plan and a follow-up schedule...\n";
      const absl::Time start = absl::Now();
      absl::StatusOr<std::unique_ptr<ContactPool>> pool = PreloadFollowUps(
          **deployment, follow_ups, 1, settings.load.concurrency);
      if (pool.ok()) {
        contacts = *std::move(pool);
        std::cerr << "  done in " << absl::FormatDuration(absl::Now() - start)
                  << ": " << contacts->UnclaimedMoves()
                  << " contacts for follow_up_record_gateway\n";
      } else {
        follow_up_failure = pool.status().ToString();
      }
    }
    if (preload_plans > 0 || needs_directory || contacts != nullptr) {
      const absl::Time start = absl::Now();
      const bool quiet = WaitForQuiet(absl::Seconds(120));
      std::cerr << (quiet ? "deployment quiet after the preload in "
                          : "(measuring anyway: still busy after ")
                << absl::FormatDuration(absl::Now() - start)
                << (quiet ? "\n" : ")\n");
    }
    const ScenarioData data{.case_ids = &case_ids,
                            .plans = plans.get(),
                            .components = &components,
                            .referrals = referrals.get(),
                            .contacts = contacts.get()};
    // The secure twin: the assessment service and the gateway alone, with
    // as many cases as the plain one.
    std::unique_ptr<Deployment> secure;
    std::vector<std::string> secure_case_ids;
    std::string secure_failure;
    if (absl::c_any_of(*selected, IsSecure)) {
      absl::StatusOr<std::unique_ptr<Deployment>> started =
          [&]() -> absl::StatusOr<std::unique_ptr<Deployment>> {
        DeploymentOptions base;
        base.sync_writes = absl::GetFlag(FLAGS_sync_writes);
        base.planning = base.referral = base.follow_up = false;
        ASSIGN_OR_RETURN(DeploymentOptions options,
                         SecureDeploymentOptions(data_dir + "/secure", base));
        return Deployment::Start(options);
      }();
      if (started.ok()) {
        secure = *std::move(started);
        std::cerr << "secure deployment: gateway at "
                  << secure->gateway_target() << "; preloading "
                  << case_ids.size() << " cases...\n";
        absl::StatusOr<std::vector<std::string>> ids =
            PreloadCases(*secure, static_cast<int>(case_ids.size()),
                         settings.load.concurrency);
        if (ids.ok()) {
          secure_case_ids = *std::move(ids);
        } else {
          secure_failure = ids.status().ToString();
        }
      } else {
        secure_failure = started.status().ToString();
      }
    }
    const ScenarioData secure_data{.case_ids = &secure_case_ids};

    const int rounds = std::max(1, absl::GetFlag(FLAGS_rounds));
    const size_t baseline_index =
        static_cast<size_t>(absl::c_find_if(*selected,
                                            [](const ScenarioInfo* info) {
                                              return info->name == "baseline";
                                            }) -
                            selected->begin());
    const bool has_baseline = baseline_index < selected->size();
    std::vector<std::vector<Slice>> samples(selected->size());
    std::vector<std::string> failures(selected->size());
    // Connected at first use and kept for the whole run.
    std::vector<std::unique_ptr<PreparedScenario>> prepared(selected->size());
    const int slices = absl::GetFlag(FLAGS_slices);
    LoadOptions slice_load = settings.load;
    slice_load.warmup = settings.load.warmup / slices;
    slice_load.duration = settings.load.duration / slices;
    // Runs one slice of scenario `i`; empty when it failed (recorded in
    // failures).
    auto run_slice = [&](size_t i) -> std::optional<LoadResult> {
      const ScenarioInfo* info = (*selected)[i];
      Deployment& target = IsSecure(info) ? *secure : **deployment;
      if (prepared[i] == nullptr) {
        absl::StatusOr<std::unique_ptr<PreparedScenario>> scenario =
            IsSecure(info)
                ? PreparedScenario::Prepare(
                      std::string(absl::StripSuffix(info->name, kSecureSuffix)),
                      target, secure_data, settings)
                : PreparedScenario::Prepare(info->name, target, data, settings);
        if (!scenario.ok()) {
          failures[i] = scenario.status().ToString();
          return std::nullopt;
        }
        prepared[i] = *std::move(scenario);
      }
      // Writes leave flushes and compactions behind: a slice must not pay
      // for the one before it.
      if (absl::Status idle = target.WaitForStorageIdle(absl::Seconds(60));
          !idle.ok()) {
        std::cerr << "  (measuring anyway: " << idle.message() << ")\n";
      }
      absl::StatusOr<LoadResult> result = prepared[i]->Run(slice_load);
      if (result.ok()) return *std::move(result);
      failures[i] = result.status().ToString();
      if (absl::IsDeadlineExceeded(result.status())) {
        // Calls are still running against state the next scenario would
        // share; stop here rather than measure a wedged deployment.
        rows.push_back(SummaryRow(info, {}, failures[i]));
        PrintTable(rows, settings_text);
        temp_dir.reset();
        std::_Exit(1);
      }
      return std::nullopt;
    };
    // Measures scenario `i` in slices, each after a baseline slice when
    // `paired`.
    auto measure = [&](size_t i, bool paired, int round) {
      const ScenarioInfo& info = *(*selected)[i];
      std::cerr << "round " << round << "/" << rounds << ": running "
                << info.name << " (" << info.description << ")"
                << (paired ? ", each slice after a baseline slice" : "")
                << "...\n";
      std::vector<Slice> round_slices;
      for (int s = 0; s < slices; ++s) {
        Slice slice;
        if (paired) {
          slice.baseline = run_slice(baseline_index);
          if (!slice.baseline.has_value()) return;
          samples[baseline_index].push_back({*slice.baseline, std::nullopt});
        }
        std::optional<LoadResult> r = run_slice(i);
        if (!r.has_value()) return;
        slice.result = *std::move(r);
        round_slices.push_back(slice);
        samples[i].push_back(std::move(slice));
      }
      const Row summary = SummaryRow(&info, round_slices, "");
      std::cerr << absl::StrFormat("  %.0f calls/s, %.1f cpu us/call",
                                   summary.result->calls_per_second,
                                   summary.result->cpu_us_per_call);
      if (summary.ratio.has_value() && info.name != "baseline") {
        std::cerr << absl::StrFormat(
            "; baseline %.0f calls/s, %.1f cpu us/call; ratio %.2f",
            summary.paired_baseline->calls_per_second,
            summary.paired_baseline->cpu_us_per_call, *summary.ratio);
      }
      std::cerr << "\n";
    };
    for (int round = 1; round <= rounds; ++round) {
      for (size_t i = 0; i < selected->size(); ++i) {
        if (!failures[i].empty() || i == baseline_index) continue;
        if (IsSecure((*selected)[i]) && secure == nullptr) {
          failures[i] = absl::StrCat("the secure deployment did not start: ",
                                     secure_failure);
          continue;
        }
        if (IsSecure((*selected)[i]) && (*selected)[i]->needs_cases &&
            secure_case_ids.empty()) {
          failures[i] = absl::StrCat(
              "preloading the secure deployment failed: ", secure_failure);
          continue;
        }
        if ((*selected)[i]->needs_cases && case_ids.empty()) {
          failures[i] =
              absl::StrCat("preloading cases failed: ", preload_failure);
          continue;
        }
        if ((*selected)[i]->needs_plans && plans == nullptr) {
          failures[i] =
              absl::StrCat("preloading plans failed: ", plan_preload_failure);
          continue;
        }
        if ((*selected)[i]->needs_directory && components.empty()) {
          failures[i] = absl::StrCat("preloading the directory failed: ",
                                     directory_failure);
          continue;
        }
        if ((*selected)[i]->needs_referrals && referrals == nullptr) {
          failures[i] =
              absl::StrCat("preloading referrals failed: ", referral_failure);
          continue;
        }
        if ((*selected)[i]->needs_follow_ups && contacts == nullptr) {
          failures[i] =
              absl::StrCat("preloading follow-ups failed: ", follow_up_failure);
          continue;
        }
        measure(i, has_baseline && failures[baseline_index].empty(), round);
      }
      // With nothing else selected the baseline is measured on its own.
      if (has_baseline && selected->size() == 1 && failures[0].empty()) {
        measure(0, false, round);
      }
    }
    for (size_t i = 0; i < selected->size(); ++i) {
      rows.push_back(SummaryRow((*selected)[i], samples[i], failures[i]));
    }
  }

  PrintTable(rows, settings_text);
  PrintSecureCost(rows);
  int exit_code = 0;
  for (const Row& row : rows) {
    if (!row.result.has_value() || row.result->errors > 0) exit_code = 1;
  }
  const std::string json_path = absl::GetFlag(FLAGS_json);
  if (!json_path.empty()) {
    if (absl::Status s = WriteJson(json_path, rows, settings_text); !s.ok()) {
      std::cerr << s.message() << "\n";
      exit_code = 1;
    }
  }
  return exit_code;
}

}  // namespace
}  // namespace homeward::bench

int main(int argc, char** argv) {
  homeward::server::SetUpFlagsUsage(
      "Usage: homeward-bench [--scenarios=...] [flags]\n\n"
      "Measures Homeward request paths against a bare RPC hop, on an embedded "
      "deployment (assessment, planning and referral services and a gateway "
      "on loopback TCP).");
  absl::ParseCommandLine(argc, argv);
  return homeward::bench::Run();
}
