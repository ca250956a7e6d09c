// The all-in-one process; see embedded_suite.h.
#include "services/all_in_one/embedded_suite.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/principal_token.h"
#include "common/feeds/producer_channel.h"
#include "common/server/config_file.h"
#include "common/server/transport.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/encryption_key.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/method_table.h"

namespace homeward::all_in_one {
namespace {

// The development keys: a supervisor of the demo office (the one the
// example calls use), an administrator (programme data, the service
// directory), a partner agency (the organization kDemoPartner receiving
// referrals) and a monitoring officer of the demo office (programme
// indicators, no case records), so that a worked example can be followed
// from each side.
struct DevKey {
  const char* name;  // the key's name and its plain file's
  const char* user_id;
  homeward::v1::Role role;
};
constexpr DevKey kDevKeys[] = {
    {"dev", "dev-supervisor", homeward::v1::ROLE_SUPERVISOR},
    {"dev-admin", "dev-admin", homeward::v1::ROLE_ADMINISTRATOR},
    {"dev-partner", "dev-partner", homeward::v1::ROLE_PARTNER_AGENCY},
    {"dev-monitoring", "dev-monitoring", homeward::v1::ROLE_MONITORING_OFFICER},
};

// Each development key is kept in the data directory (mode 0600) so that
// every start can print it again; a production deployment provisions its own
// key file and keeps no plain key.
std::string DevKeyPath(const std::string& data_dir, const DevKey& dev) {
  return absl::StrCat(data_dir, "/", dev.name, "-api-key");
}

// Creates `keys_path` holding the development keys, and each plain key
// beside it. The plain keys are written first: a crash in between leaves no
// key file, so the next start makes them all again.
absl::Status CreateDevKeyFile(const std::string& data_dir,
                              const std::string& keys_path) {
  homeward::internal::v1::ApiKeyFile file;
  for (const DevKey& dev : kDevKeys) {
    std::string key = gateway::GenerateApiKeySecret();
    mode_t old = umask(077);
    std::ofstream(DevKeyPath(data_dir, dev)) << key << "\n";
    umask(old);
    homeward::internal::v1::Principal principal;
    principal.set_user_id(dev.user_id);
    principal.set_role(dev.role);
    if (dev.role == homeward::v1::ROLE_PARTNER_AGENCY) {
      principal.set_agency_id(kDemoPartner);
    } else {
      principal.add_office_ids(kDemoOffice);
    }
    *file.add_keys() = gateway::MakeApiKey(dev.name, key, principal);
  }
  return server::WriteTextProtoFile(keys_path, file, 0600);
}

// The development key `dev`, if one was made and `keys` still accepts it;
// empty when the operator's key file does not hold it.
std::string DevKeyAcceptedBy(const std::string& data_dir, const DevKey& dev,
                             const homeward::internal::v1::ApiKeyFile& keys) {
  std::ifstream in(DevKeyPath(data_dir, dev));
  if (!in) return "";
  std::stringstream buf;
  buf << in.rdbuf();
  std::string key(absl::StripAsciiWhitespace(buf.str()));
  absl::StatusOr<gateway::ApiKeyAuthenticator> auth =
      gateway::ApiKeyAuthenticator::Create(keys);
  if (key.empty() || !auth.ok() || !auth->Authenticate(key).ok()) return "";
  return key;
}

// The settings every service of the suite shares, and its data directory
// <data_dir>/<name>. No listen address: the gateway and the other service
// reach it in-process.
void InitService(const EmbeddedOptions& options, absl::string_view name,
                 homeward::internal::v1::ServiceConfig* config) {
  config->set_data_dir(absl::StrCat(options.data_dir, "/", name));
  config->set_partition_count(options.partition_count);
  config->set_encryption_key_file(options.encryption_key_file);
  if (!options.backup_dir.empty()) {
    config->mutable_backup()->set_backup_dir(
        absl::StrCat(options.backup_dir, "/", name));
    config->mutable_backup()->set_interval_seconds(
        options.backup_interval_seconds);
  }
}

// Adds to config->upstream the one replica of `producer`, reached in-process
// at `address` (a key of the channels the service is started with).
void AddUpstream(absl::string_view producer, const std::string& address,
                 homeward::internal::v1::ServiceConfig* config) {
  auto* route = config->add_upstream();
  route->set_service(std::string(producer));
  route->add_replicas()->set_address(address);
}

}  // namespace

absl::StatusOr<std::unique_ptr<EmbeddedSuite>> EmbeddedSuite::Start(
    const EmbeddedOptions& options) {
  if (!options.encryption_key_file.empty()) {
    // Checked once, before anything is created, so that a bad file is named by
    // this binary's flag rather than four times by the services' config field.
    RETURN_IF_ERROR(storage::EncryptionKey::ReadFile(
                        options.encryption_key_file, "encryption_key_file")
                        .status());
  }
  // Plaintext public faces only when asked for, or on loopback (the quick
  // start): anything reachable from elsewhere needs TLS.
  if (options.public_transport.security_case() ==
          homeward::internal::v1::Transport::SECURITY_NOT_SET &&
      !(server::IsLoopbackAddress(options.grpc_listen) &&
        (options.http_listen.empty() ||
         server::IsLoopbackAddress(options.http_listen)))) {
    return errors::InvalidField(
        "public_transport",
        "is required when a public face listens on a non-loopback address: "
        "give --tls_certificate_file and --tls_private_key_file, or "
        "--plaintext_public to serve plaintext anyway (behind a "
        "TLS-terminating proxy)");
  }
  std::error_code error;
  for (const char* service :
       {"assessment", "planning", "referral", "follow_up"}) {
    std::filesystem::create_directories(
        absl::StrCat(options.data_dir, "/", service), error);
    if (error) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot create data directory '", options.data_dir,
                       "': ", error.message()));
    }
  }
  std::filesystem::permissions(options.data_dir,
                               std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, error);
  std::string secret_path = options.data_dir + "/principal.secret";
  RETURN_IF_ERROR(auth::EnsureSecretFile(secret_path));
  ASSIGN_OR_RETURN(std::string secret, auth::ReadSecretFile(secret_path));

  std::unique_ptr<EmbeddedSuite> suite(new EmbeddedSuite);
  // Before any part starts: each records into the process-wide metrics.
  if (!options.metrics_listen_address.empty()) {
    suite->metrics_ = std::make_shared<metrics::Metrics>();
    EmbeddedSuite* raw = suite.get();
    ASSIGN_OR_RETURN(
        suite->metrics_endpoint_,
        metrics::MetricsEndpoint::Start(
            options.metrics_listen_address, suite->metrics_,
            [raw] { return raw->serving_.load() && raw->gateway_->Ready(); }));
    metrics::Metrics::SetProcessWide(suite->metrics_);
  }
  suite->api_keys_file_ = options.api_keys_file.empty()
                              ? options.data_dir + "/api_keys.textproto"
                              : options.api_keys_file;
  // Only a missing file is replaced, and only the default one: a path the
  // operator named that does not exist is a mistake to report, not a place
  // to put a development key.
  if (!std::filesystem::exists(suite->api_keys_file_, error)) {
    if (!options.api_keys_file.empty()) {
      return errors::InvalidField(
          "api_keys_file",
          absl::StrCat("names '", options.api_keys_file,
                       "', which does not exist; omit it to have a "
                       "development key created in the data directory"));
    }
    RETURN_IF_ERROR(CreateDevKeyFile(options.data_dir, suite->api_keys_file_));
  }
  ASSIGN_OR_RETURN(
      homeward::internal::v1::ApiKeyFile keys,
      server::LoadTextProtoFile<homeward::internal::v1::ApiKeyFile>(
          suite->api_keys_file_));
  suite->dev_api_key_ = DevKeyAcceptedBy(options.data_dir, kDevKeys[0], keys);
  suite->dev_admin_key_ = DevKeyAcceptedBy(options.data_dir, kDevKeys[1], keys);
  suite->dev_partner_key_ =
      DevKeyAcceptedBy(options.data_dir, kDevKeys[2], keys);
  suite->dev_monitoring_key_ =
      DevKeyAcceptedBy(options.data_dir, kDevKeys[3], keys);

  // The services follow each other's feeds over in-process channels
  // (planning, referral and follow-up follow assessment's cases, needs,
  // concerns and consent; assessment follows the plans' approvals, the
  // referrals' outcomes and the follow-up's contacts and closures; referral
  // follows the plans' activities and the closures, planning the referrals'
  // progress and the closures, follow-up the plans and the referrals), and
  // a server's in-process channel exists only once it runs. So each
  // follower gets a LateChannel: assessment starts first (its followers
  // wait, retrying, while the slots are empty), then planning, referral and
  // follow-up, each slot set as soon as its server runs. Shutdown revokes every
  // slot before any server stops (common/feeds/producer_channel.h). Referral
  // also calls assessment (the consent check) over the same slot; nothing calls
  // referral back.
  const std::string to_assessment =
      absl::StrCat("in-process:", gateway::kAssessmentService);
  const std::string to_planning =
      absl::StrCat("in-process:", gateway::kPlanningService);
  const std::string to_referral =
      absl::StrCat("in-process:", gateway::kReferralService);
  const std::string to_follow_up =
      absl::StrCat("in-process:", gateway::kFollowUpService);
  auto assessment_channel = std::make_shared<feeds::LateChannel>();
  auto planning_channel = std::make_shared<feeds::LateChannel>();
  auto referral_channel = std::make_shared<feeds::LateChannel>();
  auto follow_up_channel = std::make_shared<feeds::LateChannel>();
  suite->feed_channels_ = {assessment_channel, planning_channel,
                           referral_channel, follow_up_channel};

  homeward::internal::v1::AssessmentConfig assessment_config;
  InitService(options, gateway::kAssessmentService,
              assessment_config.mutable_service());
  AddUpstream(planning::kPlanningBackend, to_planning,
              assessment_config.mutable_service());
  AddUpstream(referral::kReferralBackend, to_referral,
              assessment_config.mutable_service());
  AddUpstream(follow_up::kFollowUpBackend, to_follow_up,
              assessment_config.mutable_service());
  assessment_config.set_taxonomy_dir(options.taxonomy_dir);
  assessment_config.set_programmes_dir(options.programmes_dir);
  assessment_config.set_instruments_dir(options.instruments_dir);
  if (options.retention_interval_seconds.has_value()) {
    assessment_config.set_retention_interval_seconds(
        *options.retention_interval_seconds);
  }
  ASSIGN_OR_RETURN(
      std::unique_ptr<assessment::AssessmentServer> assessment,
      assessment::AssessmentServer::Start(assessment_config, secret,
                                          {{to_planning, planning_channel},
                                           {to_referral, referral_channel},
                                           {to_follow_up, follow_up_channel}}));
  assessment_channel->Set(assessment->InProcessChannel());
  suite->services_.push_back(gateway::InProcessService(
      gateway::kAssessmentService, std::move(assessment)));

  homeward::internal::v1::PlanningConfig planning_config;
  InitService(options, planning::kPlanningBackend,
              planning_config.mutable_service());
  AddUpstream(gateway::kAssessmentService, to_assessment,
              planning_config.mutable_service());
  AddUpstream(referral::kReferralBackend, to_referral,
              planning_config.mutable_service());
  AddUpstream(follow_up::kFollowUpBackend, to_follow_up,
              planning_config.mutable_service());
  planning_config.set_taxonomy_dir(options.taxonomy_dir);
  planning_config.set_feasibility_dir(options.feasibility_dir);
  planning_config.set_programmes_dir(options.programmes_dir);
  ASSIGN_OR_RETURN(
      std::unique_ptr<planning::PlanningServer> planning,
      planning::PlanningServer::Start(planning_config, secret,
                                      {{to_assessment, assessment_channel},
                                       {to_referral, referral_channel},
                                       {to_follow_up, follow_up_channel}}));
  planning_channel->Set(planning->InProcessChannel());
  suite->services_.push_back(gateway::InProcessService(
      gateway::kPlanningService, std::move(planning)));

  homeward::internal::v1::ReferralConfig referral_config;
  InitService(options, referral::kReferralBackend,
              referral_config.mutable_service());
  AddUpstream(gateway::kAssessmentService, to_assessment,
              referral_config.mutable_service());
  AddUpstream(planning::kPlanningBackend, to_planning,
              referral_config.mutable_service());
  AddUpstream(follow_up::kFollowUpBackend, to_follow_up,
              referral_config.mutable_service());
  referral_config.set_taxonomy_dir(options.taxonomy_dir);
  referral_config.set_programmes_dir(options.programmes_dir);
  ASSIGN_OR_RETURN(
      std::unique_ptr<referral::ReferralServer> referral,
      referral::ReferralServer::Start(referral_config, secret,
                                      {{to_assessment, assessment_channel},
                                       {to_planning, planning_channel},
                                       {to_follow_up, follow_up_channel}}));
  referral_channel->Set(referral->InProcessChannel());
  suite->services_.push_back(gateway::InProcessService(
      gateway::kReferralService, std::move(referral)));

  homeward::internal::v1::FollowUpConfig follow_up_config;
  InitService(options, follow_up::kFollowUpBackend,
              follow_up_config.mutable_service());
  AddUpstream(gateway::kAssessmentService, to_assessment,
              follow_up_config.mutable_service());
  AddUpstream(planning::kPlanningBackend, to_planning,
              follow_up_config.mutable_service());
  AddUpstream(referral::kReferralBackend, to_referral,
              follow_up_config.mutable_service());
  follow_up_config.set_taxonomy_dir(options.taxonomy_dir);
  follow_up_config.set_programmes_dir(options.programmes_dir);
  ASSIGN_OR_RETURN(
      std::unique_ptr<follow_up::FollowUpServer> follow_up,
      follow_up::FollowUpServer::Start(follow_up_config, secret,
                                       {{to_assessment, assessment_channel},
                                        {to_planning, planning_channel},
                                        {to_referral, referral_channel}}));
  follow_up_channel->Set(follow_up->InProcessChannel());
  suite->services_.push_back(gateway::InProcessService(
      gateway::kFollowUpService, std::move(follow_up)));

  gateway::GatewayServer::Options gw;
  gw.config.set_grpc_listen_address(options.grpc_listen);
  gw.config.set_http_listen_address(options.http_listen);
  gw.config.set_partition_count(options.partition_count);
  *gw.config.mutable_public_transport() = options.public_transport;
  suite->tls_ = options.public_transport.has_tls();
  gateway::RouteToLocalServices(suite->services_, &gw);
  gw.principal_secret = secret;
  gw.api_keys = std::move(keys);
  ASSIGN_OR_RETURN(suite->gateway_,
                   gateway::GatewayServer::Start(std::move(gw)));
  suite->serving_.store(true);
  return suite;
}

