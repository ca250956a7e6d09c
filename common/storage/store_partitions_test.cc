// The store's side of a partition hand-over (store.h, "Partition
// hand-over"): fences checked by the committer, export, import, deletion,
// and the stored owned set, on real RocksDB in temporary directories.
#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_matchers.h"
#include "common/storage/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.pb.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::storage {
namespace {

using ::homeward::testing::IsOkAndHolds;
using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::v1::Case;
using ::homeward::v1::Event;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr uint32_t kMoved = 5;
constexpr uint32_t kKept = 6;

std::unique_ptr<Store> OpenStore(const std::string& path) {
  auto store = Store::Open({.path = path});
  EXPECT_OK(store.status());
  return std::move(store).value();
}

// A create in partition `p`: record, index entry, event, request id and a
// consumer cursor, as a handler and a feed follower write them.
WriteSet CreateIn(uint32_t p, const std::string& id, uint64_t cursor = 0) {
  Case c;
  c.set_case_id(id);
  homeward::internal::v1::IdempotencyRecord claim;
  claim.set_subject_id(id);
  claim.set_partition(p);
  Event event;
  event.set_partition(p);
  event.set_subject_id(id);
  WriteSet set;
  set.ExpectVersion(p, "case", id, 0)
      .ClaimRequest(p, "RegisterCase", "req-" + id, claim)
      .PutRecord(p, "case", id, 1, c)
      .PutIndex(p, "case_by_office", "office-1", id)
      .AppendEvent(event);
  if (cursor > 0) set.PutCursor("follower", p, cursor);
  return set;
}

// Every key of `partition` exported from `store`, as column:key strings.
std::vector<Store::PartitionKeys> Export(const Store& store, uint32_t p,
                                         uint64_t* total = nullptr) {
  std::vector<Store::PartitionKeys> chunks;
  absl::StatusOr<uint64_t> n =
      store.ExportPartition(p, 3, [&](Store::PartitionKeys chunk) {
        chunks.push_back(std::move(chunk));
        return absl::OkStatus();
      });
  EXPECT_OK(n.status());
  if (total != nullptr && n.ok()) *total = *n;
  return chunks;
}

std::set<std::string> RecordIds(const std::vector<Store::PartitionKeys>& all) {
  std::set<std::string> ids;
  for (const auto& chunk : all) {
    if (chunk.column != "records") continue;
    for (const std::string& value : chunk.values) {
      Case c;
      if (c.ParseFromArray(value.data() + 8, value.size() - 8)) {
        ids.insert(c.case_id());
      }
    }
  }
  return ids;
}

TEST(StorePartitionsTest, FenceRefusesWritesOfItsPartitionsOnly) {
  TempDir dir;
  auto store = OpenStore(dir.path() + "/db");
  ASSERT_OK(store->FencePartitions({kMoved}));
  EXPECT_THAT(
      store->Commit(CreateIn(kMoved, "C1")).status(),
      StatusIs(absl::StatusCode::kUnavailable,
               AllOf(HasSubstr("partition 5"), HasSubstr("moving; retry"))));
  // A cursor alone (a follower's progress) is a write to the partition too.
  WriteSet cursor;
  cursor.PutCursor("follower", kMoved, 9);
  EXPECT_THAT(store->Commit(std::move(cursor)).status(),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_OK(store->Commit(CreateIn(kKept, "C2")).status());
  EXPECT_THAT(store->FencedPartitions(), ElementsAre(kMoved));
  // Reads go on; nothing of the refused set was written.
  Case c;
  EXPECT_THAT(store->GetRecord(kMoved, "case", "C1", &c, nullptr),
              IsOkAndHolds(false));
  EXPECT_EQ(store->PublishedSequence(kMoved), 0u);
  ASSERT_OK(store->UnfencePartitions({kMoved}));
  EXPECT_OK(store->Commit(CreateIn(kMoved, "C1")).status());
}

TEST(StorePartitionsTest, FenceSurvivesRestartUntilUnfenced) {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  {
    auto store = OpenStore(path);
    ASSERT_OK(store->FencePartitions({kMoved, kKept}));
    ASSERT_OK(store->UnfencePartitions({kKept}));
  }
  {
    auto store = OpenStore(path);
    EXPECT_THAT(store->FencedPartitions(), ElementsAre(kMoved));
    EXPECT_THAT(store->Commit(CreateIn(kMoved, "C1")).status(),
                StatusIs(absl::StatusCode::kUnavailable));
    ASSERT_OK(store->UnfencePartitions({kMoved}));
  }
  auto store = OpenStore(path);
  EXPECT_THAT(store->FencedPartitions(), IsEmpty());
  EXPECT_OK(store->Commit(CreateIn(kMoved, "C1")).status());
}

// Writers race the fence: the export taken as soon as FencePartitions
// returns (writers still running) holds exactly the writes acknowledged in
// the end; every other write was refused UNAVAILABLE.
TEST(StorePartitionsTest, WriteRacingTheFenceCommitsBeforeOrIsRefused) {
  TempDir dir;
  auto store = OpenStore(dir.path() + "/db");
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::set<std::string> acknowledged;
  int refused = 0;
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop.load(); ++i) {
        const std::string id = absl::StrCat("C", w, "-", i);
        absl::Status s = store->Commit(CreateIn(kMoved, id)).status();
        std::lock_guard<std::mutex> lock(mu);
        if (s.ok()) {
          acknowledged.insert(id);
        } else {
          EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable,
                                  HasSubstr("moving; retry")));
          ++refused;
        }
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(300));
  ASSERT_OK(store->FencePartitions({kMoved}));
  const std::set<std::string> exported = RecordIds(Export(*store, kMoved));
  absl::SleepFor(absl::Milliseconds(200));
  stop.store(true);
  for (auto& t : writers) t.join();
  EXPECT_EQ(exported, acknowledged);
  EXPECT_GT(refused, 0);
  EXPECT_FALSE(acknowledged.empty());
}

