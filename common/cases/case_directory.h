// A service's own copy of every case's scope, kept from the assessment
// service's case events, so that a service that does not own cases
// (planning, referral, follow-up) answers "may this caller touch this case"
// locally, the way the assessment service answers it.
//
// The directory is a feed consumer (common/feeds/event_consumer.h): the feed
// follower subscribes to the assessment replicas that own this replica's
// partitions and hands each event to Apply, which turns CaseRegistered,
// CaseUpdated, CaseAssigned and CaseStageChanged into a put of the case's
// scope (record kind "case_scope", keyed by case id, in the case's partition
// of the consumer's own store) and ignores every other event. Each of those
// events carries the whole case after the change, so Apply never needs an
// earlier event's effect (ReadsOwnProjection() is false).
//
// Events come at least once and in order per partition. A scope is written
// only when the event's case version is newer than the stored one: applying
// an event twice, or an older one after a newer one, changes nothing.
//
// Until the event that registers a case has been applied, the directory does
// not know it: Get and Authorize answer NOT_FOUND, as for a case that does
// not exist. NOT_FOUND rather than UNAVAILABLE: the directory cannot tell a
// case it has not heard of yet from one that does not exist (the follower's
// lag says how far behind the feed it is), and UNAVAILABLE for every unknown
// id would have clients retry ids that will never exist. A client that
// registers a case and at once calls another service about it may see
// NOT_FOUND for the moment the feed takes, and retries. A failure to read
// the store is INTERNAL (errors::StorageError), as everywhere.
//
//   CaseDirectory directory(store.get(), owned);
//   // ...handed to the feed follower (common/feeds/) of the assessment feed.
//
//   // In a handler: the role check first, as the assessment service does,
//   // so that a caller who may never call the method learns that whatever
//   // the body; then the request's own checks; then the case.
//   RETURN_IF_ERROR(CheckCaseRole(actor.principal, CaseAction::kRead));
//   ...validate the request...
//   ASSIGN_OR_RETURN(CaseScope scope,
//                    directory.Authorize(actor.principal, request.case_id(),
//                                        "case_id", CaseAction::kRead));
//   ASSIGN_OR_RETURN(auto page, plans.List(scope, 50, ""));
#ifndef HOMEWARD_COMMON_CASES_CASE_DIRECTORY_H_
#define HOMEWARD_COMMON_CASES_CASE_DIRECTORY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/cases/case_access.h"
#include "common/cases/case_scope.h"
#include "common/feeds/event_consumer.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "common/storage/write_set.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/v1/events.pb.h"

namespace homeward::cases {

// The case a case event carries after its change (CaseRegistered,
// CaseUpdated, CaseAssigned, CaseStageChanged, CaseAnonymised) and the
// payload field holding
// it; nullptr for other events and for an assignment written before
// assignments carried their case.
const homeward::v1::Case* CarriedCase(const homeward::v1::Event& event,
                                      absl::string_view* field);

class CaseDirectory : public feeds::EventConsumer {
 public:
  // The record kind of the scopes in the consumer's store.
  static constexpr char kKind[] = "case_scope";
  static constexpr char kDefaultName[] = "case_directory";

  // Keeps the scopes of the cases in `owned` (the partitions this replica
  // owns, out of the deployment's partition count) in `store`, the
  // consuming service's own store. `name` names the cursors.
  CaseDirectory(storage::Store* store, storage::PartitionSet owned,
                std::string name = kDefaultName)
      : store_(store), owned_(std::move(owned)), name_(std::move(name)) {}

  std::string name() const override { return name_; }
  // The put of the case's scope for CaseRegistered, CaseUpdated,
  // CaseAssigned and CaseStageChanged when the event's case is newer than
  // the stored scope; an empty set for any other event, an event of a partition
  // this replica does not own, or a case version already applied.
  // INVALID_ARGUMENT for a case event that does not carry the case with its
  // etag. A CaseAssigned written before it carried the case changes the stored
  // scope instead, once every earlier event of its partition is committed
  // (UNAVAILABLE until then).
  absl::StatusOr<storage::WriteSet> Apply(
      const homeward::v1::Event& event) override;
  bool ReadsOwnProjection() const override { return false; }
  // The five case events above. A consumer composing the directory adds
  // the payloads of its own to this selection.
  homeward::v1::EventSelection Selection() const override;

  // The scope of `case_id`: NOT_FOUND when the directory does not know the
  // case (it does not exist, or its registration has not been applied yet);
  // FAILED_PRECONDITION (PARTITION_NOT_OWNED) when its partition is not
  // this replica's.
  absl::StatusOr<CaseScope> Get(absl::string_view case_id) const;

  // What the assessment service answers a caller of a method about case
  // `case_id` (its `field` in the request), in the same order and with the
  // same errors: PERMISSION_DENIED when the caller's role may never perform
  // `action`, INVALID_ARGUMENT on `field` when the id is empty, then Get's
  // errors, then PERMISSION_DENIED when the caller may not perform `action`
  // on this case. `grant` is what the calling service has shared the case
  // with (case_access.h); nullptr when it shares nothing with partner
  // agencies, as the assessment service.
  absl::StatusOr<CaseScope> Authorize(
      const homeward::internal::v1::Principal& principal,
      absl::string_view case_id, absl::string_view field, CaseAction action,
      const PartnerGrant* grant = nullptr) const;

 private:
  // A CaseAssigned written before the event carried the case (an older data
  // directory's feed): the stored scope with the new office and manager, at
  // the case's next version. It reads the stored scope, so it is refused
  // (and retried) until every earlier event of its partition is committed.
  absl::StatusOr<storage::WriteSet> ApplyLegacyAssignment(
      const homeward::v1::Event& event) const;
  storage::Store* store_;
  storage::PartitionSet owned_;
  std::string name_;
};

}  // namespace homeward::cases

#endif  // HOMEWARD_COMMON_CASES_CASE_DIRECTORY_H_
