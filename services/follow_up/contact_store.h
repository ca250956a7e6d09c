// The follow-up service's storage of contacts: one "follow_up_contact"
// record (FollowUpContactRecord, follow_up_storage.proto) per contact, keyed
// "<case id>/<contact id>" in the case's partition, listed under the index
// "follow_up_contact_by_case" (case id -> contact id); its store version is
// the contact's etag. Every write also keeps the due-list index
// (contact_due_index.h) in the same WriteSet.
//
// Two kinds of writers:
// - the schedule (the feeds' views, closing and reopening a case): they add
//   their changes to a WriteSet the caller commits (ScheduleFrom,
//   CancelScheduled, MoveDueEntries), each change expecting the version it
//   read, so that a concurrent write makes the commit fail (the feed retries
//   the event; a handler answers ABORTED);
// - the handlers' records of a contact that took place or was missed
//   (RecordAsync, RecordMissedAsync), which commit the contact, its event
//   (FollowUpRecorded without notes and distress notes, FollowUpMissed with
//   the next attempt) and an audit entry in one WriteSet.
// The store decides no rule: the schedule's rules are in
// follow_up_schedule.h, the checks of a record in contact_checks.h.
//
//   ContactStore contacts(store.get(), &programmes);
//   storage::WriteSet set;
//   RETURN_IF_ERROR(contacts.CancelScheduled(p, case_id, "case closed", set));
//   RETURN_IF_ERROR(store->Commit(std::move(set)).status());
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_CONTACT_STORE_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_CONTACT_STORE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/cases/case_scope.h"
#include "common/programme/programme_catalogs.h"
#include "common/service/actor.h"
#include "common/storage/store.h"
#include "common/storage/write_set.h"
#include "homeward/internal/v1/follow_up_storage.pb.h"
#include "homeward/v1/common.pb.h"
#include "homeward/v1/follow_up.pb.h"
#include "services/follow_up/follow_up_case.h"

namespace homeward::follow_up {

class ContactStore {
 public:
  static constexpr char kKind[] = "follow_up_contact";
  static constexpr char kByCaseIndex[] = "follow_up_contact_by_case";

  // Neither owned; both must outlive this. `programmes` gives the cadence.
  ContactStore(storage::Store* store,
               const programme::ProgrammeCatalog* programmes)
      : store_(store), programmes_(programmes) {}

  // The contact with its etag; NOT_FOUND naming contact_id when the case
  // has none of that id.
  absl::StatusOr<homeward::v1::FollowUpContact> Get(
      uint32_t partition, absl::string_view case_id,
      absl::string_view contact_id) const;
  // The same with what only the store keeps (the recording request id);
  // false when there is none.
  absl::StatusOr<bool> Read(uint32_t partition, absl::string_view case_id,
                            absl::string_view contact_id,
                            homeward::internal::v1::FollowUpContactRecord* out,
                            uint64_t* version) const;
  // Every contact of the case with its etag, by due date (then id).
  absl::StatusOr<std::vector<homeward::v1::FollowUpContact>> ListForCase(
      uint32_t partition, absl::string_view case_id) const;

  // Schedules the case's cadence points again from `from_day` (a reopened
  // case: today; a plan's first approval: the approval day; a revision: the
  // revision day) from its programme's latest cadence and its return date,
  // by ScheduleChanges: points not DONE or MISSED and due on or after
  // `from_day` become SCHEDULED, points no longer in the cadence are
  // CANCELLED. Nothing when the case has no return date or its programme
  // is unknown to the catalog (nothing can be scheduled from it). The
  // number of contacts changed in `*changed` when not nullptr.
  absl::Status ScheduleFrom(const FollowUpCase& c,
                            const homeward::v1::Date& from_day,
                            storage::WriteSet& set,
                            int* changed = nullptr) const;
  // The case's SCHEDULED contacts become CANCELLED with `reason`, their
  // due-list entries removed.
  absl::Status CancelScheduled(uint32_t partition, absl::string_view case_id,
                               absl::string_view reason,
                               storage::WriteSet& set) const;
  // The case's SCHEDULED contacts move from the due lists of `before` to
  // those of `after` (a reassignment or transfer).
  absl::Status MoveDueEntries(uint32_t partition, absl::string_view case_id,
                              const cases::CaseScope& before,
                              const cases::CaseScope& after,
                              storage::WriteSet& set) const;