TEST(StorePartitionsTest, ExportImportCopiesEveryKeyOfThePartition) {
  TempDir dir;
  auto source = OpenStore(dir.path() + "/source");
  auto target = OpenStore(dir.path() + "/target");
  for (int i = 0; i < 7; ++i) {
    ASSERT_OK(
        source->Commit(CreateIn(kMoved, absl::StrCat("C", i), i + 1)).status());
  }
  ASSERT_OK(source->Commit(CreateIn(kKept, "K1", 4)).status());
  ASSERT_OK(source->FencePartitions({kMoved}));
  uint64_t total = 0;
  std::vector<Store::PartitionKeys> chunks = Export(*source, kMoved, &total);
  // 7 records, index entries, events and request ids, and one cursor.
  EXPECT_EQ(total, 29u);
  uint64_t in_chunks = 0;
  for (const auto& chunk : chunks) {
    EXPECT_LE(chunk.keys.size(), 3u);
    in_chunks += chunk.keys.size();
  }
  EXPECT_EQ(in_chunks, total);

  ASSERT_THAT(target->HoldsPartitionKeys(kMoved), IsOkAndHolds(false));
  for (const auto& chunk : chunks) {
    ASSERT_OK(target->ImportPartitionKeys(kMoved, chunk));
  }
  ASSERT_OK(target->LoadImportedOutboxHeads({kMoved}));
  EXPECT_THAT(target->HoldsPartitionKeys(kMoved), IsOkAndHolds(true));
  EXPECT_THAT(target->HoldsPartitionKeys(kKept), IsOkAndHolds(false));

  // Records, the cursor, the outbox with its sequences.
  Case c;
  EXPECT_THAT(target->GetRecord(kMoved, "case", "C3", &c, nullptr),
              IsOkAndHolds(true));
  EXPECT_EQ(c.case_id(), "C3");
  EXPECT_THAT(target->GetCursor("follower", kMoved), IsOkAndHolds(7u));
  EXPECT_EQ(target->PublishedSequence(kMoved), 7u);
  auto events = target->ReadEvents(kMoved, 0, 100);
  ASSERT_OK(events.status());
  ASSERT_EQ(events->size(), 7u);
  EXPECT_EQ(events->back().subject_id(), "C6");
  // A replayed request on the target answers the first result.
  auto replay = target->Commit(CreateIn(kMoved, "C2"));
  ASSERT_OK(replay.status());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->original.subject_id(), "C2");
  // New events continue the imported sequences.
  auto next = target->Commit(CreateIn(kMoved, "C7"));
  ASSERT_OK(next.status());
  ASSERT_EQ(next->events.size(), 1u);
  EXPECT_EQ(next->events[0].sequence(), 8u);
  // The audit trail is not copied: the target's holds only its own entries.
  auto audit = target->ReadAudit(0, 100);
  ASSERT_OK(audit.status());
  EXPECT_THAT(*audit, IsEmpty());
}

