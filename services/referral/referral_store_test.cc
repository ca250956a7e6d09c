// The referral store on a real RocksDB store in a temp dir: creation
// (idempotent by request id, with its event and history), etag checks that
// write nothing when stale, the inbox and overdue queues kept by every write
// (dates passed in), claims that exactly one of many concurrent ones wins,
// and everything surviving a reopened store.
#include "services/referral/referral_store.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/referral/referral_indexes.h"
#include "services/referral/referral_test_data.h"
#include "services/referral/referral_transitions.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::referral {
namespace {

using ::homeward::referral::testing::ActorNamed;
using ::homeward::referral::testing::SentReferral;
using ::homeward::testing::IsOk;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using v1::Referral;

constexpr uint32_t kPartitions = 8;

class ReferralStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    referrals_.reset();
    store_.reset();
    auto store = storage::Store::Open(
        {.path = dir_.path() + "/db", .partition_count = kPartitions});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    referrals_ = std::make_unique<ReferralStore>(store_.get(), &owned_);
  }

  uint32_t PartitionOf(const std::string& case_id) {
    return storage::PartitionOf(case_id, kPartitions);
  }

  Referral Create(const Referral& r, const std::string& request_id = "") {
    auto created = referrals_->Create(ActorNamed("cm-1", v1::ROLE_CASE_MANAGER),
                                      PartitionOf(r.case_id()), request_id, r);
    EXPECT_THAT(created.status(), IsOk());
    return created.ok() ? *created : Referral();
  }

  Referral Move(const Referral& r, v1::ReferralStatus to,
                v1::ReferralSide side = v1::REFERRAL_SIDE_PERFORMER,
                const std::string& reason = "",
                const std::string& outcome = "") {
    ReferralMove move;
    move.to = to;
    move.side = side;
    move.user_id = "staff-1";
    move.reason = reason;
    move.outcome = outcome;
    auto next = MoveReferral(r, move);
    EXPECT_THAT(next.status(), IsOk());
    auto written = referrals_->Change(
        ActorNamed("staff-1", v1::ROLE_PARTNER_AGENCY), r, *next, r.etag());
    EXPECT_THAT(written.status(), IsOk());
    return written.ok() ? *written : Referral();
  }

  std::vector<std::string> Inbox(
      const std::string& org, std::vector<v1::ReferralStatus> statuses = {}) {
    auto page = referrals_->ListForOrganization(org, statuses, 100, "");
    EXPECT_THAT(page.status(), IsOk());
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const auto& r : page->items) ids.push_back(r.referral_id());
    }
    return ids;
  }

  std::vector<std::string> Overdue(const char* index, const std::string& queue,
                                   absl::CivilDay as_of,
                                   const std::string& org = "") {
    auto page = referrals_->ListOverdue(index, queue, org, as_of, 100, "");
    EXPECT_THAT(page.status(), IsOk());
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const auto& item : page->items) {
        ids.push_back(item.referral.referral_id());
      }
    }
    return ids;
  }

  std::vector<v1::Event> Events(const std::string& case_id) {
    auto events = store_->ReadEvents(PartitionOf(case_id), 0, 1000);
    EXPECT_THAT(events.status(), IsOk());
    return events.ok() ? *events : std::vector<v1::Event>();
  }

  TempDir dir_;
  storage::PartitionSet owned_ = storage::PartitionSet::All(kPartitions);
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<ReferralStore> referrals_;
};

