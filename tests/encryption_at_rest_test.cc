// Encryption at rest through the real parts: an assessment server registers
// cases with distinctive returnee names into a data directory encrypted
// under a key file, and no file under the data directory (SST, WAL,
// MANIFEST, OPTIONS, info LOG...) holds those names; the same run without a
// key finds them. A key file readable by others, or another key, stops the
// start with a clear error; the all-in-one and the bulk loader take the key
// too.
#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_matchers.h"
#include "common/storage/encrypted_env.h"
#include "common/storage/encryption_key.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "services/all_in_one/embedded_suite.h"
#include "services/assessment/assessment_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/data_dir_files.h"
#include "tests/fixtures/temp_dir.h"
#include "tools/bulk_load/case_bulk_load.h"

namespace homeward {
namespace {

using ::homeward::testing::FilesHolding;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::RocksDbFileKinds;
using ::homeward::testing::SignAs;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::IsSupersetOf;
using ::testing::Not;

constexpr char kKeyHex[] =
    "5f0e2d9c4b3a29180716f5e4d3c2b1a0a1b2c3d4e5f60718293a4b5c6d7e8f90";
constexpr char kOtherKeyHex[] =
    "0f1e2d3c4b5a69788796a5b4c3d2e1f00102030405060708090a0b0c0d0e0f10";
// Registered first, then flushed into an SST.
constexpr char kFlushedName[] = "Zanzibarina-Quetzalli";
// Registered last: only in the WAL when the server stops.
constexpr char kWalOnlyName[] = "Oyelaran-Thorvaldsdottir";

std::string WriteKeyFile(const std::string& path, const std::string& hex,
                         mode_t mode = 0600) {
  std::ofstream(path) << hex << "\n";
  chmod(path.c_str(), mode);
  return path;
}

internal::v1::AssessmentConfig ConfigFor(const std::string& data_dir,
                                         const std::string& key_file) {
  internal::v1::ServiceConfig service =
      testing::LoopbackServiceConfig(data_dir);
  service.set_encryption_key_file(key_file);
  return testing::WithShippedProgrammeData(std::move(service));
}

const internal::v1::Principal kManager =
    MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"});

// Registers a case whose returnee's family name is `family_name`; its id.
std::string Register(assessment::AssessmentServer& server,
                     const std::string& family_name) {
  auto cases =
      v1::CaseService::NewStub(testing::LoopbackChannel(server.port()));
  // The request id is not the name: ids may be logged, names never.
  v1::RegisterCaseRequest request =
      testing::ValidRegistration(absl::StrCat("register-", family_name.size()));
  request.mutable_case_()->mutable_returnee()->set_family_name(family_name);
  v1::Case created;
  grpc::ClientContext context;
  SignAs(kManager, &context);
  grpc::Status status = cases->RegisterCase(&context, request, &created);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return created.case_id();
}

std::string FamilyNameOf(assessment::AssessmentServer& server,
                         const std::string& case_id) {
  auto cases =
      v1::CaseService::NewStub(testing::LoopbackChannel(server.port()));
  v1::GetCaseRequest request;
  request.set_case_id(case_id);
  v1::Case read;
  grpc::ClientContext context;
  SignAs(kManager, &context);
  grpc::Status status = cases->GetCase(&context, request, &read);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return read.returnee().family_name();
}

// Flushes the memtables of the stopped service's store into SST files, as
// a long-running service would in time.
void FlushStore(const std::string& data_dir, const std::string& key_file) {
  std::optional<storage::EncryptionKey> key;
  if (!key_file.empty()) {
    absl::StatusOr<storage::EncryptionKey> read =
        storage::EncryptionKey::ReadFile(key_file);
    ASSERT_TRUE(read.ok()) << read.status();
    key = *read;
  }
  absl::StatusOr<std::unique_ptr<storage::Store>> store = storage::Store::Open(
      {.path = data_dir + "/rocksdb", .encryption_key = key});
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_OK((*store)->Flush());
}

struct WrittenCases {
  std::string flushed_id;
  std::string wal_only_id;
};

// Registers kFlushedName, stops, flushes, restarts, registers
// kWalOnlyName and stops: one name in an SST, the other in the WAL.
WrittenCases RegisterTwoCases(const std::string& data_dir,
                              const std::string& key_file) {
  WrittenCases written;
  {
    auto server = assessment::AssessmentServer::Start(
        ConfigFor(data_dir, key_file), testing::kTestSecret);
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return written;
    written.flushed_id = Register(**server, kFlushedName);
  }
  FlushStore(data_dir, key_file);
  auto server = assessment::AssessmentServer::Start(
      ConfigFor(data_dir, key_file), testing::kTestSecret);
  EXPECT_TRUE(server.ok()) << server.status();
  if (!server.ok()) return written;
  written.wal_only_id = Register(**server, kWalOnlyName);
  return written;
}

// With a key, no file under the data directory holds a registered name;
// without one, the same search finds both (so it is able to fail).
TEST(EncryptionAtRestTest, RegisteredNamesReachTheDiskOnlyWithoutAKey) {
  for (const bool encrypted : {true, false}) {
    SCOPED_TRACE(encrypted ? "encrypted" : "plaintext");
    TempDir dir;
    const std::string data_dir = dir.path() + "/assessment";
    const std::string key_file =
        encrypted ? WriteKeyFile(dir.path() + "/data.key", kKeyHex) : "";
    RegisterTwoCases(data_dir, key_file);
    EXPECT_THAT(RocksDbFileKinds(data_dir),
                IsSupersetOf({"sst", "wal", "manifest", "options", "info_log",
                              "current", "identity"}));
    if (encrypted) {
      EXPECT_THAT(FilesHolding(data_dir, kFlushedName), IsEmpty());
      EXPECT_THAT(FilesHolding(data_dir, kWalOnlyName), IsEmpty());
    } else {
      EXPECT_THAT(FilesHolding(data_dir, kFlushedName), Not(IsEmpty()));
      EXPECT_THAT(FilesHolding(data_dir, kWalOnlyName), Not(IsEmpty()));
    }
  }
}

TEST(EncryptionAtRestTest, RestartedWithTheKeyTheServiceReadsBothCases) {
  TempDir dir;
  const std::string data_dir = dir.path() + "/assessment";
  const std::string key_file = WriteKeyFile(dir.path() + "/data.key", kKeyHex);
  const WrittenCases written = RegisterTwoCases(data_dir, key_file);
  auto server = assessment::AssessmentServer::Start(
      ConfigFor(data_dir, key_file), testing::kTestSecret);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(FamilyNameOf(**server, written.flushed_id), kFlushedName);
  EXPECT_EQ(FamilyNameOf(**server, written.wal_only_id), kWalOnlyName);
}

TEST(EncryptionAtRestTest, AnotherKeyOrNoKeyStopsTheStartNamingTheKeyIds) {
  TempDir dir;
  const std::string data_dir = dir.path() + "/assessment";
  const std::string key_file = WriteKeyFile(dir.path() + "/data.key", kKeyHex);
  RegisterTwoCases(data_dir, key_file);
  const std::string id =
      storage::EncryptionKey::IdOf(absl::HexStringToBytes(kKeyHex));
  const std::string other_id =
      storage::EncryptionKey::IdOf(absl::HexStringToBytes(kOtherKeyHex));

  const std::string other_file =
      WriteKeyFile(dir.path() + "/other.key", kOtherKeyHex);
  EXPECT_THAT(assessment::AssessmentServer::Start(
                  ConfigFor(data_dir, other_file), testing::kTestSecret),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr(absl::StrCat("was encrypted with key id ", id,
                                              "; the configured key has id ",
                                              other_id))));
  EXPECT_THAT(
      assessment::AssessmentServer::Start(ConfigFor(data_dir, ""),
                                          testing::kTestSecret),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr(id), HasSubstr("service.encryption_key_file"))));
  // Neither attempt changed the directory: the right key still opens it.
  auto server = assessment::AssessmentServer::Start(
      ConfigFor(data_dir, key_file), testing::kTestSecret);
  EXPECT_TRUE(server.ok()) << server.status();
}

