// Backups and restores of a real store in temporary directories: backups are
// incremental, verification catches a damaged file, a restore refuses an
// occupied directory, an encrypted store's backup stays encrypted, and a
// restored store's sequences start above its outbox sequence floor.
#include "common/storage/backup.h"

#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.pb.h"
#include "tests/fixtures/data_dir_files.h"
#include "tests/fixtures/temp_dir.h"

// `lhs` = the value of the StatusOr `expr`, or a fatal failure.
#define BACKUP_CONCAT_INNER(a, b) a##b
#define BACKUP_CONCAT(a, b) BACKUP_CONCAT_INNER(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                 \
  auto BACKUP_CONCAT(status_or_, __LINE__) = (expr);    \
  ASSERT_TRUE(BACKUP_CONCAT(status_or_, __LINE__).ok()) \
      << BACKUP_CONCAT(status_or_, __LINE__).status();  \
  lhs = std::move(BACKUP_CONCAT(status_or_, __LINE__)).value()

namespace homeward::storage {
namespace {

using ::homeward::testing::FilesHolding;
using ::homeward::testing::IsOkAndHolds;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::v1::Event;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kKeyHex[] =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
// Appears only in the case records: searched for in backup files.
constexpr char kFamilyName[] = "Abernathy-Quispe";

EncryptionKey Key() {
  absl::StatusOr<EncryptionKey> key =
      EncryptionKey::FromBytes(absl::HexStringToBytes(kKeyHex));
  EXPECT_TRUE(key.ok()) << key.status();
  return *std::move(key);
}

// Registers case `id` in partition `p`: its record and its event.
absl::Status WriteCase(Store& store, uint32_t p, const std::string& id) {
  homeward::v1::Case c;
  c.set_case_id(id);
  c.mutable_returnee()->set_family_name(kFamilyName);
  Event event;
  event.set_partition(p);
  event.set_subject_id(id);
  event.mutable_case_registered()->mutable_case_()->set_case_id(id);
  WriteSet set;
  set.PutRecord(p, "case", id, 1, c).AppendEvent(event);
  return store.Commit(std::move(set)).status();
}

std::set<std::string> SharedFiles(const std::string& backup_dir) {
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(backup_dir) / "shared_checksum")) {
    files.insert(entry.path().filename().string());
  }
  return files;
}

std::vector<uint64_t> Sequences(const Store& store, uint32_t p,
                                uint64_t after) {
  absl::StatusOr<std::vector<Event>> events = store.ReadEvents(p, after, 100);
  EXPECT_TRUE(events.ok()) << events.status();
  std::vector<uint64_t> sequences;
  for (const Event& e : *events) sequences.push_back(e.sequence());
  return sequences;
}

TEST(BackupArchiveTest, SecondBackupCopiesOnlyTheNewTableFiles) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                       Store::Open({.path = dir.path() + "/db"}));
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<BackupArchive> archive,
      BackupArchive::Open(dir.path() + "/backup", store->env()));
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(WriteCase(*store, 1, absl::StrCat("C", i)));
  }
  ASSERT_OK_AND_ASSIGN(BackupRecord first, archive->Create(*store, "one"));
  const std::set<std::string> after_first = SharedFiles(dir.path() + "/backup");
  ASSERT_THAT(after_first, Not(IsEmpty()));

  ASSERT_OK(WriteCase(*store, 1, "C-late"));
  ASSERT_OK_AND_ASSIGN(BackupRecord second, archive->Create(*store, "two"));
  const std::set<std::string> after_second =
      SharedFiles(dir.path() + "/backup");
  // Every table file of the first backup is still there, shared; the
  // second added only the files its flush wrote.
  for (const std::string& file : after_first) {
    EXPECT_EQ(after_second.count(file), 1u) << file;
  }
  const size_t added = after_second.size() - after_first.size();
  EXPECT_GT(added, 0u);
  EXPECT_LT(added, after_first.size());
  EXPECT_GT(second.id, first.id);

  ASSERT_OK_AND_ASSIGN(std::vector<BackupRecord> listed, archive->List());
  ASSERT_THAT(listed, SizeIs(2));
  EXPECT_EQ(listed[0].id, first.id);
  EXPECT_EQ(listed[0].metadata, "one");
  EXPECT_EQ(listed[1].metadata, "two");
  EXPECT_THAT(archive->Verify(second.id),
              IsOkAndHolds(::testing::Field(&BackupRecord::id, second.id)));
}

