// Indicator tables as CSV; see indicator_csv.h.
#include "services/gateway/indicator_csv.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace homeward::gateway {
namespace {

namespace v1 = ::homeward::v1;

constexpr char kCrLf[] = "\r\n";

std::string ValueField(const v1::IndicatorValue& value, int threshold) {
  switch (value.kind_case()) {
    case v1::IndicatorValue::kCount:
      return absl::StrCat(value.count());
    case v1::IndicatorValue::kNumber:
      return absl::StrFormat("%.2f", value.number());
    case v1::IndicatorValue::kSuppressed:
      return absl::StrCat("<", threshold);
    case v1::IndicatorValue::KIND_NOT_SET:
      return "";
  }
  return "";
}

void AppendLine(const std::vector<std::string>& fields, std::string* out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(CsvField(fields[i]));
  }
  out->append(kCrLf);
}

}  // namespace

bool AcceptsCsv(std::optional<absl::string_view> accept) {
  if (!accept.has_value()) return false;
  for (absl::string_view range : absl::StrSplit(*accept, ',')) {
    absl::string_view media =
        absl::StripAsciiWhitespace(range.substr(0, range.find(';')));
    if (absl::EqualsIgnoreCase(media, "text/csv")) return true;
  }
  return false;
}

std::string CsvField(absl::string_view field) {
  if (field.find_first_of(",\"\r\n") == absl::string_view::npos) {
    return std::string(field);
  }
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string IndicatorTableCsv(const v1::IndicatorTable& table, int threshold) {
  std::string text;
  AppendLine({table.columns().begin(), table.columns().end()}, &text);
  for (const v1::IndicatorRow& row : table.rows()) {
    std::vector<std::string> fields = {row.label()};
    for (const v1::IndicatorValue& value : row.values()) {
      fields.push_back(ValueField(value, threshold));
    }
    AppendLine(fields, &text);
  }
  return text;
}

std::string CsvContentDisposition(const v1::IndicatorTable& table) {
  // Table names are the catalogue's (lower case letters and underscores), so
  // they need no escaping inside the quoted filename.
  return absl::StrCat("attachment; filename=\"", table.name(), ".csv\"");
}

}  // namespace homeward::gateway
