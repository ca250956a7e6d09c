// Adding up an indicator part (indicator_cells.h).
#include "common/indicators/indicator_cells.h"

namespace homeward::indicators {

using homeward::internal::v1::IndicatorCell;
using homeward::internal::v1::IndicatorPart;

IndicatorCells::Cell& IndicatorCells::At(absl::string_view table,
                                         absl::string_view row,
                                         absl::string_view column,
                                         Cell::Kind kind) {
  auto [it, inserted] = cells_.try_emplace(
      Key(std::string(table), std::string(row), std::string(column)));
  if (inserted) it->second.kind = kind;
  return it->second;
}

void IndicatorCells::Count(absl::string_view table, absl::string_view row,
                           absl::string_view column, int64_t n) {
  Cell& cell = At(table, row, column, Cell::Kind::kCount);
  if (cell.kind == Cell::Kind::kCount) cell.count += n;
}

void IndicatorCells::AddToMean(absl::string_view table, absl::string_view row,
                               absl::string_view column, double value) {
  Cell& cell = At(table, row, column, Cell::Kind::kMean);
  if (cell.kind != Cell::Kind::kMean) return;
  cell.sum += value;
  ++cell.count;
}

void IndicatorCells::AddToDistribution(absl::string_view table,
                                       absl::string_view row,
                                       absl::string_view column,
                                       int64_t value) {
  Cell& cell = At(table, row, column, Cell::Kind::kDistribution);
  if (cell.kind == Cell::Kind::kDistribution) ++cell.buckets[value];
}

IndicatorPart IndicatorCells::ToPart() const {
  IndicatorPart part;
  for (const auto& [key, cell] : cells_) {
    IndicatorCell* out = part.add_cells();
    out->set_table(std::get<0>(key));
    out->set_row(std::get<1>(key));
    out->set_column(std::get<2>(key));
    switch (cell.kind) {
      case Cell::Kind::kCount:
        out->set_count(cell.count);
        break;
      case Cell::Kind::kMean:
        out->mutable_mean()->set_sum(cell.sum);
        out->mutable_mean()->set_count(cell.count);
        break;
      case Cell::Kind::kDistribution:
        for (const auto& [value, count] : cell.buckets) {
          auto* bucket = out->mutable_distribution()->add_buckets();
          bucket->set_value(value);
          bucket->set_count(count);
        }
        break;
    }
  }
  return part;
}

}  // namespace homeward::indicators
