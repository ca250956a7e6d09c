// homeward-journey: the journey mixed workload (journey.h) against the
// in-process deployment of homeward-bench (default) or against a gateway
// already running (--gateway, e.g. deploy/local/run-multiprocess.sh's),
// each figure next to the empty-call baseline measured in the same run:
// throughput (journeys/s and calls/s) as a ratio of the baseline's calls/s,
// p50/p99 per method and the feed lags as ratios of the baseline's p50/p99
// round trip.
//
//   homeward-journey --journey_new_cases_per_s=2 --seconds=30
//   homeward-journey --gateway=127.0.0.1:7100
//       --manager_key_file=homeward-multi/dev-api-key
//       --partner_key_file=homeward-multi/dev-partner-api-key
//       --admin_key_file=homeward-multi/dev-admin-api-key
//       --office=office-demo --case_manager=dev-supervisor  (one line)
//
// Exits 1 when a journey or a call failed, except for UNIMPLEMENTED
// answers of GetCaseOverview (a gateway without the overview): those are
// reported apart.
#include <sys/resource.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/server/flags_usage.h"
#include "common/server/log.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "homeward/v1/directory.grpc.pb.h"
#include "services/gateway/api_keys.h"
#include "tests/fixtures/temp_dir.h"
#include "tools/bench/bench_directory.h"
#include "tools/bench/journey.h"
#include "tools/bench/load_runner.h"
#include "tools/bench/scenarios.h"

ABSL_FLAG(double, journey_new_cases_per_s, 2,
          "New cases started per second, each walking the whole journey.");
ABSL_FLAG(int, journey_max_in_flight, 48,
          "Journeys walking at once at most (a start due while all are busy "
          "is skipped and counted).");
ABSL_FLAG(int, journey_readers, 4,
          "Reader threads (a case manager's reads), closed loop unless "
          "--journey_reads_per_s.");
ABSL_FLAG(double, journey_reads_per_s, 0,
          "Reads per second over all readers; 0: as fast as they go.");
ABSL_FLAG(int, journey_seed, 8,
          "Journeys walked before the mix, so that the readers have cases.");
ABSL_FLAG(bool, journey_overview, true,
          "Read CaseOverviewService/GetCaseOverview in the mix (weight "
          "--weight_overview). A gateway without it answers UNIMPLEMENTED, "
          "reported apart.");
ABSL_FLAG(int, weight_list_cases, 20, "Read weight of ListCases pages.");
ABSL_FLAG(int, weight_get_case, 20, "Read weight of GetCase.");
ABSL_FLAG(int, weight_overview, 20, "Read weight of GetCaseOverview.");
ABSL_FLAG(int, weight_needs, 10, "Read weight of ListNeeds.");
ABSL_FLAG(int, weight_plan, 10, "Read weight of GetPlan.");
ABSL_FLAG(int, weight_referrals, 10, "Read weight of ListCaseReferrals.");
ABSL_FLAG(int, weight_due, 10, "Read weight of ListDueContacts pages.");
ABSL_FLAG(double, seconds, 30, "Measured seconds of the mix.");
ABSL_FLAG(double, warmup_seconds, 5, "Unmeasured seconds of mix before.");
ABSL_FLAG(int, concurrency, 64,
          "Calls in flight of the baseline's throughput measurement.");
ABSL_FLAG(double, baseline_seconds, 3,
          "Seconds of each baseline measurement (throughput before and after "
          "the mix, latency at one call in flight before).");
ABSL_FLAG(bool, sync_writes, true,
          "In-process: the services sync their WAL before replying.");
ABSL_FLAG(std::string, data_dir, "",
          "In-process: where the services keep their data (kept). Empty: a "
          "temporary directory, removed at exit.");
ABSL_FLAG(std::string, gateway, "",
          "host:port of a running gateway's gRPC face. Empty: start the "
          "in-process deployment of homeward-bench.");
ABSL_FLAG(std::string, baseline_target, "",
          "Where the baseline's Health/Check goes. Empty: the assessment "
          "service in-process, the gateway with --gateway.");
ABSL_FLAG(std::string, manager_key_file, "",
          "--gateway: file holding the API key of a case worker of --office.");
ABSL_FLAG(std::string, supervisor_key_file, "",
          "--gateway: file holding a supervisor's API key of --office "
          "(default: the manager's key).");
ABSL_FLAG(std::string, partner_key_file, "",
          "--gateway: file holding the API key of --partner_organization's "
          "staff.");
ABSL_FLAG(std::string, admin_key_file, "",
          "--gateway: file holding an administrator's API key; when given, "
          "deploy/directory/example_directory.json is imported first (the "
          "partner's service must be in the directory).");
