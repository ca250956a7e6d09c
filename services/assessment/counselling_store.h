// The counselling log in the assessment service's store: one immutable record
// per session, in its case's partition, indexed by case in recording order
// (session ids are time-ordered). Recording a session writes the record, its
// index entry, a CounsellingSessionRecorded event (identifiers and the
// distress flag only: the notes stay here) and an audit entry in one
// WriteSet.
//
// Callers pass the case as loaded by CaseInScope: that load has already
// refused cases of partitions this replica does not own.
//
//   CounsellingStore sessions(store);
//   ASSIGN_OR_RETURN(CounsellingSession s,
//                    sessions.Record(actor, c, request_id, session));
//   ASSIGN_OR_RETURN(auto page, sessions.List(c, 50, ""));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_COUNSELLING_STORE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_COUNSELLING_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/cases/case_record_log.h"
#include "common/storage/page.h"
#include "common/storage/store.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/counselling.pb.h"
#include "services/assessment/case_store.h"

namespace homeward::assessment {

class CounsellingStore {
 public:
  explicit CounsellingStore(storage::Store* store)
      : log_(store, "counselling_session", "RecordCounsellingSession") {}

  // Stores `session` for case `c` with a new session_id, recorded_by and
  // create_time (whatever the caller put there is replaced). A non-empty
  // `request_id` makes the call idempotent per case: repeating it returns
  // the first session and writes nothing.
  absl::StatusOr<homeward::v1::CounsellingSession> Record(
      const service::Actor& actor, const homeward::v1::Case& c,
      const std::string& request_id, homeward::v1::CounsellingSession session);
  // A page of the case's sessions in recording order.
  absl::StatusOr<storage::Page<homeward::v1::CounsellingSession>> List(
      const homeward::v1::Case& c, int page_size,
      absl::string_view page_token) const;
  // Records that `actor` read the counselling log of `case_id`.
  void AuditRead(const service::Actor& actor, absl::string_view case_id);
  // Adds to `set` the rewrite of each of the case's counselling sessions that
  // holds free text, without it (RemoveFreeText, retention_rules.h): for the
  // retention job's anonymisation of the case.
  absl::Status RemoveFreeTextOfCase(const homeward::v1::Case& c,
                                    storage::WriteSet& set) const;

 private:
  cases::CaseRecordLog<homeward::v1::CounsellingSession> log_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_COUNSELLING_STORE_H_
