// The storage kernel against a real RocksDB in a temporary directory.
#include "common/storage/store.h"

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/auth/crypto.h"
#include "common/status/status_matchers.h"
#include "common/storage/columns.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.pb.h"
#include "tests/fixtures/raw_rocksdb.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::storage {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::IsOkAndHolds;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::v1::Case;
using ::homeward::v1::Event;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

std::unique_ptr<Store> OpenStore(const TempDir& dir) {
  auto store = Store::Open({.path = dir.path() + "/db"});
  EXPECT_TRUE(store.ok()) << store.status();
  return std::move(store).value();
}

Case MakeCase(const std::string& id, const std::string& office) {
  Case c;
  c.set_case_id(id);
  c.set_office_id(office);
  return c;
}

// Case `id` of partition `p` as stored, with its version; a failed
// expectation when it is not there.
struct StoredCase {
  Case value;
  uint64_t version = 0;
};
StoredCase ReadCase(const Store& store, uint32_t p, const std::string& id) {
  StoredCase stored;
  EXPECT_THAT(store.GetRecord(p, "case", id, &stored.value, &stored.version),
              IsOkAndHolds(true));
  return stored;
}

Event CaseEvent(uint32_t partition, const std::string& id) {
  Event e;
  e.set_partition(partition);
  e.set_subject_id(id);
  e.mutable_case_registered()->mutable_case_()->set_case_id(id);
  return e;
}

// A projection's commit (kOrdered) does not wait for a WAL sync unless it
// appends an event or an audit entry, whose sequences must be durable before
// anyone sees them; every other commit does.
TEST(StoreTest, OnlyOrderedCommitsWithoutEventsOrAuditSkipTheSync) {
  using Durability = Store::Durability;
  WriteSet plain;
  plain.PutRecord(0, "case", "C1", 1, MakeCase("C1", "o")).PutCursor("c", 0, 7);
  WriteSet with_event;
  with_event.AppendEvent(CaseEvent(0, "C1"));
  WriteSet with_audit;
  homeward::internal::v1::AuditEntry entry;
  entry.set_subject_id("C1");
  with_audit.Audit(entry);
  struct Row {
    const WriteSet* set;
    Durability durability;
    bool syncs;
  } rows[] = {
      {&plain, Durability::kSynced, true},
      {&plain, Durability::kOrdered, false},
      {&with_event, Durability::kOrdered, true},
      {&with_audit, Durability::kOrdered, true},
      {&with_event, Durability::kSynced, true},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(Store::SyncsBeforeReporting(*row.set, row.durability), row.syncs)
        << static_cast<int>(row.durability);
  }
}

// An ordered commit is applied, read back at once and kept across a reopen.
TEST(StoreTest, OrderedCommitIsAppliedAndKept) {
  TempDir dir;
  {
    auto store = OpenStore(dir);
    WriteSet set;
    set.PutRecord(3, "case", "C9", 1, MakeCase("C9", "office-a"))
        .PutCursor("projection", 3, 42);
    ASSERT_THAT(store->Commit(std::move(set), Store::Durability::kOrdered),
                IsOk());
    EXPECT_EQ(ReadCase(*store, 3, "C9").value.office_id(), "office-a");
  }
  auto store = OpenStore(dir);
  EXPECT_EQ(ReadCase(*store, 3, "C9").version, 1u);
}

TEST(StoreTest, StaleVersionIsAbortedAndChangesNothing) {
  TempDir dir;
  auto store = OpenStore(dir);
  WriteSet create;
  create.ExpectVersion(1, "case", "c1", 0)
      .PutRecord(1, "case", "c1", 1, MakeCase("c1", "A"));
  ASSERT_OK(store->Commit(std::move(create)));

  WriteSet update;
  update.ExpectVersion(1, "case", "c1", 1)
      .PutRecord(1, "case", "c1", 2, MakeCase("c1", "B"));
  ASSERT_OK(store->Commit(std::move(update)));

  WriteSet stale;
  stale.ExpectVersion(1, "case", "c1", 1)
      .PutRecord(1, "case", "c1", 2, MakeCase("c1", "STALE"))
      .AppendEvent(CaseEvent(1, "c1"));
  EXPECT_THAT(store->Commit(std::move(stale)),
              StatusIs(absl::StatusCode::kAborted,
                       HasSubstr("etag given '1', current '2'")));

  const StoredCase c1 = ReadCase(*store, 1, "c1");
  EXPECT_EQ(c1.version, 2u);
  EXPECT_EQ(c1.value.office_id(), "B");
  EXPECT_THAT(store->ReadEvents(1, 0, 10), IsOkAndHolds(::testing::IsEmpty()));
}

