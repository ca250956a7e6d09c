// The due and overdue contact lists, read for ListDueContacts and
// ListOverdueContacts: an office's (or one of its case managers') SCHEDULED
// contacts falling due in [as_of, as_of + within_days], soonest first, and
// those due before as_of, oldest first. Ids, dates and the cadence point
// only: nothing about the returnee.
//
// Each list is a range of the due-list index (contact_due_index.h) per
// partition; the reader walks this replica's partitions in order, each in
// due date order up to its first entry after the list's last day (so that a
// list never reads the months ahead), and checks every entry in range
// against the stored
// contact (still SCHEDULED with the entry's due date) and the case's
// current scope (the office, and the case manager when asked), so that an
// entry left behind by a race is skipped, never shown. The caller checks
// the role; the lists are confined to one of the caller's offices
// (cases::ListOffice). A page token is the partition to resume at and the
// store's index token in it (the gateway binds it to the topology). Entries a
// page skips still cost a key read: a call reads at most kMaxEntriesPerCall
// entries and may return a short page with a token.
//
//   ContactLists lists(&store, &owned, &contacts);
//   ASSIGN_OR_RETURN(ListContactsDueResponse page,
//                    lists.Due(actor.principal, request, api::TodayUtc()));
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_CONTACT_LISTS_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_CONTACT_LISTS_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/cases/case_directory.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/v1/follow_up.pb.h"
#include "services/follow_up/contact_due_index.h"
#include "services/follow_up/contact_store.h"

namespace homeward::follow_up {

class ContactLists {
 public:
  // The most index entries one call reads.
  static constexpr int kMaxEntriesPerCall = 5000;
  static constexpr int kDefaultWithinDays = 14;
  static constexpr int kMaxWithinDays = 366;

  // None owned; all must outlive this. `owned`: this replica's partitions.
  ContactLists(const storage::Store* store, const storage::PartitionSet* owned,
               const ContactStore* contacts)
      : store_(store), owned_(owned), contacts_(contacts) {}

  // INVALID_ARGUMENT for an as_of that is no calendar day, within_days
  // outside 0..366, a bad case_manager_id, a negative page size or a
  // foreign page token, and on office_id when the caller has several offices
  // and names none; PERMISSION_DENIED for an office not the caller's.
  absl::StatusOr<homeward::v1::ListContactsDueResponse> Due(
      const homeward::internal::v1::Principal& principal,
      const homeward::v1::ListDueContactsRequest& request,
      absl::CivilDay today) const;
  absl::StatusOr<homeward::v1::ListContactsDueResponse> Overdue(
      const homeward::internal::v1::Principal& principal,
      const homeward::v1::ListOverdueContactsRequest& request,
      absl::CivilDay today) const;

 private:
  struct Query {
    std::string office_id;
    std::string case_manager_id;  // empty: the whole office
    absl::CivilDay from;          // first day listed
    absl::CivilDay until;         // last day listed
    int page_size = 0;
    std::string page_token;
  };
  absl::StatusOr<Query> CheckQuery(
      const homeward::internal::v1::Principal& principal,
      absl::string_view office_id, absl::string_view case_manager_id,
      const homeward::v1::Date& as_of, bool has_as_of,
      const homeward::v1::PageRequest& page, absl::CivilDay today,
      absl::CivilDay* as_of_day) const;
  // Where a page starts: the index into the owned partitions and that
  // partition's store token. A page token is "<partition>/<store token>".
  struct Cursor {
    size_t index = 0;
    std::string partition_token;
  };
  absl::StatusOr<Cursor> ParseCursor(absl::string_view token) const;
  // Lists the query's page into `out`.
  absl::Status Scan(const Query& query,
                    homeward::v1::ListContactsDueResponse& out) const;
  // The contact an entry names when it is still SCHEDULED under the entry's
  // date and its case in the query's office (and case manager).
  absl::StatusOr<bool> Current(uint32_t partition, const DueEntry& entry,
                               const Query& query,
                               homeward::v1::FollowUpContact* out) const;

  const storage::Store* store_;
  const storage::PartitionSet* owned_;
  const ContactStore* contacts_;
};

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_CONTACT_LISTS_H_
