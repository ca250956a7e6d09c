// Pure rules for informed consent (domain brief section 7): validation of the
// ConsentService requests, every problem its own field violation, and the
// sharing decision "may this case's data go to agency X for purpose Y now?".
// No I/O: `today` is passed in so that the rules are testable.
//
//   RETURN_IF_ERROR(ValidateRecordConsent(request,
//   api::TodayUtc()).ToStatus()); CheckConsentResponse answer =
//       DecideConsent(history, "agency-7",
//       homeward::v1::CONSENT_PURPOSE_REFERRAL);
//   if (answer.allowed()) ...
#ifndef HOMEWARD_SERVICES_ASSESSMENT_CONSENT_RULES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_CONSENT_RULES_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "homeward/v1/consent.pb.h"

namespace homeward::assessment {

// Consent decisions older than this are not plausible for a returnee case.
inline constexpr int kEarliestConsentYear = 1950;
inline constexpr size_t kMaxConsentNotesBytes = 2000;

// Output-only fields (consent_id, recorded_by, create_time) are not checked:
// the store overwrites them.
errors::FieldViolations ValidateRecordConsent(
    const homeward::v1::RecordConsentRequest& request, absl::CivilDay today);
errors::FieldViolations ValidateListConsents(
    const homeward::v1::ListConsentsRequest& request);
errors::FieldViolations ValidateCheckConsent(
    const homeward::v1::CheckConsentRequest& request);

// Decides from a case's consent `history` (any order) whether its data may be
// shared with `agency_id` for `purpose`. The records that apply are those for
// `purpose` naming `agency_id` or any agency (empty recipient); the deciding
// one is the latest by decision_date, then create_time, then position in
// `history` (later wins). Allowed iff it exists and granted. The explanation
// names the deciding record, or says that none applies.
homeward::v1::CheckConsentResponse DecideConsent(
    const std::vector<homeward::v1::ConsentRecord>& history,
    absl::string_view agency_id, homeward::v1::ConsentPurpose purpose);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_CONSENT_RULES_H_