TEST_F(ReferralStoreTest, CreateStoresHistoryAndEventAndIsIdempotent) {
  const Referral r =
      Create(SentReferral("C1", "org-a", "office-dakar"), "req-1");
  EXPECT_FALSE(r.referral_id().empty());
  EXPECT_EQ(r.etag(), "1");
  ASSERT_EQ(r.history_size(), 1);
  EXPECT_EQ(r.history(0).status(), v1::REFERRAL_STATUS_REQUESTED);
  EXPECT_EQ(r.history(0).side(), v1::REFERRAL_SIDE_REQUESTER);
  EXPECT_EQ(r.history(0).user_id(), "cm-1");
  auto read = referrals_->Get(PartitionOf("C1"), "C1", r.referral_id());
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_EQ(read->SerializeAsString(), r.SerializeAsString());

  // The same request again: the first referral, nothing more written.
  const Referral again =
      Create(SentReferral("C1", "org-a", "office-dakar"), "req-1");
  EXPECT_EQ(again.referral_id(), r.referral_id());
  auto all = referrals_->ListByCase(PartitionOf("C1"), "C1", 100, "");
  ASSERT_THAT(all.status(), IsOk());
  EXPECT_EQ(all->items.size(), 1u);

  const std::vector<v1::Event> events = Events("C1");
  ASSERT_EQ(events.size(), 1u);
  const auto& changed = events[0].referral_status_changed();
  EXPECT_EQ(events[0].subject_id(), "C1");
  EXPECT_EQ(changed.previous_status(), v1::REFERRAL_STATUS_UNSPECIFIED);
  EXPECT_EQ(changed.referral().status(), v1::REFERRAL_STATUS_REQUESTED);
  EXPECT_EQ(changed.referral().referral_id(), r.referral_id());
  // The feed carries no summary.
  EXPECT_FALSE(changed.referral().has_summary());
}

