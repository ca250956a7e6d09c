// Backups with RocksDB's backup engine; see backup.h.
#include "common/storage/backup.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/encrypted_env.h"

namespace homeward::storage {
namespace {

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return errors::StorageError(what, s.ToString());
}

BackupRecord RecordOf(const rocksdb::BackupInfo& info) {
  BackupRecord record;
  record.id = info.backup_id;
  record.created = absl::FromUnixSeconds(info.timestamp);
  record.size_bytes = info.size;
  record.file_count = info.number_files;
  record.metadata = info.app_metadata;
  return record;
}

rocksdb::BackupEngineOptions EngineOptions(const std::string& backup_dir,
                                           rocksdb::Env* env) {
  // Writing the backup through the store's Env is what keeps an encrypted
  // store's backup encrypted (Store::env()).
  rocksdb::BackupEngineOptions options(backup_dir, env);
  // Incremental: table files are named by their checksum and shared by
  // every backup that contains them.
  options.share_table_files = true;
  options.share_files_with_checksum = true;
  // Every copied file is synced, so a finished backup survives a crash.
  options.sync = true;
  return options;
}

// Whether `path` holds anything (an absent directory does not).
absl::StatusOr<bool> HoldsAnything(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return false;
  if (error)
    return errors::StorageError("reading the data directory", error.message());
  const bool empty = std::filesystem::is_empty(path, error);
  if (error)
    return errors::StorageError("reading the data directory", error.message());
  return !empty;
}

// Refuses a backup written under another key (or none) by name, before the
// backup engine reads its encrypted metadata as garbage: each backup's
// private directory holds the database's CURRENT file, whose header names
// the key (encrypted_env.h).
absl::Status CheckBackupKey(const std::string& backup_dir,
                            const EncryptionKey* key) {
  std::error_code error;
  const std::filesystem::path private_dir =
      std::filesystem::path(backup_dir) / "private";
  if (!std::filesystem::is_directory(private_dir, error)) {
    return errors::FailedPrecondition(
        "BACKUP_DIR", backup_dir,
        absl::StrCat("backup dir '", backup_dir, "' holds no backup"));
  }
  for (const auto& entry :
       std::filesystem::directory_iterator(private_dir, error)) {
    if (!entry.is_directory()) continue;
    absl::Status checked = CheckDataDirKey(entry.path().string(), key);
    if (checked.ok()) return checked;
    return errors::FailedPrecondition(
        "BACKUP_ENCRYPTION", backup_dir,
        absl::StrCat("backup dir '", backup_dir,
                     "' was not written under the given key (or lack of "
                     "one): ",
                     checked.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<BackupArchive>> BackupArchive::Open(
    const std::string& backup_dir, rocksdb::Env* env) {
  if (backup_dir.empty()) {
    return errors::FailedPrecondition("BACKUP_DIR", "backup.backup_dir",
                                      "no backup directory is configured: "
                                      "set backup.backup_dir");
  }
  // The backup engine creates the directory itself, but not its parents
  // (the all-in-one's <backup_dir>/<service>).
  std::error_code error;
  std::filesystem::create_directories(backup_dir, error);
  if (error) {
    return errors::StorageError("creating the backup directory",
                                error.message());
  }
  rocksdb::BackupEngine* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(
      rocksdb::BackupEngine::Open(EngineOptions(backup_dir, env), env, &raw),
      "opening the backup directory"));
  return std::unique_ptr<BackupArchive>(new BackupArchive(
      backup_dir, std::unique_ptr<rocksdb::BackupEngine>(raw)));
}

absl::StatusOr<BackupRecord> BackupArchive::Find(uint32_t id) {
  std::vector<rocksdb::BackupInfo> infos;
  engine_->GetBackupInfo(&infos);
  for (const rocksdb::BackupInfo& info : infos) {
    if (info.backup_id == id) return RecordOf(info);
  }
  return errors::NotFound("backup", absl::StrCat(id));
}

absl::StatusOr<BackupRecord> BackupArchive::Create(
    Store& store, const std::string& metadata) {
  absl::MutexLock lock(&mu_);
  uint32_t id = 0;
  RETURN_IF_ERROR(store.BackUp(*engine_, metadata, &id));
  return Find(id);
}

absl::StatusOr<std::vector<BackupRecord>> BackupArchive::List() {
  absl::MutexLock lock(&mu_);
  std::vector<rocksdb::BackupInfo> infos;
  engine_->GetBackupInfo(&infos);
  std::vector<BackupRecord> records;
  for (const rocksdb::BackupInfo& info : infos) {
    records.push_back(RecordOf(info));
  }
  std::sort(
      records.begin(), records.end(),
      [](const BackupRecord& a, const BackupRecord& b) { return a.id < b.id; });
  return records;
}

absl::StatusOr<BackupRecord> BackupArchive::Verify(uint32_t id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(BackupRecord record, Find(id));
  rocksdb::IOStatus verified =
      engine_->VerifyBackup(id, /*verify_with_checksum=*/true);
  if (!verified.ok()) {
    // Names the file and what differs (size or checksum), never content.
    return errors::DataLoss(
        absl::StrCat("backup ", id, " in '", backup_dir_,
                     "' failed verification: ", verified.ToString()));
  }
  return record;
}

absl::Status BackupArchive::PurgeBeyond(uint32_t keep) {
  absl::MutexLock lock(&mu_);
  return FromRocks(engine_->PurgeOldBackups(keep == 0 ? kDefaultKeep : keep),
                   "purging old backups");
}

absl::StatusOr<RestoreResult> RestoreBackup(const RestoreRequest& request) {
  ASSIGN_OR_RETURN(bool occupied, HoldsAnything(request.db_path));
  if (occupied) {
    return errors::FailedPrecondition(
        "DATA_DIR_NOT_EMPTY", request.db_path,
        absl::StrCat("data dir '", request.db_path,
                     "' is not empty: a backup is restored only into an "
                     "empty or absent directory"));
  }
  const EncryptionKey* key =
      request.encryption_key.has_value() ? &*request.encryption_key : nullptr;
  RETURN_IF_ERROR(CheckBackupKey(request.backup_dir, key));
  std::unique_ptr<rocksdb::Env> encrypted;
  if (key != nullptr) {
    ASSIGN_OR_RETURN(encrypted, NewEncryptedEnv(*key));
  }
  // The same Env on both sides: the restored files are encrypted under the
  // backup's key, so the store opens them with that key.
  rocksdb::Env* env =
      encrypted != nullptr ? encrypted.get() : rocksdb::Env::Default();
  RestoreResult result;
  {
    rocksdb::BackupEngineReadOnly* raw = nullptr;
    RETURN_IF_ERROR(
        FromRocks(rocksdb::BackupEngineReadOnly::Open(
                      EngineOptions(request.backup_dir, env), env, &raw),
                  "opening the backup directory"));
    std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
    std::vector<rocksdb::BackupInfo> infos;
    engine->GetBackupInfo(&infos);
    uint32_t id = request.backup_id;
    if (id == 0) {
      for (const rocksdb::BackupInfo& info : infos) {
        id = std::max<uint32_t>(id, info.backup_id);
      }
      if (id == 0) {
        return errors::FailedPrecondition(
            "BACKUP_DIR", request.backup_dir,
            absl::StrCat("backup dir '", request.backup_dir,
                         "' holds no backup"));
      }
    } else if (std::none_of(infos.begin(), infos.end(),
                            [id](const rocksdb::BackupInfo& info) {
                              return info.backup_id == id;
                            })) {
      return errors::NotFound("backup", absl::StrCat(id));
    }
    rocksdb::IOStatus verified =
        engine->VerifyBackup(id, /*verify_with_checksum=*/true);
    if (!verified.ok()) {
      return errors::DataLoss(absl::StrCat(
          "backup ", id, " in '", request.backup_dir,
          "' failed verification, nothing restored: ", verified.ToString()));
    }
    std::error_code error;
    std::filesystem::create_directories(request.db_path, error);
    if (error) {
      return errors::StorageError("creating the data directory",
                                  error.message());
    }
    RETURN_IF_ERROR(
        FromRocks(engine->RestoreDBFromBackup(rocksdb::RestoreOptions(), id,
                                              request.db_path, request.db_path),
                  "restoring the backup"));
    result.backup_id = id;
  }
  // The floor: above every restored head, and the restore time in
  // microseconds, which the old incarnation's sequences could only have
  // reached by writing more than one event per microsecond since its own
  // floor was set (docs/OPERATIONS.md).
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store,
                   Store::Open({.path = request.db_path,
                                .encryption_key = request.encryption_key}));
  ASSIGN_OR_RETURN(result.sequence_floor,
                   store->RaiseSequenceFloor(
                       static_cast<uint64_t>(absl::ToUnixMicros(request.now))));
  return result;
}

}  // namespace homeward::storage
