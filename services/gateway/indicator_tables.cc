// The programme indicators' table catalogue, merge and suppression; see
// indicator_tables.h.
#include "services/gateway/indicator_tables.h"

#include <cmath>
#include <utility>

#include "google/protobuf/descriptor.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/follow_up.pb.h"
#include "homeward/v1/instruments.pb.h"
#include "homeward/v1/referral.pb.h"

namespace homeward::gateway {
namespace {

namespace v1 = ::homeward::v1;
using ::homeward::internal::v1::IndicatorCell;
using ::homeward::internal::v1::IndicatorPart;

// The label of an overall row (tables without groups).
constexpr char kAllRow[] = "ALL";
// How the referral_declines table names the decline reason left uncoded
// (REFERRAL_DECLINE_REASON_UNSPECIFIED: referrals declined before reasons
// were coded, or declined without one).
constexpr char kNotCoded[] = "NOT_CODED";

// The names of `type`'s values in declaration order; the zero value
// (UNSPECIFIED) left out, or shown as `unspecified_label` when one is given.
std::vector<std::string> EnumRows(const google::protobuf::EnumDescriptor* type,
                                  const char* unspecified_label = nullptr) {
  std::vector<std::string> rows;
  for (int i = 0; i < type->value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* value = type->value(i);
    if (value->number() == 0) {
      if (unspecified_label != nullptr) rows.push_back(unspecified_label);
      continue;
    }
    rows.push_back(value->name());
  }
  return rows;
}

IndicatorColumn Count(const char* name) {
  return {name, ColumnKind::kCount, "", ""};
}
IndicatorColumn Mean(const char* name) {
  return {name, ColumnKind::kMean, "", ""};
}
IndicatorColumn Median(const char* name) {
  return {name, ColumnKind::kMedian, "", ""};
}
IndicatorColumn Share(const char* name, const char* numerator,
                      const char* denominator) {
  return {name, ColumnKind::kShare, numerator, denominator};
}

std::vector<IndicatorTableSpec> BuildCatalogue() {
  std::vector<IndicatorTableSpec> tables;
  tables.push_back({v1::INDICATOR_TABLE_CASELOAD,
                    "caseload",
                    "Caseload by stage",
                    "assessment",
                    "stage",
                    EnumRows(v1::CaseStage_descriptor()),
                    {Count("cases"), Count("registered_in_period")}});
  tables.push_back(
      {v1::INDICATOR_TABLE_PLAN_TIMELINESS,
       "plan_timeliness",
       "Time from return to approved plan",
       "planning",
       "group",
       {kAllRow},
       {Count("approved"), Count("within_deadline"),
        Share("share_within_deadline", "within_deadline", "approved"),
        Median("median_days_to_approval"), Mean("mean_days_to_approval"),
        Count("overdue_now")}});
  tables.push_back(
      {v1::INDICATOR_TABLE_REFERRALS,
       "referrals",
       "Referrals and response time",
       "referral",
       "group",
       {kAllRow},
       {Count("made"), Count("accepted"), Count("declined"), Count("completed"),
        Count("failed"), Count("cancelled"), Median("median_response_hours")}});
  tables.push_back({v1::INDICATOR_TABLE_REFERRAL_DECLINES,
                    "referral_declines",
                    "Declined referrals by reason",
                    "referral",
                    "decline_reason",
                    EnumRows(v1::ReferralDeclineReason_descriptor(), kNotCoded),
                    {Count("declined")}});
  tables.push_back({v1::INDICATOR_TABLE_FOLLOW_UPS,
                    "follow_ups",
                    "Follow-up contacts done, missed and overdue",
                    "follow_up",
                    "group",
                    {kAllRow},
                    {Count("done"), Count("missed"), Count("overdue_now")}});
  tables.push_back(
      {v1::INDICATOR_TABLE_RSS,
       "rss",
       "Reintegration sustainability scores at baseline and follow-up",
       "assessment",
       "score_kind",
       EnumRows(v1::ScoreKind_descriptor()),
       {Count("baseline_cases"), Mean("baseline_mean"),
        Count("follow_up_cases"), Mean("follow_up_mean"),
        Mean("mean_change")}});
  tables.push_back({v1::INDICATOR_TABLE_CLOSURES,
                    "closures",
                    "Closures by reason",
                    "follow_up",
                    "closure_reason",
                    EnumRows(v1::ClosureReason_descriptor()),
                    {Count("closed"), Count("planned"), Count("unplanned")}});
  return tables;
}

// The column `name` of `table` when `row` is one of its rows; nullptr
// otherwise.
const IndicatorColumn* FindCell(const IndicatorTableSpec& table,
                                const std::string& row,
                                const std::string& name) {
  bool known_row = false;
  for (const std::string& r : table.rows) known_row = known_row || r == row;
  if (!known_row) return nullptr;
  for (const IndicatorColumn& column : table.columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

const IndicatorTableSpec* FindTableByName(const std::string& name) {
  for (const IndicatorTableSpec& table : IndicatorCatalogue()) {
    if (table.name == name) return &table;
  }
  return nullptr;
}

// Adds `cell` to `merged` when it fits its column; false when it does not.
bool MergeCell(const IndicatorCell& cell, const IndicatorColumn& column,
               MergedCell& merged) {
  merged.kind = column.kind;
  switch (column.kind) {
    case ColumnKind::kCount:
      if (cell.value_case() != IndicatorCell::kCount || cell.count() < 0) {
        return false;
      }
      merged.count += cell.count();
      return true;
    case ColumnKind::kMean:
      if (cell.value_case() != IndicatorCell::kMean ||
          cell.mean().count() < 0 || !std::isfinite(cell.mean().sum())) {
        return false;
      }
      merged.sum += cell.mean().sum();
      merged.values += cell.mean().count();
      return true;
    case ColumnKind::kMedian:
      if (cell.value_case() != IndicatorCell::kDistribution) return false;
      for (const auto& bucket : cell.distribution().buckets()) {
        if (bucket.count() < 0) return false;
      }
      for (const auto& bucket : cell.distribution().buckets()) {
        if (bucket.count() > 0) {
          merged.distribution[bucket.value()] += bucket.count();
        }
      }
      return true;
    case ColumnKind::kShare:
      return false;  // derived at the gateway, never sent
  }
  return false;
}

double RoundTo2(double value) { return std::round(value * 100.0) / 100.0; }

// The rendered value of a count, mean or median column of `row`; no value
// when no part sent a cell for it.
v1::IndicatorValue ValueOf(const MergedIndicators& merged,
                           const IndicatorTableSpec& table,
                           const std::string& row,
                           const IndicatorColumn& column, int threshold) {
  auto at = [&](const std::string& name) -> const MergedCell* {
    auto it = merged.cells.find(CellKey(table.name, row, name));
    return it == merged.cells.end() ? nullptr : &it->second;
  };
  switch (column.kind) {
    case ColumnKind::kCount:
      if (const MergedCell* cell = at(column.name)) {
        return CountValue(cell->count, threshold);
      }
      return {};
    case ColumnKind::kMean:
      if (const MergedCell* cell = at(column.name); cell && cell->values > 0) {
        return StatisticValue(cell->sum / static_cast<double>(cell->values),
                              cell->values, threshold);
      }
      return {};
    case ColumnKind::kMedian:
      if (const MergedCell* cell = at(column.name)) {
        std::optional<double> median = MedianOf(cell->distribution);
        if (!median.has_value()) return {};
        int64_t group = 0;
        for (const auto& [value, n] : cell->distribution) group += n;
        return StatisticValue(*median, group, threshold);
      }
      return {};
    case ColumnKind::kShare: {
      const MergedCell* part = at(column.numerator);
      const MergedCell* whole = at(column.denominator);
      if (part == nullptr || whole == nullptr) return {};
      return ShareValue(part->count, whole->count, threshold);
    }
  }
  return {};
}

}  // namespace

const std::vector<IndicatorTableSpec>& IndicatorCatalogue() {
  static const std::vector<IndicatorTableSpec>* const catalogue =
      new std::vector<IndicatorTableSpec>(BuildCatalogue());
  return *catalogue;
}

const IndicatorTableSpec* FindIndicatorTable(v1::IndicatorTableId id) {
  for (const IndicatorTableSpec& table : IndicatorCatalogue()) {
    if (table.id == id) return &table;
  }
  return nullptr;
}

MergedIndicators MergeIndicatorParts(const std::vector<IndicatorPart>& parts) {
  MergedIndicators merged;
  for (const IndicatorPart& part : parts) {
    for (const IndicatorCell& cell : part.cells()) {
      const IndicatorTableSpec* table = FindTableByName(cell.table());
      const IndicatorColumn* column =
          table == nullptr ? nullptr
                           : FindCell(*table, cell.row(), cell.column());
      if (column == nullptr) {
        ++merged.ignored_cells;
        continue;
      }
      // A cell that does not fit leaves no trace: merged into a copy first.
      const CellKey key(cell.table(), cell.row(), cell.column());
      auto it = merged.cells.find(key);
      MergedCell candidate =
          it == merged.cells.end() ? MergedCell{} : it->second;
      if (!MergeCell(cell, *column, candidate)) {
        ++merged.ignored_cells;
        continue;
      }
      merged.cells[key] = std::move(candidate);
    }
  }
  return merged;
}

std::optional<double> MedianOf(const std::map<int64_t, int64_t>& distribution) {
  int64_t total = 0;
  for (const auto& [value, n] : distribution) total += n;
  if (total <= 0) return std::nullopt;
  // The values at (0-based) positions (total-1)/2 and total/2 of the sorted
  // values: the same one when the total is odd.
  const int64_t low_at = (total - 1) / 2;
  const int64_t high_at = total / 2;
  std::optional<int64_t> low, high;
  int64_t seen = 0;
  for (const auto& [value, n] : distribution) {
    if (n <= 0) continue;
    seen += n;  // positions [seen - n, seen) hold `value`
    if (!low.has_value() && low_at < seen) low = value;
    if (high_at < seen) {
      high = value;
      break;
    }
  }
  return (static_cast<double>(*low) + static_cast<double>(*high)) / 2.0;
}

v1::IndicatorValue CountValue(int64_t count, int threshold) {
  v1::IndicatorValue shown;
  if (count > 0 && count < threshold) {
    shown.set_suppressed(true);
  } else {
    shown.set_count(count);
  }
  return shown;
}

v1::IndicatorValue StatisticValue(double value, int64_t group, int threshold) {
  v1::IndicatorValue shown;
  if (group <= 0) return shown;
  if (group < threshold) {
    shown.set_suppressed(true);
  } else {
    shown.set_number(RoundTo2(value));
  }
  return shown;
}

v1::IndicatorValue ShareValue(int64_t part, int64_t whole, int threshold) {
  v1::IndicatorValue shown;
  if (whole <= 0) return shown;
  if (whole < threshold || (part > 0 && part < threshold)) {
    shown.set_suppressed(true);
  } else {
    shown.set_number(
        RoundTo2(static_cast<double>(part) / static_cast<double>(whole)));
  }
  return shown;
}

std::vector<v1::IndicatorTable> RenderIndicatorTables(
    const MergedIndicators& merged, v1::IndicatorTableId requested,
    int threshold) {
  std::vector<v1::IndicatorTable> tables;
  for (const IndicatorTableSpec& spec : IndicatorCatalogue()) {
    if (requested != v1::INDICATOR_TABLE_UNSPECIFIED && spec.id != requested) {
      continue;
    }
    v1::IndicatorTable& table = tables.emplace_back();
    table.set_id(spec.id);
    table.set_name(spec.name);
    table.set_title(spec.title);
    table.add_columns(spec.row_heading);
    for (const IndicatorColumn& column : spec.columns) {
      table.add_columns(column.name);
    }
    for (const std::string& label : spec.rows) {
      v1::IndicatorRow& row = *table.add_rows();
      row.set_label(label);
      for (const IndicatorColumn& column : spec.columns) {
        *row.add_values() = ValueOf(merged, spec, label, column, threshold);
      }
    }
  }
  return tables;
}

}  // namespace homeward::gateway
