// What homeward-bench measures: an embedded deployment (one assessment
// service, one planning service and one referral service following each
// other's feeds as deployed, and one gateway, talking over loopback TCP inside
// this process) and the named scenarios that load it through the closed-loop
// driver.
//
//   ASSIGN_OR_RETURN(auto deployment, Deployment::Start({.data_dir = dir}));
//   ASSIGN_OR_RETURN(std::vector<std::string> ids,
//                    PreloadCases(*deployment, 1000, 64));
//   ASSIGN_OR_RETURN(std::unique_ptr<PlanPool> plans,
//                    PreloadPlans(*deployment, 2000, 8, 64));
//   ASSIGN_OR_RETURN(auto scenario,
//                    PreparedScenario::Prepare("plan_get_gateway", *deployment,
//                                              {&ids, plans.get()}, settings));
//   ASSIGN_OR_RETURN(LoadResult r, scenario->Run(settings.load));
//
//   ASSIGN_OR_RETURN(std::vector<std::string> components,
//                    PreloadDirectory(*deployment, {}));
//   ASSIGN_OR_RETURN(std::unique_ptr<ReferralPool> referrals,
//                    PreloadReferrals(*deployment, {}, 1000, 5000, 1000, 64));
#ifndef HOMEWARD_TOOLS_BENCH_SCENARIOS_H_
#define HOMEWARD_TOOLS_BENCH_SCENARIOS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/feeds/producer_channel.h"
#include "grpcpp/channel.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/v1/planning.pb.h"
#include "services/assessment/assessment_server.h"
#include "services/gateway/gateway_server.h"
#include "services/gateway/local_services.h"
#include "tools/bench/bench_directory.h"
#include "tools/bench/contact_pool.h"
#include "tools/bench/load_runner.h"
#include "tools/bench/plan_pool.h"
#include "tools/bench/referral_pool.h"

