// Wiring of the assessment service; see assessment_server.h.
#include "services/assessment/assessment_server.h"

#include "absl/strings/str_cat.h"
#include "common/auth/principal_token.h"
#include "common/feeds/event_feed_service.h"
#include "common/server/log.h"
#include "common/server/server_kit.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/deployment_settings.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "services/assessment/assessment_service.h"
#include "services/assessment/assessment_store.h"
#include "services/assessment/audit_service.h"
#include "services/assessment/case_service.h"
#include "services/assessment/case_store.h"
#include "services/assessment/consent_service.h"
#include "services/assessment/counselling_service.h"
#include "services/assessment/instrument_service.h"
#include "services/assessment/instrument_store.h"
#include "services/assessment/instruments/instrument_files.h"

namespace homeward::assessment {
namespace {

// 64 GiB: a larger cache is a typo, not a plan.
constexpr uint32_t kMaxRecordCacheMb = 64 << 10;

// Publishes the instrument files of `dir` that are not yet published. A file
// that would change a published version stops the start: scores must stay
// reproducible from the version they were made under.
absl::Status PublishInstrumentFiles(const std::string& dir,
                                    InstrumentStore& instruments) {
  ASSIGN_OR_RETURN(std::vector<homeward::v1::InstrumentDefinition> definitions,
                   LoadInstrumentDir(dir));
  service::Actor loader;
  loader.principal.set_user_id("instrument-loader");
  loader.principal.set_role(homeward::v1::ROLE_SERVICE);
  loader.method = "startup/LoadInstrumentDir";
  for (auto& definition : definitions) {
    absl::Status published =
        instruments.Publish(loader, std::move(definition)).status();
    if (!published.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("instruments_dir '", dir, "': ", published.message()));
    }
  }
  return absl::OkStatus();
}

// Refuses to serve a data directory created with another partition count:
// its cases would be looked for in the wrong partitions (NOT_FOUND) and a
// replayed registration would create a case a second time.
absl::Status KeepFixedSettings(storage::Store& store, uint32_t partition_count,
                               const std::string& data_dir) {
  homeward::internal::v1::ServiceConfig fixed;
  fixed.set_partition_count(partition_count);
  ASSIGN_OR_RETURN(storage::SettingsCheck check,
                   storage::KeepDeploymentSettings(store, fixed, data_dir));
  if (check == storage::SettingsCheck::kRecorded) {
    server::Log("info", "new data directory: deployment settings recorded",
                {{"data_dir", data_dir},
                 {"partition_count", absl::StrCat(partition_count)}});
  } else if (check == storage::SettingsCheck::kAdopted) {
    server::Log("warn",
                "data directory predates stored deployment settings: adopted "
                "the configured ones",
                {{"data_dir", data_dir},
                 {"partition_count", absl::StrCat(partition_count)}});
  }
  return absl::OkStatus();
}

}  // namespace

struct AssessmentServer::Parts {
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<auth::PrincipalVerifier> verifier;
  std::unique_ptr<storage::PartitionSet> owned;
  std::unique_ptr<CaseStore> cases;
  std::unique_ptr<InstrumentStore> instruments;
  std::unique_ptr<AssessmentStore> assessments;
  // Every RPC service this process serves, in registration order.
  std::vector<std::unique_ptr<grpc::Service>> services;
  std::unique_ptr<grpc::Server> server;
};