TEST_F(ReferralStoreTest, ReferralOfAnotherCaseIsNotFound) {
  const Referral r = Create(SentReferral("C1", "org-a", "office-dakar"));
  EXPECT_THAT(
      referrals_->Get(PartitionOf("C1"), "C2", r.referral_id()).status(),
      StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ReferralStoreTest, StaleEtagWritesNothing) {
  const Referral r = Create(SentReferral("C1", "org-a", "office-dakar"));
  const Referral received = Move(r, v1::REFERRAL_STATUS_RECEIVED);
  EXPECT_EQ(received.etag(), "2");
  ReferralMove move;
  move.to = v1::REFERRAL_STATUS_ACCEPTED;
  move.side = v1::REFERRAL_SIDE_PERFORMER;
  auto next = MoveReferral(received, move);
  ASSERT_THAT(next.status(), IsOk());
  // The caller read etag 1; the referral is at 2.
  EXPECT_THAT(referrals_
                  ->Change(ActorNamed("staff-1", v1::ROLE_PARTNER_AGENCY),
                           received, *next, "1")
                  .status(),
              StatusIs(absl::StatusCode::kAborted));
  // A write prepared from an old read loses at commit.
  EXPECT_THAT(referrals_
                  ->Change(ActorNamed("staff-1", v1::ROLE_PARTNER_AGENCY), r,
                           *next, "1")
                  .status(),
              StatusIs(absl::StatusCode::kAborted));
  auto now = referrals_->Get(PartitionOf("C1"), "C1", r.referral_id());
  ASSERT_THAT(now.status(), IsOk());
  EXPECT_EQ(now->status(), v1::REFERRAL_STATUS_RECEIVED);
  EXPECT_EQ(now->etag(), "2");
  EXPECT_EQ(Events("C1").size(), 2u);
}

TEST_F(ReferralStoreTest, InboxHoldsOpenReferralsOfTheOrganization) {
  Referral draft = SentReferral("C1", "org-a", "office-dakar");
  draft.set_status(v1::REFERRAL_STATUS_DRAFT);
  const Referral d = Create(draft);
  const Referral a = Create(SentReferral("C1", "org-a", "office-dakar"));
  const Referral b = Create(SentReferral("C2", "org-b", "office-dakar"));
  EXPECT_THAT(Inbox("org-a"), ElementsAre(a.referral_id()));
  EXPECT_THAT(Inbox("org-b"), ElementsAre(b.referral_id()));
  // Sending the draft puts it in.
  const Referral sent =
      Move(d, v1::REFERRAL_STATUS_REQUESTED, v1::REFERRAL_SIDE_REQUESTER);
  EXPECT_THAT(Inbox("org-a"), ElementsAre(d.referral_id(), a.referral_id()));
  // A final referral leaves the inbox and shows when asked for.
  Referral done = Move(a, v1::REFERRAL_STATUS_ACCEPTED);
  done = Move(done, v1::REFERRAL_STATUS_IN_PROGRESS);
  done = Move(done, v1::REFERRAL_STATUS_COMPLETED, v1::REFERRAL_SIDE_PERFORMER,
              "", "placed");
  EXPECT_THAT(Inbox("org-a"), ElementsAre(d.referral_id()));
  EXPECT_THAT(Inbox("org-a", {v1::REFERRAL_STATUS_COMPLETED}),
              ElementsAre(a.referral_id()));
  EXPECT_THAT(Inbox("org-c"), IsEmpty());
}

// The index entries a change writes are only those the referral did not
// have before it: shown on an empty store, where the entries of `before`
// are not stored, so that an entry written again would show.
TEST_F(ReferralStoreTest, ChangeWritesOnlyTheIndexEntriesThatChanged) {
  Referral requested = SentReferral("C1", "org-a", "office-dakar");
  requested.set_referral_id("RF1");
  requested.set_status(v1::REFERRAL_STATUS_REQUESTED);
  Referral received = requested;
  received.set_status(v1::REFERRAL_STATUS_RECEIVED);
  Referral accepted = requested;
  accepted.set_status(v1::REFERRAL_STATUS_ACCEPTED);
  const uint32_t p = PartitionOf("C1");
  auto listed = [&](const char* index, const std::string& value) {
    auto page = store_->ListIndex({p}, index, value, 100, "");
    EXPECT_THAT(page.status(), IsOk());
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const auto& e : page->entries) ids.push_back(e.id);
    }
    return ids;
  };

  // REQUESTED -> RECEIVED stays in every index and queue: nothing written.
  storage::WriteSet within;
  UpdateReferralIndexes(p, &requested, &received, within);
  ASSERT_THAT(store_->Commit(std::move(within)).status(), IsOk());
  EXPECT_THAT(listed(kByCaseIndex, "C1"), IsEmpty());
  EXPECT_THAT(listed(kInboxIndex, "org-a"), IsEmpty());
  EXPECT_THAT(listed(kAwaitingResponseIndex, OrganizationQueue("org-a")),
              IsEmpty());

  // REQUESTED -> ACCEPTED moves queues: only the completion queue entries
  // are written.
  storage::WriteSet across;
  UpdateReferralIndexes(p, &requested, &accepted, across);
  ASSERT_THAT(store_->Commit(std::move(across)).status(), IsOk());
  EXPECT_THAT(listed(kByCaseIndex, "C1"), IsEmpty());
  EXPECT_THAT(listed(kInboxIndex, "org-a"), IsEmpty());
  EXPECT_THAT(listed(kAwaitingCompletionIndex, OrganizationQueue("org-a")),
              ElementsAre(QueueEntryId(accepted.expected_completion_date(),
                                       "C1", "RF1")));
  EXPECT_THAT(listed(kAwaitingCompletionIndex, OfficeQueue("office-dakar")),
              ElementsAre(QueueEntryId(accepted.expected_completion_date(),
                                       "C1", "RF1")));

  // A creation (no referral before) writes every entry.
  storage::WriteSet created;
  UpdateReferralIndexes(p, nullptr, &requested, created);
  ASSERT_THAT(store_->Commit(std::move(created)).status(), IsOk());
  EXPECT_THAT(listed(kByCaseIndex, "C1"), ElementsAre("RF1"));
  EXPECT_THAT(listed(kInboxIndex, "org-a"), ElementsAre("RF1"));
}

