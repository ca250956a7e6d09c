// Encryption at rest: the key file's checks, and a real Store in a temp dir
// whose files, searched byte by byte, never hold what was written to it.
#include <sys/stat.h>

#include <fstream>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_matchers.h"
#include "common/storage/encrypted_env.h"
#include "common/storage/encryption_key.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.pb.h"
#include "rocksdb/utilities/backup_engine.h"
#include "tests/fixtures/data_dir_files.h"
#include "tests/fixtures/temp_dir.h"

// `lhs` = the value of the StatusOr `expr`, or a fatal failure.
#define ENC_CONCAT_INNER(a, b) a##b
#define ENC_CONCAT(a, b) ENC_CONCAT_INNER(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr)              \
  auto ENC_CONCAT(status_or_, __LINE__) = (expr);    \
  ASSERT_TRUE(ENC_CONCAT(status_or_, __LINE__).ok()) \
      << ENC_CONCAT(status_or_, __LINE__).status();  \
  lhs = std::move(ENC_CONCAT(status_or_, __LINE__)).value()

namespace homeward::storage {
namespace {

using ::homeward::testing::FilesHolding;
using ::homeward::testing::IsOk;
using ::homeward::testing::IsOkAndHolds;
using ::homeward::testing::ReadTree;
using ::homeward::testing::RocksDbFileKinds;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kKeyHex[] =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr char kOtherKeyHex[] =
    "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

std::string WriteFile(const std::string& path, const std::string& content,
                      mode_t mode) {
  std::ofstream(path, std::ios::binary) << content;
  chmod(path.c_str(), mode);
  return path;
}

EncryptionKey KeyOf(const std::string& hex) {
  absl::StatusOr<EncryptionKey> key =
      EncryptionKey::FromBytes(absl::HexStringToBytes(hex));
  EXPECT_TRUE(key.ok()) << key.status();
  return *std::move(key);
}

// --- The key file -------------------------------------------------------

TEST(EncryptionKeyFileTest, AcceptsOnlyOwnerOnly64HexCharacters) {
  TempDir dir;
  const std::string hex = kKeyHex;
  struct Row {
    std::string name;
    std::string content;  // nullopt-like: "<none>" means no file
    mode_t mode;
    std::string refusal;  // empty: accepted
  };
  const std::vector<Row> rows = {
      {"hex_0600", hex, 0600, ""},
      {"hex_newline_0400", hex + "\n", 0400, ""},
      {"upper_case_hex", absl::AsciiStrToUpper(hex), 0600, ""},
      {"world_readable", hex, 0644, "mode 0644"},
      {"group_readable", hex, 0640, "mode 0640"},
      {"others_writable", hex, 0602, "mode 0602"},
      {"missing", "<none>", 0600, "cannot be read"},
      {"empty", "", 0600, "holds 0 characters"},
      {"too_short", hex.substr(1), 0600, "holds 63 characters"},
      {"too_long", hex + "0", 0600, "holds 65 characters"},
      {"not_hex", std::string(64, 'z'), 0600, "not all hex"},
      {"raw_32_bytes", absl::HexStringToBytes(hex), 0600, "not all hex"},
      {"huge", std::string(10000, 'a'), 0600, "more than 4096 bytes"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const std::string path = dir.path() + "/" + row.name;
    if (row.content != "<none>") WriteFile(path, row.content, row.mode);
    absl::StatusOr<EncryptionKey> key = EncryptionKey::ReadFile(path);
    if (row.refusal.empty()) {
      ASSERT_TRUE(key.ok()) << key.status();
      EXPECT_EQ(key->bytes(), absl::HexStringToBytes(hex));
      continue;
    }
    ASSERT_THAT(key, StatusIs(absl::StatusCode::kInvalidArgument,
                              HasSubstr(row.refusal)));
    const std::vector<errors::FieldViolation> violations =
        errors::FieldViolationsOf(key.status());
    ASSERT_EQ(violations.size(), 1u);
    EXPECT_EQ(violations[0].field, "service.encryption_key_file");
    // Says what is allowed, so one message is enough to fix the file.
    EXPECT_THAT(violations[0].description,
                AllOf(HasSubstr(path), HasSubstr("64 hex characters"),
                      HasSubstr("0600 or 0400")));
    // Never echoes what the file holds.
    EXPECT_THAT(violations[0].description, Not(HasSubstr(hex.substr(0, 16))));
  }
}

TEST(EncryptionKeyFileTest, DirectoryIsRefused) {
  TempDir dir;
  EXPECT_THAT(EncryptionKey::ReadFile(dir.path()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a regular file")));
}

TEST(EncryptionKeyFileTest, FieldNameIsTheCallersOwn) {
  TempDir dir;
  const std::string path = WriteFile(dir.path() + "/k", kKeyHex, 0644);
  absl::StatusOr<EncryptionKey> key =
      EncryptionKey::ReadFile(path, "--encryption_key_file");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(errors::FieldViolationsOf(key.status()).at(0).field,
            "--encryption_key_file");
}

TEST(EncryptionKeyTest, IdIsShortStableAndDiffersBetweenKeys) {
  const EncryptionKey key = KeyOf(kKeyHex);
  EXPECT_EQ(key.id().size(), 16u);
  EXPECT_EQ(key.id(), KeyOf(kKeyHex).id());
  EXPECT_NE(key.id(), KeyOf(kOtherKeyHex).id());
  // Not a prefix of the key, nor of the key's plain SHA-256.
  EXPECT_THAT(std::string(kKeyHex), Not(HasSubstr(key.id())));
  EXPECT_THAT(EncryptionKey::FromBytes("short"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// --- Files on disk ------------------------------------------------------

// Distinctive enough never to appear by chance in RocksDB's own bytes.
constexpr char kFlushedName[] = "Zanzibarina-Quetzalli";
constexpr char kWalOnlyName[] = "Oyelaran-Thorvaldsdottir";

homeward::v1::Case CaseNamed(const std::string& id, const std::string& name) {
  homeward::v1::Case c;
  c.set_case_id(id);
  c.set_office_id("office-dakar");
  c.mutable_returnee()->set_family_name(name);
  return c;
}

// Writes one case and flushes it to an SST, then a second that stays in the
// WAL only, and closes the store.
void WriteTwoCases(Store::Options options) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  WriteSet flushed;
  flushed.PutRecord(0, "case", "C1", 1, CaseNamed("C1", kFlushedName));
  ASSERT_OK((*store)->Commit(std::move(flushed)));
  ASSERT_OK((*store)->Flush());
  WriteSet in_wal;
  in_wal.PutRecord(0, "case", "C2", 1, CaseNamed("C2", kWalOnlyName));
  ASSERT_OK((*store)->Commit(std::move(in_wal)));
}

std::string FamilyNameIn(Store& store, const std::string& id) {
  homeward::v1::Case c;
  absl::StatusOr<bool> found = store.GetRecord(0, "case", id, &c, nullptr);
  EXPECT_THAT(found, IsOkAndHolds(true));
  return c.returnee().family_name();
}

TEST(EncryptedStoreTest, NoFileUnderTheDataDirHoldsAName) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  WriteTwoCases({.path = db, .encryption_key = KeyOf(kKeyHex)});
  EXPECT_EQ(RocksDbFileKinds(db),
            (std::set<std::string>{"sst", "wal", "manifest", "options",
                                   "info_log", "current", "identity"}));
  EXPECT_THAT(FilesHolding(db, kFlushedName), IsEmpty());
  EXPECT_THAT(FilesHolding(db, kWalOnlyName), IsEmpty());
  // Every file with content went through the encrypted Env, the info log
  // included: each starts with the encryption header.
  for (const auto& [name, bytes] : ReadTree(db)) {
    if (bytes.empty()) continue;  // LOCK
    EXPECT_TRUE(absl::StartsWith(bytes, "HOMEWARD-AES-CTR")) << name;
  }
}

// The same search, proven able to fail: without a key both names are found.
TEST(EncryptedStoreTest, WithoutAKeyTheSameSearchFindsTheNames) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  WriteTwoCases({.path = db});
  EXPECT_THAT(FilesHolding(db, kFlushedName), Not(IsEmpty()));
  EXPECT_THAT(FilesHolding(db, kWalOnlyName), Not(IsEmpty()));
  ASSERT_OK_AND_ASSIGN(DataDirEncryption found, InspectDataDir(db));
  EXPECT_EQ(found.state, DataDirEncryption::State::kPlaintext);
}

TEST(EncryptedStoreTest, ReopenedWithTheKeyReadsBothCases) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  WriteTwoCases({.path = db, .encryption_key = KeyOf(kKeyHex)});
  ASSERT_OK_AND_ASSIGN(DataDirEncryption found, InspectDataDir(db));
  EXPECT_EQ(found.state, DataDirEncryption::State::kEncrypted);
  EXPECT_EQ(found.key_id, KeyOf(kKeyHex).id());
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Store> store,
      Store::Open({.path = db, .encryption_key = KeyOf(kKeyHex)}));
  EXPECT_EQ(FamilyNameIn(*store, "C1"), kFlushedName);
  EXPECT_EQ(FamilyNameIn(*store, "C2"), kWalOnlyName);
}

TEST(EncryptedStoreTest, WrongKeyIsRefusedByKeyId) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  WriteTwoCases({.path = db, .encryption_key = KeyOf(kKeyHex)});
  EXPECT_THAT(
      Store::Open({.path = db, .encryption_key = KeyOf(kOtherKeyHex)}),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr(absl::StrCat(
                   "was encrypted with key id ", KeyOf(kKeyHex).id(),
                   "; the configured key has id ", KeyOf(kOtherKeyHex).id()))));
}

TEST(EncryptedStoreTest, EncryptedDirWithoutAKeyIsRefused) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  WriteTwoCases({.path = db, .encryption_key = KeyOf(kKeyHex)});
  EXPECT_THAT(Store::Open({.path = db}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr(KeyOf(kKeyHex).id()),
                             HasSubstr("no key is configured"),
                             HasSubstr("service.encryption_key_file"))));
}

