// Tests of adding up an indicator part.
#include "common/indicators/indicator_cells.h"

#include "gtest/gtest.h"

namespace homeward::indicators {
namespace {

TEST(IndicatorCells, AddsUpEachKindByKeyInKeyOrder) {
  IndicatorCells cells;
  cells.Count("referrals", "ALL", "made");
  cells.Count("referrals", "ALL", "made", 2);
  cells.Count("referrals", "ALL", "accepted", 0);
  cells.AddToMean("rss", "SCORE_KIND_SOCIAL", "baseline_mean", 0.5);
  cells.AddToMean("rss", "SCORE_KIND_SOCIAL", "baseline_mean", 0.25);
  cells.AddToDistribution("referrals", "ALL", "median_response_hours", 30);
  cells.AddToDistribution("referrals", "ALL", "median_response_hours", 4);
  cells.AddToDistribution("referrals", "ALL", "median_response_hours", 30);
  // A second kind on a used key is ignored.
  cells.AddToMean("referrals", "ALL", "made", 9);

  const auto part = cells.ToPart();
  ASSERT_EQ(part.cells_size(), 4);
  EXPECT_EQ(part.cells(0).column(), "accepted");
  EXPECT_TRUE(part.cells(0).has_count());
  EXPECT_EQ(part.cells(0).count(), 0);
  EXPECT_EQ(part.cells(1).column(), "made");
  EXPECT_EQ(part.cells(1).count(), 3);
  EXPECT_EQ(part.cells(2).column(), "median_response_hours");
  ASSERT_EQ(part.cells(2).distribution().buckets_size(), 2);
  EXPECT_EQ(part.cells(2).distribution().buckets(0).value(), 4);
  EXPECT_EQ(part.cells(2).distribution().buckets(0).count(), 1);
  EXPECT_EQ(part.cells(2).distribution().buckets(1).value(), 30);
  EXPECT_EQ(part.cells(2).distribution().buckets(1).count(), 2);
  EXPECT_EQ(part.cells(3).table(), "rss");
  EXPECT_DOUBLE_EQ(part.cells(3).mean().sum(), 0.75);
  EXPECT_EQ(part.cells(3).mean().count(), 2);
}

}  // namespace
}  // namespace homeward::indicators
