// ReadIndexedRecords against a real RocksDB in a temporary directory: index
// order, the token, both policies for a missing record, and the callback.
#include "common/storage/indexed_records.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.pb.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::storage {
namespace {

using ::homeward::testing::StatusIs;
using ::homeward::testing::TempDir;
using ::homeward::v1::Case;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint32_t kPartition = 3;

class IndexedRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open({.path = dir_.path() + "/db"});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
  }

  // Case `id` in office "A" with its "case_by_office" entry, at version
  // `version` (written `version` times).
  void PutCase(const std::string& id, uint64_t version = 1) {
    for (uint64_t v = 1; v <= version; ++v) {
      Case c;
      c.set_case_id(id);
      c.set_office_id("A");
      c.set_case_manager_id(absl::StrCat("manager-", v));
      WriteSet set;
      set.PutRecord(kPartition, "case", id, v, c)
          .PutIndex(kPartition, "case_by_office", "A", id);
      ASSERT_OK(store_->Commit(std::move(set)));
    }
  }

  // An index entry whose record was never written: what a lost record
  // looks like to a reader.
  void PutDanglingEntry(const std::string& id) {
    WriteSet set;
    set.PutIndex(kPartition, "case_by_office", "A", id);
    ASSERT_OK(store_->Commit(std::move(set)));
  }

  IndexPage List(int page_size, const std::string& token = "") {
    absl::StatusOr<IndexPage> ids = store_->ListIndex(
        {kPartition}, "case_by_office", "A", page_size, token);
    EXPECT_TRUE(ids.ok()) << ids.status();
    return ids.ok() ? *std::move(ids) : IndexPage{};
  }

  static std::vector<std::string> Ids(const Page<Case>& page) {
    std::vector<std::string> ids;
    for (const Case& c : page.items) ids.push_back(c.case_id());
    return ids;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(IndexedRecordsTest, ReadsTheRecordsInIndexOrderWithTheToken) {
  PutCase("c1");
  PutCase("c2");
  PutCase("c3");
  IndexPage first = List(2);
  ASSERT_FALSE(first.next_page_token.empty());
  const std::string token = first.next_page_token;
  absl::StatusOr<Page<Case>> page = ReadIndexedRecords<Case>(
      *store_, std::move(first), "case", MissingRecord::kCorruption);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Ids(*page), ElementsAre("c1", "c2"));
  EXPECT_EQ(page->next_page_token, token);
  EXPECT_EQ(page->items[0].office_id(), "A");

  absl::StatusOr<Page<Case>> rest = ReadIndexedRecords<Case>(
      *store_, List(2, token), "case", MissingRecord::kCorruption);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_THAT(Ids(*rest), ElementsAre("c3"));
  EXPECT_TRUE(rest->next_page_token.empty());
}

TEST_F(IndexedRecordsTest, CorruptionPolicyFailsTheListingNamingTheKind) {
  PutCase("c1");
  PutDanglingEntry("c2");
  PutCase("c3");
  absl::StatusOr<Page<Case>> page = ReadIndexedRecords<Case>(
      *store_, List(10), "case", MissingRecord::kCorruption);
  EXPECT_THAT(page, StatusIs(absl::StatusCode::kInternal,
                             HasSubstr("reading a case record: a record "
                                       "named by the index is missing")));
  // Names the kind, never the id (ids stay out of error texts).
  EXPECT_THAT(page.status().message(), Not(HasSubstr("c2")));
}

TEST_F(IndexedRecordsTest, SkipPolicyLeavesTheMissingRecordOut) {
  PutCase("c1");
  PutDanglingEntry("c2");
  PutCase("c3");
  IndexPage first = List(2);
  const std::string token = first.next_page_token;
  absl::StatusOr<Page<Case>> page = ReadIndexedRecords<Case>(
      *store_, std::move(first), "case", MissingRecord::kSkip);
  ASSERT_TRUE(page.ok()) << page.status();
  // Shorter than asked, and the token still leads to the rest.
  EXPECT_THAT(Ids(*page), ElementsAre("c1"));
  EXPECT_EQ(page->next_page_token, token);
  absl::StatusOr<Page<Case>> rest = ReadIndexedRecords<Case>(
      *store_, List(2, token), "case", MissingRecord::kSkip);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_THAT(Ids(*rest), ElementsAre("c3"));
}

TEST_F(IndexedRecordsTest, AdmitSeesWhereAndWhichVersionAndCanLeaveOut) {
  PutCase("c1", /*version=*/3);
  PutCase("c2");
  std::vector<std::string> seen;
  absl::StatusOr<Page<Case>> page = ReadIndexedRecords<Case>(
      *store_, List(10), "case", MissingRecord::kCorruption,
      [&](const IndexEntry& entry, uint64_t version, Case& c) {
        seen.push_back(absl::StrCat(entry.partition, "/", entry.id, "@",
                                    version, " ", c.case_manager_id()));
        c.set_etag(absl::StrCat(version));
        return c.case_id() != "c2";
      });
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(seen, ElementsAre("3/c1@3 manager-3", "3/c2@1 manager-1"));
  EXPECT_THAT(Ids(*page), ElementsAre("c1"));
  EXPECT_EQ(page->items[0].etag(), "3");
}

TEST_F(IndexedRecordsTest, ReadIndexedRecordReportsEachPolicy) {
  PutCase("c1");
  Case c;
  uint64_t version = 0;
  EXPECT_THAT(ReadIndexedRecord(*store_, {kPartition, "c1"}, "case",
                                MissingRecord::kCorruption, &c, &version),
              homeward::testing::IsOkAndHolds(true));
  EXPECT_EQ(version, 1u);
  EXPECT_THAT(ReadIndexedRecord(*store_, {kPartition, "gone"}, "case",
                                MissingRecord::kSkip, &c, nullptr),
              homeward::testing::IsOkAndHolds(false));
  EXPECT_THAT(ReadIndexedRecord(*store_, {kPartition, "gone"}, "case",
                                MissingRecord::kCorruption, &c, nullptr),
              StatusIs(absl::StatusCode::kInternal));
}

}  // namespace
}  // namespace homeward::storage