TEST(StoreTest,
     CreatingAnExistingRecordIsAlreadyExistsAndUpdatingAMissingOneNotFound) {
  TempDir dir;
  auto store = OpenStore(dir);
  WriteSet create;
  create.ExpectVersion(0, "case", "c1", 0)
      .PutRecord(0, "case", "c1", 1, MakeCase("c1", "A"));
  ASSERT_OK(store->Commit(std::move(create)));
  WriteSet again;
  again.ExpectVersion(0, "case", "c1", 0)
      .PutRecord(0, "case", "c1", 1, MakeCase("c1", "B"));
  EXPECT_THAT(store->Commit(std::move(again)),
              StatusIs(absl::StatusCode::kAlreadyExists));
  WriteSet missing;
  missing.ExpectVersion(0, "case", "nope", 3);
  EXPECT_THAT(store->Commit(std::move(missing)),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(StoreTest, RepeatedRequestIdReplaysTheFirstResultAndAppliesNothing) {
  TempDir dir;
  auto store = OpenStore(dir);
  auto make = [](const std::string& id) {
    homeward::internal::v1::IdempotencyRecord rec;
    rec.set_subject_id(id);
    rec.set_partition(4);
    WriteSet set;
    set.ClaimRequest(4, "RegisterCase", "req-1", rec)
        .PutRecord(4, "case", id, 1, MakeCase(id, "A"))
        .AppendEvent(CaseEvent(4, id));
    return set;
  };
  auto first = store->Commit(make("first"));
  ASSERT_OK(first);
  EXPECT_FALSE(first->replayed);
  auto second = store->Commit(make("second"));
  ASSERT_OK(second);
  EXPECT_TRUE(second->replayed);
  EXPECT_EQ(second->original.subject_id(), "first");
  EXPECT_TRUE(second->events.empty());

  Case read;
  EXPECT_THAT(store->GetRecord(4, "case", "second", &read, nullptr),
              IsOkAndHolds(false));
  auto events = store->ReadEvents(4, 0, 10);
  ASSERT_OK(events);
  EXPECT_EQ(events->size(), 1u);
}

TEST(StoreTest, CreateOfAnExistingRequestDerivedRecordIsAReplay) {
  TempDir dir;
  auto store = OpenStore(dir);
  auto make = [](const std::string& office) {
    WriteSet set;
    set.ExpectNewOrReplay(6, "case", "c-req-1")
        .PutRecord(6, "case", "c-req-1", 1, MakeCase("c-req-1", office))
        .AppendEvent(CaseEvent(6, "c-req-1"));
    return set;
  };
  auto first = store->Commit(make("A"));
  ASSERT_OK(first);
  EXPECT_FALSE(first->replayed);
  EXPECT_EQ(first->events.size(), 1u);

  auto second = store->Commit(make("B"));
  ASSERT_OK(second);
  EXPECT_TRUE(second->replayed);
  EXPECT_EQ(second->original.subject_id(), "c-req-1");
  EXPECT_EQ(second->original.partition(), 6u);
  EXPECT_TRUE(second->events.empty());

  // The replay applied nothing: the first create's record and event stand.
  const StoredCase created = ReadCase(*store, 6, "c-req-1");
  EXPECT_EQ(created.version, 1u);
  EXPECT_EQ(created.value.office_id(), "A");
  auto events = store->ReadEvents(6, 0, 10);
  ASSERT_OK(events);
  EXPECT_EQ(events->size(), 1u);
}

TEST(StoreTest, IndexPagingVisitsEveryMatchOnceAcrossPartitions) {
  TempDir dir;
  auto store = OpenStore(dir);
  std::set<std::string> expected;
  for (int i = 0; i < 300; ++i) {
    std::string id = "case-" + std::to_string(i);
    uint32_t p = i % 16;
    std::string office = i % 3 == 0 ? "A" : "B";
    WriteSet set;
    set.PutRecord(p, "case", id, 1, MakeCase(id, office))
        .PutIndex(p, "office", office, id);
    ASSERT_OK(store->Commit(std::move(set)));
    if (office == "A") expected.insert(id);
  }
  std::vector<uint32_t> partitions;
  for (uint32_t p = 0; p < 16; ++p) partitions.push_back(p);

  std::multiset<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = store->ListIndex(partitions, "office", "A", 7, token);
    ASSERT_OK(page);
    EXPECT_LE(page->entries.size(), 7u);
    for (const auto& e : page->entries) {
      seen.insert(e.id);
    }
    token = page->next_page_token;
    ++pages;
  } while (!token.empty() && pages < 1000);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);
  EXPECT_EQ(seen.size(), expected.size()) << "no id may appear twice";
  EXPECT_EQ(pages, (static_cast<int>(expected.size()) + 6) / 7);

  // Listing every record of a kind pages the same way.
  size_t all = 0;
  token.clear();
  do {
    auto page = store->ListRecordIds(partitions, "case", 50, token);
    ASSERT_OK(page);
    all += page->entries.size();
    token = page->next_page_token;
  } while (!token.empty());
  EXPECT_EQ(all, 300u);
}