namespace homeward::bench {

// The office and user every benchmark call acts as (a case manager).
inline constexpr char kBenchOffice[] = "office-bench";
inline constexpr char kBenchUser[] = "cm-bench";
// The supervisor of kBenchOffice whose key approves the journey's plans.
inline constexpr char kBenchSupervisor[] = "sup-bench";
// The organizations of the generated directory whose partner-agency keys the
// referral scenarios use: the inbox one reads its inbox, the status one
// works the referrals addressed to it.
inline constexpr int kInboxOrganization = 0;
inline constexpr int kStatusOrganization = 1;
// How many organizations the inbox referrals are spread over (the inbox
// organization one of them; never the status one).
inline constexpr int kInboxReferralOrganizations = 8;

struct ScenarioInfo {
  std::string name;
  std::string description;
  // Throughput wanted relative to `baseline` (0: none; baseline itself).
  double target_ratio;
  // Whether the scenario reads the preloaded cases.
  bool needs_cases;
  // Whether the scenario works on the preloaded active plans (PreloadPlans).
  bool needs_plans = false;
  // Whether it searches the preloaded directory (PreloadDirectory).
  bool needs_directory = false;
  // Whether it works on the preloaded referrals (PreloadReferrals, which
  // needs the directory).
  bool needs_referrals = false;
  // Whether it works on the preloaded follow-up contacts (PreloadFollowUps).
  bool needs_follow_ups = false;
};

// Every scenario, in the order they run.
const std::vector<ScenarioInfo>& AllScenarios();
// The scenario called `name`, or nullptr.
const ScenarioInfo* FindScenario(const std::string& name);

struct DeploymentOptions {
  // Created if missing; the service keeps its RocksDB under
  // <data_dir>/assessment.
  std::string data_dir;
  // Durable writes (WAL synced before the reply), as in production.
  bool sync_writes = true;
  // Where the taxonomy/ and programmes/ the service publishes at start are:
  // cases are registered under the example programme "sn_reintegration".
  // Empty: the source tree's deploy/.
  std::string deploy_dir;
  // Also start one planning replica (data under <data_dir>/planning,
  // following the assessment replica's feed, publishing the deploy dir's
  // taxonomy/, feasibility/ and programmes/) behind the gateway's "planning"
  // backend, the assessment replica following its feed in turn, both feeds
  // over loopback TCP. Without it the plan scenarios cannot run, and neither
  // feed has a follower in the process.
  bool planning = true;
  // Also start one referral replica (data under <data_dir>/referral,
  // publishing the deploy dir's taxonomy/ and programmes/) behind the
  // gateway's "referral" backend, as deployed: it follows the assessment
  // feed (and the planning feed, with planning), asks the assessment
  // replica for consent when a referral is created, and the assessment (and
  // planning) replica follows its feed in turn; all over loopback TCP. The
  // gateway also accepts a partner-agency key for kInboxOrganization and one
  // for kStatusOrganization. Without it the referral scenarios cannot run.
  bool referral = true;
  // Also start one follow-up replica (data under <data_dir>/follow_up,
  // publishing the deploy dir's taxonomy/ and programmes/) behind the
  // gateway's "follow_up" backend, following the assessment feed, the
  // planning feed (needs planning) and, with referral, the referral feed,
  // over loopback TCP. No other service follows its feed here (the bench's
  // contacts raise no needs, and it closes no case). Without it the
  // follow-up scenarios cannot run.
  bool follow_up = true;
  // TLS everywhere (for the TLS cost ratios, issue 16): a directory made by
  // deploy/local/make-dev-certs.sh holding ca.crt and the certificates of
  // gateway, assessment, planning, referral, follow-up and client. Each
  // service's internal hops are mutual TLS with its own certificate, the
  // gateway dials them with gateway.crt, and the gateway's public faces are
  // TLS with gateway.crt (no client certificate asked for); the bench's own
  // clients then dial with client_credentials(). Empty: plaintext.
  std::string tls_dir;
  // Every service's data encrypted at rest under this key file
  // (ServiceConfig.encryption_key_file). Empty: not encrypted.
  std::string encryption_key_file;
  // Every service and the gateway serve Prometheus metrics (each on its own
  // loopback port), to measure what recording them costs. Off: none.
  bool metrics = false;
};

// The scenarios named with this suffix (get_gateway_secure,
// register_gateway_secure) run their base scenario against a second
// deployment made by SecureDeploymentOptions, with ratios to the same
// plaintext baseline: what TLS, mutual TLS and encryption at rest cost.
inline constexpr char kSecureSuffix[] = "_secure";

// `base` made secure under `dir` (created): a development CA and every
// component's certificate (deploy/local/make-dev-certs.sh) as tls_dir, and a
// fresh key file (mode 0600) as encryption_key_file; data under dir/data.
absl::StatusOr<DeploymentOptions> SecureDeploymentOptions(
    const std::string& dir, DeploymentOptions base);

// One assessment replica, optionally one planning replica, and one gateway
// (gRPC and JSON faces) routing to them over real TCP, all on 127.0.0.1 with
// free ports, a random principal secret and one API key for a case manager
// of kBenchOffice. Destroying it shuts them all down.
class Deployment {
 public:
  static absl::StatusOr<std::unique_ptr<Deployment>> Start(
      const DeploymentOptions& options);
  ~Deployment();
  Deployment(const Deployment&) = delete;
  Deployment& operator=(const Deployment&) = delete;

