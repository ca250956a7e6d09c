// The planning service's own copy of what it must know about a case, kept
// from the assessment service's events (it never reads that service's
// store): the case's scope (through a composed CaseDirectory, so that "may
// this caller touch this case" is answered by the kit), its programme,
// return date and household member ids, the returnee's latest baseline RSS
// (the plan's baseline), whether the returnee's latest vulnerability
// screening says HIGH (the programme's longer plan deadline), and the case's
// needs and protection concerns with every status (coverage rules filter the
// open ones).
//
// Records, in the event's partition of the planning store:
//   "case_scope"             the directory's scope (CaseDirectory::kKind);
//   "planning_case_context"  a PlanningCaseContext per case (storage.proto);
//   "planning_case_need"     a homeward.v1.Need per (case, need id);
//   "planning_case_concern"  a homeward.v1.ProtectionConcern per (case,
//                            concern id);
// with the indexes "planning_need_by_case" and "planning_concern_by_case"
// (case id -> record id). Every record's store version is the sequence of
// the last event that wrote it: an event at or below it (redelivered) changes
// nothing, which makes Apply idempotent. Case fields also follow the
// directory's rule (only a newer case version replaces them).
//
// CaseAnonymised (the retention job, docs/RETENTION.md) removes the free
// text of every version of the case's plan (PlanStore::AnonymiseCase), in
// the WriteSet of the event; ids, codes, costs and statuses stay.
//
// The projection also keeps the overdue-plan queue "planning_awaiting_plan"
// (plan_queue_index.h): a case joins it under its return date when first
// seen, and a case event that changes the return date moves its entry. A
// case whose plan no longer waits for approval (read through PlanStore from
// the same store and partition) is not put back by such a move; the write
// that approves or cancels version 1 removes the entry (LeavePlanQueue).
//
// "Latest" baseline: an AssessmentCompleted of kind RSS, occasion BASELINE,
// about the returnee (no subject member) replaces the stored baseline when
// its assessment date is the same or later (the later event wins a tie). The
// vulnerability flag follows the same rule over the returnee's screenings
// that carry a profile. Deciding "latest" reads the stored record, so the
// projection reads its own records (only those of the event's partition).
//
//   CaseContextProjection context(store.get(), owned);
//   options.consumer = &context;  // FeedFollower of the assessment feed
//   ...
//   ASSIGN_OR_RETURN(CaseScope scope, context.Authorize(principal, id,
//                                      "case_id", CaseAction::kRead));
//   ASSIGN_OR_RETURN(CaseContext c, context.Get(scope.partition(), id));
//   if (c.context.has_baseline()) ...
#ifndef HOMEWARD_SERVICES_PLANNING_CASE_CONTEXT_H_
#define HOMEWARD_SERVICES_PLANNING_CASE_CONTEXT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/cases/case_access.h"
#include "common/cases/case_directory.h"
#include "common/cases/case_scope.h"
#include "common/feeds/event_consumer.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "common/storage/write_set.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/internal/v1/storage.pb.h"
#include "homeward/v1/events.pb.h"
#include "homeward/v1/needs.pb.h"
#include "services/planning/plan_store.h"

namespace homeward::planning {

// Everything planning knows about one case.
struct CaseContext {
  cases::CaseScope scope;  // from the case directory
  homeward::internal::v1::PlanningCaseContext context;
  // Every need and concern the feed announced, in every status, ordered by
  // id.
  std::vector<homeward::v1::Need> needs;
  std::vector<homeward::v1::ProtectionConcern> concerns;
};

class CaseContextProjection : public feeds::EventConsumer {
 public:
  static constexpr char kName[] = "planning_case_context";
  static constexpr char kContextKind[] = "planning_case_context";
  static constexpr char kNeedKind[] = "planning_case_need";
  static constexpr char kConcernKind[] = "planning_case_concern";
  static constexpr char kNeedsByCase[] = "planning_need_by_case";
  static constexpr char kConcernsByCase[] = "planning_concern_by_case";