TEST(StoreTest, PageTokenIsRejectedWhenMalformedOrFromAnotherFilter) {
  TempDir dir;
  auto store = OpenStore(dir);
  for (int i = 0; i < 5; ++i) {
    WriteSet set;
    set.PutIndex(0, "office", "A", "c" + std::to_string(i));
    ASSERT_OK(store->Commit(std::move(set)));
  }
  auto page = store->ListIndex({0}, "office", "A", 2, "");
  ASSERT_OK(page);
  ASSERT_FALSE(page->next_page_token.empty());
  EXPECT_THAT(store->ListIndex({0}, "office", "B", 2, page->next_page_token),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("page.page_token")));
  EXPECT_THAT(store->ListIndex({0}, "office", "A", 2, "not-a-token!"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("page.page_token")));
}

TEST(StoreTest, FeedReplaysFromACursorThenSeesNewEvents) {
  TempDir dir;
  auto store = OpenStore(dir);
  for (int i = 0; i < 5; ++i) {
    WriteSet set;
    set.AppendEvent(CaseEvent(3, "c" + std::to_string(i)));
    auto r = store->Commit(std::move(set));
    ASSERT_OK(r);
    ASSERT_EQ(r->events.size(), 1u);
    EXPECT_EQ(r->events[0].sequence(), static_cast<uint64_t>(i + 1));
  }
  auto replay = store->ReadEvents(3, 2, 100);
  ASSERT_OK(replay);
  ASSERT_EQ(replay->size(), 3u);
  EXPECT_EQ((*replay)[0].sequence(), 3u);
  EXPECT_EQ((*replay)[2].subject_id(), "c4");
  // Other partitions have their own sequences.
  EXPECT_THAT(store->ReadEvents(4, 0, 100), IsOkAndHolds(::testing::IsEmpty()));

  // Tail: a commit without events (a projection, a cursor) moves the commit
  // generation but not the event generation, so it wakes no tailing reader.
  uint64_t generation = store->EventGeneration();
  const uint64_t commits = store->CommitGeneration();
  {
    WriteSet set;
    set.PutCursor("projection", 3, 5);
    ASSERT_OK(store->Commit(std::move(set)));
  }
  EXPECT_NE(store->CommitGeneration(), commits);
  EXPECT_EQ(store->WaitForEvents(generation, absl::Milliseconds(50)),
            generation);
  // A waiter wakes when a later commit appends an event.
  std::thread writer([&store] {
    WriteSet set;
    set.AppendEvent(CaseEvent(3, "c5"));
    ASSERT_OK(store->Commit(std::move(set)));
  });
  uint64_t now = store->WaitForEvents(generation, absl::Seconds(30));
  writer.join();
  EXPECT_NE(now, generation);
  auto tail = store->ReadEvents(3, 5, 100);
  ASSERT_OK(tail);
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ((*tail)[0].sequence(), 6u);
}

TEST(StoreTest, PublishedSequenceFollowsCommitsAndSurvivesReopening) {
  TempDir dir;
  {
    auto store = OpenStore(dir);
    // Every partition of the deployment is known from the start.
    EXPECT_EQ(store->PublishedSequence(3), 0u);
    EXPECT_EQ(store->PublishedSequence(kDefaultPartitionCount - 1), 0u);
    // Beyond it, only once an event was committed there.
    EXPECT_EQ(store->PublishedSequence(kDefaultPartitionCount),
              Store::kUnknownSequence);
    WriteSet set;
    set.AppendEvent(CaseEvent(3, "c1"))
        .AppendEvent(CaseEvent(3, "c2"))
        .AppendEvent(CaseEvent(kDefaultPartitionCount, "c3"));
    const uint64_t generation = store->EventGeneration();
    ASSERT_OK(store->Commit(std::move(set)));
    // Published before the generation moved, so a tailing reader that sees
    // the new generation sees the new sequences.
    EXPECT_NE(store->EventGeneration(), generation);
    EXPECT_EQ(store->PublishedSequence(3), 2u);
    EXPECT_EQ(store->PublishedSequence(kDefaultPartitionCount), 1u);
    EXPECT_EQ(store->PublishedSequence(4), 0u);
    // A failed set publishes nothing.
    WriteSet refused;
    refused.ExpectVersion(3, "case", "missing", 7)
        .AppendEvent(CaseEvent(3, "c4"));
    EXPECT_THAT(store->Commit(std::move(refused)), Not(IsOk()));
    EXPECT_EQ(store->PublishedSequence(3), 2u);
  }
  auto reopened = OpenStore(dir);
  EXPECT_EQ(reopened->PublishedSequence(3), 2u);
}