  // "127.0.0.1:<port>" of the assessment service and the gateway gRPC face.
  const std::string& service_target() const { return service_target_; }
  // "127.0.0.1:<port>" of the planning service; empty without one.
  const std::string& planning_target() const { return planning_target_; }
  // "127.0.0.1:<port>" of the referral service; empty without one.
  const std::string& referral_target() const { return referral_target_; }
  // "127.0.0.1:<port>" of the follow-up service; empty without one.
  const std::string& follow_up_target() const { return follow_up_target_; }
  const std::string& gateway_target() const { return gateway_target_; }
  // The gateway's JSON face, on 127.0.0.1.
  int gateway_http_port() const { return gateway_http_port_; }
  // The deployment secret (signs principals on direct calls).
  const std::string& secret() const { return secret_; }
  // The API key the gateway accepts for principal().
  const std::string& api_key() const { return api_key_; }
  const homeward::internal::v1::Principal& principal() const {
    return principal_;
  }
  // The partner-agency keys the gateway accepts (empty without referral):
  // staff of BenchOrganizationId(kInboxOrganization), and of
  // BenchOrganizationId(kStatusOrganization).
  const std::string& inbox_partner_key() const { return inbox_partner_key_; }
  const std::string& status_partner_key() const { return status_partner_key_; }
  // The key of a supervisor (kBenchSupervisor) of kBenchOffice.
  const std::string& supervisor_key() const { return supervisor_key_; }
  // What the bench's clients dial the gateway and the services with: with
  // DeploymentOptions::tls_dir, TLS trusting its ca.crt and presenting
  // client.crt (the services ask for it); else plaintext.
  const std::shared_ptr<grpc::ChannelCredentials>& client_credentials() const {
    return client_credentials_;
  }
  // Waits (up to `timeout`) until each service's storage has no flush or
  // compaction running or pending, so that a scenario does not pay for the
  // background work the writes of the one before it left behind.
  absl::Status WaitForStorageIdle(absl::Duration timeout) const {
    return gateway::WaitForLocalStorageIdle(services_, timeout);
  }

 private:
  Deployment() = default;

