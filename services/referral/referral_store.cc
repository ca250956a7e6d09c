// Referrals in their case's partition; see referral_store.h.
#include "services/referral/referral_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/api/etags.h"
#include "common/cases/case_ids.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "common/storage/ids.h"
#include "homeward/internal/v1/referral_storage.pb.h"
#include "services/referral/referral_indexes.h"
#include "services/referral/referral_transitions.h"

namespace homeward::referral {
namespace {

using homeward::internal::v1::ReferralRecord;
using homeward::v1::Referral;

constexpr char kCreateOperation[] = "CreateReferral";

ReferralRecord RecordOf(const Referral& referral) {
  ReferralRecord record;
  *record.mutable_referral() = referral;
  record.mutable_referral()->clear_etag();
  return record;
}

// The event of a status change: the referral after it without its summary.
homeward::v1::Event StatusChanged(const service::Actor& actor,
                                  uint32_t partition, const Referral& after,
                                  homeward::v1::ReferralStatus previous) {
  homeward::v1::Event event;
  event.set_partition(partition);
  event.set_subject_id(after.case_id());
  event.set_actor_user_id(actor.principal.user_id());
  event.set_request_id(actor.request_id);
  auto* changed = event.mutable_referral_status_changed();
  *changed->mutable_referral() = after;
  changed->mutable_referral()->clear_summary();
  changed->mutable_referral()->clear_etag();
  changed->set_previous_status(previous);
  return event;
}

}  // namespace

absl::StatusOr<bool> ReferralStore::Read(uint32_t partition,
                                         absl::string_view referral_id,
                                         Referral* out,
                                         uint64_t* version) const {
  ReferralRecord record;
  ASSIGN_OR_RETURN(bool found, store_->GetRecord(partition, kKind, referral_id,
                                                 &record, version));
  if (found) *out = std::move(*record.mutable_referral());
  return found;
}

absl::StatusOr<Referral> ReferralStore::Get(
    uint32_t partition, absl::string_view case_id,
    absl::string_view referral_id) const {
  Referral referral;
  uint64_t version = 0;
  ASSIGN_OR_RETURN(bool found,
                   Read(partition, referral_id, &referral, &version));
  // A referral of another case is not this case's: the same answer as none.
  if (!found || referral.case_id() != case_id) {
    return errors::NotFound("referral", referral_id);
  }
  referral.set_etag(api::EtagOf(version));
  return referral;
}

absl::StatusOr<Referral> ReferralStore::Get(
    absl::string_view case_id, absl::string_view referral_id) const {
  ASSIGN_OR_RETURN(uint32_t partition,
                   cases::OwnedCasePartition(*owned_, case_id));
  return Get(partition, case_id, referral_id);
}

storage::WriteSet ReferralStore::PrepareCreate(const service::Actor& actor,
                                               uint32_t partition,
                                               const std::string& request_id,
                                               const std::string& audit_reason,
                                               Referral& referral) const {
  const auto now = storage::NowTimestamp();
  referral.set_referral_id(storage::TimeOrderedId("R"));
  referral.clear_etag();
  referral.clear_history();
  referral.clear_status_reason();
  referral.clear_outcome();
  referral.clear_consent_withdrawn();
  referral.clear_response_time();
  referral.clear_completion_time();
  *referral.mutable_create_time() = now;
  *referral.mutable_update_time() = now;
  auto* change = referral.add_history();
  change->set_status(referral.status());
  change->set_side(homeward::v1::REFERRAL_SIDE_REQUESTER);
  change->set_user_id(actor.principal.user_id());
  *change->mutable_time() = now;

  storage::WriteSet set;
  if (!request_id.empty()) {
    homeward::internal::v1::IdempotencyRecord claim;
    claim.set_subject_id(referral.referral_id());
    claim.set_partition(partition);
    // Scoped by case: the same request id for another case is another
    // request.
    set.ClaimRequest(partition,
                     absl::StrCat(kCreateOperation, "/", referral.case_id()),
                     request_id, claim);
  }
  set.ExpectVersion(partition, kKind, referral.referral_id(), 0)
      .PutRecord(partition, kKind, referral.referral_id(), 1,
                 RecordOf(referral));
  UpdateReferralIndexes(partition, nullptr, &referral, set);
  set.AppendEvent(StatusChanged(actor, partition, referral,
                                homeward::v1::REFERRAL_STATUS_UNSPECIFIED));
  homeward::internal::v1::AuditEntry audit =
      service::AuditEntryFor(actor, referral.case_id());
  audit.set_reason(audit_reason);
  set.Audit(std::move(audit));
  referral.set_etag(api::EtagOf(1));
  return set;
}

absl::StatusOr<Referral> ReferralStore::Created(
    uint32_t partition, Referral referral,
    absl::StatusOr<storage::CommitResult> result) const {
  RETURN_IF_ERROR(result.status());
  // A replay answers the referral the first create made, as it is now.
  if (result->replayed) {
    return Get(partition, referral.case_id(), result->original.subject_id());
  }
  return referral;
}

void ReferralStore::CreateAsync(const service::Actor& actor, uint32_t partition,
                                const std::string& request_id,
                                Referral referral,
                                const std::string& audit_reason,
                                service::WriteDone<Referral> done) {
  storage::WriteSet set =
      PrepareCreate(actor, partition, request_id, audit_reason, referral);
  store_->CommitAsync(
      std::move(set),
      [this, partition, referral = std::move(referral), done = std::move(done)](
          absl::StatusOr<storage::CommitResult> result) mutable {
        done(Created(partition, std::move(referral), std::move(result)));
      });
}

absl::StatusOr<Referral> ReferralStore::Create(
    const service::Actor& actor, uint32_t partition,
    const std::string& request_id, Referral referral,
    const std::string& audit_reason) {
  storage::WriteSet set =
      PrepareCreate(actor, partition, request_id, audit_reason, referral);
  return Created(partition, std::move(referral),
                 store_->Commit(std::move(set)));
}

absl::StatusOr<storage::Page<Referral>> ReferralStore::ListByCase(
    uint32_t partition, absl::string_view case_id, int page_size,
    absl::string_view page_token) const {
  ASSIGN_OR_RETURN(storage::IndexPage ids,
                   store_->ListIndex({partition}, kByCaseIndex, case_id,
                                     page_size, page_token));
  storage::Page<Referral> page;
  for (const storage::IndexEntry& entry : ids.entries) {
    ASSIGN_OR_RETURN(Referral referral, Get(partition, case_id, entry.id));
    page.items.push_back(std::move(referral));
  }
  page.next_page_token = std::move(ids.next_page_token);
  return page;
}

absl::StatusOr<storage::Page<Referral>> ReferralStore::ListForOrganization(
    absl::string_view organization_id,
    const std::vector<homeward::v1::ReferralStatus>& statuses, int page_size,
    absl::string_view page_token) const {
  storage::Page<Referral> page;
  ASSIGN_OR_RETURN(page.next_page_token,
                   VisitForOrganization(
                       organization_id, statuses, page_size, page_token,
                       [&](const Referral& r) { page.items.push_back(r); }));
  return page;
}

absl::StatusOr<std::string> ReferralStore::VisitForOrganization(
    absl::string_view organization_id,
    const std::vector<homeward::v1::ReferralStatus>& statuses, int page_size,
    absl::string_view page_token,
    const std::function<void(const Referral&)>& visit) const {
  // The open ones have an index of their own (the usual inbox); any other
  // status is read from every referral sent to the organization.
  const bool open_only =
      std::all_of(statuses.begin(), statuses.end(), IsOpenForPerformer);
  const char* index = open_only ? kInboxIndex : kByOrganizationIndex;
  ASSIGN_OR_RETURN(storage::IndexPage ids,
                   store_->ListIndex(owned_->partitions(), index,
                                     organization_id, page_size, page_token));
  // One record message for the whole page: each read reuses what the one
  // before allocated.
  ReferralRecord record;
  for (const storage::IndexEntry& entry : ids.entries) {
    uint64_t version = 0;
    ASSIGN_OR_RETURN(
        bool found,
        store_->GetRecord(entry.partition, kKind, entry.id, &record, &version));
    Referral& referral = *record.mutable_referral();
    if (!found || referral.organization_id() != organization_id) continue;
    const bool wanted = statuses.empty()
                            ? IsOpenForPerformer(referral.status())
                            : std::find(statuses.begin(), statuses.end(),
                                        referral.status()) != statuses.end();
    if (!wanted) continue;
    referral.set_etag(api::EtagOf(version));
    visit(referral);
  }
  return std::move(ids.next_page_token);
}

absl::Status ReferralStore::VisitAll(
    const std::function<void(const Referral&)>& visit) const {
  constexpr int kIdsPerRead = 500;
  ReferralRecord record;
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        storage::IndexPage ids,
        store_->ListRecordIds(owned_->partitions(), kKind, kIdsPerRead, token));
    for (const storage::IndexEntry& entry : ids.entries) {
      ASSIGN_OR_RETURN(bool found,
                       store_->GetRecord(entry.partition, kKind, entry.id,
                                         &record, nullptr));
      if (found) visit(record.referral());
    }
    token = std::move(ids.next_page_token);
  } while (!token.empty());
  return absl::OkStatus();
}