ABSL_FLAG(std::string, partner_organization, "org-atelier-pikine",
          "--gateway: the partner organization (example directory's).");
ABSL_FLAG(std::string, partner_service, "svc-atelier-emploi",
          "--gateway: a service of the partner accepting referrals.");
ABSL_FLAG(std::string, office, "office-demo", "--gateway: the office.");
ABSL_FLAG(std::string, case_manager, "dev-supervisor",
          "--gateway: the case manager the cases are registered to.");

namespace homeward::bench {
namespace {

absl::StatusOr<std::string> ReadKey(const std::string& flag,
                                    const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, " is required"));
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::string key(absl::StripAsciiWhitespace(text.str()));
  if (key.empty())
    return absl::InvalidArgumentError(absl::StrCat(path, " is empty"));
  return key;
}

// Imports the example directory through the gateway as an administrator
// (idempotent: the same request id each time).
absl::Status ImportExampleDirectory(const std::string& gateway,
                                    const std::string& admin_key) {
  std::ifstream in(std::string(HOMEWARD_DEPLOY_DIR) +
                   "/directory/example_directory.json");
  std::stringstream text;
  text << in.rdbuf();
  homeward::v1::ImportHsdsRequest request;
  request.set_request_id("homeward-journey-example-directory");
  if (!google::protobuf::util::JsonStringToMessage(text.str(),
                                                   request.mutable_document())
           .ok()) {
    return absl::InternalError("cannot parse the example directory");
  }
  auto stub = homeward::v1::DirectoryService::NewStub(
      grpc::CreateChannel(gateway, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
  context.AddMetadata(gateway::kAuthorizationHeader,
                      absl::StrCat("Bearer ", admin_key));
  homeward::v1::ImportHsdsResponse response;
  grpc::Status status = stub->ImportHsds(&context, request, &response);
  if (!status.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "importing the example directory: ", status.error_message()));
  }
  return absl::OkStatus();
}

std::string Ms(double us) { return absl::StrFormat("%.2f", us / 1000); }
std::string Ratio(double a, double b) {
  return b > 0 ? absl::StrFormat("%.2f", a / b) : "-";
}