  // Keeps the cases of `owned` (this replica's partitions) in `store`, the
  // planning service's own store. Not owned; `store` must outlive this.
  CaseContextProjection(storage::Store* store, storage::PartitionSet owned);

  std::string name() const override { return kName; }
  // The directory's change for case events, and this projection's own for
  // case events, AssessmentCompleted, NeedChanged and
  // ProtectionConcernChanged; an empty set for other events, events of
  // partitions not owned, and events already applied. INVALID_ARGUMENT for a
  // payload that lacks the ids it must carry.
  absl::StatusOr<storage::WriteSet> Apply(
      const homeward::v1::Event& event) override;
  // "Latest" and "already applied" are decided against the stored records,
  // all of the event's own partition.
  bool ReadsOwnProjection() const override { return true; }
  bool ReadsOnlyEventPartition() const override { return true; }
  // The directory's case events, assessments, needs and concerns: not
  // consent or counselling, which the plan does not depend on.
  homeward::v1::EventSelection Selection() const override;

  // What planning knows about `case_id` in `partition` (the case's
  // partition, e.g. CaseScope::partition from Authorize): NOT_FOUND when the
  // case was never seen (its registration not applied yet); INTERNAL when
  // the store cannot be read.
  absl::StatusOr<CaseContext> Get(uint32_t partition,
                                  absl::string_view case_id) const;
  // The same, finding the partition from the id: FAILED_PRECONDITION
  // (PARTITION_NOT_OWNED) when it is not this replica's.
  absl::StatusOr<CaseContext> Get(absl::string_view case_id) const;
  // The scope and context only (needs and concerns left empty), for
  // listings that read many cases and need neither.
  absl::StatusOr<CaseContext> GetScopeAndContext(
      uint32_t partition, absl::string_view case_id) const;

  // Hands the scope and context (GetScopeAndContext) of every case of
  // `office_id` this replica knows, in the partitions it owns, to `visit`
  // with the case's partition; stops at the first error `visit` returns.
  // The scopes carry no office index, so this reads every scope of the
  // owned partitions: for aggregate reports (programme indicators), not for
  // a request path.
  absl::Status ForEachCaseOfOffice(
      absl::string_view office_id,
      const std::function<absl::Status(uint32_t partition,
                                       const CaseContext& c)>& visit) const;

  // The directory's answer (CaseDirectory::Authorize).
  absl::StatusOr<cases::CaseScope> Authorize(
      const homeward::internal::v1::Principal& principal,
      absl::string_view case_id, absl::string_view field,
      cases::CaseAction action,
      const cases::PartnerGrant* grant = nullptr) const {
    return directory_.Authorize(principal, case_id, field, action, grant);
  }
  const cases::CaseDirectory& directory() const { return directory_; }

 private:
  // CaseAnonymised (docs/RETENTION.md): the free text of the case's plan
  // removed, every version (PlanStore::AnonymiseCase).
  absl::Status ApplyAnonymised(const homeward::v1::Event& event,
                               storage::WriteSet& set) const;
  absl::Status ApplyCase(const homeward::v1::Event& event,
                         storage::WriteSet& set) const;
  absl::Status ApplyAssessment(const homeward::v1::Event& event,
                               storage::WriteSet& set) const;
  absl::Status ApplyNeed(const homeward::v1::Event& event,
                         storage::WriteSet& set) const;
  absl::Status ApplyConcern(const homeward::v1::Event& event,
                            storage::WriteSet& set) const;
  // Moves the case's awaiting-plan entry from `before` to `after` (return
  // dates; nullptr when unset) when they differ, putting it back only while
  // the case's plan still waits for approval.
  absl::Status MovePlanQueueEntry(uint32_t partition, absl::string_view case_id,
                                  const homeward::v1::Date* before,
                                  const homeward::v1::Date* after,
                                  storage::WriteSet& set) const;

  storage::Store* store_;
  storage::PartitionSet owned_;
  // Read-only: whether a case's plan still waits, when its return date moves.
  PlanStore plans_;
  // Named like this consumer: its legacy-assignment path reads this
  // consumer's cursor.
  cases::CaseDirectory directory_;
};

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_CASE_CONTEXT_H_