  // Records a contact that took place: `after` (DONE, with what was
  // recorded and the output-only fields filled) replaces `before`, the
  // SCHEDULED contact as read with its etag, or is a new extra contact when
  // `before` is nullptr (its contact_id already chosen). With the
  // FollowUpRecorded event and an audit entry by `actor`. A non-empty
  // `request_id` makes it idempotent per case: a retry answers the contact
  // the first request recorded, as it is now. `done` gets the contact with
  // its new etag once durable; ABORTED when another write came first.
  void RecordAsync(const service::Actor& actor, const FollowUpCase& c,
                   const std::string& request_id,
                   const homeward::v1::FollowUpContact* before,
                   homeward::v1::FollowUpContact after,
                   service::WriteDone<homeward::v1::FollowUpContact> done);
  // Records that `before` (SCHEDULED, as read) did not take place: `missed`
  // is it MISSED with its MissedContact, `next` the attempt scheduled
  // (follow_up_schedule.h NextAttempt); FollowUpMissed and an audit entry.
  // `done` gets the missed contact with its new etag.
  void RecordMissedAsync(
      const service::Actor& actor, const FollowUpCase& c,
      const std::string& request_id,
      const homeward::v1::FollowUpContact& before,
      homeward::v1::FollowUpContact missed, homeward::v1::FollowUpContact next,
      service::WriteDone<homeward::v1::FollowUpContact> done);

  // Every contact of `partitions` (this replica's), each handed to `visit`
  // as read (valid only during the call; no etag). A full scan, read a page
  // of ids at a time: for an aggregate report (the programme indicators,
  // follow_up_indicators.h), never for a list a caller pages. Recorded
  // contacts have no office index (the due lists hold SCHEDULED ones only).
  absl::Status VisitAll(
      const std::vector<uint32_t>& partitions,
      const std::function<void(const homeward::v1::FollowUpContact&)>& visit)
      const;
  // The SCHEDULED contacts of `office_id`'s due list (contact_due_index.h)
  // over `partitions` that fall due before `before`, each checked against
  // the stored contact (still SCHEDULED, the entry's due date) and the
  // case's current office, which it carries in office_id; each partition is
  // read in due date order up to its first entry on or after `before`.
  absl::Status VisitScheduledBefore(
      const std::vector<uint32_t>& partitions, absl::string_view office_id,
      absl::CivilDay before,
      const std::function<void(const homeward::v1::FollowUpContact&)>& visit)
      const;

  // `contact` without the free text that may name or reach the returnee:
  // activity progress notes, the returnee's feedback and the referral
  // outcomes' texts, new needs' descriptions, distress notes, notes, the
  // plan revision reason and a missed contact's details. Codes, dates,
  // ratings and statuses stay (the indicators read them).
  static homeward::v1::FollowUpContact AnonymisedContact(
      homeward::v1::FollowUpContact contact);
  // Adds to `set` the rewrite of each of the case's contacts that holds such
  // text (AnonymisedContact), expecting the version read, and one audit
  // entry by `actor` when any changed; nothing for a case already
  // anonymised. For the assessment feed's CaseAnonymised
  // (follow_up_cases.h, docs/RETENTION.md).
  absl::Status AnonymiseCase(const service::Actor& actor, uint32_t partition,
                             absl::string_view case_id,
                             storage::WriteSet& set) const;

  // Records in the audit trail that `actor` read the case's contacts.
  void AuditRead(const service::Actor& actor, absl::string_view case_id);

  // The store the contacts live in (the due lists read its index).
  const storage::Store* store() const { return store_; }

 private:
  // The set a record of a contact of `c` starts from (contact_store.cc).
  static storage::WriteSet RecordSet(const FollowUpCase& c,
                                     const std::string& request_id,
                                     const std::string& contact_id);
  // Adds the write of `after` over `before` (nullptr: a new contact, whose
  // record must not exist) to `set`: the record at the next version, the
  // case index for a new one and the due-list entries. `after` comes back
  // with its new etag.
  absl::Status Put(uint32_t partition, const cases::CaseScope& scope,
                   const homeward::v1::FollowUpContact* before,
                   homeward::v1::FollowUpContact& after,
                   absl::string_view request_id,
                   absl::string_view cancel_reason,
                   storage::WriteSet& set) const;
  // The case's scope as the directory keeps it (an empty scope of the case
  // when unknown: no due list then).
  absl::StatusOr<cases::CaseScope> ScopeOf(uint32_t partition,
                                           absl::string_view case_id) const;
  // Commits a handler's `set`; `done` gets `contact`, or on a replay the
  // first request's contact as it is now.
  void Finish(uint32_t partition, std::string case_id, storage::WriteSet set,
              homeward::v1::FollowUpContact contact,
              service::WriteDone<homeward::v1::FollowUpContact> done);

  storage::Store* store_;
  const programme::ProgrammeCatalog* programmes_;
};

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_CONTACT_STORE_H_
