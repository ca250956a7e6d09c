// The index entries a referral puts in the referral store, as a function of
// the referral alone, so that every write keeps them by replacing the entries
// of the referral before it with those of the referral after it (in the same
// WriteSet as the record). All live in the referral's case partition:
//
//   "referral_by_case"          case_id         -> referral_id (every one)
//   "referral_by_organization"  organization_id -> referral_id (sent ones:
//                               every status but DRAFT)
//   "referral_inbox"            organization_id -> referral_id (open for the
//                               performer: REQUESTED..ON_HOLD)
//   "referral_awaiting_response"    "office/<office_id>", "org/<org_id>"
//   "referral_awaiting_completion"  "office/<office_id>", "org/<org_id>"
//       -> "<due date>/<case_id>/<referral_id>", padded with spaces to one
//       width (the store orders ids by length first), so that each office's
//       and each organization's queue is one key range per partition,
//       oldest due date first. Awaiting response: REQUESTED or RECEIVED, due
//       on expected_response_date; awaiting completion: ACCEPTED, READY,
//       IN_PROGRESS or ON_HOLD, due on expected_completion_date.
//
//   storage::WriteSet set;
//   UpdateReferralIndexes(partition, &before, &after, set);
#ifndef HOMEWARD_SERVICES_REFERRAL_REFERRAL_INDEXES_H_
#define HOMEWARD_SERVICES_REFERRAL_REFERRAL_INDEXES_H_

#include <cstdint>
#include <set>
#include <string>
#include <tuple>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/storage/write_set.h"
#include "homeward/v1/referral.pb.h"

namespace homeward::referral {

inline constexpr char kByCaseIndex[] = "referral_by_case";
inline constexpr char kByOrganizationIndex[] = "referral_by_organization";
inline constexpr char kInboxIndex[] = "referral_inbox";
inline constexpr char kAwaitingResponseIndex[] = "referral_awaiting_response";
inline constexpr char kAwaitingCompletionIndex[] =
    "referral_awaiting_completion";
// A date, a case id and a referral id of at most 64 characters each and two
// '/'.
inline constexpr size_t kQueueEntryWidth = 10 + 1 + 64 + 1 + 64;

// The index values of one office's and one organization's queue.
std::string OfficeQueue(absl::string_view office_id);
std::string OrganizationQueue(absl::string_view organization_id);

// (index, value, id)
using IndexEntryKey = std::tuple<std::string, std::string, std::string>;

// Every entry `referral` puts in the indexes.
std::set<IndexEntryKey> ReferralIndexEntries(
    const homeward::v1::Referral& referral);

// Deletes the entries of `before` that `after` does not have and puts those
// of `after` that `before` does not have (nullptr: no referral); `before`
// must be the referral as stored, its entries with it.
void UpdateReferralIndexes(uint32_t partition,
                           const homeward::v1::Referral* before,
                           const homeward::v1::Referral* after,
                           storage::WriteSet& set);

// A queue entry's id as written, and read back; false when `id` is not one.
std::string QueueEntryId(const homeward::v1::Date& due,
                         absl::string_view case_id,
                         absl::string_view referral_id);
struct QueueEntry {
  absl::CivilDay due;
  std::string case_id;
  std::string referral_id;
};
bool ParseQueueEntryId(absl::string_view id, QueueEntry* out);

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_REFERRAL_INDEXES_H_