absl::StatusOr<ReferralStore::Prepared> ReferralStore::PrepareChange(
    const service::Actor& actor, const Referral& current, Referral next) const {
  ASSIGN_OR_RETURN(uint64_t version, api::ParseEtag(current.etag(), "etag"));
  const uint32_t partition =
      storage::PartitionOf(current.case_id(), owned_->count());
  // Identity and creation stay as stored.
  next.set_referral_id(current.referral_id());
  next.set_case_id(current.case_id());
  *next.mutable_create_time() = current.create_time();
  *next.mutable_update_time() = storage::NowTimestamp();
  next.clear_etag();

  Prepared prepared;
  storage::WriteSet& set = prepared.set;
  set.ExpectVersion(partition, kKind, current.referral_id(), version)
      .PutRecord(partition, kKind, current.referral_id(), version + 1,
                 RecordOf(next));
  // `current` as read (its etag aside, which no index entry holds).
  UpdateReferralIndexes(partition, &current, &next, set);
  if (next.status() != current.status()) {
    set.AppendEvent(StatusChanged(actor, partition, next, current.status()));
  }
  set.Audit(service::AuditEntryFor(actor, current.case_id()));
  next.set_etag(api::EtagOf(version + 1));
  prepared.referral = std::move(next);
  return prepared;
}