TEST(StoreTest, CursorAndProjectionCommitTogetherOrNotAtAll) {
  TempDir dir;
  auto store = OpenStore(dir);
  // Applied: projection record and cursor move together.
  WriteSet apply;
  apply.ExpectVersion(2, "projection", "c1", 0)
      .PutRecord(2, "projection", "c1", 1, MakeCase("c1", "A"))
      .PutCursor("planning", 2, 17);
  ASSERT_OK(store->Commit(std::move(apply)));
  EXPECT_THAT(store->GetCursor("planning", 2), IsOkAndHolds(17u));

  // A set whose precondition fails moves neither.
  WriteSet conflicting;
  conflicting.ExpectVersion(2, "projection", "c1", 0)
      .PutRecord(2, "projection", "c1", 1, MakeCase("c1", "B"))
      .PutCursor("planning", 2, 18);
  EXPECT_FALSE(store->Commit(std::move(conflicting)).ok());
  EXPECT_THAT(store->GetCursor("planning", 2), IsOkAndHolds(17u));
  Case read;
  ASSERT_THAT(store->GetRecord(2, "projection", "c1", &read, nullptr),
              IsOkAndHolds(true));
  EXPECT_EQ(read.office_id(), "A");
  // Cursors are per consumer and partition.
  EXPECT_THAT(store->GetCursor("follow-up", 2), IsOkAndHolds(0u));
}

// A feed follower batches the changes of several events into one set: the
// appended set's preconditions hold for the whole, and the whole commits or
// nothing does.
TEST(StoreTest, AppendedSetsCommitAsOne) {
  TempDir dir;
  auto store = OpenStore(dir);
  WriteSet first;
  first.ExpectVersion(2, "projection", "c1", 0)
      .PutRecord(2, "projection", "c1", 1, MakeCase("c1", "A"));
  WriteSet second;
  second.ExpectVersion(3, "projection", "c2", 0)
      .PutRecord(3, "projection", "c2", 1, MakeCase("c2", "A"))
      .PutCursor("planning", 3, 5);
  first.Append(std::move(second));
  ASSERT_OK(store->Commit(std::move(first)));
  Case read;
  EXPECT_THAT(store->GetRecord(2, "projection", "c1", &read, nullptr),
              IsOkAndHolds(true));
  EXPECT_THAT(store->GetRecord(3, "projection", "c2", &read, nullptr),
              IsOkAndHolds(true));
  EXPECT_THAT(store->GetCursor("planning", 3), IsOkAndHolds(5u));

  // The appended part's failed precondition stops the first part too.
  WriteSet fresh;
  fresh.PutRecord(2, "projection", "c3", 1, MakeCase("c3", "A"))
      .PutCursor("planning", 2, 9);
  WriteSet stale;
  stale.ExpectVersion(3, "projection", "c2", 0);
  fresh.Append(std::move(stale));
  EXPECT_THAT(store->Commit(std::move(fresh)),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(store->GetRecord(2, "projection", "c3", &read, nullptr),
              IsOkAndHolds(false));
  EXPECT_THAT(store->GetCursor("planning", 2), IsOkAndHolds(0u));
}

TEST(StoreTest, DataSequencesAndAuditChainSurviveCloseAndReopen) {
  TempDir dir;
  {
    auto store = OpenStore(dir);
    for (int i = 0; i < 3; ++i) {
      std::string id = "c" + std::to_string(i);
      homeward::internal::v1::AuditEntry audit;
      audit.set_user_id("cm-1");
      audit.set_action("RegisterCase");
      audit.set_subject_id(id);
      WriteSet set;
      set.PutRecord(9, "case", id, 1, MakeCase(id, "A"))
          .PutIndex(9, "office", "A", id)
          .AppendEvent(CaseEvent(9, id))
          .Audit(audit);
      ASSERT_OK(store->Commit(std::move(set)));
    }
  }
  auto store = OpenStore(dir);
  const StoredCase c2 = ReadCase(*store, 9, "c2");
  EXPECT_EQ(c2.value.office_id(), "A");
  EXPECT_EQ(c2.version, 1u);
  auto page = store->ListIndex({9}, "office", "A", 10, "");
  ASSERT_OK(page);
  EXPECT_EQ(page->entries.size(), 3u);

  // Sequences continue where they stopped; the audit chain links across.
  homeward::internal::v1::AuditEntry audit;
  audit.set_user_id("cm-1");
  audit.set_action("UpdateCase");
  WriteSet more;
  more.AppendEvent(CaseEvent(9, "c0")).Audit(audit);
  auto r = store->Commit(std::move(more));
  ASSERT_OK(r);
  EXPECT_EQ(r->events[0].sequence(), 4u);
  auto trail = store->ReadAudit(0, 10);
  ASSERT_OK(trail);
  ASSERT_EQ(trail->size(), 4u);
  EXPECT_EQ((*trail)[3].sequence(), 4u);
  EXPECT_EQ((*trail)[3].prev_hash(), (*trail)[2].hash());
  EXPECT_OK(store->VerifyAuditChain());
}

TEST(StoreTest, ConcurrentDurableWritersGetGaplessSequences) {
  TempDir dir;
  auto store = OpenStore(dir);
  constexpr int kThreads = 8;
  constexpr int kWrites = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < kWrites; ++i) {
        std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        WriteSet set;
        set.ExpectVersion(0, "case", id, 0)
            .PutRecord(0, "case", id, 1, MakeCase(id, "A"))
            .AppendEvent(CaseEvent(0, id));
        ASSERT_OK(store->Commit(std::move(set)));
      }
    });
  }
  for (auto& t : threads) t.join();
  auto events = store->ReadEvents(0, 0, 1000);
  ASSERT_OK(events);
  ASSERT_EQ(events->size(), static_cast<size_t>(kThreads * kWrites));
  std::set<std::string> subjects;
  for (size_t i = 0; i < events->size(); ++i) {
    EXPECT_EQ((*events)[i].sequence(), i + 1);
    subjects.insert((*events)[i].subject_id());
  }
  EXPECT_EQ(subjects.size(), static_cast<size_t>(kThreads * kWrites));
}