TEST(BackupArchiveTest, PurgeKeepsTheNewest) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                       Store::Open({.path = dir.path() + "/db"}));
  // Its parent does not exist yet either (the all-in-one's layout).
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<BackupArchive> archive,
      BackupArchive::Open(dir.path() + "/backups/assessment", store->env()));
  std::vector<uint32_t> ids;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(WriteCase(*store, 0, absl::StrCat("C", i)));
    ASSERT_OK_AND_ASSIGN(BackupRecord made, archive->Create(*store, ""));
    ids.push_back(made.id);
  }
  ASSERT_OK(archive->PurgeBeyond(2));
  ASSERT_OK_AND_ASSIGN(std::vector<BackupRecord> listed, archive->List());
  std::vector<uint32_t> kept;
  for (const BackupRecord& r : listed) kept.push_back(r.id);
  EXPECT_THAT(kept, ElementsAre(ids[1], ids[2]));
  EXPECT_THAT(archive->Verify(ids[0]), StatusIs(absl::StatusCode::kNotFound));
}

TEST(BackupArchiveTest, VerifyFindsAnAlteredFileAndRestoreRefusesIt) {
  TempDir dir;
  const std::string backup = dir.path() + "/backup";
  uint32_t id = 0;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                         Store::Open({.path = dir.path() + "/db"}));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<BackupArchive> archive,
                         BackupArchive::Open(backup, store->env()));
    ASSERT_OK(WriteCase(*store, 0, "C1"));
    ASSERT_OK_AND_ASSIGN(BackupRecord made, archive->Create(*store, ""));
    id = made.id;
    ASSERT_OK(archive->Verify(id).status());
  }
  // Flip one byte in the middle of the largest shared table file: same
  // size, another checksum.
  std::filesystem::path largest;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(backup) / "shared_checksum")) {
    if (largest.empty() || entry.file_size() > file_size(largest)) {
      largest = entry.path();
    }
  }
  ASSERT_FALSE(largest.empty());
  {
    std::fstream file(largest, std::ios::in | std::ios::out | std::ios::binary);
    const std::streamoff middle =
        static_cast<std::streamoff>(file_size(largest) / 2);
    file.seekg(middle);
    char byte = 0;
    file.get(byte);
    file.seekp(middle);
    file.put(static_cast<char>(byte ^ 0x5a));
  }
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                         Store::Open({.path = dir.path() + "/db"}));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<BackupArchive> archive,
                         BackupArchive::Open(backup, store->env()));
    EXPECT_THAT(archive->Verify(id),
                StatusIs(absl::StatusCode::kDataLoss,
                         HasSubstr(absl::StrCat("backup ", id))));
  }
  EXPECT_THAT(RestoreBackup(
                  {.backup_dir = backup, .db_path = dir.path() + "/restored"}),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/restored/CURRENT"));
}

TEST(RestoreBackupTest, RefusesADirectoryThatHoldsAnything) {
  TempDir dir;
  const std::string backup = dir.path() + "/backup";
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                         Store::Open({.path = dir.path() + "/db"}));
    ASSERT_OK(WriteCase(*store, 0, "C1"));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<BackupArchive> archive,
                         BackupArchive::Open(backup, store->env()));
    ASSERT_OK(archive->Create(*store, "").status());
  }
  const std::string occupied = dir.path() + "/occupied";
  std::filesystem::create_directories(occupied);
  std::ofstream(occupied + "/notes.txt") << "keep me";
  EXPECT_THAT(
      RestoreBackup({.backup_dir = backup, .db_path = occupied}),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr(absl::StrCat("'", occupied, "' is not empty"))));
  EXPECT_TRUE(std::filesystem::exists(occupied + "/notes.txt"));
  EXPECT_FALSE(std::filesystem::exists(occupied + "/CURRENT"));
  // The live store's own directory is refused the same way.
  EXPECT_THAT(
      RestoreBackup({.backup_dir = backup, .db_path = dir.path() + "/db"}),
      StatusIs(absl::StatusCode::kFailedPrecondition));
  // An empty directory is fine.
  std::filesystem::create_directories(dir.path() + "/empty");
  EXPECT_OK(
      RestoreBackup({.backup_dir = backup, .db_path = dir.path() + "/empty"})
          .status());
}

