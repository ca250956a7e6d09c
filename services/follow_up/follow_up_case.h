// What the follow-up service knows about one case, as its view of the
// assessment feed (follow_up_cases.h) keeps it: the scope, the programme,
// return date, household members and RSS points, and the protection
// concerns. A struct of its own so that the contact store, which the view
// schedules through, need not depend on the view.
//
//   ASSIGN_OR_RETURN(FollowUpCase c, cases.Get(partition, case_id));
//   if (c.record.has_return_date()) ...
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_CASE_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_CASE_H_

#include <cstdint>
#include <vector>

#include "common/cases/case_scope.h"
#include "homeward/internal/v1/follow_up_storage.pb.h"
#include "homeward/v1/needs.pb.h"

namespace homeward::follow_up {

// The record kind of FollowUpCase::record in the follow-up store.
inline constexpr char kFollowUpCaseKind[] = "follow_up_case";
// The record kind of the planning feed's view (FollowUpPlanRecord,
// plan_view.h), which the assessment feed's view reads too.
inline constexpr char kFollowUpPlanKind[] = "follow_up_plan";

struct FollowUpCase {
  cases::CaseScope scope;  // from the case directory
  // Programme id, return date, member ids and the returnee's RSS points.
  homeward::internal::v1::FollowUpCaseRecord record;
  // The record's store version (0: the case's fields are not known yet):
  // a contact write expects it, so that a concurrent case event (a
  // reassignment moving the due lists) makes one of them retry.
  uint64_t record_version = 0;
  // Every concern the feed announced, in every status, ordered by id.
  std::vector<homeward::v1::ProtectionConcern> concerns;
};

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_CASE_H_
