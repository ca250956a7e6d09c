// The partner's view of a referral; see shared_view.h.
#include "services/referral/shared_view.h"

namespace homeward::referral {

homeward::v1::SharedReferral SharedViewOf(
    const homeward::v1::Referral& referral) {
  homeward::v1::SharedReferral shared;
  WriteSharedView(referral, &shared);
  return shared;
}

void WriteSharedView(const homeward::v1::Referral& referral,
                     homeward::v1::SharedReferral* out) {
  homeward::v1::SharedReferral& shared = *out;
  shared.set_referral_id(referral.referral_id());
  shared.set_case_id(referral.case_id());
  shared.set_service_id(referral.service_id());
  shared.set_organization_id(referral.organization_id());
  shared.set_purpose(referral.purpose());
  shared.set_urgency(referral.urgency());
  if (referral.has_expected_response_date()) {
    *shared.mutable_expected_response_date() =
        referral.expected_response_date();
  }
  if (referral.has_expected_completion_date()) {
    *shared.mutable_expected_completion_date() =
        referral.expected_completion_date();
  }
  // Shared under the returnee's consent: gone with it.
  if (!referral.consent_withdrawn() && referral.has_summary()) {
    *shared.mutable_summary() = referral.summary();
  }
  shared.set_status(referral.status());
  shared.set_performer_id(referral.performer_id());
  shared.set_consent_withdrawn(referral.consent_withdrawn());
  shared.set_status_reason(referral.status_reason());
  shared.set_outcome(referral.outcome());
  for (const auto& change : referral.history()) {
    auto* copy = shared.add_history();
    *copy = change;
    if (change.side() != homeward::v1::REFERRAL_SIDE_PERFORMER) {
      copy->clear_user_id();
    }
  }
  shared.set_etag(referral.etag());
  if (referral.has_create_time()) {
    *shared.mutable_create_time() = referral.create_time();
  }
  if (referral.has_update_time()) {
    *shared.mutable_update_time() = referral.update_time();
  }
}

}  // namespace homeward::referral