TEST_F(ReferralStoreTest, OverdueQueuesPerOfficeAndOrganization) {
  // Response due 2030-01-10, completion 2030-03-01.
  const Referral a = Create(SentReferral("C1", "org-a", "office-dakar"));
  const Referral b = Create(SentReferral("C2", "org-b", "office-thies"));
  const absl::CivilDay due(2030, 1, 10);
  EXPECT_THAT(Overdue(kAwaitingResponseIndex, OfficeQueue("office-dakar"), due),
              IsEmpty());
  EXPECT_THAT(
      Overdue(kAwaitingResponseIndex, OfficeQueue("office-dakar"), due + 1),
      ElementsAre(a.referral_id()));
  EXPECT_THAT(
      Overdue(kAwaitingResponseIndex, OfficeQueue("office-thies"), due + 1),
      ElementsAre(b.referral_id()));
  EXPECT_THAT(
      Overdue(kAwaitingResponseIndex, OrganizationQueue("org-b"), due + 1),
      ElementsAre(b.referral_id()));
  EXPECT_THAT(Overdue(kAwaitingResponseIndex, OfficeQueue("office-dakar"),
                      due + 1, "org-b"),
              IsEmpty());

  // Accepted: awaiting completion now, no longer a response.
  const Referral accepted = Move(a, v1::REFERRAL_STATUS_ACCEPTED);
  EXPECT_TRUE(accepted.has_response_time());
  EXPECT_THAT(Overdue(kAwaitingResponseIndex, OfficeQueue("office-dakar"),
                      absl::CivilDay(2031, 1, 1)),
              IsEmpty());
  const absl::CivilDay completion(2030, 3, 1);
  EXPECT_THAT(
      Overdue(kAwaitingCompletionIndex, OrganizationQueue("org-a"), completion),
      IsEmpty());
  EXPECT_THAT(Overdue(kAwaitingCompletionIndex, OrganizationQueue("org-a"),
                      completion + 1),
              ElementsAre(a.referral_id()));
  // Cancelled: in no queue.
  Move(accepted, v1::REFERRAL_STATUS_CANCELLED, v1::REFERRAL_SIDE_REQUESTER,
       "no longer needed");
  EXPECT_THAT(Overdue(kAwaitingCompletionIndex, OfficeQueue("office-dakar"),
                      absl::CivilDay(2031, 1, 1)),
              IsEmpty());
}

TEST_F(ReferralStoreTest, QueuesAndInboxSurviveReopening) {
  const Referral a = Create(SentReferral("C1", "org-a", "office-dakar"));
  ASSERT_NO_FATAL_FAILURE(Open());
  EXPECT_THAT(Inbox("org-a"), ElementsAre(a.referral_id()));
  EXPECT_THAT(Overdue(kAwaitingResponseIndex, OfficeQueue("office-dakar"),
                      absl::CivilDay(2030, 2, 1)),
              ElementsAre(a.referral_id()));
  auto read = referrals_->Get(PartitionOf("C1"), "C1", a.referral_id());
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_EQ(read->etag(), "1");
}

TEST_F(ReferralStoreTest, ExactlyOneOfConcurrentClaimsWins) {
  constexpr int kRuns = 20;
  constexpr int kClaimers = 6;
  for (int run = 0; run < kRuns; ++run) {
    const Referral r = Create(SentReferral("C1", "org-a", "office-dakar"));
    std::atomic<int> won{0};
    std::atomic<int> already{0};
    std::atomic<int> other{0};
    std::atomic<int> finished{0};
    absl::Notification all_done;
    std::vector<std::thread> threads;
    for (int i = 0; i < kClaimers; ++i) {
      threads.emplace_back([&, i] {
        const std::string staff = absl::StrCat("staff-", i);
        absl::Status started = referrals_->ClaimAsync(
            ActorNamed(staff, v1::ROLE_PARTNER_AGENCY), r, staff,
            [&](absl::StatusOr<Referral> result) {
              if (result.ok()) {
                ++won;
              } else if (absl::IsFailedPrecondition(result.status()) &&
                         absl::StrContains(result.status().message(),
                                           "already has a performer")) {
                ++already;
              } else {
                ++other;
              }
              if (++finished == kClaimers) all_done.Notify();
            });
        if (!started.ok()) {
          ++other;
          if (++finished == kClaimers) all_done.Notify();
        }
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_TRUE(all_done.WaitForNotificationWithTimeout(absl::Seconds(60)));
    EXPECT_EQ(won.load(), 1) << "run " << run;
    EXPECT_EQ(already.load(), kClaimers - 1) << "run " << run;
    EXPECT_EQ(other.load(), 0) << "run " << run;
    auto now = referrals_->Get(PartitionOf("C1"), "C1", r.referral_id());
    ASSERT_THAT(now.status(), IsOk());
    EXPECT_FALSE(now->performer_id().empty());
    // A claim after the winner's is refused at once.
    EXPECT_THAT(
        referrals_->ClaimAsync(ActorNamed("late", v1::ROLE_PARTNER_AGENCY),
                               *now, "late", [](absl::StatusOr<Referral>) {}),
        StatusIs(absl::StatusCode::kFailedPrecondition));
  }
}

}  // namespace
}  // namespace homeward::referral
