// The referral service's storage of referrals: one "referral" record
// (ReferralRecord, referral_storage.proto) per referral, keyed by its id, in
// its case's partition, whose store version is the referral's etag; the
// indexes of referral_indexes.h kept in the same WriteSet. Every write
// checks the version it read (ABORTED when another write came first,
// nothing written) and commits the record, the index changes, a
// ReferralStatusChanged event when the status moved (creation included; the
// referral without its summary, subject the case) and an audit entry
// together.
//
// The store decides nothing about the loop: the rules in
// referral_transitions.h say which move is allowed; the store writes the
// result.
//
//   ReferralStore referrals(store, &owned);
//   referrals.CreateAsync(actor, partition, request_id, referral, done);
//   ASSIGN_OR_RETURN(Referral r, referrals.Get(partition, case_id, id));
//   ASSIGN_OR_RETURN(Referral next, MoveReferral(r, move));
//   RETURN_IF_ERROR(referrals.ChangeAsync(actor, r, next, etag, done));
#ifndef HOMEWARD_SERVICES_REFERRAL_REFERRAL_STORE_H_
#define HOMEWARD_SERVICES_REFERRAL_REFERRAL_STORE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/service/actor.h"
#include "common/storage/page.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "common/storage/write_set.h"
#include "homeward/v1/referral.pb.h"

namespace homeward::referral {

class ReferralStore {
 public:
  static constexpr char kKind[] = "referral";
  // The most queue entries one overdue listing reads.
  static constexpr int kMaxEntriesPerCall = 5000;

  // Neither owned; both must outlive this. `owned`: this replica's
  // partitions (the inbox and queues list over them).
  ReferralStore(storage::Store* store, const storage::PartitionSet* owned)
      : store_(store), owned_(owned) {}

  // Stores `referral` as the handler built it (case, link, service,
  // organization, office, purpose, urgency, dates, summary, performer,
  // consent basis, requested_by, status DRAFT or REQUESTED): a new
  // referral_id, one history entry (the creation, side REQUESTER), create
  // and update times. A non-empty `request_id` makes the create idempotent
  // per case: a retry answers the referral as it is now and writes nothing.
  // `audit_reason` goes into the audit entry (a consent override's reason).
  void CreateAsync(const service::Actor& actor, uint32_t partition,
                   const std::string& request_id,
                   homeward::v1::Referral referral,
                   const std::string& audit_reason,
                   service::WriteDone<homeward::v1::Referral> done);
  absl::StatusOr<homeward::v1::Referral> Create(
      const service::Actor& actor, uint32_t partition,
      const std::string& request_id, homeward::v1::Referral referral,
      const std::string& audit_reason = "");

  // The referral with its etag; NOT_FOUND (naming referral_id) when there
  // is none of that case.
  absl::StatusOr<homeward::v1::Referral> Get(
      uint32_t partition, absl::string_view case_id,
      absl::string_view referral_id) const;

  // The same, finding the partition from the case id: FAILED_PRECONDITION
  // (PARTITION_NOT_OWNED) when it is not this replica's.
  absl::StatusOr<homeward::v1::Referral> Get(
      absl::string_view case_id, absl::string_view referral_id) const;

  // The case's referrals, oldest first.
  absl::StatusOr<storage::Page<homeward::v1::Referral>> ListByCase(
      uint32_t partition, absl::string_view case_id, int page_size,
      absl::string_view page_token) const;

  // The referrals sent to `organization_id` over this replica's partitions
  // whose status is in `statuses` (empty: those open for the performer),
  // oldest first per partition. A page may be short and still have a token.
  absl::StatusOr<storage::Page<homeward::v1::Referral>> ListForOrganization(
      absl::string_view organization_id,
      const std::vector<homeward::v1::ReferralStatus>& statuses, int page_size,
      absl::string_view page_token) const;
  // The same page, each referral handed to `visit` as read (valid only
  // during the call: one message is reused for the whole page) instead of
  // collected; the page's next token.
  absl::StatusOr<std::string> VisitForOrganization(
      absl::string_view organization_id,
      const std::vector<homeward::v1::ReferralStatus>& statuses, int page_size,
      absl::string_view page_token,
      const std::function<void(const homeward::v1::Referral&)>& visit) const;

