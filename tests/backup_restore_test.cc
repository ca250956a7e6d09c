// Backup and restore with the real binaries (issue 17, point 4;
// docs/OPERATIONS.md): write, back up over BackupService, write more,
// SIGKILL, wipe the data directory, restore with `homewardctl backup
// restore` (its library), restart; everything acknowledged before the backup
// is there and nothing after, and the feed consumers catch up from their
// cursors without applying an event twice:
//   - a restored CONSUMER (homeward-planning, following homeward-assessment)
//     applies the events after its backed-up cursors;
//   - a restored PRODUCER (homeward-assessment) still reaches a consumer
//     whose cursors are past the restored heads (the outbox sequence floor),
//     the consumer being homeward-test-feed-consumer, whose projection
//     records every event once by sequence and stalls on a second
//     application.
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/server/config_file.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.grpc.pb.h"
#include "homeward/v1/events.grpc.pb.h"
#include "homeward/v1/planning.grpc.pb.h"
#include "services/planning/case_context.h"
#include "tests/fixtures/assessment_server.h"
#include "tests/fixtures/case_fixtures.h"
#include "tests/fixtures/child_process.h"
#include "tests/fixtures/planning_server.h"
#include "tests/fixtures/recording_projection.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/fixtures/test_ctl.h"
#include "tools/ctl/backup_command.h"

