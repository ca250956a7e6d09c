// The closure store over a real RocksDB store: the head says whether a case
// is closed, creates and steps write the record, the head, the event (without
// free text) and an audit entry together, a retry of the same request finds
// or replays the first, a stale etag or a lost race writes nothing, and the
// caller's own changes commit in the same set.
#include "services/follow_up/closure_store.h"

#include <memory>
#include <string>
#include <vector>

#include "common/status/status_macros.h"
#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/follow_up/closure_rules.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::follow_up {
namespace {

using homeward::internal::v1::ClosureHead;
using ::homeward::testing::IsOk;
using ::homeward::testing::IsOkAndHolds;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using v1::Closure;

constexpr uint32_t kPartitions = 8;

ClosureMove Move(v1::ClosureStatus to, v1::Role role, std::string user_id,
                 std::string reason, google::protobuf::Timestamp time = {}) {
  ClosureMove move;
  move.to = to;
  move.role = role;
  move.user_id = std::move(user_id);
  move.reason = std::move(reason);
  move.time = time;
  return move;
}
const char kCase[] = "C00000000000000000001";

service::Actor ActorNamed(const std::string& user, v1::Role role,
                          const std::string& request_id = "") {
  service::Actor actor;
  actor.principal.set_user_id(user);
  actor.principal.set_role(role);
  actor.request_id = request_id;
  actor.method = "test";
  return actor;
}

const service::Actor kManager = ActorNamed("cm-1", v1::ROLE_CASE_MANAGER);
const service::Actor kSupervisor = ActorNamed("sup-1", v1::ROLE_SUPERVISOR);

// A closure as OpenClosure makes it, with free text in every text field.
Closure Opened(v1::Role role, bool approval_required) {
  Closure asked;
  asked.set_case_id(kCase);
  asked.set_reason(v1::CLOSURE_REASON_CHOSE_TO_STOP);
  asked.add_returnee_reasons(v1::EARLY_EXIT_REASON_OTHER);
  asked.set_returnee_reasons_notes("notes the returnee gave");
  asked.set_details("what happened");
  asked.set_no_final_rss_reason("declined the survey");
  asked.mutable_closing_session()->set_not_held_reason("unreachable");
  ClosureOpening opening;
  opening.approval_required = approval_required;
  opening.role = role;
  opening.user_id = role == v1::ROLE_SUPERVISOR ? "sup-1" : "cm-1";
  opening.office_id = "office-dakar";
  return OpenClosure(asked, opening);
}

class ClosureStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open(
        {.path = dir_.path() + "/db", .partition_count = kPartitions});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    closures_ = std::make_unique<ClosureStore>(store_.get());
  }

  absl::StatusOr<Closure> Create(const service::Actor& actor,
                                 const Closure& closure,
                                 const std::string& request_id = "") {
    auto prepared =
        closures_->PrepareCreate(actor, partition_, request_id, closure);
    if (!prepared.ok()) return prepared.status();
    return closures_->Commit(*std::move(prepared));
  }

  absl::StatusOr<Closure> Step(const service::Actor& actor,
                               const Closure& current, v1::ClosureStatus to,
                               const std::string& reason = "",
                               const std::string& reopen_request_id = "") {
    ASSIGN_OR_RETURN(
        Closure next,
        MoveClosure(current, Move(to, actor.principal.role(),
                                  actor.principal.user_id(), reason)));
    ASSIGN_OR_RETURN(ClosureStore::Prepared prepared,
                     closures_->PrepareStep(actor, partition_, current, next,
                                            current.etag(), reopen_request_id));
    return closures_->Commit(std::move(prepared));
  }

  std::vector<v1::Event> Events() {
    auto events = store_->ReadEvents(partition_, 0, 1000);
    EXPECT_THAT(events.status(), IsOk());
    return events.ok() ? *events : std::vector<v1::Event>();
  }

  int AuditEntries() {
    auto audit = store_->ListAuditOf(kCase, 100, "");
    EXPECT_THAT(audit.status(), IsOk());
    return audit.ok() ? static_cast<int>(audit->entries.size()) : -1;
  }

  TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<ClosureStore> closures_;
  const uint32_t partition_ = storage::PartitionOf(kCase, kPartitions);
};

