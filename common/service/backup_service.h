// The BackupService every service replica serves on its internal listener
// (protos/homeward/internal/v1/operations.proto), and its scheduled backups:
// backups of the replica's store into ServiceConfig.backup.backup_dir with
// RocksDB's backup engine (common/storage/backup.h). Only ROLE_ADMINISTRATOR
// and ROLE_SERVICE principals may call it; with no backup_dir every call is
// FAILED_PRECONDITION naming `backup.backup_dir`.
//
// With backup.interval_seconds set, a thread takes (and verifies) a backup
// every interval and purges those beyond backup.keep; a failure is logged
// and counted, never fatal: the replica keeps serving.
//
//   auto* backups = parts.AddService<homeward::internal::v1::BackupService>(
//       std::make_unique<BackupService>(parts.name(), parts.store(),
//                                       parts.owned(), parts.verifier(),
//                                       parts.config().backup()));
//   parts.AddStop([backups] { backups->StopSchedule(); });
#ifndef HOMEWARD_COMMON_SERVICE_BACKUP_SERVICE_H_
#define HOMEWARD_COMMON_SERVICE_BACKUP_SERVICE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/principal_token.h"
#include "common/storage/backup.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "homeward/internal/v1/config.pb.h"
#include "homeward/internal/v1/operations.grpc.pb.h"

namespace homeward::service {

class BackupService final
    : public homeward::internal::v1::BackupService::Service {
 public:
  // The config field a refusal names when no backup directory is set.
  static constexpr char kBackupDirField[] = "backup.backup_dir";

  // Starts the schedule when `schedule` has a backup_dir and an interval.
  BackupService(std::string service_name, storage::Store* store,
                const storage::PartitionSet* owned,
                const auth::PrincipalVerifier* verifier,
                homeward::internal::v1::BackupSchedule schedule);
  ~BackupService() override;  // StopSchedule()

  grpc::Status CreateBackup(
      grpc::ServerContext* context,
      const homeward::internal::v1::CreateBackupRequest* request,
      homeward::internal::v1::BackupInfo* response) override;
  grpc::Status ListBackups(
      grpc::ServerContext* context,
      const homeward::internal::v1::ListBackupsRequest* request,
      homeward::internal::v1::ListBackupsResponse* response) override;
  grpc::Status VerifyBackup(
      grpc::ServerContext* context,
      const homeward::internal::v1::VerifyBackupRequest* request,
      homeward::internal::v1::BackupInfo* response) override;

  // Takes a backup now (verified when `verify`) and purges those beyond
  // `keep`: what CreateBackup and the schedule do.
  absl::StatusOr<homeward::internal::v1::BackupInfo> BackUpNow(bool verify);
  // Stops the scheduled backups (waits for one that is running). Idempotent.
  void StopSchedule();
  // Scheduled backups that succeeded and that failed since the start.
  uint64_t scheduled_backups() const;
  uint64_t scheduled_failures() const;

 private:
  // The archive, opened on first use.
  absl::StatusOr<storage::BackupArchive*> Archive();
  void RunSchedule();

  const std::string service_name_;
  storage::Store* const store_;
  const storage::PartitionSet* const owned_;
  const auth::PrincipalVerifier* const verifier_;
  const homeward::internal::v1::BackupSchedule schedule_;

  absl::Mutex archive_mu_;
  std::unique_ptr<storage::BackupArchive> archive_ ABSL_GUARDED_BY(archive_mu_);

  mutable absl::Mutex schedule_mu_;
  bool stopping_ ABSL_GUARDED_BY(schedule_mu_) = false;
  uint64_t scheduled_backups_ ABSL_GUARDED_BY(schedule_mu_) = 0;
  uint64_t scheduled_failures_ ABSL_GUARDED_BY(schedule_mu_) = 0;
  std::thread scheduler_;
};

// The BackupInfo fields a backup's metadata carries (service, partitions),
// and back: kept in the backup itself so `homewardctl backup list` and a
// restore can tell whose backup it is.
std::string BackupMetadata(const std::string& service,
                           const storage::PartitionSet& owned);
homeward::internal::v1::BackupInfo BackupInfoOf(
    const storage::BackupRecord& record);

}  // namespace homeward::service

#endif  // HOMEWARD_COMMON_SERVICE_BACKUP_SERVICE_H_