TEST(EncryptedStoreTest, PlaintextDirWithAKeyIsRefused) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  WriteTwoCases({.path = db});
  EXPECT_THAT(Store::Open({.path = db, .encryption_key = KeyOf(kKeyHex)}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("is not encrypted")));
  // Refused before RocksDB wrote anything under the key.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Store::Open({.path = db}));
  EXPECT_EQ(FamilyNameIn(*store, "C2"), kWalOnlyName);
}

// --- Backups ------------------------------------------------------------

// Backs `store` up into `backup_dir` through `backup_env`.
void BackUp(Store& store, const std::string& backup_dir,
            rocksdb::Env* backup_env) {
  rocksdb::BackupEngine* raw = nullptr;
  ASSERT_TRUE(rocksdb::BackupEngine::Open(
                  rocksdb::BackupEngineOptions(backup_dir, backup_env),
                  store.env(), &raw)
                  .ok());
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  ASSERT_OK(store.BackUp(*engine));
}

// Restores the latest backup in `backup_dir` (read through `backup_env`)
// into `db_dir` (written through `db_env`).
void Restore(const std::string& backup_dir, rocksdb::Env* backup_env,
             const std::string& db_dir, rocksdb::Env* db_env) {
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  ASSERT_TRUE(
      rocksdb::BackupEngineReadOnly::Open(
          rocksdb::BackupEngineOptions(backup_dir, backup_env), db_env, &raw)
          .ok());
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  rocksdb::IOStatus restored =
      engine->RestoreDBFromLatestBackup(db_dir, db_dir);
  ASSERT_TRUE(restored.ok()) << restored.ToString();
}