// Reads are served from the record cache while a writer updates the same
// records: no read may go back to an older version than one already seen,
// the bytes must be those of the version read, and the writer must read its
// own acknowledged write. Also run with the cache off, as the reference.
TEST(StoreTest, RecordReadsStayCoherentWithConcurrentUpdates) {
  for (size_t cache_bytes : {size_t{0}, size_t{1} << 20}) {
    SCOPED_TRACE(cache_bytes == 0 ? "cache off" : "cache on");
    TempDir dir;
    auto opened = Store::Open(
        {.path = dir.path() + "/db", .record_cache_bytes = cache_bytes});
    ASSERT_OK(opened);
    std::unique_ptr<Store> store = std::move(opened).value();
    const std::vector<std::string> ids = {"c1", "c2", "c3"};
    for (const std::string& id : ids) {
      WriteSet create;
      create.ExpectVersion(0, "case", id, 0)
          .PutRecord(0, "case", id, 1, MakeCase(id, "v1"));
      ASSERT_OK(store->Commit(std::move(create)));
    }
    constexpr uint64_t kVersions = 150;
    std::atomic<bool> writing{true};
    std::vector<std::thread> readers;
    for (int r = 0; r < 3; ++r) {
      readers.emplace_back([&] {
        std::map<std::string, uint64_t> seen;
        while (writing.load()) {
          for (const std::string& id : ids) {
            Case c;
            uint64_t version = 0;
            ASSERT_THAT(store->GetRecord(0, "case", id, &c, &version),
                        IsOkAndHolds(true));
            ASSERT_EQ(c.office_id(), absl::StrCat("v", version));
            ASSERT_GE(version, seen[id]) << id;
            seen[id] = version;
          }
        }
      });
    }
    for (uint64_t v = 2; v <= kVersions; ++v) {
      for (const std::string& id : ids) {
        WriteSet update;
        update.ExpectVersion(0, "case", id, v - 1)
            .PutRecord(0, "case", id, v, MakeCase(id, absl::StrCat("v", v)));
        ASSERT_OK(store->Commit(std::move(update)));
        Case c;
        uint64_t version = 0;
        ASSERT_THAT(store->GetRecord(0, "case", id, &c, &version),
                    IsOkAndHolds(true));
        EXPECT_EQ(version, v);
        EXPECT_EQ(c.office_id(), absl::StrCat("v", v));
      }
    }
    writing = false;
    for (auto& t : readers) t.join();
  }
}

TEST(StoreTest, AsyncCallbacksRunInCommitOrderAndAllRunBeforeClose) {
  TempDir dir;
  constexpr int kWrites = 300;
  std::vector<uint64_t> sequences;  // appended only by the completion thread
  {
    auto store = OpenStore(dir);
    for (int i = 0; i < kWrites; ++i) {
      WriteSet set;
      set.AppendEvent(CaseEvent(0, "c" + std::to_string(i)));
      store->CommitAsync(std::move(set),
                         [&sequences](absl::StatusOr<CommitResult> r) {
                           ASSERT_OK(r);
                           sequences.push_back(r->events[0].sequence());
                         });
    }
    // Closing the store drains the queue and runs every callback.
  }
  ASSERT_EQ(sequences.size(), static_cast<size_t>(kWrites));
  for (int i = 0; i < kWrites; ++i) {
    EXPECT_EQ(sequences[i], static_cast<uint64_t>(i + 1));
  }
}

