// The case directory; see case_directory.h.
#include "common/cases/case_directory.h"

#include "absl/strings/str_cat.h"
#include "common/api/etags.h"
#include "common/cases/case_ids.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace homeward::cases {
namespace {

using homeward::v1::Case;
using homeward::v1::Event;

}  // namespace

const Case* CarriedCase(const Event& event, absl::string_view* field) {
  switch (event.payload_case()) {
    case Event::kCaseRegistered:
      *field = "case_registered.case";
      return &event.case_registered().case_();
    case Event::kCaseUpdated:
      *field = "case_updated.case";
      return &event.case_updated().case_();
    case Event::kCaseAssigned:
      *field = "case_assigned.case";
      return event.case_assigned().has_case_() ? &event.case_assigned().case_()
                                               : nullptr;
    case Event::kCaseStageChanged:
      *field = "case_stage_changed.case";
      return &event.case_stage_changed().case_();
    case Event::kCaseAnonymised:
      *field = "case_anonymised.case";
      return &event.case_anonymised().case_();
    default:
      return nullptr;
  }
}

absl::StatusOr<storage::WriteSet> CaseDirectory::ApplyLegacyAssignment(
    const Event& event) const {
  const homeward::v1::CaseAssigned& assigned = event.case_assigned();
  storage::WriteSet set;
  if (assigned.case_id().empty()) {
    return errors::InvalidField("case_assigned.case_id",
                                "is required in a case event");
  }
  // The stored scope is the one to change only when every earlier event of
  // the partition is committed: one still in the follower's batch (an
  // update of the same case, say) would be overwritten. Refused until then;
  // the follower retries a refused event on its own, one event at a time,
  // after committing the events before it.
  ASSIGN_OR_RETURN(uint64_t applied,
                   store_->GetCursor(name_, event.partition()));
  if (applied + 1 != event.sequence()) {
    return errors::Unavailable(absl::StrCat(
        "an assignment written before assignments carried their case waits "
        "for the events before it in partition ",
        event.partition()));
  }
  CaseScope scope;
  uint64_t version = 0;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(event.partition(), kKind,
                                     assigned.case_id(), &scope, &version));
  if (!found) {
    return errors::FailedPrecondition(
        "CASE_NOT_IN_DIRECTORY", assigned.case_id(),
        "the case of an assignment is not in the directory");
  }
  if (!assigned.to_office_id().empty()) {
    scope.set_office_id(assigned.to_office_id());
  }
  scope.set_case_manager_id(assigned.to_case_manager_id());
  // An assignment writes the case's next version, as every change does.
  scope.set_version(version + 1);
  set.PutRecord(event.partition(), kKind, assigned.case_id(), version + 1,
                scope);
  return set;
}

homeward::v1::EventSelection CaseDirectory::Selection() const {
  homeward::v1::EventSelection selection;
  for (int payload :
       {Event::kCaseRegistered, Event::kCaseUpdated, Event::kCaseAssigned,
        Event::kCaseStageChanged, Event::kCaseAnonymised}) {
    selection.add_payloads(payload);
  }
  return selection;
}

absl::StatusOr<storage::WriteSet> CaseDirectory::Apply(const Event& event) {
  storage::WriteSet set;
  if (event.has_case_assigned() && !event.case_assigned().has_case_() &&
      owned_.Contains(event.partition())) {
    return ApplyLegacyAssignment(event);
  }
  absl::string_view field;
  const Case* c = CarriedCase(event, &field);
  // The follower subscribes only to owned partitions; anything else is not
  // this replica's to keep.
  if (c == nullptr || !owned_.Contains(event.partition())) return set;
  // A case event that does not carry its case cannot be applied without
  // guessing; refusing it makes the follower report it.
  if (c->case_id().empty()) {
    return errors::InvalidField(absl::StrCat(field, ".case_id"),
                                "is required in a case event");
  }
  if (storage::PartitionOf(c->case_id(), owned_.count()) != event.partition()) {
    return errors::InvalidField(
        absl::StrCat(field, ".case_id"),
        absl::StrCat("must be a case of the event's partition ",
                     event.partition()));
  }
  ASSIGN_OR_RETURN(uint64_t version,
                   api::ParseEtag(c->etag(), absl::StrCat(field, ".etag")));
  // The only reader of the stored scope is this guard, and it is safe when
  // the follower commits several events at once: within a partition events
  // come in order, so the stored scope (committed before this batch) is never
  // newer than an event not yet applied, and the batch's later puts win.
  CaseScope stored;
  uint64_t stored_version = 0;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(event.partition(), kKind, c->case_id(),
                                     &stored, &stored_version));
  if (found && stored_version >= version) return set;
  CaseScope scope = ScopeOf(*c);
  scope.set_partition(event.partition());
  scope.set_version(version);
  set.PutRecord(event.partition(), kKind, c->case_id(), version, scope);
  return set;
}

absl::StatusOr<CaseScope> CaseDirectory::Get(absl::string_view case_id) const {
  ASSIGN_OR_RETURN(uint32_t p, OwnedCasePartition(owned_, case_id));
  CaseScope scope;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(p, kKind, case_id, &scope, nullptr));
  if (!found) return errors::NotFound("case", case_id);
  return scope;
}

absl::StatusOr<CaseScope> CaseDirectory::Authorize(
    const homeward::internal::v1::Principal& principal,
    absl::string_view case_id, absl::string_view field, CaseAction action,
    const PartnerGrant* grant) const {
  RETURN_IF_ERROR(CheckCaseRole(
      principal, action,
      grant != nullptr ? PartnerAccess::kThroughGrant : PartnerAccess::kNone));
  if (case_id.empty()) return errors::InvalidField(field, "is required");
  ASSIGN_OR_RETURN(CaseScope scope, Get(case_id));
  RETURN_IF_ERROR(CheckCaseAccess(principal, scope, action, grant));
  return scope;
}

}  // namespace homeward::cases
