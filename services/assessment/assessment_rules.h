// Pure rules of assessment submissions: request validation (the answers
// themselves are checked against the instrument by ValidateAnswers in
// instruments/scoring.h) and the comparison of two submissions.
//
//   RETURN_IF_ERROR(ValidateSubmitAssessment(request, TodayUtc()).ToStatus());
//   CompareAssessmentsResponse c = CompareSubmissions(baseline, latest);
#ifndef HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_RULES_H_
#define HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_RULES_H_

#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "homeward/v1/assessments.pb.h"

namespace homeward::assessment {

// Everything but the answers: ids, instrument version, date, manual needs.
errors::FieldViolations ValidateSubmitAssessment(
    const homeward::v1::SubmitAssessmentRequest& request, absl::CivilDay today);

// Change per score (target - base, rounded like the scores; absent when
// either side lacks the score) and the flags raised and cleared.
homeward::v1::CompareAssessmentsResponse CompareSubmissions(
    const homeward::v1::Assessment& base,
    const homeward::v1::Assessment& target);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_ASSESSMENT_RULES_H_