TEST_F(ClosureStoreTest, ACaseWithoutClosureIsOpen) {
  EXPECT_THAT(closures_->IsClosed(partition_, kCase), IsOkAndHolds(false));
  EXPECT_THAT(closures_->CheckOpen(partition_, kCase), IsOk());
  EXPECT_THAT(closures_->Latest(partition_, kCase),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(closures_->Get(partition_, kCase, "CL1"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("CL1")));
}

TEST_F(ClosureStoreTest, ClosingWritesRecordHeadEventWithoutTextAndAudit) {
  absl::StatusOr<Closure> closed =
      Create(kSupervisor, Opened(v1::ROLE_SUPERVISOR, true));
  ASSERT_THAT(closed, IsOk());
  EXPECT_EQ(closed->status(), v1::CLOSURE_STATUS_CLOSED);
  EXPECT_EQ(closed->etag(), "1");
  EXPECT_FALSE(closed->closure_id().empty());

  EXPECT_THAT(closures_->IsClosed(partition_, kCase), IsOkAndHolds(true));
  EXPECT_THAT(
      closures_->CheckOpen(partition_, kCase),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("closed")));
  absl::StatusOr<Closure> latest = closures_->Latest(partition_, kCase);
  ASSERT_THAT(latest, IsOk());
  EXPECT_EQ(latest->closure_id(), closed->closure_id());
  EXPECT_EQ(latest->etag(), "1");
  EXPECT_EQ(latest->details(), "what happened");  // stored in full

  const std::vector<v1::Event> events = Events();
  ASSERT_THAT(events, SizeIs(1));
  const v1::Event& e = events[0];
  ASSERT_TRUE(e.has_case_closed());
  EXPECT_EQ(e.subject_id(), kCase);
  EXPECT_EQ(e.actor_user_id(), "sup-1");
  const Closure& carried = e.case_closed().closure();
  EXPECT_EQ(carried.closure_id(), closed->closure_id());
  EXPECT_EQ(carried.reason(), v1::CLOSURE_REASON_CHOSE_TO_STOP);
  EXPECT_EQ(carried.details(), "");
  EXPECT_EQ(carried.returnee_reasons_notes(), "");
  EXPECT_EQ(carried.no_final_rss_reason(), "");
  EXPECT_EQ(carried.closing_session().not_held_reason(), "");
  EXPECT_EQ(AuditEntries(), 1);
}

TEST_F(ClosureStoreTest, PendingClosureRaisesNoEventAndLeavesCaseOpen) {
  absl::StatusOr<Closure> pending =
      Create(kManager, Opened(v1::ROLE_CASE_MANAGER, true));
  ASSERT_THAT(pending, IsOk());
  EXPECT_EQ(pending->status(), v1::CLOSURE_STATUS_PENDING_APPROVAL);
  EXPECT_THAT(closures_->IsClosed(partition_, kCase), IsOkAndHolds(false));
  EXPECT_THAT(Events(), SizeIs(0));
  EXPECT_EQ(AuditEntries(), 1);

  // Approved: CLOSED, etag 2, CaseClosed.
  absl::StatusOr<Closure> approved =
      Step(kSupervisor, *pending, v1::CLOSURE_STATUS_CLOSED);
  ASSERT_THAT(approved, IsOk());
  EXPECT_EQ(approved->etag(), "2");
  EXPECT_EQ(approved->approved_by(), "sup-1");
  EXPECT_EQ(approved->create_time().seconds(),
            pending->create_time().seconds());
  EXPECT_THAT(closures_->IsClosed(partition_, kCase), IsOkAndHolds(true));
  const std::vector<v1::Event> events = Events();
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_TRUE(events[0].has_case_closed());
}