EmbeddedSuite::~EmbeddedSuite() {
  Shutdown(absl::Seconds(5));
  metrics_endpoint_.reset();
  if (metrics_ != nullptr && metrics::Metrics::ProcessWide() == metrics_) {
    metrics::Metrics::SetProcessWide(nullptr);
  }
}

void EmbeddedSuite::Shutdown(absl::Duration grace) {
  serving_.store(false);
  // First no follower may start a call on a server about to go: gRPC
  // crashes on a call started over the in-process channel of a server that
  // is gone, and each service follows the other until it stops itself.
  for (const auto& channel : feed_channels_) channel->Revoke();
  if (gateway_ != nullptr) gateway_->Shutdown(grace);
  gateway::ShutdownLocalServices(services_, grace);
}

std::string EmbeddedSuite::Instructions() const {
  std::string text = PlaintextInstructions();
  if (!tls_) return text;
  // The same calls over TLS.
  return absl::StrReplaceAll(
      text,
      {{"http://", "https://"},
       {"(all-in-one).\n",
        "(all-in-one), TLS on both faces: first\n"
        "  export HOMEWARD_CA=<the CA certificate that signed the server's>\n"},
       {"curl -s ", "curl -s --cacert \"$HOMEWARD_CA\" "}});
}

std::string EmbeddedSuite::PlaintextInstructions() const {
  std::string base = absl::StrCat("http://127.0.0.1:", http_port(),
                                  "/homeward.v1.CaseService");
  std::string plans = absl::StrCat("http://127.0.0.1:", http_port(),
                                   "/homeward.v1.PlanService");
  // With the operator's own key file there is no key to print.
  const std::string key =
      dev_api_key_.empty() ? "<your API key>" : dev_api_key_;
  const std::string key_line =
      dev_api_key_.empty()
          ? absl::StrCat("API keys from ", api_keys_file_)
          : absl::StrCat(
                "Development API key (a supervisor of ", kDemoOffice,
                "): ", dev_api_key_,
                dev_admin_key_.empty()
                    ? ""
                    : absl::StrCat("\n  Administrator key (programme data, "
                                   "the service directory): ",
                                   dev_admin_key_),
                dev_partner_key_.empty()
                    ? ""
                    : absl::StrCat("\n  Partner agency key (organization ",
                                   kDemoPartner, "): ", dev_partner_key_),
                dev_monitoring_key_.empty()
                    ? ""
                    : absl::StrCat("\n  Monitoring officer key (indicators of ",
                                   kDemoOffice, "): ", dev_monitoring_key_));
  // The indicators example covers this year, so that it counts the case the
  // register example makes today.
  const int this_year = static_cast<int>(
      absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year());
  return absl::StrFormat(
      R"(Homeward is running (all-in-one).
  JSON/HTTP : http://127.0.0.1:%d   gRPC : 127.0.0.1:%d
  %s

Register a case:
  curl -s -X POST %s/RegisterCase \
    -H 'Content-Type: application/json' -H 'Authorization: Bearer %s' \
    -d '{"requestId":"demo-1","case":{"returnee":{"givenName":"Awa","familyName":"Ndiaye","sex":"SEX_FEMALE","dateOfBirth":{"year":1990,"month":5,"day":17},"nationality":"SN","languages":["wo","fr"]},"returnInfo":{"country":"SN","region":"Dakar","locality":"Pikine","returnDate":{"year":2025,"month":10,"day":1},"returnType":"RETURN_TYPE_ASSISTED_VOLUNTARY"},"officeId":"%s","caseManagerId":"cm-demo","programmeId":"sn_reintegration"}}'

Fetch it (the case id is in the reply above):
  curl -s -X POST %s/GetCase \
    -H 'Content-Type: application/json' -H 'Authorization: Bearer %s' \
    -d '{"caseId":"<caseId from the reply>"}'

List the office's cases:
  curl -s -X POST %s/ListCases \
    -H 'Content-Type: application/json' -H 'Authorization: Bearer %s' -d '{}'

Read the case's reintegration plan (PlanService: CreatePlan, the workflow
steps and revisions are in docs/PLANNING.md):
  curl -s -X POST %s/GetPlan \
    -H 'Content-Type: application/json' -H 'Authorization: Bearer %s' \
    -d '{"caseId":"<caseId>"}'

Refer the returnee to a partner agency's service (DirectoryService,
ReferralService, and the partner's side, PartnerReferralService, with the
partner agency key): docs/REFERRAL.md walks through it from both sides.

