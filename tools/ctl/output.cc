#include "tools/ctl/output.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"

namespace homeward::ctl {
namespace {

// Characters of UTF-8 text: every byte but continuation bytes (10xxxxxx), so
// that a name with accents lines up like one without.
size_t DisplayWidth(absl::string_view text) {
  return std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
}

const std::string& Cell(const std::vector<std::string>& row, size_t column) {
  static const std::string* const kEmpty = new std::string();
  return column < row.size() ? row[column] : *kEmpty;
}

}  // namespace

std::string FormatTable(const Table& table) {
  const size_t columns = table.columns.size();
  std::vector<size_t> widths(columns, 0);
  for (size_t c = 0; c < columns; ++c) {
    widths[c] = DisplayWidth(table.columns[c]);
    for (const auto& row : table.rows) {
      widths[c] = std::max(widths[c], DisplayWidth(Cell(row, c)));
    }
  }
  std::string out;
  auto append_line = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t c = 0; c < columns; ++c) {
      const std::string& cell = Cell(cells, c);
      absl::StrAppend(&line, cell);
      if (c + 1 < columns) {
        line.append(widths[c] - DisplayWidth(cell) + 2, ' ');
      }
    }
    // Trailing blanks of empty last cells say nothing.
    line.erase(line.find_last_not_of(' ') + 1);
    absl::StrAppend(&out, line, "\n");
  };
  append_line(table.columns);
  for (const auto& row : table.rows) append_line(row);
  return out;
}

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  out += "\"";
  return out;
}

std::string FormatJson(const Table& table) {
  std::string out = "[";
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (r > 0) out += ",";
    out += "{";
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (c > 0) out += ",";
      absl::StrAppend(&out, JsonString(table.columns[c]), ":",
                      JsonString(Cell(table.rows[r], c)));
    }
    out += "}";
  }
  out += "]\n";
  return out;
}

std::string FormatMessageJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  // Printing a generated message cannot fail (only Any with an unknown type
  // can, and the answers printed hold none); say so rather than print half.
  if (!google::protobuf::util::MessageToJsonString(message, &json, options)
           .ok()) {
    json = "{}";
  }
  return json + "\n";
}

void CtlContext::PrintMessage(const google::protobuf::Message& message) {
  std::string json = FormatMessageJson(message);
  json.pop_back();  // the line's newline: the cell holds the object alone
  Print(Table{{"message"}, {{std::move(json)}}});
}

}  // namespace homeward::ctl