  std::string secret_;
  std::string api_key_;
  homeward::internal::v1::Principal principal_;
  std::string service_target_;
  std::string planning_target_;
  std::string referral_target_;
  std::string follow_up_target_;
  std::string gateway_target_;
  std::string inbox_partner_key_;
  std::string status_partner_key_;
  std::string supervisor_key_;
  int gateway_http_port_ = 0;
  std::shared_ptr<grpc::ChannelCredentials> client_credentials_;
  // The services behind the gateway, reached over loopback TCP. Declared
  // before the gateway so that the gateway, which calls them, goes first.
  std::vector<gateway::LocalService> services_;
  // Assessment's channel to the planning feed (nullptr without planning):
  // revoked before the services shut down.
  std::shared_ptr<feeds::LateChannel> planning_feed_;
  // Assessment's and planning's channel to the referral feed (nullptr
  // without referral): revoked before the services shut down.
  std::shared_ptr<feeds::LateChannel> referral_feed_;
  std::unique_ptr<gateway::GatewayServer> gateway_;
};

struct ScenarioSettings {
  LoadOptions load;
  // In-flight calls per client channel. Each channel gets its own TCP
  // connection, so concurrency / calls_per_channel connections share the
  // load (see main.cc for why).
  int calls_per_channel = 16;
};

// Registers `count` cases directly (concurrency calls in flight) and returns
// their ids, for the get_* scenarios to read round-robin.
absl::StatusOr<std::vector<std::string>> PreloadCases(
    const Deployment& deployment, int count, int concurrency);

// Registers `count` cases (PreloadCases) and makes each an ACTIVE plan
// directly on the planning service, with `activities` activities (PLANNED),
// `concurrency` plans in the making at a time: created as the case manager
// (retried while the planning service has not yet learned of the case from
// the feed), agreed, submitted, approved by a supervisor of kBenchOffice,
// activated.
absl::StatusOr<std::unique_ptr<PlanPool>> PreloadPlans(
    const Deployment& deployment, int count, int activities, int concurrency);

// The contacts the example programme's cadence schedules for a bench case
// (months 1, 2, 3, 6, 9 and 12, all ahead of a return three weeks ago).
inline constexpr int kContactsPerBenchCase = 6;

// Makes `count` active plans of `activities` activities (PreloadPlans; the
// bench cases came back three weeks ago, so every point of the example
// programme's cadence lies ahead), then waits until the follow-up replica
// has scheduled each case's contacts from the planning feed and reads them
// directly: the cases of follow_up_record_gateway, and the office's due list
// of follow_up_due_gateway.
absl::StatusOr<std::unique_ptr<ContactPool>> PreloadFollowUps(
    const Deployment& deployment, int count, int activities, int concurrency);

// Imports into the referral replica, directly as an administrator,
// deploy/directory/example_directory.json (from the deploy dir) and then the
// generated directory of `shape` (bench_directory.h), its services tagged
// with the components of the deploy dir's taxonomy; returns those component
// ids, in taxonomy order, for directory_search_gateway to search by.
absl::StatusOr<std::vector<std::string>> PreloadDirectory(
    const Deployment& deployment, const BenchDirectoryShape& shape);

// Makes sent (REQUESTED) referrals directly on the referral replica as the
// case manager, `concurrency` cases at a time, after registering
// `case_count` cases: `inbox_referrals` spread round-robin over
// kInboxReferralOrganizations organizations of the generated directory
// (kInboxOrganization among them, kStatusOrganization not), and
// `status_referrals` addressed to kStatusOrganization; each to an accepting
// service of its organization, the cases taken round-robin. For each
// (case, organization) the returnee's consent to share for purpose REFERRAL
// is recorded first on the assessment replica, so that each creation's
// consent check, a real call to the assessment replica, allows it. Creation
// is retried while the referral replica answers NOT_FOUND (it has not yet
// applied the case's registration from the feed). The status referrals
// come back as the pool referral_status_gateway walks.
absl::StatusOr<std::unique_ptr<ReferralPool>> PreloadReferrals(
    const Deployment& deployment, const BenchDirectoryShape& shape,
    int inbox_referrals, int status_referrals, int case_count, int concurrency);

// Dials `count` channels to `target`, each with its own TCP connection
// (a private subchannel pool), and waits until each is connected;
// `credentials` nullptr: plaintext (else e.g. Deployment::client_credentials).
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> ConnectChannels(
    const std::string& target, int count,
    std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

// A plan a bench case can be submitted with: `activities` direct,
// individual economic activities due within 180 days of `today`, no
// purchases (add coverage notes for a case with open needs or concerns).
homeward::v1::Plan BenchPlan(const std::string& case_id, int activities,
                             absl::CivilDay today);

// A referral of `case_id` to `service_id`, sent at once (REQUESTED), with
// a routine urgency and expected dates after `today`.
homeward::v1::CreateReferralRequest BenchReferral(const std::string& case_id,
                                                  const std::string& service_id,
                                                  std::string request_id,
                                                  absl::CivilDay today);

// What the scenarios read and walk: the preloaded cases for get_*, the
// plans for plan_*, the directory's components and the referrals for the
// referral scenarios. Must outlive the scenarios prepared with it.
struct ScenarioData {
  const std::vector<std::string>* case_ids = nullptr;
  PlanPool* plans = nullptr;
  const std::vector<std::string>* components = nullptr;
  ReferralPool* referrals = nullptr;
  ContactPool* contacts = nullptr;
};

// A scenario with its client channels connected, to be run many times: the
// slices of a measurement (and its later rounds) reuse the same connections,
// so that none pays for connection setup or a cold HTTP/2 connection.
class PreparedScenario {
 public:
  // Connects the channels scenario `name` calls through. `data` must hold
  // non-empty cases (plans) for scenarios that need them.
  static absl::StatusOr<std::unique_ptr<PreparedScenario>> Prepare(
      const std::string& name, const Deployment& deployment,
      const ScenarioData& data, const ScenarioSettings& settings);
  // The baseline (grpc.health.v1.Health/Check) against any server at
  // `target`, e.g. a gateway this process did not start.
  static absl::StatusOr<std::unique_ptr<PreparedScenario>> PrepareBaseline(
      const std::string& target, const ScenarioSettings& settings);
  ~PreparedScenario();

  // One closed-loop run for `load` (its warmup, then its duration). Every
  // request id a run uses carries a fresh random prefix, so runs never
  // replay one another, nor runs against an existing data_dir.
  absl::StatusOr<LoadResult> Run(const LoadOptions& load) const;

 private:
  struct Clients;
  explicit PreparedScenario(std::unique_ptr<Clients> clients);
  std::unique_ptr<Clients> clients_;
};

}  // namespace homeward::bench

#endif  // HOMEWARD_TOOLS_BENCH_SCENARIOS_H_
