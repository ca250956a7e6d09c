// Pure validation of case-intake requests: every problem becomes its own
// field violation naming the field and what is allowed. No I/O: `today` is
// passed in so that the rules are testable.
//
//   errors::FieldViolations bad = ValidateRegisterCase(request,
//   api::TodayUtc()); RETURN_IF_ERROR(bad.ToStatus());
#ifndef HOMEWARD_SERVICES_ASSESSMENT_CASE_VALIDATION_H_
#define HOMEWARD_SERVICES_ASSESSMENT_CASE_VALIDATION_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/api/etags.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "common/status/errors.h"
#include "homeward/v1/cases.pb.h"

namespace homeward::assessment {

inline constexpr int kMaxAgeYears = 120;

errors::FieldViolations ValidateRegisterCase(
    const homeward::v1::RegisterCaseRequest& request, absl::CivilDay today);
errors::FieldViolations ValidateUpdateCase(
    const homeward::v1::UpdateCaseRequest& request, absl::CivilDay today);
errors::FieldViolations ValidateAssignCase(
    const homeward::v1::AssignCaseRequest& request);
errors::FieldViolations ValidateGetCase(
    const homeward::v1::GetCaseRequest& request);
errors::FieldViolations ValidateListCases(
    const homeward::v1::ListCasesRequest& request);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_CASE_VALIDATION_H_
