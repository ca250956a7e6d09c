// What the follow-up service's two RPC services are built from: the stores,
// the projections of the other services' feeds and the programme data,
// none owned (the server owns them and outlives the handlers).
//
//   FollowUpParts parts{.contacts = &contacts, .closures = &closures, ...};
//   FollowUpServiceImpl follow_up(parts);
//   CaseClosureServiceImpl closure(parts);
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_PARTS_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_PARTS_H_

#include "common/programme/programme_catalogs.h"

namespace homeward::auth {
class PrincipalVerifier;
}  // namespace homeward::auth

namespace homeward::follow_up {

class ContactStore;
class ClosureStore;
class FollowUpCases;
class PlanView;
class ReferralView;

struct FollowUpParts {
  ContactStore* contacts = nullptr;
  ClosureStore* closures = nullptr;
  const FollowUpCases* cases = nullptr;     // the assessment feed's view
  const PlanView* plans = nullptr;          // the planning feed's view
  const ReferralView* referrals = nullptr;  // the referral feed's view
  const programme::ProgrammeCatalog* programmes = nullptr;
  const programme::TaxonomyCatalog* taxonomies = nullptr;  // new needs
  const auth::PrincipalVerifier* verifier = nullptr;
};

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_PARTS_H_
