// The journey mixed workload of homeward-journey: new cases started at a
// fixed rate, each walking the whole journey through a gateway's gRPC face
// (register; referral consent; counselling session; DoMV screening raising a
// protection concern; baseline RSS; plan covering the open needs and
// concerns, agreed, submitted, approved by a supervisor, activated; a
// referral the partner organization's own key accepts, starts and
// completes; the first follow-up contact; a follow-up RSS; closure), while
// reader threads read as a case manager's day does (case list pages of the
// office, cases, overviews, needs, plans, referrals, the due list). Every
// call is timed and its answer's code counted per method; two feed lags are
// observed through the API (see JourneyReport).
//
//   JourneyTarget target{.gateway = "127.0.0.1:7100", .manager_key = ...};
//   ASSIGN_OR_RETURN(JourneyReport report,
//                    RunJourneyMix(target, {.new_cases_per_second = 2}));
//
// It only talks to the gateway, so it runs the same against the in-process
// deployment of homeward-bench and a multi-process one.
#ifndef HOMEWARD_TOOLS_BENCH_JOURNEY_H_
#define HOMEWARD_TOOLS_BENCH_JOURNEY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace homeward::bench {

// Where the journeys run and as whom (API keys of the gateway).
struct JourneyTarget {
  std::string gateway;  // host:port of the gRPC face
  // A case worker of `office_id` (case manager or supervisor): registers
  // and walks the cases.
  std::string manager_key;
  // A supervisor of `office_id`: approves the plans (and closures when a
  // case manager's closure waits for approval).
  std::string supervisor_key;
  // Staff of `partner_organization`, which runs `partner_service` (accepting
  // referrals in the gateway's directory).
  std::string partner_key;
  std::string partner_organization;
  std::string partner_service;
  std::string office_id;
  // The case manager the cases are registered to (and whose due list the
  // readers read).
  std::string case_manager_id;
};

// Relative weights of the reads; 0 leaves a read out.
struct ReadWeights {
  int list_cases = 20;      // CaseService/ListCases, office, pages of 50
  int get_case = 20;        // CaseService/GetCase
  int case_overview = 20;   // CaseOverviewService/GetCaseOverview
  int list_needs = 10;      // NeedService/ListNeeds
  int get_plan = 10;        // PlanService/GetPlan
  int list_referrals = 10;  // ReferralService/ListCaseReferrals
  int due_contacts = 10;    // FollowUpService/ListDueContacts, pages of 50
};

struct JourneyMix {
  // New journeys started per second (open loop).
  double new_cases_per_second = 2;
  // Journeys walking at once at most; a start due while all are busy is
  // skipped and counted (the deployment cannot keep up with the rate).
  int max_journeys_in_flight = 48;
  // Reader threads, each reading closed loop (its next read when the last
  // answered) unless reads_per_second is set.
  int readers = 4;
  // Reads per second over all readers; 0: as fast as they go.
  double reads_per_second = 0;
  ReadWeights weights;
  // Journeys walked to the end before the mix starts, so that the readers
  // have cases with plans, referrals and contacts to read.
  int seed_journeys = 8;
  absl::Duration warmup = absl::Seconds(5);
  absl::Duration duration = absl::Seconds(30);
  // Client channels to the gateway (each its own TCP connection).
  int channels = 4;
};

// One method's calls (without the polls of the lag probes).
struct MethodReport {
  // Successful calls completed in the measured window, and their latencies
  // (sorted, microseconds).
  uint64_t ok = 0;
  std::vector<uint32_t> latencies_us;
  // Over the whole run (seed, warmup and window): failed answers by code
  // name ("UNIMPLEMENTED", ...), excluding the retried ones below.
  std::map<std::string, uint64_t> failures;
  // Answers retried because a service had not yet applied the feed it
  // needed (NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION on CreatePlan,
  // SubmitPlan and CreateReferral), and ABORTED answers of RecordContact
  // read again and retried: expected, counted apart.
  uint64_t retried = 0;
  std::string first_error;  // "CODE: message" of the first failure
};

struct JourneyReport {
  double seconds = 0;               // the measured window
  uint64_t journeys_started = 0;    // in the window
  uint64_t journeys_completed = 0;  // in the window
  uint64_t journeys_failed = 0;     // over the whole run
  uint64_t starts_skipped = 0;      // all walkers busy (in the window)
  std::string first_journey_error;
  // Successful calls of every method completed in the window.
  uint64_t calls = 0;
  uint64_t journey_calls = 0;  // of those, the journeys' own
  // CPU (user + system) this process used in the window: with the
  // in-process deployment the servers' too.
  double cpu_seconds = 0;
  std::map<std::string, MethodReport> methods;  // by full method name
  // Feed lags as the API shows them, polled every 5 ms (so up to 5 ms
  // late), in microseconds, over journeys that started in the window:
  //   registration: RegisterCase answered (assessment committed) until the
  //     planning service knows the case (GetPlan answers "plan ... not
  //     found" instead of "case ... not found");
  //   approval: ActivatePlan answered (the plan approved before it) until
  //     the follow-up service lists the case's scheduled contacts.
  std::vector<uint32_t> registration_lag_us;
  std::vector<uint32_t> approval_lag_us;
};

// Runs the seed journeys, then the mix for warmup + duration, then waits
// for the journeys still walking. Fails only when the gateway cannot be
// reached or the seed journeys fail; other failures are in the report.
absl::StatusOr<JourneyReport> RunJourneyMix(const JourneyTarget& target,
                                            const JourneyMix& mix);

// The nearest-rank quantile (0 < fraction <= 1) of sorted `values`; 0 when
// empty.
double SortedQuantile(const std::vector<uint32_t>& values, double fraction);

}  // namespace homeward::bench

#endif  // HOMEWARD_TOOLS_BENCH_JOURNEY_H_