TEST(StoreTest, BlockingCommitReturnsWithoutTheCompletionThread) {
  TempDir dir;
  auto store = OpenStore(dir);
  // An async callback holds the completion thread until the blocking commit
  // after it has returned: Commit is woken by the committer, not through
  // the completion thread.
  absl::Notification callback_started;
  absl::Notification release_callback;
  WriteSet async_set;
  async_set.AppendEvent(CaseEvent(0, "c1"));
  store->CommitAsync(std::move(async_set), [&](absl::StatusOr<CommitResult> r) {
    EXPECT_OK(r);
    callback_started.Notify();
    release_callback.WaitForNotification();
  });
  ASSERT_TRUE(
      callback_started.WaitForNotificationWithTimeout(absl::Seconds(30)));
  absl::Notification committed;
  std::thread writer([&] {
    WriteSet set;
    set.AppendEvent(CaseEvent(0, "c2"));
    EXPECT_OK(store->Commit(std::move(set)));
    committed.Notify();
  });
  EXPECT_TRUE(committed.WaitForNotificationWithTimeout(absl::Seconds(30)))
      << "Commit waited for the completion thread";
  release_callback.Notify();
  writer.join();
}

TEST(StoreTest, WaitForBackgroundWorkReturnsOnceWritesSettle) {
  TempDir dir;
  auto store = OpenStore(dir);
  for (int i = 0; i < 200; ++i) {
    std::string id = "w" + std::to_string(i);
    WriteSet set;
    set.ExpectVersion(0, "case", id, 0)
        .PutRecord(0, "case", id, 1, MakeCase(id, "A"));
    ASSERT_OK(store->Commit(std::move(set)));
  }
  EXPECT_OK(store->WaitForBackgroundWork(absl::Seconds(30)));
  homeward::v1::Case c;
  uint64_t version = 0;
  auto found = store->GetRecord(0, "case", "w199", &c, &version);
  ASSERT_OK(found);
  EXPECT_TRUE(*found);
  EXPECT_EQ(version, 1u);
}

TEST(StoreTest, ReadAuditsAreRecordedWithoutBlockingAndChained) {
  TempDir dir;
  auto store = OpenStore(dir);
  for (int i = 0; i < 3; ++i) {
    homeward::internal::v1::AuditEntry entry;
    entry.set_user_id("cm-1");
    entry.set_action("GetCase");
    entry.set_subject_id("c" + std::to_string(i));
    store->AuditRead(entry);
  }
  // A durable commit queued after them is applied after them.
  WriteSet barrier;
  barrier.PutCursor("x", 0, 1);
  ASSERT_OK(store->Commit(std::move(barrier)));
  auto trail = store->ReadAudit(0, 10);
  ASSERT_OK(trail);
  ASSERT_EQ(trail->size(), 3u);
  EXPECT_EQ((*trail)[2].subject_id(), "c2");
  EXPECT_OK(store->VerifyAuditChain());
}

// ---------------------------------------------------------------------------
// The audit index and verification

homeward::internal::v1::AuditEntry AuditOf(const std::string& subject,
                                           const std::string& action) {
  homeward::internal::v1::AuditEntry entry;
  entry.set_user_id("cm-1");
  entry.set_action(action);
  entry.set_subject_id(subject);
  return entry;
}

// Writes `count` audit entries alternating between subjects "c0" and "c1",
// written ones and read ones mixed, and waits until all are stored.
void WriteAlternatingAudits(Store& store, int count) {
  for (int i = 0; i < count; ++i) {
    const std::string subject = i % 2 == 0 ? "c0" : "c1";
    const std::string action = absl::StrCat("action-", i);
    if (i % 3 == 0) {
      store.AuditRead(AuditOf(subject, action));
    } else {
      WriteSet set;
      set.Audit(AuditOf(subject, action));
      ASSERT_OK(store.Commit(std::move(set)));
    }
  }
  // A durable commit queued after the reads is applied after them.
  WriteSet barrier;
  barrier.PutCursor("barrier", 0, 1);
  ASSERT_OK(store.Commit(std::move(barrier)));
}

// Every entry of `subject`, page by page.
std::vector<homeward::internal::v1::AuditEntry> AllAuditOf(
    const Store& store, const std::string& subject, int page_size) {
  std::vector<homeward::internal::v1::AuditEntry> all;
  std::string token;
  do {
    auto page = store.ListAuditOf(subject, page_size, token);
    EXPECT_THAT(page, IsOk());
    if (!page.ok()) break;
    EXPECT_LE(static_cast<int>(page->entries.size()), page_size);
    for (auto& e : page->entries) all.push_back(std::move(e));
    token = std::move(page->next_page_token);
  } while (!token.empty());
  return all;
}