TEST_F(ClosureStoreTest, RetryOfACreateFindsOrReplaysTheFirst) {
  const Closure asked = Opened(v1::ROLE_CASE_MANAGER, true);
  EXPECT_THAT(closures_->ForCloseRequest(partition_, kCase, "close-1"),
              IsOkAndHolds(::testing::Eq(std::nullopt)));
  // Two sets prepared for the same request before either commits: the
  // second replays the first and writes nothing.
  auto first = closures_->PrepareCreate(kManager, partition_, "close-1", asked);
  auto second =
      closures_->PrepareCreate(kManager, partition_, "close-1", asked);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(first->closure.closure_id(),
            ClosureStore::ClosureIdForRequest(kCase, "close-1"));
  absl::StatusOr<Closure> made = closures_->Commit(*std::move(first));
  ASSERT_THAT(made, IsOk());
  absl::StatusOr<Closure> replayed = closures_->Commit(*std::move(second));
  ASSERT_THAT(replayed, IsOk());
  EXPECT_EQ(replayed->closure_id(), made->closure_id());
  EXPECT_EQ(replayed->etag(), "1");
  EXPECT_EQ(AuditEntries(), 1);

  absl::StatusOr<std::optional<Closure>> found =
      closures_->ForCloseRequest(partition_, kCase, "close-1");
  ASSERT_THAT(found, IsOk());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->closure_id(), made->closure_id());
  // Another case's request of the same id is another request.
  EXPECT_NE(ClosureStore::ClosureIdForRequest("C2", "close-1"),
            made->closure_id());
}

TEST_F(ClosureStoreTest, TwoDifferentCreatesOnOneHeadCommitOnlyOne) {
  const Closure asked = Opened(v1::ROLE_SUPERVISOR, true);
  for (int round = 0; round < 2; ++round) {
    // Round 0: the case has no head yet; round 1: it has one (declined).
    auto a = closures_->PrepareCreate(kSupervisor, partition_, "", asked);
    auto b = closures_->PrepareCreate(kSupervisor, partition_, "", asked);
    ASSERT_THAT(a, IsOk());
    ASSERT_THAT(b, IsOk());
    absl::StatusOr<Closure> won = closures_->Commit(*std::move(a));
    ASSERT_THAT(won, IsOk());
    EXPECT_THAT(closures_->Commit(*std::move(b)),
                StatusIs(absl::StatusCode::kAborted));
    absl::StatusOr<Closure> latest = closures_->Latest(partition_, kCase);
    ASSERT_THAT(latest, IsOk());
    EXPECT_EQ(latest->closure_id(), won->closure_id());
    if (round == 0) {
      ASSERT_THAT(Step(kSupervisor, *won, v1::CLOSURE_STATUS_REOPENED, "back"),
                  IsOk());
    }
  }
}