absl::Status ReferralStore::ChangeAsync(const service::Actor& actor,
                                        const Referral& current, Referral next,
                                        const std::string& etag,
                                        service::WriteDone<Referral> done) {
  RETURN_IF_ERROR(api::ParseEtag(etag, "etag").status());
  if (etag != current.etag()) {
    return errors::EtagMismatch("referral", current.referral_id(), etag,
                                current.etag());
  }
  ASSIGN_OR_RETURN(Prepared prepared,
                   PrepareChange(actor, current, std::move(next)));
  const std::string referral_id = current.referral_id();
  store_->CommitAsync(
      std::move(prepared.set),
      [referral = std::move(prepared.referral), referral_id,
       done = std::move(done)](
          absl::StatusOr<storage::CommitResult> result) mutable {
        if (!result.ok()) {
          // Another write came between the read and the commit.
          if (absl::IsAborted(result.status())) {
            return done(errors::ConcurrentChange(
                absl::StrCat("referral ", referral_id,
                             " changed meanwhile; read it again and retry")));
          }
          return done(result.status());
        }
        done(std::move(referral));
      });
  return absl::OkStatus();
}

absl::StatusOr<Referral> ReferralStore::Change(const service::Actor& actor,
                                               const Referral& current,
                                               Referral next,
                                               const std::string& etag) {
  RETURN_IF_ERROR(api::ParseEtag(etag, "etag").status());
  if (etag != current.etag()) {
    return errors::EtagMismatch("referral", current.referral_id(), etag,
                                current.etag());
  }
  ASSIGN_OR_RETURN(Prepared prepared,
                   PrepareChange(actor, current, std::move(next)));
  RETURN_IF_ERROR(store_->Commit(std::move(prepared.set)).status());
  return std::move(prepared.referral);
}

