// `homewardctl backup` and the BackupService behind it, against a real
// assessment replica on loopback (RocksDB in a temp dir) and a CtlContext
// written for the test (plaintext dials, principals signed with the test
// secret, printed tables kept): backups created, listed and verified on
// every replica; FAILED_PRECONDITION naming backup.backup_dir without one;
// only administrators and services allowed; the schedule; and an offline
// restore into an empty data directory that the service then serves, with
// what was written before the backup and nothing after.
#include "tools/ctl/backup_command.h"

#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/auth/principal_token.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/internal/v1/operations.grpc.pb.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "services/assessment/assessment_server.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/fixtures/test_ctl.h"

namespace homeward::ctl {
namespace {

using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::testing::TestCtl;
using ::testing::HasSubstr;
using ::testing::SizeIs;

homeward::internal::v1::AssessmentConfig ConfigFor(
    const std::string& data_dir, const std::string& backup_dir,
    uint32_t interval_seconds = 0, uint32_t keep = 0) {
  homeward::internal::v1::ServiceConfig service =
      testing::LoopbackServiceConfig(data_dir);
  service.mutable_backup()->set_backup_dir(backup_dir);
  service.mutable_backup()->set_interval_seconds(interval_seconds);
  service.mutable_backup()->set_keep(keep);
  return testing::WithShippedProgrammeData(std::move(service));
}

homeward::internal::v1::RouteMap RoutesTo(const std::vector<int>& ports) {
  homeward::internal::v1::RouteMap routes;
  testing::AddShareRoute(routes.mutable_routes(), "assessment", 64, ports);
  return routes;
}

const homeward::internal::v1::Principal kManager =
    MakePrincipal("cm-1", homeward::v1::ROLE_CASE_MANAGER, {"office-dakar"});

std::string Register(int port, const std::string& request_id) {
  auto cases =
      homeward::v1::CaseService::NewStub(testing::LoopbackChannel(port));
  homeward::v1::Case created;
  grpc::ClientContext context;
  SignAs(kManager, &context);
  grpc::Status status = cases->RegisterCase(
      &context, testing::ValidRegistration(request_id), &created);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return created.case_id();
}

grpc::StatusCode GetCaseCode(int port, const std::string& case_id) {
  auto cases =
      homeward::v1::CaseService::NewStub(testing::LoopbackChannel(port));
  homeward::v1::GetCaseRequest request;
  request.set_case_id(case_id);
  homeward::v1::Case read;
  grpc::ClientContext context;
  SignAs(kManager, &context);
  return cases->GetCase(&context, request, &read).error_code();
}

std::unique_ptr<assessment::AssessmentServer> StartServer(
    const homeward::internal::v1::AssessmentConfig& config) {
  auto server =
      assessment::AssessmentServer::Start(config, testing::kTestSecret);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

TEST(BackupCommandTest, CreatesListsAndVerifiesOnEveryReplica) {
  TempDir dir;
  std::vector<std::unique_ptr<assessment::AssessmentServer>> servers;
  std::vector<int> ports;
  for (int r = 0; r < 2; ++r) {
    auto config = ConfigFor(absl::StrCat(dir.path(), "/data-", r),
                            absl::StrCat(dir.path(), "/backup-", r));
    *config.mutable_service()->add_owned_partitions() =
        testing::ShareOf(r, 2, 64);
    servers.push_back(StartServer(config));
    ASSERT_NE(servers.back(), nullptr);
    ports.push_back(servers.back()->port());
  }
  TestCtl ctl(RoutesTo(ports));

  ASSERT_OK(RunBackupCommand(ctl, {"create", "--verify"}));
  ASSERT_THAT(ctl.printed.back().rows, SizeIs(2));
  EXPECT_EQ(ctl.Cell(0, "verified"), "true");
  EXPECT_EQ(ctl.Cell(0, "service"), "assessment");
  EXPECT_EQ(ctl.Cell(0, "partitions"), "0-31");
  EXPECT_EQ(ctl.Cell(1, "partitions"), "32-63");
  EXPECT_EQ(ctl.Cell(1, "error"), "");
  EXPECT_EQ(ctl.progress_total, 2u);
  EXPECT_EQ(ctl.progress_done, 2u);

  ASSERT_OK(RunBackupCommand(ctl, {"create", "--service=assessment"}));
  ASSERT_OK(RunBackupCommand(ctl, {"list"}));
  ASSERT_THAT(ctl.printed.back().rows, SizeIs(4));
  EXPECT_EQ(ctl.Cell(0, "backup_id"), "1");
  EXPECT_EQ(ctl.Cell(1, "backup_id"), "2");

  const std::string replica = absl::StrCat("127.0.0.1:", ports[1]);
  ASSERT_OK(
      RunBackupCommand(ctl, {"verify", "--replica", replica, "--id", "2"}));
  EXPECT_EQ(ctl.Cell(0, "verified"), "true");
  EXPECT_EQ(ctl.Cell(0, "replica"), replica);
  EXPECT_THAT(
      RunBackupCommand(ctl, {"verify", "--replica", replica, "--id", "9"}),
      StatusIs(absl::StatusCode::kNotFound));

  EXPECT_THAT(RunBackupCommand(ctl, {"create", "--service", "nope"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nope")));
  EXPECT_THAT(
      RunBackupCommand(ctl, {"create", "--colour"}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--colour")));
  EXPECT_THAT(RunBackupCommand(ctl, {"verify", "--replica", replica}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--id")));
  EXPECT_THAT(RunBackupCommand(ctl, {"shred"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("shred")));
}

TEST(BackupCommandTest, WithoutABackupDirTheReplicaNamesTheSetting) {
  TempDir dir;
  auto server = StartServer(ConfigFor(dir.path() + "/data", ""));
  ASSERT_NE(server, nullptr);
  TestCtl ctl(RoutesTo({server->port()}));
  EXPECT_THAT(RunBackupCommand(ctl, {"create"}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("backup.backup_dir")));
  // Every replica is tried and reported, the failure in its row.
  EXPECT_THAT(ctl.Cell(0, "error"), HasSubstr("FAILED_PRECONDITION"));
}

TEST(BackupServiceTest, OnlyAdministratorsAndServicesMayCall) {
  TempDir dir;
  auto server =
      StartServer(ConfigFor(dir.path() + "/data", dir.path() + "/backup"));
  ASSERT_NE(server, nullptr);
  auto stub = homeward::internal::v1::BackupService::NewStub(
      testing::LoopbackChannel(server->port()));
  auto list_as = [&](homeward::v1::Role role) {
    grpc::ClientContext context;
    SignAs(MakePrincipal("someone", role, {"office-dakar"}), &context);
    homeward::internal::v1::ListBackupsResponse response;
    return stub
        ->ListBackups(&context, homeward::internal::v1::ListBackupsRequest(),
                      &response)
        .error_code();
  };
  EXPECT_EQ(list_as(homeward::v1::ROLE_CASE_MANAGER),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(list_as(homeward::v1::ROLE_SERVICE), grpc::StatusCode::OK);
  EXPECT_EQ(list_as(homeward::v1::ROLE_ADMINISTRATOR), grpc::StatusCode::OK);
  grpc::ClientContext unsigned_context;
  homeward::internal::v1::ListBackupsResponse response;
  EXPECT_EQ(
      stub->ListBackups(&unsigned_context,
                        homeward::internal::v1::ListBackupsRequest(), &response)
          .error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
}

TEST(BackupServiceTest, ScheduledBackupsKeepTheNewest) {
  TempDir dir;
  auto server =
      StartServer(ConfigFor(dir.path() + "/data", dir.path() + "/backup",
                            /*interval_seconds=*/1, /*keep=*/2));
  ASSERT_NE(server, nullptr);
  Register(server->port(), "scheduled-1");
  TestCtl ctl(RoutesTo({server->port()}));
  // Three backups taken, the oldest purged: ids 2 and 3 (or later) remain.
  const absl::Time deadline = absl::Now() + absl::Seconds(90);
  while (absl::Now() < deadline) {
    ASSERT_OK(RunBackupCommand(ctl, {"list"}));
    if (ctl.printed.back().rows.size() == 2 &&
        ctl.Cell(0, "backup_id") != "1") {
      break;
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_THAT(ctl.printed.back().rows, SizeIs(2));
  EXPECT_NE(ctl.Cell(0, "backup_id"), "1");
  // Stops promptly although the next backup is a second away.
  const absl::Time stopping = absl::Now();
  server->Shutdown(absl::Seconds(1));
  EXPECT_LT(absl::Now() - stopping, absl::Seconds(30));
}

TEST(BackupCommandTest, RestoreIntoAnEmptyDataDirServesWhatWasBackedUp) {
  TempDir dir;
  const std::string backup = dir.path() + "/backup";
  std::string before, after;
  {
    auto server = StartServer(ConfigFor(dir.path() + "/data", backup));
    ASSERT_NE(server, nullptr);
    before = Register(server->port(), "before-backup");
    TestCtl ctl(RoutesTo({server->port()}));
    ASSERT_OK(RunBackupCommand(ctl, {"create", "--verify"}));
    after = Register(server->port(), "after-backup");
  }
  TestCtl ctl(RoutesTo({}));
  // The old data directory still holds the store: refused, named.
  EXPECT_THAT(RunBackupCommand(ctl, {"restore", "--backup_dir", backup,
                                     "--data_dir", dir.path() + "/data"}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr(dir.path() + "/data")));
  EXPECT_THAT(
      RunBackupCommand(ctl, {"restore", "--data_dir", "x"}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--backup_dir")));
  const std::string restored = dir.path() + "/restored";
  ASSERT_OK(RunBackupCommand(
      ctl, {"restore", "--backup_dir", backup, "--data_dir", restored}));
  EXPECT_EQ(ctl.Cell(0, "backup_id"), "1");
  EXPECT_GT(std::stoull(ctl.Cell(0, "sequence_floor")), 1000000u);

  auto server = StartServer(ConfigFor(restored, ""));
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(GetCaseCode(server->port(), before), grpc::StatusCode::OK);
  EXPECT_EQ(GetCaseCode(server->port(), after), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace homeward::ctl
