// Consent records in the assessment service's store: an append-only
// CaseRecordLog (common/cases/case_record_log.h) of immutable decisions (a
// change of mind is a new record), each written with its ConsentChanged event.
//
//   ConsentStore consents(store);
//   ASSIGN_OR_RETURN(ConsentRecord r,
//                    consents.Record(actor, c, request_id, consent));
//   ASSIGN_OR_RETURN(auto page, consents.List(c, 50, ""));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_CONSENT_STORE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_CONSENT_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/cases/case_record_log.h"
#include "common/storage/page.h"
#include "common/storage/store.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/consent.pb.h"
#include "services/assessment/case_store.h"

namespace homeward::assessment {

class ConsentStore {
 public:
  explicit ConsentStore(storage::Store* store)
      : log_(store, "consent", "RecordConsent") {}

  // Stores `consent` for case `c` with a new consent_id, recorded_by and
  // create_time (whatever the caller put there is replaced). A non-empty
  // `request_id` makes the call idempotent per case: repeating it returns
  // the first record and writes nothing.
  absl::StatusOr<homeward::v1::ConsentRecord> Record(
      const service::Actor& actor, const homeward::v1::Case& c,
      const std::string& request_id, homeward::v1::ConsentRecord consent);
  // A page of the case's records in recording order.
  absl::StatusOr<storage::Page<homeward::v1::ConsentRecord>> List(
      const homeward::v1::Case& c, int page_size,
      absl::string_view page_token) const;
  // Every record of the case in recording order, for the sharing decision.
  absl::StatusOr<std::vector<homeward::v1::ConsentRecord>> History(
      const homeward::v1::Case& c) const;
  // Records that `actor` read the consent records of `case_id`.
  void AuditRead(const service::Actor& actor, absl::string_view case_id);
  // Adds to `set` the rewrite of each of the case's consent decisions that
  // holds free text, without it (RemoveFreeText, retention_rules.h): for the
  // retention job's anonymisation of the case.
  absl::Status RemoveFreeTextOfCase(const homeward::v1::Case& c,
                                    storage::WriteSet& set) const;

 private:
  cases::CaseRecordLog<homeward::v1::ConsentRecord> log_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_CONSENT_STORE_H_