TEST(EncryptionAtRestTest, KeyFileReadableByOthersStopsTheStart) {
  TempDir dir;
  const std::string key_file =
      WriteKeyFile(dir.path() + "/data.key", kKeyHex, 0644);
  absl::StatusOr<std::unique_ptr<assessment::AssessmentServer>> server =
      assessment::AssessmentServer::Start(
          ConfigFor(dir.path() + "/assessment", key_file),
          testing::kTestSecret);
  ASSERT_THAT(server, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("mode 0644")));
  const std::vector<errors::FieldViolation> violations =
      errors::FieldViolationsOf(server.status());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "service.encryption_key_file");
  EXPECT_THAT(violations[0].description, HasSubstr("0600 or 0400"));
}

// The all-in-one's --encryption_key_file reaches every embedded service.
TEST(EncryptionAtRestTest, AllInOneEncryptsEveryServicesData) {
  TempDir dir;
  all_in_one::EmbeddedOptions options;
  options.data_dir = dir.path() + "/data";
  options.grpc_listen = "127.0.0.1:0";
  options.http_listen = "127.0.0.1:0";
  options.encryption_key_file = WriteKeyFile(dir.path() + "/k", kKeyHex, 0644);
  EXPECT_THAT(all_in_one::EmbeddedSuite::Start(options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("encryption_key_file"),
                             HasSubstr("mode 0644"))));
  chmod(options.encryption_key_file.c_str(), 0600);
  {
    auto suite = all_in_one::EmbeddedSuite::Start(options);
    ASSERT_TRUE(suite.ok()) << suite.status();
  }
  const std::string id =
      storage::EncryptionKey::IdOf(absl::HexStringToBytes(kKeyHex));
  for (const char* service :
       {"assessment", "planning", "referral", "follow_up"}) {
    SCOPED_TRACE(service);
    absl::StatusOr<storage::DataDirEncryption> found = storage::InspectDataDir(
        absl::StrCat(options.data_dir, "/", service, "/rocksdb"));
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_EQ(found->state, storage::DataDirEncryption::State::kEncrypted);
    EXPECT_EQ(found->key_id, id);
  }
}

