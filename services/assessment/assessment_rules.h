// Pure rules of assessment submissions: request validation (the answers are
// checked against the instrument by ValidateAnswers in instruments/scoring.h,
// merged in by ValidateSubmission) and the comparison of two submissions.
//
//   RETURN_IF_ERROR(
//       ValidateSubmission(request, api::TodayUtc(), instrument).ToStatus());
//   CompareAssessmentsResponse c = CompareSubmissions(baseline, latest);
#ifndef HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_RULES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_RULES_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "homeward/v1/assessments.pb.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/instruments.pb.h"

namespace homeward::assessment {

// Everything but the answers: ids, instrument version, date, manual needs,
// occasion, assessor role and mode (each required, naming the allowed
// values), and every field's value (CheckFieldValues: an undefined enum
// number is refused there).
errors::FieldViolations ValidateSubmitAssessment(
    const homeward::v1::SubmitAssessmentRequest& request, absl::CivilDay today);
// ValidateSubmitAssessment and the answers checked against `instrument` (the
// version the request names), so that one refusal lists every problem.
errors::FieldViolations ValidateSubmission(
    const homeward::v1::SubmitAssessmentRequest& request, absl::CivilDay today,
    const homeward::v1::InstrumentDefinition& instrument);
// A submission's subject once its case `c` is read: empty (the returnee) or
// the member_id of one of the case's household members; INVALID_ARGUMENT on
// subject_member_id listing the case's member ids otherwise.
absl::Status CheckSubjectMember(const homeward::v1::Case& c,
                                absl::string_view subject_member_id);

// The reads: the ids they need, paging, and every field's value.
errors::FieldViolations ValidateGetAssessment(
    const homeward::v1::GetAssessmentRequest& request);
errors::FieldViolations ValidateListAssessments(
    const homeward::v1::ListAssessmentsRequest& request);
errors::FieldViolations ValidateCompareAssessments(
    const homeward::v1::CompareAssessmentsRequest& request);

// Whether two submissions measure on one scale: the same instrument and the
// same version (a new version may change items, weights or bands, so its
// scores are not comparable with the old ones). FAILED_PRECONDITION
// DIFFERENT_INSTRUMENT_KINDS or DIFFERENT_INSTRUMENT_VERSIONS naming both
// sides; `target_id` is the subject of the refusal.
absl::Status CheckComparable(const homeward::v1::Assessment& base,
                             const homeward::v1::Assessment& target,
                             absl::string_view target_id);

// Change per score (target - base, rounded like the scores; absent when
// either side lacks the score) and the flags raised and cleared.
homeward::v1::CompareAssessmentsResponse CompareSubmissions(
    const homeward::v1::Assessment& base,
    const homeward::v1::Assessment& target);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_RULES_H_
