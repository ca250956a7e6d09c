// What a receiving organization sees of a referral (SharedReferral): the
// referral's identity, service, purpose, urgency, dates, status, performer,
// reasons and outcome, and the shared summary the case manager chose. Never
// the link to needs, concerns or plan activities, the consent basis, the
// office, who requested it, nor the response and completion times' sources;
// once consent is withdrawn, not the summary either; in the status history
// the user ids of the performer side only (the programme's staff stay
// unnamed). One function, so that every partner answer goes through it
// (SharedViewOf returns what WriteSharedView writes).
//
//   *response = SharedViewOf(referral);
//   WriteSharedView(referral, response->add_referrals());  // in place
#ifndef HOMEWARD_SERVICES_REFERRAL_SHARED_VIEW_H_
#define HOMEWARD_SERVICES_REFERRAL_SHARED_VIEW_H_

#include "homeward/v1/referral.pb.h"

namespace homeward::referral {

homeward::v1::SharedReferral SharedViewOf(
    const homeward::v1::Referral& referral);

// The same view written into `out` (empty), e.g. in place in a list answer
// that lives on a call's arena, without a copy.
void WriteSharedView(const homeward::v1::Referral& referral,
                     homeward::v1::SharedReferral* out);

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_SHARED_VIEW_H_
