// Follow-up contacts in their case's partition; see contact_store.h.
#include "services/follow_up/contact_store.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/api/etags.h"
#include "common/api/field_checks.h"
#include "common/cases/case_directory.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/follow_up/contact_due_index.h"
#include "services/follow_up/follow_up_schedule.h"

namespace homeward::follow_up {
namespace {

using homeward::internal::v1::FollowUpContactRecord;
using homeward::v1::FollowUpContact;

constexpr int kPageSize = 500;
constexpr char kRecordOperation[] = "RecordFollowUp";

std::string RecordId(absl::string_view case_id, absl::string_view contact_id) {
  return absl::StrCat(case_id, "/", contact_id);
}

bool DueBefore(const FollowUpContact& a, const FollowUpContact& b) {
  return std::make_tuple(a.due_date().year(), a.due_date().month(),
                         a.due_date().day(), a.contact_id()) <
         std::make_tuple(b.due_date().year(), b.due_date().month(),
                         b.due_date().day(), b.contact_id());
}

homeward::v1::Event EventFor(const service::Actor& actor, uint32_t partition,
                             absl::string_view case_id) {
  homeward::v1::Event event;
  event.set_partition(partition);
  event.set_subject_id(std::string(case_id));
  event.set_actor_user_id(actor.principal.user_id());
  event.set_request_id(actor.request_id);
  return event;
}

// A contact as an event carries it: without the free text that stays in
// this service, and without its etag.
FollowUpContact ForEvent(FollowUpContact contact) {
  contact.clear_notes();
  contact.clear_distress_notes();
  contact.clear_etag();
  return contact;
}

}  // namespace

absl::StatusOr<bool> ContactStore::Read(uint32_t partition,
                                        absl::string_view case_id,
                                        absl::string_view contact_id,
                                        FollowUpContactRecord* out,
                                        uint64_t* version) const {
  return store_->GetRecord(partition, kKind, RecordId(case_id, contact_id), out,
                           version);
}

absl::Status ContactStore::VisitAll(
    const std::vector<uint32_t>& partitions,
    const std::function<void(const FollowUpContact&)>& visit) const {
  constexpr int kIdsPerRead = 500;
  FollowUpContactRecord record;
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        storage::IndexPage ids,
        store_->ListRecordIds(partitions, kKind, kIdsPerRead, token));
    for (const storage::IndexEntry& entry : ids.entries) {
      ASSIGN_OR_RETURN(bool found,
                       store_->GetRecord(entry.partition, kKind, entry.id,
                                         &record, nullptr));
      if (found) visit(record.contact());
    }
    token = std::move(ids.next_page_token);
  } while (!token.empty());
  return absl::OkStatus();
}

