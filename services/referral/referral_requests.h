// Validation of ReferralService and PartnerReferralService requests, before
// anything is read: required ids, the referral's purpose, urgency, link,
// expected dates and shared summary, the status asked for, reasons' lengths
// and page sizes. One violation per bad field, named by its path in the
// request. Pure: `today` comes in.
//
//   RETURN_IF_ERROR(ValidateCreateReferral(request, api::TodayUtc())
//                       .ToStatus());
#ifndef HOMEWARD_SERVICES_REFERRAL_REFERRAL_REQUESTS_H_
#define HOMEWARD_SERVICES_REFERRAL_REFERRAL_REQUESTS_H_

#include <cstddef>

#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "homeward/v1/referral.pb.h"

namespace homeward::referral {

inline constexpr size_t kMaxPurposeBytes = 500;
// Reasons, outcomes and the consent override's reason.
inline constexpr size_t kMaxReasonBytes = 2000;
// The summary's free texts: name, phone, sex, area (short) and the needs
// description (long).
inline constexpr size_t kMaxShortTextBytes = 200;
inline constexpr size_t kMaxNeedsDescriptionBytes = 4000;
inline constexpr int kEarliestBirthYear = 1900;

// request_id (optional, storage::IsRequestId), referral.case_id,
// referral.service_id, referral.purpose (non-blank), referral.urgency, the
// link's ids, referral.performer_id (optional), the expected dates (both
// required, real days, not before `today`, completion not before response),
// the summary (languages ISO 639-1, birth year from 1900 to `today`'s year,
// lengths) and consent_override_reason's length.
errors::FieldViolations ValidateCreateReferral(
    const homeward::v1::CreateReferralRequest& request, absl::CivilDay today);
// case_id and referral_id.
errors::FieldViolations ValidateGetReferral(
    const homeward::v1::GetReferralRequest& request);
errors::FieldViolations ValidateListCaseReferrals(
    const homeward::v1::ListCaseReferralsRequest& request);
// case_id, referral_id, etag, a status of the enum other than UNSPECIFIED,
// the lengths of reason and outcome (whether the move needs them is the
// transition table's check), and decline_reason: a known code other than
// UNSPECIFIED when status is REJECTED (the error lists the codes), unset
// with any other status.
errors::FieldViolations ValidateChangeReferralStatus(
    const homeward::v1::ChangeReferralStatusRequest& request);
errors::FieldViolations ValidateClaimReferral(
    const homeward::v1::ClaimReferralRequest& request);
// Each status a value of the enum other than UNSPECIFIED; the page.
errors::FieldViolations ValidateListInbox(
    const homeward::v1::ListInboxRequest& request);
errors::FieldViolations ValidateListReferralsToMake(
    const homeward::v1::ListReferralsToMakeRequest& request);
// kind (required), office_id and organization_id (optional identifiers),
// as_of (a real day when set), the page.
errors::FieldViolations ValidateListOverdueReferrals(
    const homeward::v1::ListOverdueReferralsRequest& request);

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_REFERRAL_REQUESTS_H_