TEST(EncryptedBackupTest, BackupOnTheStoresEnvStaysEncryptedAndRestores) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  const std::string backup = dir.path() + "/backup";
  WriteTwoCases({.path = db, .encryption_key = KeyOf(kKeyHex)});
  {
    ASSERT_OK_AND_ASSIGN(
        std::unique_ptr<Store> store,
        Store::Open({.path = db, .encryption_key = KeyOf(kKeyHex)}));
    BackUp(*store, backup, store->env());
  }
  EXPECT_THAT(RocksDbFileKinds(backup), ::testing::Contains("sst"));
  EXPECT_THAT(FilesHolding(backup, kFlushedName), IsEmpty());
  EXPECT_THAT(FilesHolding(backup, kWalOnlyName), IsEmpty());

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<rocksdb::Env> env,
                       NewEncryptedEnv(KeyOf(kKeyHex)));
  const std::string restored = dir.path() + "/restored";
  Restore(backup, env.get(), restored, env.get());
  EXPECT_THAT(FilesHolding(restored, kFlushedName), IsEmpty());
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Store> store,
      Store::Open({.path = restored, .encryption_key = KeyOf(kKeyHex)}));
  EXPECT_EQ(FamilyNameIn(*store, "C1"), kFlushedName);
  EXPECT_EQ(FamilyNameIn(*store, "C2"), kWalOnlyName);
}

// The pitfall docs/ENCRYPTION.md warns of: the same backup given
// Env::Default() as its backup_env is written in plaintext.
TEST(EncryptedBackupTest, BackupThroughTheDefaultEnvIsPlaintext) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  const std::string backup = dir.path() + "/backup";
  WriteTwoCases({.path = db, .encryption_key = KeyOf(kKeyHex)});
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Store> store,
      Store::Open({.path = db, .encryption_key = KeyOf(kKeyHex)}));
  BackUp(*store, backup, rocksdb::Env::Default());
  EXPECT_THAT(FilesHolding(backup, kFlushedName), Not(IsEmpty()));
}

// Key rotation as docs/ENCRYPTION.md describes it: back up under the old
// key, restore into a new data dir written under the new key.
TEST(EncryptedBackupTest, RestoringUnderANewKeyRotatesTheKey) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  const std::string backup = dir.path() + "/backup";
  WriteTwoCases({.path = db, .encryption_key = KeyOf(kKeyHex)});
  {
    ASSERT_OK_AND_ASSIGN(
        std::unique_ptr<Store> store,
        Store::Open({.path = db, .encryption_key = KeyOf(kKeyHex)}));
    BackUp(*store, backup, store->env());
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<rocksdb::Env> old_env,
                       NewEncryptedEnv(KeyOf(kKeyHex)));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<rocksdb::Env> new_env,
                       NewEncryptedEnv(KeyOf(kOtherKeyHex)));
  const std::string rotated = dir.path() + "/rotated";
  Restore(backup, old_env.get(), rotated, new_env.get());
  EXPECT_THAT(FilesHolding(rotated, kWalOnlyName), IsEmpty());
  EXPECT_THAT(
      Store::Open({.path = rotated, .encryption_key = KeyOf(kKeyHex)}),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("key id")));
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Store> store,
      Store::Open({.path = rotated, .encryption_key = KeyOf(kOtherKeyHex)}));
  EXPECT_EQ(FamilyNameIn(*store, "C1"), kFlushedName);
  EXPECT_EQ(FamilyNameIn(*store, "C2"), kWalOnlyName);
}

}  // namespace
}  // namespace homeward::storage
