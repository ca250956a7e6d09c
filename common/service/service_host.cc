// Running a service; see service_host.h.
#include "common/service/service_host.h"

#include <optional>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/feeds/event_feed_service.h"
#include "common/feeds/outbox_trim.h"
#include "common/metrics/rpc_metrics.h"
#include "common/metrics/store_metrics.h"
#include "common/routing/route_table.h"
#include "common/server/log.h"
#include "common/server/server_kit.h"
#include "common/server/transport.h"
#include "common/service/backup_service.h"
#include "common/service/owned_partitions.h"
#include "common/service/partition_move_service.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/deployment_settings.h"
#include "common/storage/encryption_key.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "homeward/internal/v1/operations.grpc.pb.h"

namespace homeward::service {
namespace {

using homeward::internal::v1::ServiceConfig;

// 64 GiB: a larger cache is a typo, not a plan.
constexpr uint32_t kMaxRecordCacheMb = 64 << 10;
// How old a signed principal may be when the config does not say.
constexpr uint32_t kDefaultPrincipalMaxAgeSeconds = 300;

uint32_t PartitionCountOf(const ServiceConfig& config) {
  return config.partition_count() == 0 ? storage::kDefaultPartitionCount
                                       : config.partition_count();
}

// Adds the violations of an INVALID_ARGUMENT `status` to `bad`, their field
// paths rewritten from `from` to `to`; any other error is returned.
absl::Status AddViolations(const absl::Status& status, absl::string_view from,
                           absl::string_view to, errors::FieldViolations& bad) {
  if (status.ok()) return absl::OkStatus();
  std::vector<errors::FieldViolation> violations =
      errors::FieldViolationsOf(status);
  if (violations.empty()) return status;
  for (errors::FieldViolation& v : violations) {
    std::string field = v.field;
    if (absl::StartsWith(field, from)) {
      field = absl::StrCat(to, field.substr(from.size()));
    }
    bad.Add(std::move(field), std::move(v.description));
  }
  return absl::OkStatus();
}

// Every problem of `config` and `principal_secret`, one violation per field;
// the internal transport's credentials when there is none.
struct InternalCredentials {
  std::shared_ptr<grpc::ServerCredentials> listener;
  std::shared_ptr<grpc::ChannelCredentials> dial;
};
absl::StatusOr<InternalCredentials> Validate(
    const ServiceConfig& config, const std::string& principal_secret) {
  errors::FieldViolations bad;
  InternalCredentials credentials;
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> listener =
      server::ListenerCredentials(config.internal_transport(),
                                  "internal_transport",
                                  server::ClientCertificates::kRequired);
  RETURN_IF_ERROR(AddViolations(listener.status(), "", "", bad));
  if (listener.ok()) {
    credentials.listener = *std::move(listener);
    // The same files: their problems are already named once.
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> dial =
        server::DialCredentials(config.internal_transport(),
                                "internal_transport");
    RETURN_IF_ERROR(AddViolations(dial.status(), "", "", bad));
    if (dial.ok()) credentials.dial = *std::move(dial);
  }
  if (config.data_dir().empty()) bad.Add("data_dir", "is required");
  if (config.record_cache_mb() > kMaxRecordCacheMb) {
    bad.Add("record_cache_mb",
            absl::StrCat("must be at most ", kMaxRecordCacheMb, " (MiB)"));
  }
  if (principal_secret.size() < 32) {
    bad.Add("principal_secret_file",
            "must hold a secret of at least 32 characters");
  }
  const uint32_t partition_count = PartitionCountOf(config);
  RETURN_IF_ERROR(AddViolations(storage::PartitionSet::FromRanges(
                                    config.owned_partitions(), partition_count)
                                    .status(),
                                "owned_partitions", "owned_partitions", bad));
  if (config.start_without_partitions() && !config.owned_partitions().empty()) {
    bad.Add("start_without_partitions",
            "must not be set together with owned_partitions (it means none)");
  }
  // Each upstream service must be routable as the gateway's routes are.
  std::set<std::string> upstream;
  for (int i = 0; i < config.upstream_size(); ++i) {
    const std::string& service = config.upstream(i).service();
    if (service.empty()) {
      bad.Add(absl::StrCat("upstream[", i, "].service"), "is required");
    } else if (upstream.insert(service).second) {
      RETURN_IF_ERROR(
          AddViolations(routing::RouteTable::Create(config.upstream(),
                                                    partition_count, service)
                            .status(),
                        "routes", "upstream", bad));
    }
  }
  RETURN_IF_ERROR(bad.ToStatus());
  return credentials;
}

// Refuses to serve a data directory created with another partition count:
// its cases would be looked for in the wrong partitions (NOT_FOUND) and a
// replayed registration would create a case a second time.
absl::Status KeepFixedSettings(storage::Store& store, uint32_t partition_count,
                               const std::string& data_dir) {
  ServiceConfig fixed;
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

// The key of `encryption_key_file`; nullopt when the setting is empty (the
// data stays in plaintext).
absl::StatusOr<std::optional<storage::EncryptionKey>> ReadEncryptionKey(
    const ServiceConfig& config) {
  if (config.encryption_key_file().empty()) return std::nullopt;
  ASSIGN_OR_RETURN(
      storage::EncryptionKey key,
      storage::EncryptionKey::ReadFile(config.encryption_key_file(),
                                       storage::EncryptionKey::kConfigField));
  return key;
}

}  // namespace

ServiceParts::~ServiceParts() { Close(absl::ZeroDuration()); }

google::protobuf::RepeatedPtrField<homeward::internal::v1::ServiceRoute>
ServiceParts::UpstreamRoutes() const {
  if (upstream_routes_file_ == nullptr) return config_.upstream();
  return upstream_routes_file_->Current().routes();
}

void ServiceParts::OnUpstreamRoutesChange(
    std::function<void()> listener) const {
  if (upstream_routes_file_ == nullptr) return;
  upstream_routes_file_->OnChange(
      [listener = std::move(listener)](
          const homeward::internal::v1::RouteMap&) { listener(); });
}

void ServiceParts::AddService(std::string full_name,
                              std::unique_ptr<grpc::Service> service) {
  services_.emplace_back(std::move(full_name), std::move(service));
}

void ServiceParts::Close(absl::Duration grace) {
  serving_->store(false);
  if (server_ != nullptr) {
    // Health checks answer NOT_SERVING from here on, so that a gateway stops
    // counting this replica as ready while its calls drain.
    if (auto* health = server_->GetHealthCheckService()) health->Shutdown();
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
    server_.reset();
  }
  // No route switch may reach a follower being stopped.
  upstream_routes_file_.reset();
  while (!stops_.empty()) {
    std::function<void()> stop = std::move(stops_.back());
    stops_.pop_back();
    stop();
  }
  services_.clear();
  while (!parts_.empty()) parts_.pop_back();
  // Closing the store drains the committer, so every acknowledged write is
  // in the synced WAL before the process exits.
  store_.reset();
}

absl::StatusOr<std::unique_ptr<ServiceHost>> ServiceHost::Start(
    const ServiceDefinition& definition, const ServiceConfig& config,
    const std::string& principal_secret) {
  ASSIGN_OR_RETURN(InternalCredentials credentials,
                   Validate(config, principal_secret));
  const uint32_t partition_count = PartitionCountOf(config);
  auto parts =
      std::unique_ptr<ServiceParts>(new ServiceParts(definition.name, config));
  parts->principal_secret_ = principal_secret;
  parts->internal_credentials_ = std::move(credentials.dial);
  ASSIGN_OR_RETURN(std::optional<storage::EncryptionKey> encryption_key,
                   ReadEncryptionKey(config));
  // Metrics first: the store reports its commits from its first one.
  std::unique_ptr<metrics::MetricsEndpoint> metrics_endpoint;
  if (!config.metrics_listen_address().empty()) {
    parts->metrics_ = std::make_shared<metrics::Metrics>();
    ASSIGN_OR_RETURN(
        metrics_endpoint,
        metrics::MetricsEndpoint::Start(
            config.metrics_listen_address(), parts->metrics_,
            [serving = parts->serving_] { return serving->load(); }));
  } else {
    parts->metrics_ = metrics::Metrics::ProcessWide();
  }
  std::shared_ptr<storage::CommitObserver> commit_observer;
  if (parts->metrics_ != nullptr) {
    commit_observer = std::make_shared<metrics::StoreCommitMetrics>(
        *parts->metrics_, definition.name);
  }
  ASSIGN_OR_RETURN(parts->store_,
                   storage::Store::Open(
                       {.path = config.data_dir() + "/rocksdb",
                        .sync_writes = !config.unsafe_skip_sync(),
                        .record_cache_bytes =
                            config.has_record_cache_mb()
                                ? size_t{config.record_cache_mb()} << 20
                                : storage::Store::Options{}.record_cache_bytes,
                        .partition_count = partition_count,
                        .encryption_key = encryption_key,
                        .commit_observer = commit_observer,
                        .collect_statistics = parts->metrics_ != nullptr}));
  if (parts->metrics_ != nullptr) {
    // A part, so that it goes before the store closes.
    parts->Own(metrics::WatchStore(*parts->metrics_, definition.name,
                                   parts->store_.get()));
  }
  if (encryption_key.has_value()) {
    server::Log(
        "info", "data encrypted at rest",
        {{"data_dir", config.data_dir()}, {"key_id", encryption_key->id()}});
  }
  RETURN_IF_ERROR(
      KeepFixedSettings(*parts->store_, partition_count, config.data_dir()));
  // What the replica owns is kept in its store (owned_partitions.h).
  ASSIGN_OR_RETURN(
      storage::PartitionSet owned,
      LoadOwnedPartitions(*parts->store_, config, partition_count));
  parts->owned_ = std::make_unique<storage::PartitionSet>(std::move(owned));
  if (!config.upstream_routes_file().empty()) {
    ASSIGN_OR_RETURN(parts->upstream_routes_file_,
                     routing::RouteMapFile::Load(config.upstream_routes_file(),
                                                 partition_count));
  }
  const uint32_t max_age = config.principal_max_age_seconds() == 0
                               ? kDefaultPrincipalMaxAgeSeconds
                               : config.principal_max_age_seconds();
  parts->verifier_ = std::make_unique<auth::PrincipalVerifier>(
      principal_secret, absl::Seconds(max_age));
  RETURN_IF_ERROR(definition.build(*parts));
  // Every service serves its outbox to the services that follow it, keeps
  // a registry of them and trims what all have applied (event retention).
  const feeds::RetentionSettings retention =
      feeds::RetentionSettingsOf(config.event_retention());
  auto* consumers = parts->Own(std::make_unique<feeds::ConsumerRegistry>(
      parts->store(), parts->owned(), retention.consumer_behind));
  parts->AddService<homeward::v1::EventFeedService>(
      std::make_unique<feeds::EventFeedService>(parts->store(), parts->owned(),
                                                parts->verifier(), consumers));
  auto* trimmer = parts->Own(std::make_unique<feeds::OutboxTrimmer>(
      feeds::OutboxTrimmer::Options{.store = parts->store(),
                                    .owned = parts->owned(),
                                    .registry = consumers,
                                    .settings = retention}));
  trimmer->Start();
  parts->AddStop([trimmer] { trimmer->Stop(); });
  parts->outbox_trimmer_ = trimmer;

  // Every replica hands its partitions over on request (operators only).
  parts->AddService<homeward::internal::v1::PartitionMoveService>(
      std::make_unique<PartitionMoveServiceImpl>(parts.get()));

  // Every replica backs its store up on demand (and on schedule when
  // config.backup says so); docs/OPERATIONS.md.
  auto* backups = parts->AddService<homeward::internal::v1::BackupService>(
      std::make_unique<BackupService>(definition.name, parts->store(),
                                      parts->owned(), parts->verifier(),
                                      config.backup()));
  parts->AddStop([backups] { backups->StopSchedule(); });

  grpc::ServerBuilder builder;
  server::ServerInterceptorFactories interceptors;
  if (parts->metrics_ != nullptr) {
    interceptors.push_back(metrics::RpcMetrics::InterceptorFactory(
        std::make_shared<metrics::RpcMetrics>(parts->metrics_, definition.name,
                                              "grpc")));
  }
  server::PrepareServerBuilder(&builder, server::RequestDecoding::kTyped,
                               std::move(interceptors));
  int port = 0;
  if (!config.listen_address().empty()) {
    builder.AddListeningPort(config.listen_address(), credentials.listener,
                             &port);
  }
  for (auto& [name, service] : parts->services_) {
    builder.RegisterService(service.get());
  }
  parts->server_ = builder.BuildAndStart();
  if (parts->server_ == nullptr ||
      (!config.listen_address().empty() && port == 0)) {
    return errors::Unavailable(absl::StrCat(
        definition.name, " service cannot listen on '", config.listen_address(),
        "': is the address local and the port free?"));
  }
  if (auto* health = parts->server_->GetHealthCheckService()) {
    for (const auto& [name, service] : parts->services_) {
      health->SetServingStatus(name, true);
    }
  }
  parts->serving_->store(true);
  return std::unique_ptr<ServiceHost>(
      new ServiceHost(std::move(parts), port, std::move(metrics_endpoint)));
}

ServiceHost::~ServiceHost() { Shutdown(absl::Seconds(5)); }

std::shared_ptr<grpc::Channel> ServiceHost::InProcessChannel() {
  return parts_->server_->InProcessChannel(server::InternalChannelArguments());
}

absl::Status ServiceHost::WaitForStorageIdle(absl::Duration timeout) const {
  return parts_->store_->WaitForBackgroundWork(timeout);
}

void ServiceHost::Shutdown(absl::Duration grace) { parts_->Close(grace); }

}  // namespace homeward::service
