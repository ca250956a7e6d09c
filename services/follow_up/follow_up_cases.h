// The follow-up service's view of the assessment service's feed: for each
// case of this replica's partitions, its scope (through a composed
// CaseDirectory, so that "may this caller touch this case" is the kit's
// answer), programme, return date, household member ids, the returnee's RSS
// assessments (AssessmentCompleted of kind RSS without a subject member,
// every occasion) and its protection concerns in every status. It never
// reads the assessment store.
//
// Records, in the event's partition of the follow-up store:
//   "case_scope"            the directory's scope (CaseDirectory::kKind);
//   "follow_up_case"        a FollowUpCaseRecord per case;
//   "follow_up_concern"     a homeward.v1.ProtectionConcern per (case,
//                           concern id), listed under
//                           "follow_up_concern_by_case" (case id).
// Every record's store version is the sequence of the last event that wrote
// it: an event at or below it (redelivered) changes nothing. Case fields
// also follow the directory's rule (only a newer case version replaces
// them).
//
// CaseAnonymised (the retention job, docs/RETENTION.md) removes the free
// text of the case's contacts and closures, in the WriteSet of the event;
// codes, statuses and dates stay, so the follow-up indicators do not move.
//
// Two effects on the schedule, in the WriteSet of the case event:
// - a case whose office or case manager changes takes its SCHEDULED
//   contacts' due-list entries along (ContactStore::MoveDueEntries);
// - a case whose return date changes after its schedule was made has the
//   contacts still ahead (from the event's day) moved to the new dates
//   (ContactStore::ScheduleFrom, as a revision does);
// - a case that becomes known with a return date and a programme after its
//   plan's first approval (the planning feed came first) gets its schedule
//   now, from the approval day (plan_view.h makes it when the plan comes
//   last). The schedule record (FollowUpScheduleRecord) says which: each side
//   expects the version of the other's record it read, so that when both
//   feeds deliver at once one commit fails and its event is applied again.
//
//   FollowUpCases cases(store.get(), owned, &contacts);
//   options.consumer = &cases;  // the FeedFollower of the assessment feed
//   ASSIGN_OR_RETURN(cases::CaseScope scope,
//                    cases.Authorize(principal, id, "case_id",
//                                    cases::CaseAction::kRead));
//   ASSIGN_OR_RETURN(FollowUpCase c, cases.Get(scope.partition(), id));
#ifndef HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_CASES_H_
#define HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_CASES_H_

#include <cstdint>
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
#include "homeward/v1/events.pb.h"
#include "homeward/v1/follow_up.pb.h"
#include "services/follow_up/closure_store.h"
#include "services/follow_up/contact_store.h"
#include "services/follow_up/follow_up_case.h"

namespace homeward::follow_up {

// The record kind of the schedule record (FollowUpScheduleRecord), written
// by both views.
inline constexpr char kScheduleKind[] = "follow_up_schedule";

class FollowUpCases : public feeds::EventConsumer {
 public:
  static constexpr char kName[] = "follow_up_cases";
  static constexpr char kConcernKind[] = "follow_up_concern";
  static constexpr char kConcernsByCase[] = "follow_up_concern_by_case";

  // Keeps the cases of `owned` in `store`, the follow-up store, scheduling
  // through `contacts`. Neither owned; both must outlive this.
  FollowUpCases(storage::Store* store, storage::PartitionSet owned,
                ContactStore* contacts);

  std::string name() const override { return kName; }
  // The directory's change for case events and this view's own for case
  // events, AssessmentCompleted and ProtectionConcernChanged; an empty set
  // for other events, events of partitions not owned and events already
  // applied. INVALID_ARGUMENT for a payload that lacks the ids it must
  // carry.
  absl::StatusOr<storage::WriteSet> Apply(
      const homeward::v1::Event& event) override;
  bool ReadsOwnProjection() const override { return true; }
  bool ReadsOnlyEventPartition() const override { return true; }
  homeward::v1::EventSelection Selection() const override;

  // The directory's answer (CaseDirectory::Authorize).
  absl::StatusOr<cases::CaseScope> Authorize(
      const homeward::internal::v1::Principal& principal,
      absl::string_view case_id, absl::string_view field,
      cases::CaseAction action) const {
    return directory_.Authorize(principal, case_id, field, action);
  }
  // What the service knows about `case_id` in `partition`: NOT_FOUND when
  // the case was never seen (its registration not applied yet).
  absl::StatusOr<FollowUpCase> Get(uint32_t partition,
                                   absl::string_view case_id) const;
  // The scope and record only (no concerns), for listings.
  absl::StatusOr<FollowUpCase> GetScopeAndRecord(
      uint32_t partition, absl::string_view case_id) const;
  // The returnee's RSS points, oldest first.
  static std::vector<homeward::v1::RssPoint> RssPoints(const FollowUpCase& c) {
    return {c.record.rss_points().begin(), c.record.rss_points().end()};
  }
  const storage::PartitionSet& owned() const { return owned_; }

 private:
  absl::Status ApplyCase(const homeward::v1::Event& event,
                         const cases::CaseScope* scope_before,
                         storage::WriteSet& set) const;
  absl::Status ApplyAssessment(const homeward::v1::Event& event,
                               storage::WriteSet& set) const;
  absl::Status ApplyConcern(const homeward::v1::Event& event,
                            storage::WriteSet& set) const;
  // CaseAnonymised (docs/RETENTION.md): the free text of the case's
  // contacts and closures removed (ContactStore::AnonymiseCase,
  // ClosureStore::AnonymiseCase), and the case marked anonymised.
  absl::Status ApplyAnonymised(const homeward::v1::Event& event,
                               storage::WriteSet& set) const;

  storage::Store* store_;
  storage::PartitionSet owned_;
  ContactStore* contacts_;
  // Read-only: a closed case's schedule does not move.
  ClosureStore closures_;
  cases::CaseDirectory directory_;
};

// FAILED_PRECONDITION (CASE_ANONYMISED) once the view has applied the case's
// CaseAnonymised: for ReopenCase, the one change that would take a closed
// case out of CLOSED.
absl::Status CheckNotAnonymised(const FollowUpCase& c);

}  // namespace homeward::follow_up

#endif  // HOMEWARD_SERVICES_FOLLOW_UP_FOLLOW_UP_CASES_H_
