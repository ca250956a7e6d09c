// The index behind the due and overdue contact lists (contact_lists.h):
// one entry per SCHEDULED contact, in the case's partition, under two index
// values, the case's office and its office and case manager, so that both
// lists read one range per partition. The entry id is
// "<due date>/<case id>/<contact id>" padded with spaces to one width (the
// store orders ids by length before content), so that a range reads in due
// date order. Every write that changes a contact's status or due date, or
// the case's office or case manager, updates the entries in the same
// WriteSet; the reader still checks each entry against the contact and the
// case's scope, so that an entry left behind by a race never shows.
//
//   UpdateDueEntries(partition, scope, &before, &after, set);  // a change
//   MoveDueEntries(partition, old_scope, new_scope, scheduled, set);
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_CONTACT_DUE_INDEX_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_CONTACT_DUE_INDEX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/cases/case_scope.h"
#include "common/storage/write_set.h"
#include "homeward/v1/follow_up.pb.h"

namespace homeward::follow_up {

inline constexpr char kDueIndex[] = "follow_up_due";
// A date, a case id and a contact id of at most 64 characters each, and two
// '/'. A longer id is still listed, after the padded ones of its partition.
inline constexpr size_t kDueEntryWidth = 10 + 1 + 64 + 1 + 64;

// The index values: every contact of the office, and those of one of its
// case managers.
std::string OfficeDueList(absl::string_view office_id);
std::string CaseManagerDueList(absl::string_view office_id,
                               absl::string_view case_manager_id);

struct DueEntry {
  absl::CivilDay due;
  std::string case_id;
  std::string contact_id;
};
// The entry id; empty when `due` is no calendar day.
std::string DueEntryId(const homeward::v1::Date& due, absl::string_view case_id,
                       absl::string_view contact_id);
bool ParseDueEntryId(absl::string_view id, DueEntry* out);

// Replaces the entries of `before` with those of `after` (nullptr: no
// contact), both of the case of `scope`: a contact has entries while it is
// SCHEDULED with a due date.
void UpdateDueEntries(uint32_t partition, const cases::CaseScope& scope,
                      const homeward::v1::FollowUpContact* before,
                      const homeward::v1::FollowUpContact* after,
                      storage::WriteSet& set);
// Moves the entries of `contacts` (the case's) from the lists of `before` to
// those of `after`, when the office or case manager changed.
void MoveDueEntries(uint32_t partition, const cases::CaseScope& before,
                    const cases::CaseScope& after,
                    const std::vector<homeward::v1::FollowUpContact>& contacts,
                    storage::WriteSet& set);

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_CONTACT_DUE_INDEX_H_
