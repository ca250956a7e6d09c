// Partition hashing, partition sets and rendezvous ownership.
#include "common/storage/partitions.h"

#include <set>

#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace homeward::storage {
namespace {

using ::homeward::testing::StatusIs;
using ::testing::HasSubstr;

TEST(PartitionsTest, PartitionOfUsesFnv1a64) {
  // Published FNV-1a 64 test vectors: "a" -> 0xaf63dc4c8601ec8c,
  // "foobar" -> 0x85944171f73967e8. Mod 64 keeps the low 6 bits:
  // 0x8c & 0x3f = 12, 0xe8 & 0x3f = 40.
  EXPECT_EQ(PartitionOf("a", 64), 12u);
  EXPECT_EQ(PartitionOf("foobar", 64), 40u);
  // Mod 1000: 0x85944171f73967e8 = 9625390261332436968 -> 968.
  EXPECT_EQ(PartitionOf("foobar", 1000), 968u);
}

TEST(PartitionsTest, FromRangesBuildsTheUnion) {
  google::protobuf::RepeatedPtrField<homeward::internal::v1::PartitionRange>
      ranges;
  auto* r1 = ranges.Add();
  r1->set_first(0);
  r1->set_last(2);
  auto* r2 = ranges.Add();
  r2->set_first(5);
  r2->set_last(5);
  auto set = PartitionSet::FromRanges(ranges, 8);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->partitions(), (std::vector<uint32_t>{0, 1, 2, 5}));
  EXPECT_TRUE(set->Contains(5));
  EXPECT_FALSE(set->Contains(3));
  EXPECT_FALSE(set->Contains(99));
}

TEST(PartitionsTest, EmptyRangesMeanAll) {
  google::protobuf::RepeatedPtrField<homeward::internal::v1::PartitionRange>
      none;
  auto set = PartitionSet::FromRanges(none, 4);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->partitions(), (std::vector<uint32_t>{0, 1, 2, 3}));
}

TEST(PartitionsTest, FromRangesRejectsBadRangesNamingThem) {
  google::protobuf::RepeatedPtrField<homeward::internal::v1::PartitionRange>
      ranges;
  auto* ok = ranges.Add();
  ok->set_first(0);
  ok->set_last(1);
  auto* reversed = ranges.Add();
  reversed->set_first(3);
  reversed->set_last(2);
  auto* outside = ranges.Add();
  outside->set_first(6);
  outside->set_last(8);
  auto set = PartitionSet::FromRanges(ranges, 8);
  EXPECT_THAT(
      set, StatusIs(absl::StatusCode::kInvalidArgument,
                    AllOf(HasSubstr("owned_partitions[1]"),
                          HasSubstr("owned_partitions[2]"),
                          ::testing::Not(HasSubstr("owned_partitions[0]")))));
}

TEST(PartitionsTest, RendezvousMovesOnlyTheRemovedReplicasPartitions) {
  std::vector<std::string> three = {"a:1", "b:1", "c:1"};
  std::vector<std::string> two = {"a:1", "b:1"};
  std::set<size_t> owners;
  for (uint32_t p = 0; p < 64; ++p) {
    size_t before = RendezvousOwner(p, three);
    owners.insert(before);
    size_t after = RendezvousOwner(p, two);
    if (before != 2) {
      EXPECT_EQ(after, before) << "partition " << p << " moved needlessly";
    }
  }
  EXPECT_EQ(owners.size(), 3u)
      << "every replica should own some of 64 partitions";
}

}  // namespace
}  // namespace homeward::storage