std::vector<uint64_t> SequencesOf(
    const std::vector<homeward::internal::v1::AuditEntry>& entries) {
  std::vector<uint64_t> sequences;
  for (const auto& e : entries) sequences.push_back(e.sequence());
  return sequences;
}

TEST(StoreAuditTest, ASubjectsEntriesListInOrderPageByPage) {
  TempDir dir;
  auto store = OpenStore(dir);
  WriteAlternatingAudits(*store, 9);
  for (int page_size : {1, 2, 500}) {
    const auto c0 = AllAuditOf(*store, "c0", page_size);
    EXPECT_THAT(SequencesOf(c0), ElementsAre(1, 3, 5, 7, 9)) << page_size;
    for (const auto& e : c0) EXPECT_EQ(e.subject_id(), "c0");
    EXPECT_THAT(SequencesOf(AllAuditOf(*store, "c1", page_size)),
                ElementsAre(2, 4, 6, 8));
  }
  EXPECT_EQ(AllAuditOf(*store, "c9", 10).size(), 0u);
  // A token is tied to its subject.
  auto first = store->ListAuditOf("c0", 1, "");
  ASSERT_OK(first);
  EXPECT_THAT(store->ListAuditOf("c1", 1, first->next_page_token),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(StoreAuditTest, EntriesAreIndexedInTheirSubjectsPartition) {
  TempDir dir;
  {
    auto store =
        Store::Open({.path = dir.path() + "/db", .partition_count = 8});
    ASSERT_OK(store);
    WriteAlternatingAudits(**store, 2);
  }
  testing::RawRocksDb raw(dir.path() + "/db");
  ASSERT_TRUE(raw.ok()) << raw.error();
  // Not where the default partition count would put them.
  ASSERT_NE(PartitionOf("c0", 8), PartitionOf("c0", kDefaultPartitionCount));
  EXPECT_THAT(raw.Keys("audit_by_subject"),
              UnorderedElementsAre(
                  internal::AuditBySubjectKey(PartitionOf("c0", 8), "c0", 1),
                  internal::AuditBySubjectKey(PartitionOf("c1", 8), "c1", 2)));
}

TEST(StoreAuditTest, ATrailWrittenBeforeTheIndexIsIndexedWhenOpened) {
  TempDir dir;
  {
    auto store = OpenStore(dir);
    WriteAlternatingAudits(*store, 9);
  }
  {
    // What a database written before the index looks like.
    testing::RawRocksDb raw(dir.path() + "/db");
    ASSERT_TRUE(raw.ok()) << raw.error();
    for (const std::string& key : raw.Keys("audit_by_subject")) {
      ASSERT_TRUE(raw.Delete("audit_by_subject", key));
    }
    ASSERT_TRUE(raw.Delete("default", internal::kAuditIndexedThroughKey));
  }
  auto store = OpenStore(dir);
  EXPECT_THAT(SequencesOf(AllAuditOf(*store, "c0", 2)),
              ElementsAre(1, 3, 5, 7, 9));
  // New entries are indexed after the old ones.
  WriteAlternatingAudits(*store, 1);
  EXPECT_THAT(SequencesOf(AllAuditOf(*store, "c0", 2)),
              ElementsAre(1, 3, 5, 7, 9, 10));
}

TEST(StoreAuditTest, AnIntactTrailVerifiesEveryEntry) {
  TempDir dir;
  auto store = OpenStore(dir);
  auto empty = store->VerifyAudit();
  ASSERT_OK(empty);
  EXPECT_EQ(empty->entries_checked, 0u);
  EXPECT_FALSE(empty->first_break.has_value());
  WriteAlternatingAudits(*store, 9);
  auto verified = store->VerifyAudit();
  ASSERT_OK(verified);
  EXPECT_EQ(verified->entries_checked, 9u);
  EXPECT_FALSE(verified->first_break.has_value());
  EXPECT_OK(store->VerifyAuditChain());
}

// Tampers with the trail of a store of 9 entries while it is closed, then
// verifies it.
template <typename Tamper>
AuditVerification VerifyAfter(Tamper tamper) {
  TempDir dir;
  {
    auto store = OpenStore(dir);
    WriteAlternatingAudits(*store, 9);
  }
  {
    testing::RawRocksDb raw(dir.path() + "/db");
    EXPECT_TRUE(raw.ok()) << raw.error();
    tamper(raw);
  }
  auto store = OpenStore(dir);
  auto verified = store->VerifyAudit();
  EXPECT_THAT(verified, IsOk());
  return verified.ok() ? *verified : AuditVerification{};
}

homeward::internal::v1::AuditEntry StoredAudit(testing::RawRocksDb& raw,
                                               uint64_t seq) {
  homeward::internal::v1::AuditEntry entry;
  EXPECT_TRUE(entry.ParseFromString(raw.Get("audit", internal::AuditKey(seq))));
  return entry;
}

TEST(StoreAuditTest, AnEditedEntryIsReportedAsAltered) {
  const AuditVerification v = VerifyAfter([](testing::RawRocksDb& raw) {
    homeward::internal::v1::AuditEntry entry = StoredAudit(raw, 4);
    entry.set_user_id("someone-else");
    ASSERT_TRUE(
        raw.Put("audit", internal::AuditKey(4), entry.SerializeAsString()));
  });
  ASSERT_TRUE(v.first_break.has_value());
  EXPECT_EQ(v.first_break->sequence, 4u);
  EXPECT_EQ(v.first_break->kind, AuditBreak::Kind::kAltered);
  EXPECT_EQ(v.entries_checked, 3u);
}

TEST(StoreAuditTest, UndecodableBytesAreReportedAsAltered) {
  const AuditVerification v = VerifyAfter([](testing::RawRocksDb& raw) {
    ASSERT_TRUE(raw.Put("audit", internal::AuditKey(2), "\xff\xff\xff"));
  });
  ASSERT_TRUE(v.first_break.has_value());
  EXPECT_EQ(v.first_break->sequence, 2u);
  EXPECT_EQ(v.first_break->kind, AuditBreak::Kind::kAltered);
  EXPECT_THAT(v.first_break->description, HasSubstr("cannot be decoded"));
}

TEST(StoreAuditTest, ADeletedEntryIsReportedAsMissing) {
  const AuditVerification v = VerifyAfter([](testing::RawRocksDb& raw) {
    ASSERT_TRUE(raw.Delete("audit", internal::AuditKey(5)));
  });
  ASSERT_TRUE(v.first_break.has_value());
  EXPECT_EQ(v.first_break->sequence, 5u);
  EXPECT_EQ(v.first_break->kind, AuditBreak::Kind::kMissing);
  EXPECT_EQ(v.first_break->description, "entry 5 is missing");
  EXPECT_EQ(v.entries_checked, 4u);
}

TEST(StoreAuditTest, AReplacedEntryWithARecomputedHashBreaksTheNextLink) {
  const AuditVerification v = VerifyAfter([](testing::RawRocksDb& raw) {
    // An intruder who knows how entries are hashed rewrites entry 6 whole.
    homeward::internal::v1::AuditEntry entry = StoredAudit(raw, 6);
    entry.set_user_id("someone-else");
    entry.clear_hash();
    homeward::internal::v1::AuditEntry unhashed = entry;
    entry.set_hash(crypto::Sha256Hex(unhashed.SerializeAsString()));
    ASSERT_TRUE(
        raw.Put("audit", internal::AuditKey(6), entry.SerializeAsString()));
  });
  ASSERT_TRUE(v.first_break.has_value());
  EXPECT_EQ(v.first_break->sequence, 7u);
  EXPECT_EQ(v.first_break->kind, AuditBreak::Kind::kLinkBroken);
  EXPECT_EQ(v.entries_checked, 6u);
}

TEST(StoreAuditTest, DeletedNewestEntriesAreReportedFromTheIndex) {
  const AuditVerification v = VerifyAfter([](testing::RawRocksDb& raw) {
    ASSERT_TRUE(raw.Delete("audit", internal::AuditKey(9)));
    ASSERT_TRUE(raw.Delete("audit", internal::AuditKey(8)));
  });
  ASSERT_TRUE(v.first_break.has_value());
  EXPECT_EQ(v.first_break->sequence, 8u);
  EXPECT_EQ(v.first_break->kind, AuditBreak::Kind::kTailMissing);
  EXPECT_EQ(v.entries_checked, 7u);
}

TEST(StoreAuditTest, ListingLeavesOutEntriesNoLongerInTheTrail) {
  TempDir dir;
  {
    auto store = OpenStore(dir);
    WriteAlternatingAudits(*store, 9);
  }
  {
    testing::RawRocksDb raw(dir.path() + "/db");
    ASSERT_TRUE(raw.ok()) << raw.error();
    ASSERT_TRUE(raw.Delete("audit", internal::AuditKey(3)));
  }
  auto store = OpenStore(dir);
  EXPECT_THAT(SequencesOf(AllAuditOf(*store, "c0", 1)),
              ElementsAre(1, 5, 7, 9));
}

}  // namespace
}  // namespace homeward::storage