// The offline bulk loader writes under the service's key, and refuses to
// write into an encrypted directory without it.
TEST(EncryptionAtRestTest, BulkLoaderWritesUnderTheKey) {
  TempDir dir;
  const std::string data_dir = dir.path() + "/assessment";
  bulk_load::BulkLoadOptions options;
  options.data_dir = data_dir;
  options.office_id = "office-dakar";
  options.case_manager_id = "cm-1";
  options.cases = 20;
  options.keep_ids = true;
  options.encryption_key_file = WriteKeyFile(dir.path() + "/data.key", kKeyHex);
  absl::StatusOr<bulk_load::BulkLoadResult> loaded =
      bulk_load::LoadCases(options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  absl::StatusOr<storage::DataDirEncryption> found =
      storage::InspectDataDir(data_dir + "/rocksdb");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->state, storage::DataDirEncryption::State::kEncrypted);

  auto server = assessment::AssessmentServer::Start(
      ConfigFor(data_dir, options.encryption_key_file), testing::kTestSecret);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(FamilyNameOf(**server, loaded->case_ids[7]), "7");
  (*server)->Shutdown(absl::Seconds(5));

  options.encryption_key_file = "";
  options.keep_ids = false;
  EXPECT_THAT(bulk_load::LoadCases(options),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("no key is configured")));
}

}  // namespace
}  // namespace homeward
