// Backups of one replica's store with RocksDB's backup engine, and restoring
// one into an empty directory (docs/OPERATIONS.md).
//
// A BackupArchive is one replica's backup directory. Backups are online (the
// store keeps serving; its memtables are flushed first, so a backup needs no
// WAL), incremental (table files already in the directory are shared, not
// copied again) and verifiable (every file's size and CRC32C re-read). They
// are written through the store's Env, so a store encrypted at rest has
// encrypted backups, readable only with the same key.
//
//   ASSIGN_OR_RETURN(auto archive,
//                    BackupArchive::Open("/backups/assessment-0",
//                    store->env()));
//   ASSIGN_OR_RETURN(BackupRecord made, archive->Create(*store, metadata));
//   RETURN_IF_ERROR(archive->Verify(made.id).status());
//   RETURN_IF_ERROR(archive->PurgeBeyond(7));
//
// Restoring is offline, into a directory that is absent or empty:
//
//   ASSIGN_OR_RETURN(RestoreResult restored,
//                    RestoreBackup({.backup_dir = "/backups/assessment-0",
//                                   .db_path = "/var/lib/homeward/rocksdb",
//                                   .encryption_key = key}));
//
// and raises the restored store's outbox sequence floor
// (Store::RaiseSequenceFloor) to the restore time in microseconds, so that
// the events the restored replica writes get sequences above any that the
// lost incarnation handed to feed consumers after the backup.
#ifndef HOMEWARD_COMMON_STORAGE_BACKUP_H_
#define HOMEWARD_COMMON_STORAGE_BACKUP_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/storage/encryption_key.h"
#include "common/storage/store.h"
#include "rocksdb/env.h"
#include "rocksdb/utilities/backup_engine.h"

namespace homeward::storage {

// One backup in an archive.
struct BackupRecord {
  uint32_t id = 0;
  absl::Time created;
  uint64_t size_bytes = 0;  // every file the backup needs, shared or not
  uint32_t file_count = 0;
  std::string metadata;  // as given to BackupArchive::Create
};

class BackupArchive {
 public:
  // How many backups are kept when a schedule does not say.
  static constexpr uint32_t kDefaultKeep = 7;

  // Opens (creating it if needed) the backup directory `backup_dir` with
  // `env` as both the database's and the backup's Env: pass Store::env(),
  // and keep the store open as long as the archive.
  static absl::StatusOr<std::unique_ptr<BackupArchive>> Open(
      const std::string& backup_dir, rocksdb::Env* env);

  // Takes a backup of `store` now (online; flushes first) carrying
  // `metadata`, and describes it.
  absl::StatusOr<BackupRecord> Create(Store& store,
                                      const std::string& metadata);
  // Every backup, oldest first.
  absl::StatusOr<std::vector<BackupRecord>> List();
  // Re-reads every file of backup `id` and checks its size and CRC32C:
  // NOT_FOUND for an unknown id, DATA_LOSS naming the backup when a file is
  // missing, truncated or altered.
  absl::StatusOr<BackupRecord> Verify(uint32_t id);
  // Deletes the oldest backups beyond the newest `keep` (0: kDefaultKeep),
  // and the shared files no remaining backup needs.
  absl::Status PurgeBeyond(uint32_t keep);

  const std::string& backup_dir() const { return backup_dir_; }

 private:
  BackupArchive(std::string backup_dir,
                std::unique_ptr<rocksdb::BackupEngine> engine)
      : backup_dir_(std::move(backup_dir)), engine_(std::move(engine)) {}
  absl::StatusOr<BackupRecord> Find(uint32_t id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string backup_dir_;
  // One operation at a time: a scheduled backup and an operator's call may
  // meet, and purging while backing up would race on the shared files.
  absl::Mutex mu_;
  std::unique_ptr<rocksdb::BackupEngine> engine_ ABSL_GUARDED_BY(mu_);
};

struct RestoreRequest {
  std::string backup_dir;
  // The RocksDB directory to restore into (a service's data_dir +
  // "/rocksdb"): absent or empty, else FAILED_PRECONDITION naming it.
  std::string db_path;
  // 0: the newest backup.
  uint32_t backup_id = 0;
  // The key the backup was written under (the store's); unset: plaintext.
  std::optional<EncryptionKey> encryption_key = std::nullopt;
  // When the restore happens: the sequence floor is its microseconds since
  // the epoch (or above the restored heads).
  absl::Time now = absl::Now();
};

struct RestoreResult {
  uint32_t backup_id = 0;
  // The restored store's new outbox sequence floor.
  uint64_t sequence_floor = 0;
};

// Verifies backup `backup_id` of `backup_dir`, copies it into the empty
// `db_path` and raises the restored store's sequence floor (see above).
// FAILED_PRECONDITION when db_path holds anything or the backup was written
// under another key (or none); NOT_FOUND for an unknown backup; DATA_LOSS
// when the backup fails verification (nothing is restored then).
absl::StatusOr<RestoreResult> RestoreBackup(const RestoreRequest& request);

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_BACKUP_H_