TEST_F(ClosureStoreTest, StaleEtagAndNotLatestWriteNothing) {
  absl::StatusOr<Closure> pending =
      Create(kManager, Opened(v1::ROLE_CASE_MANAGER, true));
  ASSERT_THAT(pending, IsOk());
  absl::StatusOr<Closure> next = MoveClosure(
      *pending,
      Move(v1::CLOSURE_STATUS_CLOSED, v1::ROLE_SUPERVISOR, "sup-1", ""));
  ASSERT_THAT(next, IsOk());
  EXPECT_THAT(
      closures_->PrepareStep(kSupervisor, partition_, *pending, *next, "7"),
      StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(
      closures_->PrepareStep(kSupervisor, partition_, *pending, *next, "x"),
      StatusIs(absl::StatusCode::kInvalidArgument));

  // Declined, then a new closure: the declined one is no longer the latest.
  absl::StatusOr<Closure> declined =
      Step(kSupervisor, *pending, v1::CLOSURE_STATUS_DECLINED, "not yet");
  ASSERT_THAT(declined, IsOk());
  ASSERT_THAT(Create(kManager, Opened(v1::ROLE_CASE_MANAGER, true)), IsOk());
  EXPECT_THAT(
      closures_->PrepareStep(kSupervisor, partition_, *declined, *declined,
                             declined->etag()),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("latest")));

  // A step prepared on a read that another write overtook: ABORTED.
  absl::StatusOr<Closure> latest = closures_->Latest(partition_, kCase);
  ASSERT_THAT(latest, IsOk());
  auto approve = MoveClosure(*latest, Move(v1::CLOSURE_STATUS_CLOSED,
                                           v1::ROLE_SUPERVISOR, "sup-1", ""));
  auto decline = MoveClosure(*latest, Move(v1::CLOSURE_STATUS_DECLINED,
                                           v1::ROLE_SUPERVISOR, "sup-1", "no"));
  auto a = closures_->PrepareStep(kSupervisor, partition_, *latest, *approve,
                                  latest->etag());
  auto d = closures_->PrepareStep(kSupervisor, partition_, *latest, *decline,
                                  latest->etag());
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(d, IsOk());
  ASSERT_THAT(closures_->Commit(*std::move(a)), IsOk());
  EXPECT_THAT(closures_->Commit(*std::move(d)),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(closures_->IsClosed(partition_, kCase), IsOkAndHolds(true));
}

TEST_F(ClosureStoreTest, ReopenRaisesCaseReopenedAndRemembersItsRequest) {
  absl::StatusOr<Closure> closed =
      Create(kSupervisor, Opened(v1::ROLE_SUPERVISOR, true));
  ASSERT_THAT(closed, IsOk());
  absl::StatusOr<Closure> reopened =
      Step(kManager, *closed, v1::CLOSURE_STATUS_REOPENED,
           "returnee asked for support again", "reopen-1");
  ASSERT_THAT(reopened, IsOk());
  EXPECT_EQ(reopened->status(), v1::CLOSURE_STATUS_REOPENED);
  EXPECT_THAT(closures_->IsClosed(partition_, kCase), IsOkAndHolds(false));

  const std::vector<v1::Event> events = Events();
  ASSERT_THAT(events, SizeIs(2));
  ASSERT_TRUE(events[1].has_case_reopened());
  EXPECT_EQ(events[1].case_reopened().closure().status(),
            v1::CLOSURE_STATUS_REOPENED);
  EXPECT_EQ(events[1].case_reopened().closure().reopen_reason(), "");
  EXPECT_EQ(events[1].actor_user_id(), "cm-1");

  absl::StatusOr<std::optional<Closure>> found = closures_->ForReopenRequest(
      partition_, kCase, closed->closure_id(), "reopen-1");
  ASSERT_THAT(found, IsOk());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->etag(), reopened->etag());
  EXPECT_THAT(closures_->ForReopenRequest(partition_, kCase,
                                          closed->closure_id(), "reopen-2"),
              IsOkAndHolds(::testing::Eq(std::nullopt)));
}

TEST_F(ClosureStoreTest, CallersChangesCommitInTheSameSet) {
  auto prepared = closures_->PrepareCreate(kSupervisor, partition_, "",
                                           Opened(v1::ROLE_SUPERVISOR, true));
  ASSERT_THAT(prepared, IsOk());
  ClosureHead marker;  // any record stands for the contacts' changes
  marker.set_closure_id("marker");
  prepared->set.PutRecord(partition_, "test_marker", kCase, 1, marker);
  // And one that cannot hold: nothing of the closure is written either.
  auto failing = closures_->PrepareCreate(kSupervisor, partition_, "",
                                          Opened(v1::ROLE_SUPERVISOR, true));
  ASSERT_THAT(failing, IsOk());
  failing->set.ExpectVersion(partition_, "test_marker", "other", 5);
  EXPECT_FALSE(closures_->Commit(*std::move(failing)).ok());
  EXPECT_THAT(closures_->IsClosed(partition_, kCase), IsOkAndHolds(false));
  EXPECT_THAT(Events(), SizeIs(0));

  ASSERT_THAT(closures_->Commit(*std::move(prepared)), IsOk());
  ClosureHead read;
  uint64_t version = 0;
  EXPECT_THAT(
      store_->GetRecord(partition_, "test_marker", kCase, &read, &version),
      IsOkAndHolds(true));
  EXPECT_THAT(closures_->IsClosed(partition_, kCase), IsOkAndHolds(true));
}

}  // namespace
}  // namespace homeward::follow_up