TEST(StorePartitionsTest, ImportRefusesKeysOfAnotherPartitionOrColumn) {
  TempDir dir;
  auto source = OpenStore(dir.path() + "/source");
  auto target = OpenStore(dir.path() + "/target");
  ASSERT_OK(source->Commit(CreateIn(kKept, "K1", 2)).status());
  for (const auto& chunk : Export(*source, kKept)) {
    EXPECT_THAT(
        target->ImportPartitionKeys(kMoved, chunk),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("partition 5")));
  }
  Store::PartitionKeys audit;
  audit.column = "audit";
  audit.keys = {"x"};
  audit.values = {"y"};
  EXPECT_THAT(target->ImportPartitionKeys(kMoved, audit),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(target->HoldsPartitionKeys(kMoved), IsOkAndHolds(false));
}

TEST(StorePartitionsTest, DeletePartitionsRemovesOnlyTheirKeys) {
  TempDir dir;
  auto store = OpenStore(dir.path() + "/db");
  ASSERT_OK(store->Commit(CreateIn(kMoved, "C1", 3)).status());
  ASSERT_OK(store->Commit(CreateIn(kKept, "K1", 3)).status());
  Case c;
  // Cached, so that a stale cache entry would show.
  ASSERT_THAT(store->GetRecord(kMoved, "case", "C1", &c, nullptr),
              IsOkAndHolds(true));
  ASSERT_OK(store->DeletePartitions({kMoved}));
  EXPECT_THAT(store->HoldsPartitionKeys(kMoved), IsOkAndHolds(false));
  EXPECT_THAT(store->GetRecord(kMoved, "case", "C1", &c, nullptr),
              IsOkAndHolds(false));
  EXPECT_EQ(store->PublishedSequence(kMoved), 0u);
  EXPECT_THAT(store->GetRecord(kKept, "case", "K1", &c, nullptr),
              IsOkAndHolds(true));
  EXPECT_THAT(store->GetCursor("follower", kKept), IsOkAndHolds(3u));
  EXPECT_EQ(store->PublishedSequence(kKept), 1u);
}

TEST(StorePartitionsTest, OwnedPartitionsAreStored) {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  {
    auto store = OpenStore(path);
    EXPECT_THAT(store->ReadOwnedPartitions(),
                IsOkAndHolds(std::optional<std::vector<uint32_t>>()));
    ASSERT_OK(store->WriteOwnedPartitions({7, 3, 3}));
  }
  auto store = OpenStore(path);
  EXPECT_THAT(store->ReadOwnedPartitions(),
              IsOkAndHolds(std::optional<std::vector<uint32_t>>(
                  std::vector<uint32_t>{3, 7})));
}

}  // namespace
}  // namespace homeward::storage