TEST(RestoreBackupTest, EncryptedBackupHoldsNoPlaintextAndNeedsItsKey) {
  TempDir dir;
  const std::string backup = dir.path() + "/backup";
  {
    ASSERT_OK_AND_ASSIGN(
        std::unique_ptr<Store> store,
        Store::Open({.path = dir.path() + "/db", .encryption_key = Key()}));
    ASSERT_OK(WriteCase(*store, 0, "C1"));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<BackupArchive> archive,
                         BackupArchive::Open(backup, store->env()));
    ASSERT_OK_AND_ASSIGN(BackupRecord made, archive->Create(*store, ""));
    ASSERT_OK(archive->Verify(made.id).status());
  }
  EXPECT_THAT(FilesHolding(backup, kFamilyName), IsEmpty());

  // Without the key: refused by name, before anything is restored.
  EXPECT_THAT(
      RestoreBackup({.backup_dir = backup, .db_path = dir.path() + "/no-key"}),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("key id")));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/no-key/CURRENT"));

  const std::string restored = dir.path() + "/restored";
  ASSERT_OK(
      RestoreBackup(
          {.backup_dir = backup, .db_path = restored, .encryption_key = Key()})
          .status());
  EXPECT_THAT(FilesHolding(restored, kFamilyName), IsEmpty());
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Store> store,
      Store::Open({.path = restored, .encryption_key = Key()}));
  homeward::v1::Case c;
  EXPECT_THAT(store->GetRecord(0, "case", "C1", &c, nullptr),
              IsOkAndHolds(true));
  EXPECT_EQ(c.returnee().family_name(), kFamilyName);
}

// The floor: a consumer that read events 1..4 of the lost incarnation
// (the backup holds 1..2) still receives what the restored store writes.
TEST(RestoreBackupTest, RestoredStoreSequencesStartAboveTheFloor) {
  TempDir dir;
  const std::string backup = dir.path() + "/backup";
  const absl::Time restore_time = absl::FromUnixSeconds(1790000000);
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                         Store::Open({.path = dir.path() + "/db"}));
    ASSERT_OK(WriteCase(*store, 3, "C1"));
    ASSERT_OK(WriteCase(*store, 3, "C2"));
    ASSERT_OK(WriteCase(*store, 5, "C3"));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<BackupArchive> archive,
                         BackupArchive::Open(backup, store->env()));
    ASSERT_OK(archive->Create(*store, "").status());
    // Handed out after the backup, then lost with the replica.
    ASSERT_OK(WriteCase(*store, 3, "C-lost-1"));
    ASSERT_OK(WriteCase(*store, 3, "C-lost-2"));
    EXPECT_THAT(Sequences(*store, 3, 0), ElementsAre(1, 2, 3, 4));
  }
  const std::string restored = dir.path() + "/restored";
  ASSERT_OK_AND_ASSIGN(
      RestoreResult result,
      RestoreBackup(
          {.backup_dir = backup, .db_path = restored, .now = restore_time}));
  EXPECT_EQ(result.sequence_floor,
            static_cast<uint64_t>(absl::ToUnixMicros(restore_time)));
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                         Store::Open({.path = restored}));
    EXPECT_EQ(store->sequence_floor(), result.sequence_floor);
    EXPECT_THAT(Sequences(*store, 3, 0), ElementsAre(1, 2));
    EXPECT_EQ(store->PublishedSequence(3), 2u);
    ASSERT_OK(WriteCase(*store, 3, "C-after-1"));
    ASSERT_OK(WriteCase(*store, 5, "C-after-2"));
    ASSERT_OK(WriteCase(*store, 3, "C-after-3"));
    const uint64_t floor = result.sequence_floor;
    // The consumer's cursor is 4: it receives both new events of
    // partition 3; without the floor they would be 3 and 4, skipped.
    EXPECT_THAT(Sequences(*store, 3, 4), ElementsAre(floor, floor + 1));
    EXPECT_THAT(Sequences(*store, 5, 1), ElementsAre(floor));
  }
  // A later restore of the same backup gets a higher floor.
  ASSERT_OK_AND_ASSIGN(RestoreResult later,
                       RestoreBackup({.backup_dir = backup,
                                      .db_path = dir.path() + "/restored-again",
                                      .now = restore_time + absl::Seconds(1)}));
  EXPECT_GT(later.sequence_floor, result.sequence_floor);
  // The floor never lowers the heads: raising it on a store whose head is
  // above `at_least` puts it above the head.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                       Store::Open({.path = restored}));
  EXPECT_THAT(store->RaiseSequenceFloor(1),
              IsOkAndHolds(result.sequence_floor + 2));
}

}  // namespace
}  // namespace homeward::storage
