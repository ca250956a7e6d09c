// Pure validation of the counselling log's requests (domain brief section 1:
// date, mode, participants, topics, observations including signs of
// distress, agreed next steps, next appointment). Every problem is its own
// field violation. No I/O: `now` is passed in so that the rules are testable;
// calendar dates are compared with the UTC day of `now`, as case intake does.
//
//   RETURN_IF_ERROR(ValidateRecordCounsellingSession(request,
//   absl::Now()).ToStatus());
#ifndef HOMEWARD_SERVICES_ASSESSMENT_COUNSELLING_RULES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_COUNSELLING_RULES_H_

#include <cstddef>

#include "absl/time/time.h"
#include "common/status/errors.h"
#include "homeward/v1/counselling.pb.h"

namespace homeward::assessment {

inline constexpr int kMaxSessionListItems =
    20;  // participants, topics, next steps
inline constexpr size_t kMaxSessionItemBytes = 200;
inline constexpr size_t kMaxObservationsBytes = 8000;
inline constexpr size_t kMaxDistressNotesBytes = 4000;

// Output-only fields (session_id, recorded_by, create_time) are not checked:
// the store overwrites them.
errors::FieldViolations ValidateRecordCounsellingSession(
    const homeward::v1::RecordCounsellingSessionRequest& request,
    absl::Time now);
errors::FieldViolations ValidateListCounsellingSessions(
    const homeward::v1::ListCounsellingSessionsRequest& request);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_COUNSELLING_RULES_H_