absl::Status ReferralStore::LostClaim(uint32_t partition,
                                      const std::string& case_id,
                                      const std::string& referral_id) const {
  absl::StatusOr<Referral> now = Get(partition, case_id, referral_id);
  if (!now.ok()) return now.status();
  absl::Status claimable = CheckReferralClaim(*now);
  if (!claimable.ok()) return claimable;
  return errors::ConcurrentChange(absl::StrCat(
      "referral ", referral_id, " changed meanwhile; claim it again"));
}

absl::Status ReferralStore::ClaimAsync(const service::Actor& actor,
                                       const Referral& current,
                                       const std::string& performer_id,
                                       service::WriteDone<Referral> done) {
  RETURN_IF_ERROR(CheckReferralClaim(current));
  Referral next = current;
  next.set_performer_id(performer_id);
  ASSIGN_OR_RETURN(Prepared prepared,
                   PrepareChange(actor, current, std::move(next)));
  const uint32_t partition =
      storage::PartitionOf(current.case_id(), owned_->count());
  store_->CommitAsync(
      std::move(prepared.set),
      [this, partition, case_id = current.case_id(),
       referral_id = current.referral_id(),
       referral = std::move(prepared.referral), done = std::move(done)](
          absl::StatusOr<storage::CommitResult> result) mutable {
        if (absl::IsAborted(result.status())) {
          // Another claim (or change) committed first: the answer is what
          // the referral holds now. A read, never a write, on this thread.
          return done(LostClaim(partition, case_id, referral_id));
        }
        if (!result.ok()) return done(result.status());
        done(std::move(referral));
      });
  return absl::OkStatus();
}

absl::StatusOr<ReferralStore::OverduePage> ReferralStore::ListOverdue(
    absl::string_view index, absl::string_view queue,
    absl::string_view organization_id, absl::CivilDay as_of, int page_size,
    absl::string_view page_token) const {
  OverduePage page;
  int read = 0;
  std::string token(page_token);
  // Each round asks for no more entries than the page still holds, so that
  // the store's token continues right after the last entry visited.
  while (static_cast<int>(page.items.size()) < page_size &&
         read < kMaxEntriesPerCall) {
    const int want = std::min(page_size - static_cast<int>(page.items.size()),
                              kMaxEntriesPerCall - read);
    ASSIGN_OR_RETURN(
        storage::IndexPage ids,
        store_->ListIndex(owned_->partitions(), index, queue, want, token));
    for (const storage::IndexEntry& e : ids.entries) {
      ++read;
      QueueEntry entry;
      if (!ParseQueueEntryId(e.id, &entry)) continue;
      if (entry.due >= as_of) continue;
      absl::StatusOr<Referral> referral =
          Get(e.partition, entry.case_id, entry.referral_id);
      // Entries change with their record in one commit; a missing record
      // would be damage, which a listing skips rather than fails on.
      if (absl::IsNotFound(referral.status())) continue;
      RETURN_IF_ERROR(referral.status());
      if (!organization_id.empty() &&
          referral->organization_id() != organization_id) {
        continue;
      }
      page.items.push_back({entry.due, *std::move(referral)});
    }
    token = std::move(ids.next_page_token);
    if (token.empty()) break;
  }
  page.next_page_token = std::move(token);
  return page;
}

void ReferralStore::AuditRead(const service::Actor& actor,
                              absl::string_view case_id) {
  store_->AuditRead(service::AuditEntryFor(actor, case_id));
}

}  // namespace homeward::referral
