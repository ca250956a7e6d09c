// Append-only records of one case, such as consent decisions and counselling
// sessions. Each record is written once, in its case's partition, together
// with its index entry, its event and an audit entry in one WriteSet; a
// request id makes the append idempotent per case; records list in
// recording order because their ids are time-ordered.
//
// Callers pass the case as loaded by CaseInScope (or CaseStore::Get): that
// load has already refused cases of partitions this replica does not own,
// and its partition field says where the case's records live.
//
//   CaseRecordLog<ConsentRecord> log(store, "consent", "RecordConsent");
//   ASSIGN_OR_RETURN(ConsentRecord stored,
//                    log.Append(actor, c, id, request_id, record, event));
//   ASSIGN_OR_RETURN(auto page, log.List(c, 50, ""));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_CASE_RECORD_LOG_H_
#define HOMEWARD_SERVICES_ASSESSMENT_CASE_RECORD_LOG_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/store.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/events.pb.h"
#include "services/assessment/case_store.h"

namespace homeward::assessment {

template <typename Record>
class CaseRecordLog {
 public:
  struct Page {
    std::vector<Record> records;
    std::string next_page_token;
  };

  // `kind` names the records in keys and errors; `operation` scopes request
  // ids (e.g. "RecordConsent").
  CaseRecordLog(storage::Store* store, std::string kind, std::string operation)
      : store_(store),
        kind_(std::move(kind)),
        index_(kind_ + "_by_case"),
        operation_(std::move(operation)) {}

  // Stores `record` as `id` of case `c` with `event` (whose partition,
  // subject, actor and request id are filled in here). A non-empty
  // `request_id` already used for this case returns the record it created and
  // writes nothing.
  absl::StatusOr<Record> Append(const service::Actor& actor,
                                const homeward::v1::Case& c,
                                const std::string& id,
                                const std::string& request_id,
                                const Record& record,
                                homeward::v1::Event event) {
    const uint32_t p = c.partition();
    event.set_partition(p);
    event.set_subject_id(id);
    event.set_actor_user_id(actor.principal.user_id());
    event.set_request_id(request_id.empty() ? actor.request_id : request_id);
    storage::WriteSet set;
    if (!request_id.empty()) {
      homeward::internal::v1::IdempotencyRecord claim;
      claim.set_subject_id(id);
      claim.set_partition(p);
      // Scoped by case: the same request id for another case is another
      // request, and a replay can never hand back another case's record.
      set.ClaimRequest(p, absl::StrCat(operation_, "/", c.case_id()),
                       request_id, claim);
    }
    set.ExpectVersion(p, kind_, id, 0)
        .PutRecord(p, kind_, id, 1, record)
        .PutIndex(p, index_, c.case_id(), id)
        .AppendEvent(std::move(event))
        .Audit(service::AuditEntryFor(actor, c.case_id()));
    ASSIGN_OR_RETURN(storage::CommitResult result,
                     store_->Commit(std::move(set)));
    if (result.replayed) return Load(p, result.original.subject_id());
    return record;
  }

  // A page of the case's records in recording order.
  absl::StatusOr<Page> List(const homeward::v1::Case& c, int page_size,
                            absl::string_view page_token) const {
    ASSIGN_OR_RETURN(storage::IndexPage ids,
                     store_->ListIndex({c.partition()}, index_, c.case_id(),
                                       page_size, page_token));
    Page page;
    page.next_page_token = std::move(ids.next_page_token);
    for (const auto& entry : ids.entries) {
      ASSIGN_OR_RETURN(Record r, Load(entry.partition, entry.id));
      page.records.push_back(std::move(r));
    }
    return page;
  }

  // Every record of the case in recording order (for short histories).
  absl::StatusOr<std::vector<Record>> All(const homeward::v1::Case& c,
                                          int page_size) const {
    std::vector<Record> all;
    std::string token;
    do {
      ASSIGN_OR_RETURN(Page page, List(c, page_size, token));
      for (auto& r : page.records) all.push_back(std::move(r));
      token = std::move(page.next_page_token);
    } while (!token.empty());
    return all;
  }

  // Records that `actor` read the case's records.
  void AuditRead(const service::Actor& actor, absl::string_view case_id) {
    store_->AuditRead(service::AuditEntryFor(actor, case_id));
  }

 private:
  absl::StatusOr<Record> Load(uint32_t partition, absl::string_view id) const {
    Record r;
    ASSIGN_OR_RETURN(bool found,
                     store_->GetRecord(partition, kind_, id, &r, nullptr));
    // Records are never deleted, and every pointer to one (index entry,
    // request claim) is committed with it, so a miss is corruption.
    if (!found) {
      return errors::StorageError(absl::StrCat("reading a ", kind_, " record"),
                                  "a record named by the index is missing");
    }
    return r;
  }

  storage::Store* store_;
  std::string kind_;
  std::string index_;
  std::string operation_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_CASE_RECORD_LOG_H_
