// Validation of PlanService requests, before anything is read: required
// ids and etags, the returnee's agreement, the comments steps require, the
// activity statuses a caller may set. One violation per bad field, named by
// its path in the request. Pure: `today` comes in.
//
//   RETURN_IF_ERROR(ValidatePlanStep(request, PlanStep::kAgree,
//                                    api::TodayUtc()).ToStatus());
#ifndef HOMEWARD_SERVICES_PLANNING_PLAN_REQUESTS_H_
#define HOMEWARD_SERVICES_PLANNING_PLAN_REQUESTS_H_

#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "homeward/v1/planning.pb.h"
#include "services/planning/plan_workflow.h"

namespace homeward::planning {

// Comments (return, cancel, revision reasons) and activity status reasons.
inline constexpr size_t kMaxPlanCommentBytes = 2000;

errors::FieldViolations ValidateCreatePlan(
    const homeward::v1::CreatePlanRequest& request);
errors::FieldViolations ValidateGetPlan(
    const homeward::v1::GetPlanRequest& request);
errors::FieldViolations ValidateListPlanVersions(
    const homeward::v1::ListPlanVersionsRequest& request);
errors::FieldViolations ValidateUpdatePlan(
    const homeward::v1::UpdatePlanRequest& request);
// case_id and etag; for kAgree the agreement (a real date, not after
// `today`, and a method); for kReturn, kCancel and kRevise a non-blank
// comment.
errors::FieldViolations ValidatePlanStep(
    const homeward::v1::PlanStepRequest& request, PlanStep step,
    absl::CivilDay today);
// case_id, etag, activity_id, a status a caller may set (IN_PROGRESS, DONE
// or DROPPED) and the reason's length (whether DROPPED has one is the
// workflow's check).
errors::FieldViolations ValidateSetActivityStatus(
    const homeward::v1::SetActivityStatusRequest& request);

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_PLAN_REQUESTS_H_
