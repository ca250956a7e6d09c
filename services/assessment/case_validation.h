// Pure validation of case-intake requests: every problem becomes its own
// field violation naming the field and what is allowed. No I/O: `today` is
// passed in so that the rules are testable.
//
//   errors::FieldViolations bad = ValidateRegisterCase(request,
//   api::TodayUtc()); RETURN_IF_ERROR(bad.ToStatus());
#ifndef HOMEWARD_SERVICES_ASSESSMENT_CASE_VALIDATION_H_
#define HOMEWARD_SERVICES_ASSESSMENT_CASE_VALIDATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/api/etags.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "common/status/errors.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/taxonomy.pb.h"

namespace homeward::assessment {

inline constexpr int kMaxAgeYears = 120;

errors::FieldViolations ValidateRegisterCase(
    const homeward::v1::RegisterCaseRequest& request, absl::CivilDay today);
errors::FieldViolations ValidateUpdateCase(
    const homeward::v1::UpdateCaseRequest& request, absl::CivilDay today);
// The case's programme_id against `programme`, the latest published version
// of the programme it names (nullptr when none is published under that id;
// `published_ids` then lists the ids that are, to name them in the refusal
// when they are few): the programme must exist and run in the case's
// country of return. Adds at most one violation, on case.programme_id, and
// none when `bad` already refuses that field (or the country's spelling).
void CheckCaseProgramme(errors::FieldViolations& bad,
                        const homeward::v1::Case& c,
                        const homeward::v1::Programme* programme,
                        const std::vector<std::string>& published_ids);

errors::FieldViolations ValidateAssignCase(
    const homeward::v1::AssignCaseRequest& request);
errors::FieldViolations ValidateGetCase(
    const homeward::v1::GetCaseRequest& request);
errors::FieldViolations ValidateListCases(
    const homeward::v1::ListCasesRequest& request);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_CASE_VALIDATION_H_