absl::StatusOr<std::unique_ptr<AssessmentServer>> AssessmentServer::Start(
    const homeward::internal::v1::ServiceConfig& config,
    const std::string& principal_secret) {
  errors::FieldViolations bad;
  if (config.data_dir().empty()) bad.Add("data_dir", "is required");
  if (config.record_cache_mb() > kMaxRecordCacheMb) {
    bad.Add("record_cache_mb",
            absl::StrCat("must be at most ", kMaxRecordCacheMb, " (MiB)"));
  }
  if (principal_secret.size() < 32) {
    bad.Add("principal_secret_file",
            "must hold a secret of at least 32 characters");
  }
  RETURN_IF_ERROR(bad.ToStatus());
  uint32_t partition_count = config.partition_count() == 0
                                 ? storage::kDefaultPartitionCount
                                 : config.partition_count();
  ASSIGN_OR_RETURN(storage::PartitionSet owned,
                   storage::PartitionSet::FromRanges(config.owned_partitions(),
                                                     partition_count));

  auto parts = std::make_unique<Parts>();
  ASSIGN_OR_RETURN(parts->store,
                   storage::Store::Open(
                       {.path = config.data_dir() + "/rocksdb",
                        .sync_writes = !config.unsafe_skip_sync(),
                        .record_cache_bytes =
                            config.has_record_cache_mb()
                                ? size_t{config.record_cache_mb()} << 20
                                : storage::Store::Options{}.record_cache_bytes,
                        .partition_count = partition_count}));
  RETURN_IF_ERROR(
      KeepFixedSettings(*parts->store, partition_count, config.data_dir()));
  uint32_t max_age = config.principal_max_age_seconds() == 0
                         ? 300
                         : config.principal_max_age_seconds();
  parts->verifier = std::make_unique<auth::PrincipalVerifier>(
      principal_secret, absl::Seconds(max_age));
  parts->owned = std::make_unique<storage::PartitionSet>(std::move(owned));
  parts->cases = std::make_unique<CaseStore>(parts->store.get(), *parts->owned);
  parts->instruments = std::make_unique<InstrumentStore>(parts->store.get());
  parts->assessments = std::make_unique<AssessmentStore>(parts->store.get());
  if (!config.instruments_dir().empty()) {
    RETURN_IF_ERROR(
        PublishInstrumentFiles(config.instruments_dir(), *parts->instruments));
  }
  parts->services.push_back(std::make_unique<CaseServiceImpl>(
      parts->cases.get(), parts->verifier.get()));
  parts->services.push_back(std::make_unique<InstrumentServiceImpl>(
      parts->instruments.get(), parts->verifier.get()));
  parts->services.push_back(std::make_unique<AssessmentServiceImpl>(
      parts->cases.get(), parts->instruments.get(), parts->assessments.get(),
      parts->verifier.get()));
  parts->services.push_back(std::make_unique<ConsentServiceImpl>(
      parts->cases.get(), parts->store.get(), parts->verifier.get()));
  parts->services.push_back(std::make_unique<CounsellingServiceImpl>(
      parts->cases.get(), parts->store.get(), parts->verifier.get()));
  parts->services.push_back(std::make_unique<AuditServiceImpl>(
      parts->cases.get(), parts->store.get(), parts->owned.get(),
      parts->verifier.get()));
  parts->services.push_back(std::make_unique<feeds::EventFeedService>(
      parts->store.get(), parts->owned.get(), parts->verifier.get()));

  grpc::ServerBuilder builder;
  server::PrepareServerBuilder(&builder);
  int port = 0;
  if (!config.listen_address().empty()) {
    builder.AddListeningPort(config.listen_address(),
                             grpc::InsecureServerCredentials(), &port);
  }
  for (auto& service : parts->services) builder.RegisterService(service.get());
  parts->server = builder.BuildAndStart();
  if (parts->server == nullptr ||
      (!config.listen_address().empty() && port == 0)) {
    return errors::Unavailable(absl::StrCat(
        "assessment service cannot listen on '", config.listen_address(),
        "': is the address local and the port free?"));
  }
  return std::unique_ptr<AssessmentServer>(
      new AssessmentServer(std::move(parts), port));
}

AssessmentServer::AssessmentServer(std::unique_ptr<Parts> parts, int port)
    : parts_(std::move(parts)), port_(port) {}

AssessmentServer::~AssessmentServer() { Shutdown(absl::Seconds(5)); }

std::shared_ptr<grpc::Channel> AssessmentServer::InProcessChannel() {
  return parts_->server->InProcessChannel(server::InternalChannelArguments());
}

absl::Status AssessmentServer::WaitForStorageIdle(
    absl::Duration timeout) const {
  return parts_->store->WaitForBackgroundWork(timeout);
}

void AssessmentServer::Shutdown(absl::Duration grace) {
  if (parts_->server == nullptr) return;
  // Health checks answer NOT_SERVING from here on, so that a gateway stops
  // counting this replica as ready while its calls drain.
  if (auto* health = parts_->server->GetHealthCheckService()) {
    health->Shutdown();
  }
  parts_->server->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  parts_->server->Wait();
  parts_->server.reset();
  // Closing the store drains the committer, so every acknowledged write is
  // in the synced WAL before the process exits.
  parts_->store.reset();
}

}  // namespace homeward::assessment