Follow the case up once its plan is approved, and close it (FollowUpService,
CaseClosureService): docs/FOLLOW_UP.md.

Everything about one case at a glance (docs/OVERVIEW.md):
  curl -s -X POST http://127.0.0.1:%d/homeward.v1.CaseOverviewService/GetCaseOverview \
    -H 'Content-Type: application/json' -H 'Authorization: Bearer %s' \
    -d '{"caseId":"<caseId>"}'

The office's programme indicators, as JSON or one table as CSV (the
monitoring officer key; docs/INDICATORS.md):
  curl -s -X POST http://127.0.0.1:%d/homeward.v1.ProgrammeIndicatorService/GetProgrammeIndicators \
    -H 'Content-Type: application/json' -H 'Accept: text/csv' -H 'Authorization: Bearer %s' \
    -d '{"officeId":"%s","periodStart":{"year":%d,"month":1,"day":1},"periodEnd":{"year":%d,"month":12,"day":31},"table":"INDICATOR_TABLE_CASELOAD"}'

Stop with Ctrl-C (SIGINT) or SIGTERM.
)",
      http_port(), grpc_port(), key_line, base, key, kDemoOffice, base, key,
      base, key, plans, key, http_port(), key, http_port(),
      dev_monitoring_key_.empty() ? "<a monitoring officer's key>"
                                  : dev_monitoring_key_,
      kDemoOffice, this_year, this_year);
}

}  // namespace homeward::all_in_one
