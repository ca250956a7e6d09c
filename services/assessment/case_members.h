// The stable ids of a case's household members ("M1", "M2"...): given when a
// member is first recorded, kept when the member is passed back on an
// update, never given twice in one case (a removed member's id is not
// reused), so that an assessment about one member keeps pointing at that
// member. Pure: the highest number ever given is passed in by the store.
//
//   int highest = AssignMemberIds(*c.mutable_returnee(), 0);   // registration
//   errors::FieldViolations bad;
//   highest = KeepMemberIds(bad, current.returnee(), highest,
//                           *after.mutable_returnee());         // update
#ifndef HOMEWARD_SERVICES_ASSESSMENT_CASE_MEMBERS_H_
#define HOMEWARD_SERVICES_ASSESSMENT_CASE_MEMBERS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "homeward/v1/cases.pb.h"

namespace homeward::assessment {

// "M<number>".
std::string MemberId(int number);
// The number of an id MemberId made; 0 for anything else.
int MemberNumber(absl::string_view member_id);
// The highest number among `returnee`'s member ids (0 when none).
int HighestMemberNumber(const homeward::v1::Returnee& returnee);

// Gives every member of `returnee` without an id the next number after
// `highest`, in order; returns the new highest.
int AssignMemberIds(homeward::v1::Returnee& returnee, int highest);

// For an update of a case whose members are `current`'s: a member of
// `given` with an id must be one of `current`'s members (at most once); a
// member without one is new and gets the next number after `highest`.
// Violations name case.returnee.household_members[i].member_id. Returns the
// new highest.
int KeepMemberIds(errors::FieldViolations& bad,
                  const homeward::v1::Returnee& current, int highest,
                  homeward::v1::Returnee& given);

// Members recorded before ids existed read with the ids of their positions
// (the first is "M1"), which they keep at the case's next update.
void WithMemberIds(homeward::v1::Returnee& returnee);

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_CASE_MEMBERS_H_
