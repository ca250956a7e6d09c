// One programme indicator table as a CSV file (RFC 4180), for the JSON
// face's `Accept: text/csv` answer to GetProgrammeIndicators: a header line
// with the table's columns, then one line per row (its label, then its
// values). A count is written as an integer, a mean, median or share with two
// decimals, a suppressed value as "<k" (k the suppression threshold, e.g.
// "<5") and no value as an empty field. Lines end in CRLF; a field holding a
// comma, a double quote, CR or LF is quoted, its quotes doubled. Pure.
//
//   if (AcceptsCsv(request.Header("accept"))) {
//     std::string text = IndicatorTableCsv(indicators.tables(0),
//                                          indicators.suppression_threshold());
//     ... Content-Disposition: attachment; filename="<table name>.csv" ...
//   }
#ifndef HOMEWARD_SERVICES_GATEWAY_INDICATOR_CSV_H_
#define HOMEWARD_SERVICES_GATEWAY_INDICATOR_CSV_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "homeward/v1/indicators.pb.h"

namespace homeward::gateway {

inline constexpr char kCsvContentType[] = "text/csv; charset=utf-8";

// Whether an Accept header lists text/csv (any case, parameters such as
// q= ignored) among its media ranges.
bool AcceptsCsv(std::optional<absl::string_view> accept);

// `field` as one RFC 4180 field: as it is, or quoted when it must be.
std::string CsvField(absl::string_view field);

// `table` as CSV text; `threshold` is what "<k" names for suppressed values.
std::string IndicatorTableCsv(const homeward::v1::IndicatorTable& table,
                              int threshold);

// The Content-Disposition of the CSV file of `table`:
// attachment; filename="<name>.csv".
std::string CsvContentDisposition(const homeward::v1::IndicatorTable& table);

}  // namespace homeward::gateway

#endif  // HOMEWARD_SERVICES_GATEWAY_INDICATOR_CSV_H_
