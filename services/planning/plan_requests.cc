// PlanService request validation; see plan_requests.h.
#include "services/planning/plan_requests.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"

namespace homeward::planning {
namespace {

// Dates of agreements this programme could have recorded.
constexpr int kEarliestAgreementYear = 2000;

void CheckEtagGiven(errors::FieldViolations& bad, const std::string& field,
                    const std::string& etag) {
  if (etag.empty()) {
    bad.Add(field, "is required: the plan's etag as last read (GetPlan)");
  }
}

void CheckComment(errors::FieldViolations& bad, const std::string& field,
                  const std::string& text, bool required,
                  absl::string_view why) {
  if (required && absl::StripAsciiWhitespace(text).empty()) {
    bad.Add(field, absl::StrCat("is required: ", why));
  } else if (text.size() > kMaxPlanCommentBytes) {
    bad.Add(field,
            absl::StrCat("must be at most ", kMaxPlanCommentBytes, " bytes"));
  }
}

}  // namespace

errors::FieldViolations ValidateCreatePlan(
    const homeward::v1::CreatePlanRequest& request) {
  errors::FieldViolations bad;
  api::CheckRequestId(bad, request.request_id());
  api::CheckIdentifier(bad, "plan.case_id", request.plan().case_id());
  return bad;
}

errors::FieldViolations ValidateGetPlan(
    const homeward::v1::GetPlanRequest& request) {
  errors::FieldViolations bad;
  api::CheckIdentifier(bad, "case_id", request.case_id());
  if (request.version() < 0) {
    bad.Add("version", "must be 0 (the latest) or a version number (1, 2...)");
  }
  return bad;
}

errors::FieldViolations ValidateListPlanVersions(
    const homeward::v1::ListPlanVersionsRequest& request) {
  errors::FieldViolations bad;
  api::CheckIdentifier(bad, "case_id", request.case_id());
  api::CheckPageRequest(bad, request.page());
  return bad;
}

errors::FieldViolations ValidateUpdatePlan(
    const homeward::v1::UpdatePlanRequest& request) {
  errors::FieldViolations bad;
  api::CheckIdentifier(bad, "plan.case_id", request.plan().case_id());
  CheckEtagGiven(bad, "plan.etag", request.plan().etag());
  return bad;
}

errors::FieldViolations ValidatePlanStep(
    const homeward::v1::PlanStepRequest& request, PlanStep step,
    absl::CivilDay today) {
  errors::FieldViolations bad;
  api::CheckIdentifier(bad, "case_id", request.case_id());
  CheckEtagGiven(bad, "etag", request.etag());
  switch (step) {
    case PlanStep::kAgree: {
      if (!request.has_agreement()) {
        bad.Add("agreement",
                "is required: the date the returnee agreed and how the "
                "agreement was recorded");
        break;
      }
      absl::CivilDay day;
      api::CheckPastDate(bad, "agreement.agreed_date",
                         request.agreement().agreed_date(),
                         request.agreement().has_agreed_date(), today,
                         kEarliestAgreementYear, &day);
      const auto method = request.agreement().method();
      if (method == homeward::v1::AGREEMENT_METHOD_UNSPECIFIED ||
          !homeward::v1::AgreementMethod_IsValid(method)) {
        bad.Add("agreement.method",
                "is required: AGREEMENT_METHOD_SIGNED, _THUMBPRINT, "
                "_VERBAL_WITNESSED or _ELECTRONIC");
      }
      break;
    }
    case PlanStep::kReturn:
      CheckComment(bad, "comment", request.comment(), true,
                   "what the case manager should change");
      break;
    case PlanStep::kCancel:
      CheckComment(bad, "comment", request.comment(), true,
                   "why the plan is cancelled");
      break;
    case PlanStep::kRevise:
      CheckComment(bad, "comment", request.comment(), true,
                   "why the plan is revised");
      break;
    default:
      CheckComment(bad, "comment", request.comment(), false, "");
      break;
  }
  return bad;
}

errors::FieldViolations ValidateSetActivityStatus(
    const homeward::v1::SetActivityStatusRequest& request) {
  errors::FieldViolations bad;
  api::CheckIdentifier(bad, "case_id", request.case_id());
  CheckEtagGiven(bad, "etag", request.etag());
  api::CheckIdentifier(bad, "activity_id", request.activity_id());
  switch (request.status()) {
    case homeward::v1::ACTIVITY_STATUS_IN_PROGRESS:
    case homeward::v1::ACTIVITY_STATUS_DONE:
    case homeward::v1::ACTIVITY_STATUS_DROPPED:
      break;
    default:
      bad.Add("status",
              "must be ACTIVITY_STATUS_IN_PROGRESS, ACTIVITY_STATUS_DONE or "
              "ACTIVITY_STATUS_DROPPED");
  }
  CheckComment(bad, "reason", request.reason(), false, "");
  return bad;
}

}  // namespace homeward::planning
