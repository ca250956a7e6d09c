// BackupService and its schedule; see backup_service.h.
#include "common/service/backup_service.h"

#include <pthread.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/server/log.h"
#include "common/server/server_kit.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/time_util.h"

namespace homeward::service {
namespace {

using homeward::internal::v1::BackupInfo;

absl::Status CheckOperator(const auth::PrincipalVerifier& verifier,
                           const grpc::ServerContext& context) {
  ASSIGN_OR_RETURN(homeward::internal::v1::Principal principal,
                   verifier.Verify(context));
  if (principal.role() != homeward::v1::ROLE_ADMINISTRATOR &&
      principal.role() != homeward::v1::ROLE_SERVICE) {
    return errors::PermissionDenied(
        "only administrators and Homeward services may manage backups");
  }
  return absl::OkStatus();
}

}  // namespace

std::string BackupMetadata(const std::string& service,
                           const storage::PartitionSet& owned) {
  BackupInfo info;
  info.set_service(service);
  const std::vector<uint32_t>& partitions = owned.partitions();
  for (size_t i = 0; i < partitions.size(); ++i) {
    if (i == 0 || partitions[i] != partitions[i - 1] + 1) {
      info.add_partitions()->set_first(partitions[i]);
    }
    info.mutable_partitions()->rbegin()->set_last(partitions[i]);
  }
  return info.SerializeAsString();
}

BackupInfo BackupInfoOf(const storage::BackupRecord& record) {
  BackupInfo info;
  // A backup taken without metadata (by another tool) still lists.
  if (!info.ParseFromString(record.metadata)) info.Clear();
  info.set_backup_id(record.id);
  *info.mutable_create_time() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(
          absl::ToUnixSeconds(record.created));
  info.set_size_bytes(record.size_bytes);
  info.set_file_count(record.file_count);
  return info;
}

BackupService::BackupService(std::string service_name, storage::Store* store,
                             const storage::PartitionSet* owned,
                             const auth::PrincipalVerifier* verifier,
                             homeward::internal::v1::BackupSchedule schedule)
    : service_name_(std::move(service_name)),
      store_(store),
      owned_(owned),
      verifier_(verifier),
      schedule_(std::move(schedule)) {
  if (!schedule_.backup_dir().empty() && schedule_.interval_seconds() > 0) {
    scheduler_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "backup-schedule");
      RunSchedule();
    });
  }
}

BackupService::~BackupService() { StopSchedule(); }

void BackupService::StopSchedule() {
  {
    absl::MutexLock lock(&schedule_mu_);
    stopping_ = true;
  }
  if (scheduler_.joinable()) scheduler_.join();
}

uint64_t BackupService::scheduled_backups() const {
  absl::MutexLock lock(&schedule_mu_);
  return scheduled_backups_;
}

uint64_t BackupService::scheduled_failures() const {
  absl::MutexLock lock(&schedule_mu_);
  return scheduled_failures_;
}

void BackupService::RunSchedule() {
  const absl::Duration interval = absl::Seconds(schedule_.interval_seconds());
  while (true) {
    {
      absl::MutexLock lock(&schedule_mu_);
      // Woken early by StopSchedule.
      schedule_mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval);
      if (stopping_) return;
    }
    const absl::Time started = absl::Now();
    absl::StatusOr<BackupInfo> made = BackUpNow(/*verify=*/true);
    absl::MutexLock lock(&schedule_mu_);
    if (made.ok()) {
      ++scheduled_backups_;
      server::Log("info", "scheduled backup taken",
                  {{"service", service_name_},
                   {"backup_id", absl::StrCat(made->backup_id())},
                   {"size_bytes", absl::StrCat(made->size_bytes())},
                   {"seconds", absl::StrCat(absl::ToDoubleSeconds(absl::Now() -
                                                                  started))}});
    } else {
      ++scheduled_failures_;
      // The status names the directory and the RocksDB error, never data.
      server::Log("error", "scheduled backup failed",
                  {{"service", service_name_},
                   {"code", absl::StatusCodeToString(made.status().code())},
                   {"error", std::string(made.status().message())},
                   {"failures", absl::StrCat(scheduled_failures_)}});
    }
  }
}

absl::StatusOr<storage::BackupArchive*> BackupService::Archive() {
  if (schedule_.backup_dir().empty()) {
    return errors::FailedPrecondition(
        "BACKUP_DIR", kBackupDirField,
        absl::StrCat("this ", service_name_,
                     " replica has no backup directory: set ", kBackupDirField,
                     " in its config"));
  }
  absl::MutexLock lock(&archive_mu_);
  if (archive_ == nullptr) {
    ASSIGN_OR_RETURN(archive_, storage::BackupArchive::Open(
                                   schedule_.backup_dir(), store_->env()));
  }
  return archive_.get();
}

absl::StatusOr<BackupInfo> BackupService::BackUpNow(bool verify) {
  ASSIGN_OR_RETURN(storage::BackupArchive * archive, Archive());
  ASSIGN_OR_RETURN(
      storage::BackupRecord record,
      archive->Create(*store_, BackupMetadata(service_name_, *owned_)));
  if (verify) {
    ASSIGN_OR_RETURN(record, archive->Verify(record.id));
  }
  RETURN_IF_ERROR(archive->PurgeBeyond(schedule_.keep()));
  BackupInfo info = BackupInfoOf(record);
  info.set_verified(verify);
  return info;
}

grpc::Status BackupService::CreateBackup(
    grpc::ServerContext* context,
    const homeward::internal::v1::CreateBackupRequest* request,
    BackupInfo* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(CheckOperator(*verifier_, *context));
    ASSIGN_OR_RETURN(*response, BackUpNow(request->verify()));
    return absl::OkStatus();
  };
  return server::Finish(*context, "BackupService/CreateBackup", run());
}

grpc::Status BackupService::ListBackups(
    grpc::ServerContext* context,
    const homeward::internal::v1::ListBackupsRequest* /*request*/,
    homeward::internal::v1::ListBackupsResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(CheckOperator(*verifier_, *context));
    ASSIGN_OR_RETURN(storage::BackupArchive * archive, Archive());
    ASSIGN_OR_RETURN(std::vector<storage::BackupRecord> records,
                     archive->List());
    for (const storage::BackupRecord& record : records) {
      *response->add_backups() = BackupInfoOf(record);
    }
    return absl::OkStatus();
  };
  return server::Finish(*context, "BackupService/ListBackups", run());
}

grpc::Status BackupService::VerifyBackup(
    grpc::ServerContext* context,
    const homeward::internal::v1::VerifyBackupRequest* request,
    BackupInfo* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(CheckOperator(*verifier_, *context));
    if (request->backup_id() == 0) {
      return errors::InvalidField("backup_id",
                                  "is required (an id ListBackups names)");
    }
    ASSIGN_OR_RETURN(storage::BackupArchive * archive, Archive());
    ASSIGN_OR_RETURN(storage::BackupRecord record,
                     archive->Verify(request->backup_id()));
    *response = BackupInfoOf(record);
    response->set_verified(true);
    return absl::OkStatus();
  };
  return server::Finish(*context, "BackupService/VerifyBackup", run());
}

}  // namespace homeward::service
