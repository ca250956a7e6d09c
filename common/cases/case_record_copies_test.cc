// Copies of another service's case records over a real store in a temporary
// directory: a copy is written with the sequence of the event carrying it,
// an event delivered again or older than the copy changes nothing, the
// copies of a case read back in index order, and a payload's case id must be
// of the event's partition.
#include "common/cases/case_record_copies.h"

#include <memory>
#include <string>
#include <vector>

#include "common/status/status_matchers.h"
#include "common/storage/partitions.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/needs.pb.h"
#include "tests/fixtures/temp_dir.h"

namespace homeward::cases {
namespace {

using ::homeward::testing::IsOk;
using ::homeward::testing::StatusIs;
using ::homeward::v1::Event;
using ::homeward::v1::ProtectionConcern;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint32_t kPartitions = 64;
constexpr char kCase[] = "C-copies-1";

class CaseRecordCopiesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open(
        {.path = dir_.path() + "/db", .partition_count = kPartitions});
    ASSERT_THAT(store.status(), IsOk());
    store_ = std::move(*store);
    copies_ = std::make_unique<CaseRecordCopies>(store_.get(), "concern_copy",
                                                 "concern_copy_by_case");
  }

  Event EventAt(uint64_t sequence) const {
    Event event;
    event.set_partition(storage::PartitionOf(kCase, kPartitions));
    event.set_sequence(sequence);
    return event;
  }

  static ProtectionConcern Concern(const std::string& id,
                                   const std::string& label) {
    ProtectionConcern c;
    c.set_case_id(kCase);
    c.set_concern_id(id);
    c.set_label(label);
    return c;
  }

  // Applies the copy `event` carries, as a feed consumer commits it.
  void Apply(const Event& event, const ProtectionConcern& c) {
    storage::WriteSet set;
    ASSERT_THAT(copies_->PutIfNewer(event, kCase, c.concern_id(), c, set),
                IsOk());
    ASSERT_THAT(store_->Commit(std::move(set)).status(), IsOk());
  }

  std::vector<std::string> Labels() {
    auto read = copies_->Read<ProtectionConcern>(
        storage::PartitionOf(kCase, kPartitions), kCase);
    EXPECT_THAT(read.status(), IsOk());
    std::vector<std::string> labels;
    if (read.ok()) {
      for (const ProtectionConcern& c : *read) labels.push_back(c.label());
    }
    return labels;
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<CaseRecordCopies> copies_;
};

TEST_F(CaseRecordCopiesTest, NewerEventsReplaceTheCopyOlderOnesDoNot) {
  Apply(EventAt(5), Concern("PC1", "as of event 5"));
  Apply(EventAt(7), Concern("PC2", "second concern"));
  EXPECT_THAT(Labels(), ElementsAre("as of event 5", "second concern"));
  Apply(EventAt(9), Concern("PC1", "as of event 9"));
  EXPECT_THAT(Labels(), ElementsAre("as of event 9", "second concern"));
  // Delivered again, or older than the copy: nothing changes.
  Apply(EventAt(9), Concern("PC1", "event 9 again, other content"));
  Apply(EventAt(6), Concern("PC1", "older than the copy"));
  EXPECT_THAT(Labels(), ElementsAre("as of event 9", "second concern"));
}

TEST_F(CaseRecordCopiesTest, ACaseWithoutCopiesReadsEmpty) {
  EXPECT_THAT(Labels(), ::testing::IsEmpty());
}

TEST(CheckEventCaseIdTest, RequiresACaseOfTheEventsPartition) {
  Event event;
  event.set_partition(storage::PartitionOf(kCase, kPartitions));
  EXPECT_THAT(CheckEventCaseId(event, kCase, "payload.case_id", kPartitions),
              IsOk());
  EXPECT_THAT(CheckEventCaseId(event, "", "payload.case_id", kPartitions),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payload.case_id")));
  event.set_partition((event.partition() + 1) % kPartitions);
  EXPECT_THAT(CheckEventCaseId(event, kCase, "payload.case_id", kPartitions),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("event's partition")));
}

}  // namespace
}  // namespace homeward::cases
