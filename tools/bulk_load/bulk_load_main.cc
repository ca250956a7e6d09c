// homeward-bulk-load: writes N cases of one office into an assessment
// service's data directory, offline, through the service's own CaseStore
// (case_bulk_load.h), for benchmarks over a large office. Stop the service
// first: RocksDB refuses a second opener.
//
//   homeward-bulk-load --data_dir=/tmp/hw/assessment --office=office-bench
//       --case_manager=cm-bench --cases=1000000   (one command line)
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "common/server/flags_usage.h"
#include "tools/bulk_load/case_bulk_load.h"

ABSL_FLAG(std::string, data_dir, "",
          "The assessment service's data_dir (the store is its rocksdb/).");
ABSL_FLAG(uint32_t, partition_count, 64,
          "The deployment's partition count (the directory records it).");
ABSL_FLAG(std::string, encryption_key_file, "",
          "The service's encryption_key_file when its data is encrypted at "
          "rest (docs/ENCRYPTION.md); empty: not encrypted.");
ABSL_FLAG(std::string, office, "office-bench", "The office of every case.");
ABSL_FLAG(std::string, case_manager, "cm-bench",
          "The case manager of every case.");
ABSL_FLAG(int64_t, cases, 1000000, "How many cases to write.");
ABSL_FLAG(int, in_flight, 8192,
          "Registrations queued at once (the store commits a queue as one "
          "batch).");
ABSL_FLAG(std::string, request_id_prefix, "bulk-",
          "Case i is registered with request id <prefix><i>: the same prefix "
          "again writes nothing new, another adds cases.");

int main(int argc, char** argv) {
  homeward::server::SetUpFlagsUsage(
      "Usage: homeward-bulk-load --data_dir=DIR [--cases=N] [flags]\n\n"
      "Writes cases of one office straight into an assessment service's "
      "data directory (the service stopped), as RegisterCase would.");
  absl::ParseCommandLine(argc, argv);
  homeward::bulk_load::BulkLoadOptions options;
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.partition_count = absl::GetFlag(FLAGS_partition_count);
  options.encryption_key_file = absl::GetFlag(FLAGS_encryption_key_file);
  options.office_id = absl::GetFlag(FLAGS_office);
  options.case_manager_id = absl::GetFlag(FLAGS_case_manager);
  options.cases = absl::GetFlag(FLAGS_cases);
  options.in_flight = absl::GetFlag(FLAGS_in_flight);
  options.request_id_prefix = absl::GetFlag(FLAGS_request_id_prefix);
  options.progress = [](int64_t written) {
    std::cerr << "  " << written << " cases queued\n";
  };
  absl::StatusOr<homeward::bulk_load::BulkLoadResult> result =
      homeward::bulk_load::LoadCases(options);
  if (!result.ok()) {
    std::cerr << "homeward-bulk-load: " << result.status() << "\n";
    return absl::IsInvalidArgument(result.status()) ? 2 : 1;
  }
  std::cout << absl::StrFormat(
      "%d cases of %s written to %s in %.1f s (%.0f cases/s)\n", result->cases,
      options.office_id, options.data_dir, result->seconds,
      static_cast<double>(result->cases) / result->seconds);
  return 0;
}