int Run() {
  server::SetRequestLogging(false);
  std::optional<testing::TempDir> temp_dir;
  std::unique_ptr<Deployment> deployment;
  JourneyTarget target;
  std::string baseline_target = absl::GetFlag(FLAGS_baseline_target);
  std::string mode;
  if (absl::GetFlag(FLAGS_gateway).empty()) {
    mode =
        "in-process (homeward-bench's deployment: assessment, planning, "
        "referral, follow-up and a gateway over loopback TCP)";
    std::string data_dir = absl::GetFlag(FLAGS_data_dir);
    if (data_dir.empty()) data_dir = temp_dir.emplace().path();
    DeploymentOptions options;
    options.data_dir = data_dir;
    options.sync_writes = absl::GetFlag(FLAGS_sync_writes);
    absl::StatusOr<std::unique_ptr<Deployment>> started =
        Deployment::Start(options);
    if (!started.ok()) {
      std::cerr << "cannot start the deployment: " << started.status() << "\n";
      return 1;
    }
    deployment = *std::move(started);
    const BenchDirectoryShape shape;
    std::cerr << "importing the directory...\n";
    if (absl::StatusOr<std::vector<std::string>> components =
            PreloadDirectory(*deployment, shape);
        !components.ok()) {
      std::cerr << "cannot import the directory: " << components.status()
                << "\n";
      return 1;
    }
    target = {
        .gateway = deployment->gateway_target(),
        .manager_key = deployment->api_key(),
        .supervisor_key = deployment->supervisor_key(),
        .partner_key = deployment->inbox_partner_key(),
        .partner_organization = BenchOrganizationId(kInboxOrganization),
        .partner_service = AcceptingBenchServiceId(shape, kInboxOrganization),
        .office_id = kBenchOffice,
        .case_manager_id = kBenchUser};
    if (baseline_target.empty()) baseline_target = deployment->service_target();
  } else {
    mode = absl::StrCat("gateway at ", absl::GetFlag(FLAGS_gateway));
    target.gateway = absl::GetFlag(FLAGS_gateway);
    absl::StatusOr<std::string> manager =
        ReadKey("manager_key_file", absl::GetFlag(FLAGS_manager_key_file));
    absl::StatusOr<std::string> partner =
        ReadKey("partner_key_file", absl::GetFlag(FLAGS_partner_key_file));
    if (!manager.ok() || !partner.ok()) {
      std::cerr << (manager.ok() ? partner.status() : manager.status()) << "\n";
      return 2;
    }
    target.manager_key = *manager;
    target.partner_key = *partner;
    target.supervisor_key = *manager;
    if (!absl::GetFlag(FLAGS_supervisor_key_file).empty()) {
      absl::StatusOr<std::string> supervisor = ReadKey(
          "supervisor_key_file", absl::GetFlag(FLAGS_supervisor_key_file));
      if (!supervisor.ok()) {
        std::cerr << supervisor.status() << "\n";
        return 2;
      }
      target.supervisor_key = *supervisor;
    }
    target.partner_organization = absl::GetFlag(FLAGS_partner_organization);
    target.partner_service = absl::GetFlag(FLAGS_partner_service);
    target.office_id = absl::GetFlag(FLAGS_office);
    target.case_manager_id = absl::GetFlag(FLAGS_case_manager);
    if (!absl::GetFlag(FLAGS_admin_key_file).empty()) {
      absl::StatusOr<std::string> admin =
          ReadKey("admin_key_file", absl::GetFlag(FLAGS_admin_key_file));
      absl::Status imported =
          admin.ok() ? ImportExampleDirectory(target.gateway, *admin)
                     : admin.status();
      if (!imported.ok()) {
        std::cerr << imported << "\n";
        return 1;
      }
    }
    if (baseline_target.empty()) baseline_target = target.gateway;
  }

  // The baseline: throughput at --concurrency, latency at one in flight.
  ScenarioSettings settings;
  settings.load.concurrency = absl::GetFlag(FLAGS_concurrency);
  absl::StatusOr<std::unique_ptr<PreparedScenario>> baseline =
      PreparedScenario::PrepareBaseline(baseline_target, settings);
  if (!baseline.ok()) {
    std::cerr << "baseline: " << baseline.status() << "\n";
    return 1;
  }
  LoadOptions throughput{
      .concurrency = settings.load.concurrency,
      .warmup = absl::Seconds(0.5),
      .duration = absl::Seconds(absl::GetFlag(FLAGS_baseline_seconds))};
  LoadOptions round_trip = throughput;
  round_trip.concurrency = 1;
  std::cerr << "baseline (Health/Check at " << baseline_target << ")...\n";
  absl::StatusOr<LoadResult> base_before = (*baseline)->Run(throughput);
  absl::StatusOr<LoadResult> base_latency = (*baseline)->Run(round_trip);
  if (!base_before.ok() || !base_latency.ok()) {
    std::cerr << "baseline failed\n";
    return 1;
  }

  JourneyMix mix;
  mix.new_cases_per_second = absl::GetFlag(FLAGS_journey_new_cases_per_s);
  mix.max_journeys_in_flight = absl::GetFlag(FLAGS_journey_max_in_flight);
  mix.readers = absl::GetFlag(FLAGS_journey_readers);
  mix.reads_per_second = absl::GetFlag(FLAGS_journey_reads_per_s);
  mix.seed_journeys = absl::GetFlag(FLAGS_journey_seed);
  mix.warmup = absl::Seconds(absl::GetFlag(FLAGS_warmup_seconds));
  mix.duration = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  mix.weights = {.list_cases = absl::GetFlag(FLAGS_weight_list_cases),
                 .get_case = absl::GetFlag(FLAGS_weight_get_case),
                 .case_overview = absl::GetFlag(FLAGS_journey_overview)
                                      ? absl::GetFlag(FLAGS_weight_overview)
                                      : 0,
                 .list_needs = absl::GetFlag(FLAGS_weight_needs),
                 .get_plan = absl::GetFlag(FLAGS_weight_plan),
                 .list_referrals = absl::GetFlag(FLAGS_weight_referrals),
                 .due_contacts = absl::GetFlag(FLAGS_weight_due)};
  std::cerr << "journey mix: " << mix.seed_journeys << " seed journeys, then "
            << mix.new_cases_per_second << " new cases/s with " << mix.readers
            << " readers for " << absl::GetFlag(FLAGS_warmup_seconds) << " + "
            << absl::GetFlag(FLAGS_seconds) << " s...\n";
  absl::StatusOr<JourneyReport> report = RunJourneyMix(target, mix);
  if (!report.ok()) {
    std::cerr << "the journey mix could not run: " << report.status() << "\n";
    return 1;
  }
  absl::StatusOr<LoadResult> base_after = (*baseline)->Run(throughput);
  if (!base_after.ok()) {
    std::cerr << "baseline failed\n";
    return 1;
  }
  const double base_calls_per_s =
      (base_before->calls_per_second + base_after->calls_per_second) / 2;
  const double base_p50 = base_latency->p50_us;
  const double base_p99 = base_latency->p99_us;

  const JourneyReport& r = *report;
  std::cout << "homeward-journey: " << mode << "\n"
            << absl::StrFormat(
                   "baseline: %.0f calls/s at %d in flight (before %.0f, after "
                   "%.0f); round trip at 1 in flight p50 %s ms, p99 %s ms\n",
                   base_calls_per_s, throughput.concurrency,
                   base_before->calls_per_second, base_after->calls_per_second,
                   Ms(base_p50), Ms(base_p99));
  const double calls_per_s = static_cast<double>(r.calls) / r.seconds;
  const double journeys_per_s =
      static_cast<double>(r.journeys_completed) / r.seconds;
  std::cout << absl::StrFormat(
      "journeys: %d started, %d completed in %.0f s (%.3f journeys/s; rate "
      "asked %.3f/s), %d starts skipped (all walkers busy), %d failed\n",
      r.journeys_started, r.journeys_completed, r.seconds, journeys_per_s,
      mix.new_cases_per_second, r.starts_skipped, r.journeys_failed);
  if (!r.first_journey_error.empty()) {
    std::cout << "  first journey failure: " << r.first_journey_error << "\n";
  }
  std::cout << absl::StrFormat(
      "calls: %.0f calls/s (%.0f of the journeys', %.0f reads), ratio to the "
      "baseline %s; journey calls/s ratio %s; cpu %.0f us/call (%s)\n",
      calls_per_s, static_cast<double>(r.journey_calls) / r.seconds,
      static_cast<double>(r.calls - r.journey_calls) / r.seconds,
      Ratio(calls_per_s, base_calls_per_s),
      Ratio(static_cast<double>(r.journey_calls) / r.seconds, base_calls_per_s),
      r.calls > 0 ? 1e6 * r.cpu_seconds / static_cast<double>(r.calls) : 0,
      deployment != nullptr ? "this process: client and servers"
                            : "this process: the client only");
  for (const auto& [name, lags] :
       {std::pair<const char*, const std::vector<uint32_t>*>{
            "registration (assessment -> planning)", &r.registration_lag_us},
        {"approval (planning -> follow-up)", &r.approval_lag_us}}) {
    std::cout << absl::StrFormat(
        "feed lag %s, %d journeys: p50 %s ms, p99 %s ms, max %s ms; p99 / "
        "baseline p99 %s\n",
        name, lags->size(), Ms(SortedQuantile(*lags, 0.5)),
        Ms(SortedQuantile(*lags, 0.99)), Ms(SortedQuantile(*lags, 1.0)),
        Ratio(SortedQuantile(*lags, 0.99), base_p99));
  }
  std::cout << absl::StrFormat("%-58s %8s %8s %8s %8s %8s %8s  %s\n", "method",
                               "ok", "calls/s", "p50 ms", "p99 ms", "p50/base",
                               "p99/base", "not ok");
  bool failed = r.journeys_failed > 0;
  bool overview_missing = false;
  for (const auto& [name, m] : r.methods) {
    std::vector<std::string> codes;
    for (const auto& [code, count] : m.failures) {
      codes.push_back(absl::StrCat(code, " x", count));
      const bool tolerated =
          code == "UNIMPLEMENTED" &&
          name == "homeward.v1.CaseOverviewService/GetCaseOverview";
      overview_missing |= tolerated;
      failed |= !tolerated;
    }
    if (m.retried > 0) codes.push_back(absl::StrCat("retried x", m.retried));
    const double p50 = SortedQuantile(m.latencies_us, 0.5);
    const double p99 = SortedQuantile(m.latencies_us, 0.99);
    std::cout << absl::StrFormat(
        "%-58s %8d %8.1f %8s %8s %8s %8s  %s\n", name, m.ok,
        static_cast<double>(m.ok) / r.seconds, Ms(p50), Ms(p99),
        Ratio(p50, base_p50), Ratio(p99, base_p99), absl::StrJoin(codes, ", "));
  }
  for (const auto& [name, m] : r.methods) {
    if (!m.first_error.empty()) {
      std::cout << "  first failure of " << name << ": " << m.first_error
                << "\n";
    }
  }
  if (overview_missing) {
    std::cout << "NOTE: GetCaseOverview answered UNIMPLEMENTED: this gateway "
                 "has no case overview yet (its reads are counted apart, not "
                 "as failures).\n";
  }
  deployment.reset();
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace homeward::bench

int main(int argc, char** argv) {
  homeward::server::SetUpFlagsUsage(
      "Usage: homeward-journey [--gateway=host:port --manager_key_file=... "
      "--partner_key_file=...] [flags]\n\n"
      "The whole journey at a rate of new cases, mixed with a case manager's "
      "reads, against the in-process deployment or a running gateway; "
      "figures as ratios to an empty call's.");
  absl::ParseCommandLine(argc, argv);
  return homeward::bench::Run();
}
