// How `homewardctl` shows a command's answer: a Table as aligned columns for
// people, or as a JSON array of objects (one per row, column names as keys)
// for scripts; a proto message as JSON with its proto field names.
//
//   Table table{{"service", "replica"}, {{"assessment", "10.0.0.7:7101"}}};
//   std::cout << FormatTable(table);
//   // service     replica
//   // assessment  10.0.0.7:7101
//   std::cout << FormatJson(table);
//   // [{"service":"assessment","replica":"10.0.0.7:7101"}]
#ifndef HOMEWARD_TOOLS_CTL_OUTPUT_H_
#define HOMEWARD_TOOLS_CTL_OUTPUT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "tools/ctl/ctl_context.h"

namespace homeward::ctl {

// The header line and one line per row, each column padded to its widest
// cell (counted in characters, not bytes) and separated by two spaces; the
// last column is not padded. A row shorter than the header leaves its
// missing cells empty. Every line ends with '\n'; a table without rows is
// the header alone.
std::string FormatTable(const Table& table);

// A JSON array with one object per row, the cells as strings under the
// column names, followed by '\n'.
std::string FormatJson(const Table& table);

// `text` as a JSON string literal (quoted, with control characters, quotes
// and backslashes escaped).
std::string JsonString(absl::string_view text);

// `message` as one JSON object (proto field names, enums by name, default
// values left out), followed by '\n'.
std::string FormatMessageJson(const google::protobuf::Message& message);

}  // namespace homeward::ctl

#endif  // HOMEWARD_TOOLS_CTL_OUTPUT_H_