absl::Status ContactStore::VisitScheduledBefore(
    const std::vector<uint32_t>& partitions, absl::string_view office_id,
    absl::CivilDay before,
    const std::function<void(const FollowUpContact&)>& visit) const {
  constexpr int kEntriesPerRead = 500;
  const std::string list = OfficeDueList(office_id);
  for (uint32_t partition : partitions) {
    std::string token;
    bool partition_done = false;
    while (!partition_done) {
      ASSIGN_OR_RETURN(storage::IndexPage page,
                       store_->ListIndex({partition}, kDueIndex, list,
                                         kEntriesPerRead, token));
      for (const storage::IndexEntry& e : page.entries) {
        DueEntry entry;
        // An id this version cannot read is skipped, as the lists do.
        if (!ParseDueEntryId(e.id, &entry)) continue;
        if (entry.due >= before) {
          partition_done = true;
          break;
        }
        // An entry left behind by a race never counts: the case must be the
        // office's now and the contact still SCHEDULED on that day.
        ASSIGN_OR_RETURN(cases::CaseScope scope,
                         ScopeOf(partition, entry.case_id));
        if (scope.office_id() != office_id) continue;
        absl::StatusOr<FollowUpContact> contact =
            Get(partition, entry.case_id, entry.contact_id);
        if (absl::IsNotFound(contact.status())) continue;
        RETURN_IF_ERROR(contact.status());
        if (contact->status() !=
                homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED ||
            !api::SameDay(contact->due_date(), entry.due)) {
          continue;
        }
        contact->set_office_id(scope.office_id());
        visit(*contact);
      }
      token = std::move(page.next_page_token);
      if (token.empty()) partition_done = true;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<FollowUpContact> ContactStore::Get(
    uint32_t partition, absl::string_view case_id,
    absl::string_view contact_id) const {
  FollowUpContactRecord record;
  uint64_t version = 0;
  ASSIGN_OR_RETURN(bool found,
                   Read(partition, case_id, contact_id, &record, &version));
  if (!found) return errors::NotFound("contact", contact_id);
  FollowUpContact contact = std::move(*record.mutable_contact());
  contact.set_etag(api::EtagOf(version));
  return contact;
}

absl::StatusOr<std::vector<FollowUpContact>> ContactStore::ListForCase(
    uint32_t partition, absl::string_view case_id) const {
  std::vector<FollowUpContact> contacts;
  std::string token;
  do {
    ASSIGN_OR_RETURN(storage::IndexPage page,
                     store_->ListIndex({partition}, kByCaseIndex, case_id,
                                       kPageSize, token));
    for (const storage::IndexEntry& entry : page.entries) {
      absl::StatusOr<FollowUpContact> contact =
          Get(partition, case_id, entry.id);
      if (absl::IsNotFound(contact.status())) continue;
      RETURN_IF_ERROR(contact.status());
      contacts.push_back(*std::move(contact));
    }
    token = std::move(page.next_page_token);
  } while (!token.empty());
  std::sort(contacts.begin(), contacts.end(), DueBefore);
  return contacts;
}

FollowUpContact ContactStore::AnonymisedContact(FollowUpContact contact) {
  for (homeward::v1::ActivityProgress& progress :
       *contact.mutable_activity_progress()) {
    progress.clear_note();
  }
  for (homeward::v1::ReferralOutcome& outcome :
       *contact.mutable_referral_outcomes()) {
    outcome.clear_returnee_feedback();
    outcome.clear_outcome();
    outcome.clear_status_reason();
  }
  for (homeward::v1::NeedInput& need : *contact.mutable_new_needs()) {
    need.clear_description();
  }
  contact.clear_distress_notes();
  contact.clear_notes();
  contact.clear_plan_revision_reason();
  if (contact.has_missed()) contact.mutable_missed()->clear_details();
  return contact;
}

absl::Status ContactStore::AnonymiseCase(const service::Actor& actor,
                                         uint32_t partition,
                                         absl::string_view case_id,
                                         storage::WriteSet& set) const {
  ASSIGN_OR_RETURN(std::vector<FollowUpContact> contacts,
                   ListForCase(partition, case_id));
  bool changed = false;
  for (const FollowUpContact& listed : contacts) {
    FollowUpContactRecord record;
    uint64_t version = 0;
    ASSIGN_OR_RETURN(bool found, Read(partition, case_id, listed.contact_id(),
                                      &record, &version));
    if (!found) continue;
    FollowUpContact scrubbed = AnonymisedContact(record.contact());
    if (google::protobuf::util::MessageDifferencer::Equals(scrubbed,
                                                           record.contact())) {
      continue;
    }
    *record.mutable_contact() = std::move(scrubbed);
    const std::string id = RecordId(case_id, listed.contact_id());
    // Status and due date stay, so the due lists do not move.
    set.ExpectVersion(partition, kKind, id, version)
        .PutRecord(partition, kKind, id, version + 1, record);
    changed = true;
  }
  if (changed) set.Audit(service::AuditEntryFor(actor, case_id));
  return absl::OkStatus();
}

absl::StatusOr<cases::CaseScope> ContactStore::ScopeOf(
    uint32_t partition, absl::string_view case_id) const {
  cases::CaseScope scope;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(partition, cases::CaseDirectory::kKind,
                                     case_id, &scope, nullptr));
  if (!found) {
    scope.set_case_id(std::string(case_id));
    scope.set_partition(partition);
  }
  return scope;
}

absl::Status ContactStore::Put(uint32_t partition,
                               const cases::CaseScope& scope,
                               const FollowUpContact* before,
                               FollowUpContact& after,
                               absl::string_view request_id,
                               absl::string_view cancel_reason,
                               storage::WriteSet& set) const {
  uint64_t version = 0;
  if (before != nullptr) {
    ASSIGN_OR_RETURN(version, api::ParseEtag(before->etag(), "etag"));
  }
  const auto now = storage::NowTimestamp();
  const std::string id = RecordId(after.case_id(), after.contact_id());
  after.set_partition(partition);
  after.set_office_id(scope.office_id());
  after.set_case_manager_id(scope.case_manager_id());
  if (before == nullptr) {
    *after.mutable_create_time() = now;
  } else {
    *after.mutable_create_time() = before->create_time();
  }
  *after.mutable_update_time() = now;
  after.clear_etag();
  FollowUpContactRecord record;
  *record.mutable_contact() = after;
  record.set_request_id(std::string(request_id));
  record.set_cancel_reason(std::string(cancel_reason));
  set.ExpectVersion(partition, kKind, id, version)
      .PutRecord(partition, kKind, id, version + 1, record);
  if (before == nullptr) {
    set.PutIndex(partition, kByCaseIndex, after.case_id(), after.contact_id());
  }
  UpdateDueEntries(partition, scope, before, &after, set);
  after.set_etag(api::EtagOf(version + 1));
  return absl::OkStatus();
}

absl::Status ContactStore::ScheduleFrom(const FollowUpCase& c,
                                        const homeward::v1::Date& from_day,
                                        storage::WriteSet& set,
                                        int* changed) const {
  if (changed != nullptr) *changed = 0;
  absl::CivilDay return_day, from;
  if (!api::ToCivilDay(c.record.return_date(), &return_day) ||
      !api::ToCivilDay(from_day, &from) || c.record.programme_id().empty()) {
    return absl::OkStatus();
  }
  absl::StatusOr<homeward::v1::Programme> programme =
      programmes_->GetLatest(c.record.programme_id());
  // A programme the catalog does not know has no cadence to schedule from.
  if (absl::IsNotFound(programme.status()) ||
      absl::IsInvalidArgument(programme.status())) {
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(programme.status());
  const uint32_t partition = c.scope.partition();
  const std::string& case_id = c.record.case_id();
  ASSIGN_OR_RETURN(std::vector<FollowUpContact> existing,
                   ListForCase(partition, case_id));
  std::vector<FollowUpContact> next = ScheduleChanges(
      programme->follow_up(), return_day, from, existing, case_id);
  for (FollowUpContact& after : next) {
    const FollowUpContact* before = nullptr;
    for (const FollowUpContact& e : existing) {
      if (e.contact_id() == after.contact_id()) before = &e;
    }
    const bool cancelled =
        after.status() == homeward::v1::FOLLOW_UP_CONTACT_STATUS_CANCELLED;
    RETURN_IF_ERROR(Put(partition, c.scope, before, after, "",
                        cancelled ? kNotInCadence : "", set));
  }
  if (changed != nullptr) *changed = static_cast<int>(next.size());
  return absl::OkStatus();
}

absl::Status ContactStore::CancelScheduled(uint32_t partition,
                                           absl::string_view case_id,
                                           absl::string_view reason,
                                           storage::WriteSet& set) const {
  ASSIGN_OR_RETURN(cases::CaseScope scope, ScopeOf(partition, case_id));
  ASSIGN_OR_RETURN(std::vector<FollowUpContact> contacts,
                   ListForCase(partition, case_id));
  for (const FollowUpContact& before : contacts) {
    if (before.status() != homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED) {
      continue;
    }
    FollowUpContact after = before;
    after.set_status(homeward::v1::FOLLOW_UP_CONTACT_STATUS_CANCELLED);
    RETURN_IF_ERROR(Put(partition, scope, &before, after, "", reason, set));
  }
  return absl::OkStatus();
}

absl::Status ContactStore::MoveDueEntries(uint32_t partition,
                                          absl::string_view case_id,
                                          const cases::CaseScope& before,
                                          const cases::CaseScope& after,
                                          storage::WriteSet& set) const {
  ASSIGN_OR_RETURN(std::vector<FollowUpContact> contacts,
                   ListForCase(partition, case_id));
  follow_up::MoveDueEntries(partition, before, after, contacts, set);
  return absl::OkStatus();
}

void ContactStore::Finish(uint32_t partition, std::string case_id,
                          storage::WriteSet set, FollowUpContact contact,
                          service::WriteDone<FollowUpContact> done) {
  store_->CommitAsync(
      std::move(set),
      [this, partition, case_id = std::move(case_id),
       contact = std::move(contact), done = std::move(done)](
          absl::StatusOr<storage::CommitResult> result) mutable {
        if (!result.ok()) {
          if (absl::IsAborted(result.status()) ||
              absl::IsAlreadyExists(result.status())) {
            return done(errors::ConcurrentChange(
                absl::StrCat("contact ", contact.contact_id(),
                             " changed meanwhile; read it again and retry")));
          }
          return done(result.status());
        }
        // A replay answers what the first request recorded, as it is now
        // (a read of the committed record, never a write, on this thread).
        if (result->replayed) {
          return done(Get(partition, case_id, result->original.subject_id()));
        }
        done(std::move(contact));
      });
}

// The set of a record of a contact of `c`: the request id claimed (a retry
// then answers what the first request recorded) and the case record's
// version expected, so that a reassignment committed meanwhile (which moves
// the contacts' due-list entries) makes this write fail rather than leave
// an entry under the old owner.
storage::WriteSet ContactStore::RecordSet(const FollowUpCase& c,
                                          const std::string& request_id,
                                          const std::string& contact_id) {
  const uint32_t partition = c.scope.partition();
  storage::WriteSet set;
  if (!request_id.empty()) {
    homeward::internal::v1::IdempotencyRecord claim;
    claim.set_subject_id(contact_id);
    claim.set_partition(partition);
    set.ClaimRequest(partition,
                     absl::StrCat(kRecordOperation, "/", c.scope.case_id()),
                     request_id, claim);
  }
  set.ExpectVersion(partition, kFollowUpCaseKind, c.record.case_id(),
                    c.record_version);
  return set;
}

void ContactStore::RecordAsync(const service::Actor& actor,
                               const FollowUpCase& c,
                               const std::string& request_id,
                               const FollowUpContact* before,
                               FollowUpContact after,
                               service::WriteDone<FollowUpContact> done) {
  const uint32_t partition = c.scope.partition();
  storage::WriteSet set = RecordSet(c, request_id, after.contact_id());
  after.set_recorded_by(actor.principal.user_id());
  absl::Status put =
      Put(partition, c.scope, before, after, request_id, "", set);
  if (!put.ok()) return done(put);
  homeward::v1::Event event = EventFor(actor, partition, after.case_id());
  *event.mutable_follow_up_recorded()->mutable_contact() = ForEvent(after);
  set.AppendEvent(std::move(event));
  set.Audit(service::AuditEntryFor(actor, after.case_id()));
  std::string case_id = after.case_id();
  Finish(partition, std::move(case_id), std::move(set), std::move(after),
         std::move(done));
}

void ContactStore::RecordMissedAsync(const service::Actor& actor,
                                     const FollowUpCase& c,
                                     const std::string& request_id,
                                     const FollowUpContact& before,
                                     FollowUpContact missed,
                                     FollowUpContact next,
                                     service::WriteDone<FollowUpContact> done) {
  const uint32_t partition = c.scope.partition();
  storage::WriteSet set = RecordSet(c, request_id, missed.contact_id());
  missed.set_recorded_by(actor.principal.user_id());
  absl::Status put =
      Put(partition, c.scope, &before, missed, request_id, "", set);
  if (put.ok()) put = Put(partition, c.scope, nullptr, next, "", "", set);
  if (!put.ok()) return done(put);
  homeward::v1::Event event = EventFor(actor, partition, missed.case_id());
  *event.mutable_follow_up_missed()->mutable_contact() = ForEvent(missed);
  *event.mutable_follow_up_missed()->mutable_next_attempt() = ForEvent(next);
  set.AppendEvent(std::move(event));
  set.Audit(service::AuditEntryFor(actor, missed.case_id()));
  std::string case_id = missed.case_id();
  Finish(partition, std::move(case_id), std::move(set), std::move(missed),
         std::move(done));
}

void ContactStore::AuditRead(const service::Actor& actor,
                             absl::string_view case_id) {
  store_->AuditRead(service::AuditEntryFor(actor, case_id));
}

}  // namespace homeward::follow_up