  // The write that replaces `current` (as read, with its etag) with `next`:
  // the record at the next version (expecting the read one), the index
  // changes, a ReferralStatusChanged when the status differs, and an audit
  // entry by `actor`. `next` comes back with its new etag. For the feed
  // consumer, which commits several such writes with its cursor.
  struct Prepared {
    storage::WriteSet set;
    homeward::v1::Referral referral;
  };
  absl::StatusOr<Prepared> PrepareChange(const service::Actor& actor,
                                         const homeward::v1::Referral& current,
                                         homeward::v1::Referral next) const;

  // PrepareChange committed, if `etag` is current's etag (ABORTED naming
  // both otherwise, at once, `done` not called). `done` gets `next` with
  // its new etag once durable, or the commit's error (ABORTED when another
  // write came first).
  absl::Status ChangeAsync(const service::Actor& actor,
                           const homeward::v1::Referral& current,
                           homeward::v1::Referral next, const std::string& etag,
                           service::WriteDone<homeward::v1::Referral> done);
  absl::StatusOr<homeward::v1::Referral> Change(
      const service::Actor& actor, const homeward::v1::Referral& current,
      homeward::v1::Referral next, const std::string& etag);

  // Names `performer_id` the performer of `current` (as read) if it has
  // none: CheckReferralClaim first; exactly one of concurrent claims
  // commits (the write expects the version read), the others re-read and
  // get FAILED_PRECONDITION (ALREADY_CLAIMED). No status changes, so no
  // event; an audit entry.
  absl::Status ClaimAsync(const service::Actor& actor,
                          const homeward::v1::Referral& current,
                          const std::string& performer_id,
                          service::WriteDone<homeward::v1::Referral> done);

  // A page of one overdue queue: the index value (OfficeQueue or
  // OrganizationQueue) of `index` (kAwaitingResponseIndex or
  // kAwaitingCompletionIndex), entries due before `as_of`, each with its
  // referral; `organization_id` non-empty keeps only that organization's.
  struct OverdueItem {
    absl::CivilDay due;
    homeward::v1::Referral referral;
  };
  struct OverduePage {
    std::vector<OverdueItem> items;
    std::string next_page_token;
  };
  absl::StatusOr<OverduePage> ListOverdue(absl::string_view index,
                                          absl::string_view queue,
                                          absl::string_view organization_id,
                                          absl::CivilDay as_of, int page_size,
                                          absl::string_view page_token) const;

  // Every referral of this replica's partitions, each handed to `visit` as
  // read (valid only during the call: one message is reused). A full scan,
  // read a page of ids at a time: for an aggregate report (the programme
  // indicators, referral_indicators.h), never for a list a caller pages.
  // No office index exists for every referral (only for the overdue
  // queues), and an office's referrals are spread over every partition.
  absl::Status VisitAll(
      const std::function<void(const homeward::v1::Referral&)>& visit) const;

  // Records in the audit trail that `actor` read the case's referrals.
  void AuditRead(const service::Actor& actor, absl::string_view case_id);

 private:
  // Reads by id; false when missing.
  absl::StatusOr<bool> Read(uint32_t partition, absl::string_view referral_id,
                            homeward::v1::Referral* out,
                            uint64_t* version) const;
  storage::WriteSet PrepareCreate(const service::Actor& actor,
                                  uint32_t partition,
                                  const std::string& request_id,
                                  const std::string& audit_reason,
                                  homeward::v1::Referral& referral) const;
  absl::StatusOr<homeward::v1::Referral> Created(
      uint32_t partition, homeward::v1::Referral referral,
      absl::StatusOr<storage::CommitResult> result) const;
  // What a claim that lost the commit answers: ALREADY_CLAIMED when the
  // referral has a performer now, ABORTED (retry) otherwise.
  absl::Status LostClaim(uint32_t partition, const std::string& case_id,
                         const std::string& referral_id) const;

  storage::Store* store_;
  const storage::PartitionSet* owned_;
};

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_REFERRAL_STORE_H_