namespace homeward {
namespace {

using ::homeward::testing::ChildProcess;
using ::homeward::testing::MakePrincipal;
using ::homeward::testing::SignAs;
using ::homeward::testing::TempDir;
using ::homeward::testing::TestCtl;
using ::homeward::v1::Event;

// Generous: the machine running the tests is loaded.
constexpr absl::Duration kStartTimeout = absl::Seconds(60);
constexpr absl::Duration kCatchUpTimeout = absl::Seconds(120);
constexpr uint32_t kPartitions = 64;

// `name` = the opened store, or a fatal failure.
#define ASSERT_OK_AND_ASSIGN_STORE(name, expr)                      \
  absl::StatusOr<std::unique_ptr<storage::Store>> name##_or = expr; \
  ASSERT_TRUE(name##_or.ok()) << name##_or.status();                \
  std::unique_ptr<storage::Store> name = *std::move(name##_or)

const internal::v1::Principal kManager =
    MakePrincipal("cm-1", v1::ROLE_CASE_MANAGER, {"office-dakar"});

std::string SecretFile(const TempDir& dir) {
  const std::string path = dir.path() + "/principal.secret";
  if (!std::filesystem::exists(path)) {
    std::ofstream(path) << testing::kTestSecret;
    std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
  }
  return path;
}

internal::v1::ServiceConfig WithBackups(const std::string& backup_dir) {
  internal::v1::ServiceConfig service;
  service.set_partition_count(kPartitions);
  service.mutable_internal_transport()->set_plaintext(true);
  service.mutable_backup()->set_backup_dir(backup_dir);
  return service;
}

// homeward-assessment on `listen` with its data in <dir>/assessment and its
// backups in <dir>/assessment-backup.
std::unique_ptr<ChildProcess> StartAssessment(const TempDir& dir,
                                              const std::string& listen,
                                              const std::string& log) {
  const std::string config = dir.path() + "/assessment.textproto";
  EXPECT_OK(server::WriteTextProtoFile(
      config,
      testing::WithShippedProgrammeData(
          WithBackups(dir.path() + "/assessment-backup")),
      0600));
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{HOMEWARD_ASSESSMENT_BIN, "--config=" + config,
                               "--listen=" + listen,
                               "--data_dir=" + dir.path() + "/assessment",
                               "--principal_secret_file=" + SecretFile(dir)},
      dir.path() + "/" + log);
}

// homeward-planning on `listen`, following the assessment replica on
// `assessment_port`; data in <dir>/planning, backups in
// <dir>/planning-backup.
std::unique_ptr<ChildProcess> StartPlanning(const TempDir& dir,
                                            const std::string& listen,
                                            const std::string& assessment_port,
                                            const std::string& log) {
  internal::v1::PlanningConfig config = testing::WithShippedPlanningData(
      WithBackups(dir.path() + "/planning-backup"));
  testing::AddShareRoute(config.mutable_service()->mutable_upstream(),
                         "assessment", kPartitions,
                         {std::stoi(assessment_port)});
  const std::string path = dir.path() + "/planning.textproto";
  EXPECT_OK(server::WriteTextProtoFile(path, config, 0600));
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{HOMEWARD_PLANNING_BIN, "--config=" + path,
                               "--listen=" + listen,
                               "--data_dir=" + dir.path() + "/planning",
                               "--principal_secret_file=" + SecretFile(dir)},
      dir.path() + "/" + log);
}

std::string Address(const std::string& port) { return "127.0.0.1:" + port; }

// A call on a replica that may still be starting: retried while UNAVAILABLE.
template <typename Call>
grpc::Status Retrying(Call call) {
  grpc::Status status;
  const absl::Time deadline = absl::Now() + kStartTimeout;
  do {
    status = call();
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    absl::SleepFor(absl::Milliseconds(100));
  } while (absl::Now() < deadline);
  return status;
}

v1::Case Register(const std::string& port, const std::string& request_id) {
  auto cases = v1::CaseService::NewStub(
      grpc::CreateChannel(Address(port), grpc::InsecureChannelCredentials()));
  v1::Case created;
  grpc::Status status = Retrying([&] {
    grpc::ClientContext context;
    SignAs(kManager, &context);
    return cases->RegisterCase(&context, testing::ValidRegistration(request_id),
                               &created);
  });
  EXPECT_TRUE(status.ok()) << status.error_message();
  return created;
}

grpc::Status GetCase(const std::string& port, const std::string& case_id,
                     v1::Case* read) {
  auto cases = v1::CaseService::NewStub(
      grpc::CreateChannel(Address(port), grpc::InsecureChannelCredentials()));
  return Retrying([&] {
    grpc::ClientContext context;
    SignAs(kManager, &context);
    v1::GetCaseRequest request;
    request.set_case_id(case_id);
    return cases->GetCase(&context, request, read);
  });
}

// Changes the case's locality (one CaseUpdated event in its partition).
void Relocate(const std::string& port, const std::string& case_id,
              const std::string& locality) {
  v1::Case current;
  ASSERT_TRUE(GetCase(port, case_id, &current).ok());
  current.mutable_return_info()->set_locality(locality);
  auto cases = v1::CaseService::NewStub(
      grpc::CreateChannel(Address(port), grpc::InsecureChannelCredentials()));
  v1::UpdateCaseRequest request;
  *request.mutable_case_() = current;
  v1::Case updated;
  grpc::ClientContext context;
  SignAs(kManager, &context);
  grpc::Status status = cases->UpdateCase(&context, request, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

// Every event of the producer on `port`, read from its feed (replay only).
std::vector<Event> ReadFeed(const std::string& port) {
  auto feed = v1::EventFeedService::NewStub(
      grpc::CreateChannel(Address(port), grpc::InsecureChannelCredentials()));
  v1::SubscribeRequest request;
  request.set_replay_only(true);
  for (uint32_t p = 0; p < kPartitions; ++p) {
    request.add_cursors()->set_partition(p);
  }
  grpc::ClientContext context;
  SignAs(MakePrincipal("backup-test", v1::ROLE_SERVICE, {}), &context);
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  auto reader = feed->Subscribe(&context, request);
  std::vector<Event> events;
  Event event;
  while (reader->Read(&event)) events.push_back(event);
  grpc::Status status = reader->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  return events;
}

// What homeward-test-feed-consumer logs as `applied` once it has applied
// every event of `feeds`: the sum over partitions of the last sequence.
uint64_t AppliedThrough(const std::vector<std::vector<Event>>& feeds) {
  std::map<uint32_t, uint64_t> last;
  for (const std::vector<Event>& events : feeds) {
    for (const Event& e : events) {
      last[e.partition()] = std::max(last[e.partition()], e.sequence());
    }
  }
  uint64_t sum = 0;
  for (const auto& [p, sequence] : last) sum += sequence;
  return sum;
}

// The last value of `"field":"..."` in `log` (empty if none).
std::string LastLogValue(const std::string& log, const std::string& field) {
  std::regex pattern("\"" + field + "\":\"([^\"]*)\"");
  std::string last;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), pattern);
       it != std::sregex_iterator(); ++it) {
    last = (*it)[1];
  }
  return last;
}

// Waits until the feed consumer reports `applied` (AppliedThrough).
bool WaitForApplied(ChildProcess& consumer, uint64_t applied) {
  const absl::Time deadline = absl::Now() + kCatchUpTimeout;
  while (absl::Now() < deadline) {
    if (LastLogValue(consumer.Log(), "applied") == absl::StrCat(applied)) {
      return true;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

// `homewardctl backup create --verify` on the replica of `service` at `port`.
void BackUp(const std::string& service, const std::string& port) {
  internal::v1::RouteMap routes;
  auto* route = routes.add_routes();
  route->set_service(service);
  route->add_replicas()->set_address(Address(port));
  TestCtl ctl(routes);
  ASSERT_OK(ctl::RunBackupCommand(ctl, {"create", "--verify"}));
  ASSERT_EQ(ctl.Cell(0, "verified"), "true");
}

// `homewardctl backup restore`; the restored store's sequence floor.
uint64_t Restore(const std::string& backup_dir, const std::string& data_dir) {
  TestCtl ctl{internal::v1::RouteMap{}};
  absl::Status restored = ctl::RunBackupCommand(
      ctl, {"restore", "--backup_dir", backup_dir, "--data_dir", data_dir});
  EXPECT_OK(restored);
  if (!restored.ok()) return 0;
  return std::stoull(ctl.Cell(0, "sequence_floor"));
}

void Crash(ChildProcess& process) {
  process.Signal(SIGKILL);
  EXPECT_EQ(process.Wait(), 128 + SIGKILL);
}

std::vector<uint32_t> AllPartitions() {
  std::vector<uint32_t> all;
  for (uint32_t p = 0; p < kPartitions; ++p) all.push_back(p);
  return all;
}

// (b): the producer is restored. The consumer had applied two events the
// restored producer no longer has (sequences past the restored head of the
// case's partition); the events written after the restore, in the same
// partition, still reach it, once each.
TEST(BackupRestoreTest, RestoredProducerStillReachesAConsumerThatWasAhead) {
  TempDir dir;
  auto assessment = StartAssessment(dir, "127.0.0.1:0", "assessment.log");
  const std::string port = assessment->WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(port.empty()) << assessment->Log();
  ChildProcess consumer(
      {HOMEWARD_FEED_CONSUMER_BIN, "--data_dir=" + dir.path() + "/consumer",
       absl::StrCat("--partition_count=", kPartitions),
       absl::StrCat("--producers=", Address(port), "=0-", kPartitions - 1),
       "--principal_secret_file=" + SecretFile(dir)},
      dir.path() + "/consumer.log");

  const v1::Case kept = Register(port, "before-backup");
  BackUp("assessment", port);
  // Acknowledged after the backup: lost with the replica.
  const v1::Case lost = Register(port, "after-backup");
  Relocate(port, kept.case_id(), "Guediawaye");
  Relocate(port, kept.case_id(), "Rufisque");
  const std::vector<Event> before_crash = ReadFeed(port);
  ASSERT_TRUE(WaitForApplied(consumer, AppliedThrough({before_crash})))
      << consumer.Log();

  Crash(*assessment);
  std::filesystem::remove_all(dir.path() + "/assessment");
  const uint64_t floor =
      Restore(dir.path() + "/assessment-backup", dir.path() + "/assessment");
  ASSERT_GT(floor, 0u);
  assessment = StartAssessment(dir, Address(port), "assessment2.log");
  ASSERT_FALSE(assessment->WaitForLogField("port", kStartTimeout).empty())
      << assessment->Log();

  // Everything acknowledged before the backup, nothing after.
  v1::Case read;
  ASSERT_TRUE(GetCase(port, kept.case_id(), &read).ok());
  EXPECT_EQ(read.return_info().locality(), kept.return_info().locality());
  EXPECT_EQ(GetCase(port, lost.case_id(), &read).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // The same case's partition, whose restored head is below the consumer's
  // cursor: without the floor these would reuse sequences it has passed.
  Relocate(port, kept.case_id(), "Thies");
  const v1::Case late = Register(port, "after-restore");
  const std::vector<Event> after_restore = ReadFeed(port);
  std::vector<Event> written_after;
  for (const Event& e : after_restore) {
    if (e.sequence() >= floor) written_after.push_back(e);
  }
  std::set<std::string> subjects;
  for (const Event& e : written_after) subjects.insert(e.subject_id());
  EXPECT_EQ(subjects, (std::set<std::string>{kept.case_id(), late.case_id()}));
  EXPECT_TRUE(
      WaitForApplied(consumer, AppliedThrough({before_crash, written_after})))
      << consumer.Log();

  consumer.Signal(SIGTERM);
  EXPECT_EQ(consumer.Wait(), 0) << consumer.Log();
  assessment->Signal(SIGTERM);
  EXPECT_EQ(assessment->Wait(), 0) << assessment->Log();
  EXPECT_EQ(LastLogValue(consumer.Log(), "refused"), "0");

  // Each event once: those of the lost incarnation, then the new ones.
  ASSERT_OK_AND_ASSIGN_STORE(
      store, storage::Store::Open({.path = dir.path() + "/consumer"}));
  absl::StatusOr<std::map<uint32_t, std::vector<Event>>> recorded =
      testing::ReadRecordedEvents(*store, AllPartitions());
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  size_t count = 0;
  for (const auto& [p, events] : *recorded) count += events.size();
  EXPECT_EQ(count, before_crash.size() + written_after.size());
  const uint32_t p = storage::PartitionOf(kept.case_id(), kPartitions);
  std::vector<uint64_t> sequences;
  for (const Event& e : recorded->at(p)) {
    if (e.subject_id() == kept.case_id()) sequences.push_back(e.sequence());
  }
  // Registered, relocated twice (lost with the producer: below the
  // floor), relocated after the restore (above it).
  size_t expected = 0;
  for (const std::vector<Event>* events :
       std::vector<const std::vector<Event>*>{&before_crash, &written_after}) {
    for (const Event& e : *events) {
      if (e.subject_id() == kept.case_id()) ++expected;
    }
  }
  ASSERT_EQ(sequences.size(), expected);
  ASSERT_GE(sequences.size(), 4u);
  EXPECT_LT(sequences[sequences.size() - 2], floor);
  EXPECT_GE(sequences.back(), floor);
}

// (a): the consumer is restored. Planning's backup holds its projection and
// its cursors as of the backup; after the restore it applies the events
// after those cursors (a case registered after its backup becomes known to
// it again) and its cursors end at the producer's heads.
TEST(BackupRestoreTest, RestoredConsumerCatchesUpFromItsBackedUpCursors) {
  TempDir dir;
  auto assessment = StartAssessment(dir, "127.0.0.1:0", "assessment.log");
  const std::string assessment_port =
      assessment->WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(assessment_port.empty()) << assessment->Log();
  auto planning =
      StartPlanning(dir, "127.0.0.1:0", assessment_port, "planning.log");
  const std::string planning_port =
      planning->WaitForLogField("port", kStartTimeout);
  ASSERT_FALSE(planning_port.empty()) << planning->Log();
  auto plans = v1::PlanService::NewStub(grpc::CreateChannel(
      Address(planning_port), grpc::InsecureChannelCredentials()));
  // Creates a draft plan for the case, retrying while planning does not
  // know the case yet (NOT_FOUND) or is restarting.
  auto create_plan = [&](const std::string& case_id,
                         const std::string& request_id) {
    const absl::Time deadline = absl::Now() + kCatchUpTimeout;
    grpc::Status status;
    while (absl::Now() < deadline) {
      v1::CreatePlanRequest request;
      request.set_request_id(request_id);
      request.mutable_plan()->set_case_id(case_id);
      request.mutable_plan()->set_returnee_objectives("Open a workshop");
      v1::Plan plan;
      grpc::ClientContext context;
      SignAs(kManager, &context);
      status = plans->CreatePlan(&context, request, &plan);
      if (status.error_code() != grpc::StatusCode::NOT_FOUND &&
          status.error_code() != grpc::StatusCode::UNAVAILABLE) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
    return status;
  };
  auto plan_code = [&](const std::string& case_id) {
    return Retrying([&] {
             v1::GetPlanRequest request;
             request.set_case_id(case_id);
             v1::Plan plan;
             grpc::ClientContext context;
             SignAs(kManager, &context);
             return plans->GetPlan(&context, request, &plan);
           })
        .error_code();
  };

  const v1::Case early = Register(assessment_port, "early");
  ASSERT_TRUE(create_plan(early.case_id(), "plan-early").ok());
  BackUp("planning", planning_port);
  // After planning's backup: the registration is applied and a plan made,
  // both lost with the planning replica.
  const v1::Case middle = Register(assessment_port, "middle");
  ASSERT_TRUE(create_plan(middle.case_id(), "plan-middle").ok());

  Crash(*planning);
  std::filesystem::remove_all(dir.path() + "/planning");
  ASSERT_GT(Restore(dir.path() + "/planning-backup", dir.path() + "/planning"),
            0u);
  // Registered while planning is down.
  const v1::Case late = Register(assessment_port, "late");
  planning = StartPlanning(dir, Address(planning_port), assessment_port,
                           "planning2.log");
  ASSERT_FALSE(planning->WaitForLogField("port", kStartTimeout).empty())
      << planning->Log();

  // The plan made before the backup is there; the one after is not.
  EXPECT_EQ(plan_code(early.case_id()), grpc::StatusCode::OK);
  EXPECT_EQ(plan_code(middle.case_id()), grpc::StatusCode::NOT_FOUND);
  // The registrations after its cursors reach it again: both cases can be
  // planned (a plan needs the case in planning's projection).
  EXPECT_TRUE(create_plan(middle.case_id(), "plan-middle-again").ok());
  EXPECT_TRUE(create_plan(late.case_id(), "plan-late").ok());

  planning->Signal(SIGTERM);
  EXPECT_EQ(planning->Wait(), 0) << planning->Log();
  assessment->Signal(SIGTERM);
  EXPECT_EQ(assessment->Wait(), 0) << assessment->Log();

  // Caught up, each event applied once: planning's cursor in each case's
  // partition is the producer's head there, and nothing in its log says an
  // event was refused.
  ASSERT_OK_AND_ASSIGN_STORE(
      producer,
      storage::Store::Open({.path = dir.path() + "/assessment/rocksdb",
                            .partition_count = kPartitions}));
  ASSERT_OK_AND_ASSIGN_STORE(
      consumer, storage::Store::Open({.path = dir.path() + "/planning/rocksdb",
                                      .partition_count = kPartitions}));
  for (const v1::Case* c : {&early, &middle, &late}) {
    const uint32_t p = storage::PartitionOf(c->case_id(), kPartitions);
    absl::StatusOr<uint64_t> cursor =
        consumer->GetCursor(planning::CaseContextProjection::kName, p);
    ASSERT_TRUE(cursor.ok()) << cursor.status();
    EXPECT_EQ(*cursor, producer->PublishedSequence(p)) << "partition " << p;
  }
}

}  // namespace
}  // namespace homeward
