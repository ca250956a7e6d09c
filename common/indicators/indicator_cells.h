// The cells of one service's indicator part (indicator_parts.proto), added
// up while the service walks its records: counts, means (sum and count) and
// distributions (value -> occurrences, for a median), each keyed by table,
// row and column. The gateway merges the parts of every replica and service
// the same way, so a replica only adds up what it holds.
//
//   IndicatorCells cells;
//   cells.Count("referrals", "ALL", "made");            // one more
//   cells.Count("referrals", "ALL", "accepted", 0);     // shown as 0
//   cells.AddToMean("rss", "SCORE_KIND_SOCIAL", "baseline_mean", 0.62);
//   cells.AddToDistribution("referrals", "ALL", "median_response_hours", 30);
//   *response = cells.ToPart();
#ifndef HOMEWARD_COMMON_INDICATORS_INDICATOR_CELLS_H_
#define HOMEWARD_COMMON_INDICATORS_INDICATOR_CELLS_H_

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "absl/strings/string_view.h"
#include "homeward/internal/v1/indicator_parts.pb.h"

namespace homeward::indicators {

class IndicatorCells {
 public:
  // Adds `n` to a count (n = 0 makes the cell exist, so a table shows 0).
  void Count(absl::string_view table, absl::string_view row,
             absl::string_view column, int64_t n = 1);
  // Adds one value to a mean.
  void AddToMean(absl::string_view table, absl::string_view row,
                 absl::string_view column, double value);
  // Adds one occurrence of `value` to a distribution.
  void AddToDistribution(absl::string_view table, absl::string_view row,
                         absl::string_view column, int64_t value);

  // Every cell, ordered by (table, row, column); a distribution's buckets
  // by value. A key used with two kinds of value is a programming error and
  // keeps the first kind.
  homeward::internal::v1::IndicatorPart ToPart() const;

 private:
  using Key = std::tuple<std::string, std::string, std::string>;
  struct Cell {
    enum class Kind { kCount, kMean, kDistribution } kind;
    int64_t count = 0;
    double sum = 0;
    std::map<int64_t, int64_t> buckets;
  };
  Cell& At(absl::string_view table, absl::string_view row,
           absl::string_view column, Cell::Kind kind);

  std::map<Key, Cell> cells_;
};

}  // namespace homeward::indicators

#endif  // HOMEWARD_COMMON_INDICATORS_INDICATOR_CELLS_H_
