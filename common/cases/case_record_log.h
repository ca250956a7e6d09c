// Append-only records of one case, such as consent decisions and counselling
// sessions. Each record is written once (the retention job's RewriteEach
// aside), in its case's partition, together with its index entry, its event
// and an audit entry in one WriteSet; a request id makes the append
// idempotent per case; records list in recording order because their ids are
// time-ordered.
//
// Each record's event names the case as its subject (Event.subject_id) and
// carries the record's own id in its payload, which the caller builds.
//
// Callers name the case by what they resolved the call's access with: the
// Case the assessment service loaded (CaseInScope), or the CaseScope a case
// directory holds (CaseDirectory::Authorize). That resolution has already
// refused cases of partitions this replica does not own, and the partition
// it carries says where the case's records live.
//
//   cases::CaseRecordLog<ConsentRecord> log(store, "consent",
//                                           "RecordConsent");
//   ASSIGN_OR_RETURN(ConsentRecord stored,
//                    log.Append(actor, c, id, request_id, record, event));
//   ASSIGN_OR_RETURN(auto page, log.List(c, 50, ""));
#ifndef HOMEWARD_COMMON_CASES_CASE_RECORD_LOG_H_
#define HOMEWARD_COMMON_CASES_CASE_RECORD_LOG_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/cases/case_scope.h"
#include "common/service/actor.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/indexed_records.h"
#include "common/storage/page.h"
#include "common/storage/store.h"
#include "common/storage/write_set.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/events.pb.h"

namespace homeward::cases {

// What a case record log needs of a case: its id and the partition its
// records live in. Converts implicitly from a Case and from a CaseScope so
// that either can be passed; it refers to the caller's strings, so it must
// not outlive the call it is passed to.
struct CaseKey {
  CaseKey(const homeward::v1::Case& c)  // NOLINT(runtime/explicit)
      : case_id(c.case_id()), partition(c.partition()) {}
  CaseKey(const CaseScope& scope)  // NOLINT(runtime/explicit)
      : case_id(scope.case_id()), partition(scope.partition()) {}
  absl::string_view case_id;
  uint32_t partition;
};

template <typename Record>
class CaseRecordLog {
 public:
  // `kind` names the records in keys and errors; `operation` scopes request
  // ids (e.g. "RecordConsent").
  CaseRecordLog(storage::Store* store, std::string kind, std::string operation)
      : store_(store),
        kind_(std::move(kind)),
        index_(kind_ + "_by_case"),
        operation_(std::move(operation)) {}

  // Stores `record` as `id` of case `c` with `event` (whose partition,
  // subject (the case), actor and request id are filled in here; its payload
  // must name `id`). A non-empty `request_id` already used for this case
  // returns the record it created and writes nothing.
  absl::StatusOr<Record> Append(const service::Actor& actor, CaseKey c,
                                const std::string& id,
                                const std::string& request_id,
                                const Record& record,
                                homeward::v1::Event event) {
    const uint32_t p = c.partition;
    event.set_partition(p);
    event.set_subject_id(std::string(c.case_id));
    event.set_actor_user_id(actor.principal.user_id());
    event.set_request_id(request_id.empty() ? actor.request_id : request_id);
    storage::WriteSet set;
    if (!request_id.empty()) {
      homeward::internal::v1::IdempotencyRecord claim;
      claim.set_subject_id(id);
      claim.set_partition(p);
      // Scoped by case: the same request id for another case is another
      // request, and a replay can never hand back another case's record.
      set.ClaimRequest(p, absl::StrCat(operation_, "/", c.case_id), request_id,
                       claim);
    }
    set.ExpectVersion(p, kind_, id, 0)
        .PutRecord(p, kind_, id, 1, record)
        .PutIndex(p, index_, c.case_id, id)
        .AppendEvent(std::move(event))
        .Audit(service::AuditEntryFor(actor, c.case_id));
    ASSIGN_OR_RETURN(storage::CommitResult result,
                     store_->Commit(std::move(set)));
    if (result.replayed) return Load(p, result.original.subject_id());
    return record;
  }

  // A page of the case's records in recording order.
  absl::StatusOr<storage::Page<Record>> List(
      CaseKey c, int page_size, absl::string_view page_token) const {
    ASSIGN_OR_RETURN(storage::IndexPage ids,
                     store_->ListIndex({c.partition}, index_, c.case_id,
                                       page_size, page_token));
    // Records are never deleted, and every pointer to one (index entry,
    // request claim) is committed with it, so a miss is corruption.
    return storage::ReadIndexedRecords<Record>(
        *store_, std::move(ids), kind_, storage::MissingRecord::kCorruption);
  }

  // Every record of the case in recording order (for short histories).
  absl::StatusOr<std::vector<Record>> All(CaseKey c, int page_size) const {
    std::vector<Record> all;
    std::string token;
    do {
      ASSIGN_OR_RETURN(storage::Page<Record> page, List(c, page_size, token));
      for (auto& r : page.items) all.push_back(std::move(r));
      token = std::move(page.next_page_token);
    } while (!token.empty());
    return all;
  }

  // Adds to `set` a rewrite of each of the case's records that `change`
  // alters (it returns true), at the record's next version and expecting the
  // version read. Records are otherwise written once: this is for the
  // retention job, which removes their free text when it anonymises the
  // case (docs/RETENTION.md).
  template <typename Change>
  absl::Status RewriteEach(CaseKey c, Change change,
                           storage::WriteSet& set) const {
    constexpr int kIdsPerRead = 200;
    std::string token;
    do {
      ASSIGN_OR_RETURN(storage::IndexPage ids,
                       store_->ListIndex({c.partition}, index_, c.case_id,
                                         kIdsPerRead, token));
      for (const storage::IndexEntry& entry : ids.entries) {
        Record r;
        uint64_t version = 0;
        RETURN_IF_ERROR(storage::ReadIndexedRecord(
                            *store_, entry, kind_,
                            storage::MissingRecord::kCorruption, &r, &version)
                            .status());
        if (!change(r)) continue;
        set.ExpectVersion(entry.partition, kind_, entry.id, version)
            .PutRecord(entry.partition, kind_, entry.id, version + 1, r);
      }
      token = std::move(ids.next_page_token);
    } while (!token.empty());
    return absl::OkStatus();
  }

  // Records that `actor` read the case's records.
  void AuditRead(const service::Actor& actor, absl::string_view case_id) {
    store_->AuditRead(service::AuditEntryFor(actor, case_id));
  }

 private:
  absl::StatusOr<Record> Load(uint32_t partition, absl::string_view id) const {
    Record r;
    RETURN_IF_ERROR(storage::ReadIndexedRecord(
                        *store_, {partition, std::string(id)}, kind_,
                        storage::MissingRecord::kCorruption, &r, nullptr)
                        .status());
    return r;
  }

  storage::Store* store_;
  std::string kind_;
  std::string index_;
  std::string operation_;
};

}  // namespace homeward::cases

#endif  // HOMEWARD_COMMON_CASES_CASE_RECORD_LOG_H_
