// The programme indicators' tables (homeward/v1/indicators.proto) as the
// gateway builds them from the services' parts: the fixed catalogue of
// tables (their rows in a declared order and their columns, each with its
// kind), the merge of every part's cells, and the rendering of merged cells
// into tables with small groups suppressed. All pure: no I/O, no clock.
//
//   std::vector<IndicatorPart> parts = ...;  // one per service, every
//                                            // replica's cells gathered
//   MergedIndicators merged = MergeIndicatorParts(parts);
//   std::vector<IndicatorTable> tables = RenderIndicatorTables(
//       merged, homeward::v1::INDICATOR_TABLE_UNSPECIFIED, /*threshold=*/5);
//
// Why a fixed catalogue at the gateway rather than whatever cells arrive:
// the answer's shape (every row and column, in order, even when a service is
// down and its cells are absent) must not depend on which data exist, so a
// CSV file of one period lines up with the next; and the kind of each column
// says how its cells merge and how it is suppressed. Cells the catalogue does
// not know (another table, row or column, or a value of another kind than
// the column's) are ignored and counted in MergedIndicators::ignored_cells,
// so that a service newer than the gateway cannot break the answer, and the
// gateway can log that it happened (identifiers only).
#ifndef HOMEWARD_SERVICES_GATEWAY_INDICATOR_TABLES_H_
#define HOMEWARD_SERVICES_GATEWAY_INDICATOR_TABLES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "homeward/internal/v1/indicator_parts.pb.h"
#include "homeward/v1/indicators.pb.h"

namespace homeward::gateway {

// How a column's value comes about.
enum class ColumnKind {
  kCount,   // cells carry counts; they add up
  kMean,    // cells carry a sum and a count; both add up
  kMedian,  // cells carry a distribution; buckets add up, shown as the median
  kShare,   // no cells: numerator / denominator, two count columns of the row
};

struct IndicatorColumn {
  std::string name;  // e.g. "approved"
  ColumnKind kind = ColumnKind::kCount;
  // kShare only: the count columns (same row) divided.
  std::string numerator;
  std::string denominator;
};

struct IndicatorTableSpec {
  homeward::v1::IndicatorTableId id = homeward::v1::INDICATOR_TABLE_UNSPECIFIED;
  std::string name;   // IndicatorCell.table, e.g. "caseload"
  std::string title;  // for people
  // The backend whose part carries the table's cells, e.g. "assessment".
  std::string source;
  std::string row_heading;        // the first column's name, e.g. "stage"
  std::vector<std::string> rows;  // labels, in the order shown
  std::vector<IndicatorColumn> columns;  // after the row label, in order
};

// Every table, in IndicatorTableId order. Rows named after an enum (case
// stages, score kinds, decline and closure reasons) follow the enum's
// declaration order and are read from the generated descriptors, so a value
// added to the enum becomes a row.
const std::vector<IndicatorTableSpec>& IndicatorCatalogue();
// nullptr for an id the catalogue has no table for (UNSPECIFIED among them).
const IndicatorTableSpec* FindIndicatorTable(homeward::v1::IndicatorTableId id);

// One (table, row, column) after merging every part's cells for it.
struct MergedCell {
  ColumnKind kind = ColumnKind::kCount;
  int64_t count = 0;                        // kCount
  double sum = 0;                           // kMean
  int64_t values = 0;                       // kMean: how many values summed
  std::map<int64_t, int64_t> distribution;  // kMedian: value -> occurrences
};

using CellKey = std::tuple<std::string, std::string, std::string>;

struct MergedIndicators {
  std::map<CellKey, MergedCell> cells;  // (table, row, column)
  // Cells not merged: unknown table, row or column; a value of another kind
  // than the column's (or none); a negative count.
  int64_t ignored_cells = 0;
};

// Merges the cells of `parts` (any number, in any order: the result is the
// same): counts add up, means add their sums and counts, distributions add
// their buckets' counts per value.
MergedIndicators MergeIndicatorParts(
    const std::vector<homeward::internal::v1::IndicatorPart>& parts);

// The median of a distribution (value -> occurrences): the middle value, or
// the mean of the two middle values when the total is even; nullopt when
// empty.
std::optional<double> MedianOf(const std::map<int64_t, int64_t>& distribution);

// Suppression (programme indicators, contracts): a value is shown only when
// the group behind it has at least `threshold` members, so that nobody can be
// singled out; a group of 0 shows as 0 (a count) or as no value (a
// statistic of nothing).
//
// A count: 0 and counts >= threshold shown, 0 < count < threshold
// suppressed.
homeward::v1::IndicatorValue CountValue(int64_t count, int threshold);
// A mean or median over `group` values: no value when the group is empty,
// suppressed when 0 < group < threshold, else `value` rounded to 2
// decimals.
homeward::v1::IndicatorValue StatisticValue(double value, int64_t group,
                                            int threshold);
// part / whole: no value when whole is 0; suppressed when 0 < whole <
// threshold, and also when 0 < part < threshold, because the share and the
// shown whole would give the suppressed part away; else rounded to 2
// decimals (a fraction, 0.25 for a quarter).
homeward::v1::IndicatorValue ShareValue(int64_t part, int64_t whole,
                                        int threshold);

// `requested` (every table when UNSPECIFIED; none for an id without a table),
// in catalogue order, with every declared row and column. A count or
// statistic without any cell (its service's part is missing) has no value.
std::vector<homeward::v1::IndicatorTable> RenderIndicatorTables(
    const MergedIndicators& merged, homeward::v1::IndicatorTableId requested,
    int threshold);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_INDICATOR_TABLES_H_
