// Referral request validation; see referral_requests.h.
#include "services/referral/referral_requests.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/api/field_checks.h"
#include "common/api/iso_codes.h"
#include "common/api/paging.h"

namespace homeward::referral {
namespace {

using homeward::v1::Referral;

void CheckLength(errors::FieldViolations& bad, const std::string& field,
                 const std::string& text, size_t max) {
  if (text.size() > max) {
    bad.Add(field, absl::StrCat("must be at most ", max, " bytes"));
  }
}

void CheckStatus(errors::FieldViolations& bad, const std::string& field,
                 int status) {
  if (status == homeward::v1::REFERRAL_STATUS_UNSPECIFIED ||
      !homeward::v1::ReferralStatus_IsValid(status)) {
    bad.Add(field,
            "must be a ReferralStatus other than REFERRAL_STATUS_UNSPECIFIED");
  }
}

// The coded decline reasons a REJECTED move may give, named as the enum
// names them: what the error lists as allowed.
std::string DeclineReasonNames() {
  std::string names;
  for (int i = homeward::v1::ReferralDeclineReason_MIN + 1;
       i <= homeward::v1::ReferralDeclineReason_MAX; ++i) {
    if (!homeward::v1::ReferralDeclineReason_IsValid(i)) continue;
    absl::StrAppend(&names, names.empty() ? "" : ", ",
                    homeward::v1::ReferralDeclineReason_Name(
                        static_cast<homeward::v1::ReferralDeclineReason>(i)));
  }
  return names;
}

// A move to REJECTED says why, coded (so that declines can be counted by
// reason); any other move carries no code.
void CheckDeclineReason(errors::FieldViolations& bad, int status,
                        int decline_reason) {
  const bool coded =
      decline_reason != homeward::v1::REFERRAL_DECLINE_REASON_UNSPECIFIED;
  if (status == homeward::v1::REFERRAL_STATUS_REJECTED) {
    if (!coded ||
        !homeward::v1::ReferralDeclineReason_IsValid(decline_reason)) {
      bad.Add("decline_reason",
              absl::StrCat("is required when status is REFERRAL_STATUS_REJECTED"
                           "; one of: ",
                           DeclineReasonNames()));
    }
  } else if (coded) {
    bad.Add("decline_reason",
            "must be empty (REFERRAL_DECLINE_REASON_UNSPECIFIED) unless "
            "status is REFERRAL_STATUS_REJECTED");
  }
}

void CheckLink(errors::FieldViolations& bad, const Referral& r) {
  switch (r.link_case()) {
    case Referral::kActivity:
      api::CheckIdentifier(bad, "referral.activity.plan_id",
                           r.activity().plan_id());
      api::CheckIdentifier(bad, "referral.activity.activity_id",
                           r.activity().activity_id());
      break;
    case Referral::kNeedId:
      api::CheckIdentifier(bad, "referral.need_id", r.need_id());
      break;
    case Referral::kConcernId:
      api::CheckIdentifier(bad, "referral.concern_id", r.concern_id());
      break;
    case Referral::LINK_NOT_SET:
      break;  // ad hoc
  }
}

void CheckDates(errors::FieldViolations& bad, const Referral& r,
                absl::CivilDay today) {
  absl::CivilDay response;
  absl::CivilDay completion;
  bool response_ok = api::CheckDate(
      bad, "referral.expected_response_date", r.expected_response_date(),
      r.has_expected_response_date(), 0, &response);
  bool completion_ok = api::CheckDate(
      bad, "referral.expected_completion_date", r.expected_completion_date(),
      r.has_expected_completion_date(), 0, &completion);
  if (response_ok && response < today) {
    bad.Add("referral.expected_response_date",
            absl::StrCat("must not be before today (",
                         absl::FormatCivilTime(today), ")"));
    response_ok = false;
  }
  if (completion_ok && completion < today) {
    bad.Add("referral.expected_completion_date",
            absl::StrCat("must not be before today (",
                         absl::FormatCivilTime(today), ")"));
  } else if (completion_ok && response_ok && completion < response) {
    bad.Add("referral.expected_completion_date",
            "must not be before expected_response_date");
  }
}

void CheckSummary(errors::FieldViolations& bad,
                  const homeward::v1::SharedSummary& s, absl::CivilDay today) {
  const std::string p = "referral.summary.";
  CheckLength(bad, p + "returnee_name", s.returnee_name(), kMaxShortTextBytes);
  CheckLength(bad, p + "contact_phone", s.contact_phone(), kMaxShortTextBytes);
  CheckLength(bad, p + "sex", s.sex(), kMaxShortTextBytes);
  CheckLength(bad, p + "area", s.area(), kMaxShortTextBytes);
  CheckLength(bad, p + "needs_description", s.needs_description(),
              kMaxNeedsDescriptionBytes);
  if (s.birth_year() != 0 &&
      (s.birth_year() < kEarliestBirthYear || s.birth_year() > today.year())) {
    bad.Add(p + "birth_year",
            absl::StrCat("must be 0 (not shared) or a year from ",
                         kEarliestBirthYear, " to ", today.year()));
  }
  for (int i = 0; i < s.languages_size(); ++i) {
    if (!api::IsIsoLanguageCode(s.languages(i))) {
      bad.Add(absl::StrCat(p, "languages[", i, "]"),
              "must be an ISO 639-1 code in lower case, e.g. \"fr\"");
    }
  }
}

void CheckCaseAndReferral(errors::FieldViolations& bad,
                          const std::string& case_id,
                          const std::string& referral_id) {
  api::CheckIdentifier(bad, "case_id", case_id);
  api::CheckIdentifier(bad, "referral_id", referral_id);
}

}  // namespace

errors::FieldViolations ValidateCreateReferral(
    const homeward::v1::CreateReferralRequest& request, absl::CivilDay today) {
  errors::FieldViolations bad;
  api::CheckRequestId(bad, request.request_id());
  const Referral& r = request.referral();
  api::CheckIdentifier(bad, "referral.case_id", r.case_id());
  api::CheckIdentifier(bad, "referral.service_id", r.service_id());
  if (absl::StripAsciiWhitespace(r.purpose()).empty()) {
    bad.Add("referral.purpose", "is required: what the service is asked for");
  } else {
    CheckLength(bad, "referral.purpose", r.purpose(), kMaxPurposeBytes);
  }
  if (r.urgency() == homeward::v1::REFERRAL_URGENCY_UNSPECIFIED ||
      !homeward::v1::ReferralUrgency_IsValid(r.urgency())) {
    bad.Add("referral.urgency", "must be ROUTINE, URGENT, ASAP or STAT");
  }
  CheckLink(bad, r);
  api::CheckIdentifier(bad, "referral.performer_id", r.performer_id(),
                       /*required=*/false);
  CheckDates(bad, r, today);
  CheckSummary(bad, r.summary(), today);
  CheckLength(bad, "consent_override_reason", request.consent_override_reason(),
              kMaxReasonBytes);
  return bad;
}

errors::FieldViolations ValidateGetReferral(
    const homeward::v1::GetReferralRequest& request) {
  errors::FieldViolations bad;
  CheckCaseAndReferral(bad, request.case_id(), request.referral_id());
  return bad;
}

errors::FieldViolations ValidateListCaseReferrals(
    const homeward::v1::ListCaseReferralsRequest& request) {
  errors::FieldViolations bad;
  api::CheckIdentifier(bad, "case_id", request.case_id());
  api::CheckPageRequest(bad, request.page());
  return bad;
}

errors::FieldViolations ValidateChangeReferralStatus(
    const homeward::v1::ChangeReferralStatusRequest& request) {
  errors::FieldViolations bad;
  CheckCaseAndReferral(bad, request.case_id(), request.referral_id());
  if (request.etag().empty()) {
    bad.Add("etag", "is required: the referral's etag as last read");
  }
  CheckStatus(bad, "status", request.status());
  CheckLength(bad, "reason", request.reason(), kMaxReasonBytes);
  CheckLength(bad, "outcome", request.outcome(), kMaxReasonBytes);
  CheckDeclineReason(bad, request.status(), request.decline_reason());
  return bad;
}

errors::FieldViolations ValidateClaimReferral(
    const homeward::v1::ClaimReferralRequest& request) {
  errors::FieldViolations bad;
  CheckCaseAndReferral(bad, request.case_id(), request.referral_id());
  return bad;
}

errors::FieldViolations ValidateListInbox(
    const homeward::v1::ListInboxRequest& request) {
  errors::FieldViolations bad;
  for (int i = 0; i < request.statuses_size(); ++i) {
    CheckStatus(bad, absl::StrCat("statuses[", i, "]"), request.statuses(i));
  }
  api::CheckPageRequest(bad, request.page());
  return bad;
}

errors::FieldViolations ValidateListReferralsToMake(
    const homeward::v1::ListReferralsToMakeRequest& request) {
  errors::FieldViolations bad;
  api::CheckIdentifier(bad, "case_id", request.case_id());
  api::CheckPageRequest(bad, request.page());
  return bad;
}

errors::FieldViolations ValidateListOverdueReferrals(
    const homeward::v1::ListOverdueReferralsRequest& request) {
  errors::FieldViolations bad;
  if (request.kind() == homeward::v1::OVERDUE_KIND_UNSPECIFIED ||
      !homeward::v1::OverdueKind_IsValid(request.kind())) {
    bad.Add("kind", "must be AWAITING_RESPONSE or AWAITING_COMPLETION");
  }
  api::CheckIdentifier(bad, "office_id", request.office_id(),
                       /*required=*/false);
  api::CheckIdentifier(bad, "organization_id", request.organization_id(),
                       /*required=*/false);
  if (request.has_as_of() && api::IsSet(request.as_of())) {
    absl::CivilDay ignored;
    api::CheckDate(bad, "as_of", request.as_of(), true, 0, &ignored);
  }
  api::CheckPageRequest(bad, request.page());
  return bad;
}

}  // namespace homeward::referral
