// Writes many cases of one office straight into an assessment service's data
// directory, offline (the service must not be running on it), through the
// service's own CaseStore: every case is registered exactly as the API
// registers it (the record, which also stands as its request's claim, its
// office / case-manager / stage index entries, its CaseRegistered event in
// the outbox and its audit entry), so the service started on the directory
// afterwards lists, reads and feeds them as if they had come through
// RegisterCase. What it skips is the RPC, the principal check and the WAL
// sync per case: it keeps thousands of registrations queued, and the store's
// committer writes each queue as one RocksDB batch, WAL unsynced (the store
// is closed cleanly at the end).
//
//   ASSIGN_OR_RETURN(BulkLoadResult r,
//                    LoadCases({.data_dir = "/srv/homeward/assessment-0",
//                               .office_id = "office-bench",
//                               .case_manager_id = "cm-bench",
//                               .cases = 1'000'000}));
//
// The case ids derive from the office and the request id "<prefix><i>", as
// for RegisterCase: loading again with the same prefix replays (writes
// nothing new), another prefix adds more cases.
#ifndef HOMEWARD_TOOLS_BULK_LOAD_CASE_BULK_LOAD_H_
#define HOMEWARD_TOOLS_BULK_LOAD_CASE_BULK_LOAD_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "homeward/v1/cases.pb.h"

namespace homeward::bulk_load {

struct BulkLoadOptions {
  // The service's data_dir (its ServiceConfig.data_dir): the store is under
  // <data_dir>/rocksdb. Created when missing.
  std::string data_dir;
  // Must be the deployment's: the directory records it, and the service
  // refuses a directory made with another count.
  uint32_t partition_count = 64;
  // The service's encryption_key_file when its data is encrypted at rest
  // (docs/ENCRYPTION.md); empty: not encrypted. A directory written under
  // another key, or none, is refused.
  std::string encryption_key_file;
  std::string office_id;
  std::string case_manager_id;
  int64_t cases = 1'000'000;
  // Registrations queued at once: the store commits what is queued as one
  // batch, so this bounds the batch size.
  int in_flight = 8192;
  std::string request_id_prefix = "bulk-";
  // The programme the cases belong to (must be one the service publishes
  // for the cases to be changed later; reads do not check it).
  std::string programme_id = "sn_reintegration";
  // Their return date.
  absl::CivilDay return_date = absl::CivilDay(2025, 10, 1);
  // Keep the ids of the cases written in BulkLoadResult::case_ids (for
  // tests; a million ids is 40 MB).
  bool keep_ids = false;
  // Called from the loading thread every `progress_every` cases.
  std::function<void(int64_t written)> progress;
  int64_t progress_every = 100'000;
};

struct BulkLoadResult {
  int64_t cases = 0;
  double seconds = 0;
  std::vector<std::string> case_ids;  // with keep_ids, in request order
};

// The synthetic registration of case `index`: a returnee with made-up,
// non-personal names ("Returnee <index>"), of `options`' office, case
// manager, programme and return date. Passes the API's validation.
homeward::v1::Case BulkCase(const BulkLoadOptions& options, int64_t index);

// Loads the cases; INVALID_ARGUMENT for bad options, FAILED_PRECONDITION if
// the directory was made with another partition count or is in use.
absl::StatusOr<BulkLoadResult> LoadCases(const BulkLoadOptions& options);

}  // namespace homeward::bulk_load

#endif  // HOMEWARD_TOOLS_BULK_LOAD_CASE_BULK_LOAD_H_
