// The planning service's storage of plans: one plan per case, kept as
// numbered versions. Each version is a "plan_version" record keyed
// "<case_id>/<version>" (zero-padded so that a case's versions list in
// order through the "plan_version_by_case" index). A "plan_head" record
// keyed by the case id holds the latest version itself (reading or changing
// the current plan is one record; the latest gets its version record when
// a later version takes over), and its storage version is the plan's etag,
// so every change of the plan goes through it.
//
// The store decides nothing about the workflow: the rules in plan_workflow.h
// say which change is allowed and which events it raises; the store writes
// the result, the events and an audit entry in one WriteSet, or nothing.
//
//   PlanStore plans(store);
//   ASSIGN_OR_RETURN(Plan p, plans.Create(actor, partition, request_id,
//   draft)); ASSIGN_OR_RETURN(Plan latest, plans.Get(partition, case_id, 0));
//   latest.set_status(homeward::v1::PLAN_STATUS_AGREED);
//   ASSIGN_OR_RETURN(Plan agreed,
//                    plans.Write(actor, partition, latest, etag, {}));
#ifndef HOMEWARD_SERVICES_PLANNING_PLAN_STORE_H_
#define HOMEWARD_SERVICES_PLANNING_PLAN_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/service/actor.h"
#include "common/storage/page.h"
#include "common/storage/store.h"
#include "common/storage/write_set.h"
#include "homeward/v1/events.pb.h"
#include "homeward/v1/planning.pb.h"

namespace homeward::planning {

class PlanStore {
 public:
  explicit PlanStore(storage::Store* store) : store_(store) {}

  // Stores `plan` as version 1 of its case's plan: a new plan_id, status
  // DRAFT, every activity PLANNED, create and update times and a history
  // entry (whatever the caller put in those is replaced). A non-empty
  // `request_id` makes the call idempotent per case: repeating it returns
  // the plan's current state and writes nothing. ALREADY_EXISTS when the
  // case already has a plan. Appends PlanCreated with the plan.
  absl::StatusOr<homeward::v1::Plan> Create(const service::Actor& actor,
                                            uint32_t partition,
                                            const std::string& request_id,
                                            homeward::v1::Plan plan);

  // The same without waiting: `done` gets what Create returns, once durable,
  // on the store's completion thread.
  void CreateAsync(const service::Actor& actor, uint32_t partition,
                   const std::string& request_id, homeward::v1::Plan plan,
                   service::WriteDone<homeward::v1::Plan> done);

  // Version `version` of the case's plan (0: the latest), with the plan's
  // etag; NOT_FOUND when there is no such version.
  absl::StatusOr<homeward::v1::Plan> Get(uint32_t partition,
                                         absl::string_view case_id,
                                         int32_t version) const;
  // The same decoded into `out` (e.g. a response on the call's arena), which
  // holds something undefined after an error.
  absl::Status Get(uint32_t partition, absl::string_view case_id,
                   int32_t version, homeward::v1::Plan* out) const;

  // Versions 1 and latest of the case's plan, for reports that need both
  // the first approval and where the plan stands now: false when the case
  // has no plan; `first` and `latest` hold the same plan when it has one
  // version.
  absl::StatusOr<bool> GetFirstAndLatest(uint32_t partition,
                                         absl::string_view case_id,
                                         homeward::v1::Plan* first,
                                         homeward::v1::Plan* latest) const;

  // The version being delivered (ACTIVE) of the plan whose latest version is
  // `latest`: `latest` itself, or while a revision is prepared the version
  // it revises; nullopt when no version is ACTIVE.
  absl::StatusOr<std::optional<homeward::v1::Plan>> ActiveVersion(
      uint32_t partition, const homeward::v1::Plan& latest) const;

  // A page of the case's plan versions, oldest first, each with the plan's
  // etag.
  absl::StatusOr<storage::Page<homeward::v1::Plan>> ListVersions(
      uint32_t partition, absl::string_view case_id, int page_size,
      absl::string_view page_token) const;

  // Replaces the latest version's content with `next` (its case_id names
  // the plan; version, plan_id and create_time are kept from the stored
  // version, update_time is set) if `etag` is the plan's current etag, and
  // appends `events` (partition, subject, actor and request id filled in
  // here) and an audit entry in the same commit. ABORTED when the etag is
  // stale, NOT_FOUND when the case has no plan.
  absl::StatusOr<homeward::v1::Plan> Write(
      const service::Actor& actor, uint32_t partition, homeward::v1::Plan next,
      const std::string& etag, std::vector<homeward::v1::Event> events);

  // Stores `next` as version n+1 of the plan and makes it the latest, the
  // earlier versions staying readable as they are. The caller sets its
  // content (status, revision_reason...); plan_id and version are set here.
  // The same etag check, events and audit entry as Write.
  absl::StatusOr<homeward::v1::Plan> AddVersion(
      const service::Actor& actor, uint32_t partition, homeward::v1::Plan next,
      const std::string& etag, std::vector<homeward::v1::Event> events);

  // One change of a plan: the versions it rewrites (version 1..latest, each
  // as a whole) and at most one it adds (latest + 1, which becomes the
  // latest), with the events it raises and the queue index entries kept with
  // it (plan_queues.h), all committed together with an audit entry.
  struct Change {
    std::vector<homeward::v1::Plan> versions;
    std::vector<homeward::v1::Event> events;
    storage::WriteSet also;
    // The latest version as the caller read it (Get(..., 0), with its
    // etag), which spares reading the head again. When `versions` rewrites
    // the latest version itself, only its version and etag are used, so a
    // caller may pass just those instead of a second copy of the plan.
    std::optional<homeward::v1::Plan> read_latest;
  };
  // Applies `change` to the plan of `case_id` if `etag` is its current etag;
  // returns the latest version afterwards. Each version is written as given
  // (the caller passes versions it read: their plan_id and create_time stand;
  // a version without them takes the stored ones), with update_time now; an
  // added version gets the plan's id and create_time now. Since every write
  // moves the head, whose version the commit checks, versions are not read
  // again here. ABORTED when the etag is stale, NOT_FOUND when
  // the case has no plan or a version does not exist, INVALID_ARGUMENT for a
  // version beyond latest + 1.
  absl::StatusOr<homeward::v1::Plan> Apply(const service::Actor& actor,
                                           uint32_t partition,
                                           absl::string_view case_id,
                                           const std::string& etag,
                                           Change change);

  // For feed consumers, which return a WriteSet that the feed follower
  // commits with its cursor instead of committing themselves
  // (referral_progress.h): what Apply would commit for `change`, with the
  // same checks. The head's version is a precondition of the set, so a
  // write of the plan that lands first fails its commit (ABORTED) and the
  // follower applies the event again on the plan as it then is.
  absl::StatusOr<storage::WriteSet> PrepareChange(const service::Actor& actor,
                                                  uint32_t partition,
                                                  absl::string_view case_id,
                                                  const std::string& etag,
                                                  Change change) const;

  // The same without waiting: an error (stale etag, unreadable store...) is
  // returned at once and `done` is not called; otherwise `done` gets the
  // latest version once the change is durable, or the commit's error. `done`
  // runs on the store's completion thread: it must be quick.
  absl::Status ApplyAsync(const service::Actor& actor, uint32_t partition,
                          absl::string_view case_id, const std::string& etag,
                          Change change,
                          service::WriteDone<homeward::v1::Plan> done);

  // Records in the audit trail that `actor` read the case's plan.
  void AuditRead(const service::Actor& actor, absl::string_view case_id);

  // `plan` without the free text that may name or reach the returnee:
  // objectives, dimension summaries, activities' descriptions, responsible
  // parties, status reasons and feasibility justifications, purchases'
  // descriptions, planned referrals' organizations and purposes, coverage
  // notes' reasons, the revision reason and request reason, and status
  // changes' comments. Ids, codes, dates, costs, statuses and scores stay
  // (the indicators read them).
  static homeward::v1::Plan AnonymisedPlan(homeward::v1::Plan plan);
  // Adds to `set` the rewrite of the case's plan, head and every earlier
  // version, where it holds such text (AnonymisedPlan), each expecting the
  // version read, and one audit entry by `actor` when any changed. Nothing
  // for a case without a plan. For the assessment feed's CaseAnonymised
  // (case_context.h, docs/RETENTION.md).
  absl::Status AnonymiseCase(const service::Actor& actor, uint32_t partition,
                             absl::string_view case_id,
                             storage::WriteSet& set) const;

  // The record id of version `version` of the plan of `case_id`.
  static std::string VersionKey(absl::string_view case_id, int32_t version);

 private:
  struct Head {
    homeward::v1::Plan plan;  // the latest version, as stored
    int32_t latest = 0;       // its version number
    uint64_t revision = 0;    // the head record's storage version: the etag
  };
  // NOT_FOUND("plan", case_id) when the case has no plan.
  absl::StatusOr<Head> ReadHead(uint32_t partition,
                                absl::string_view case_id) const;
  absl::StatusOr<homeward::v1::Plan> ReadVersion(
      uint32_t partition, absl::string_view case_id, int32_t version,
      uint64_t* record_version) const;
  // Create's WriteSet; fills in `plan` as it is stored, with its etag.
  storage::WriteSet PrepareCreate(const service::Actor& actor,
                                  uint32_t partition,
                                  const std::string& request_id,
                                  homeward::v1::Plan& plan) const;
  // What Create answers once the commit of `plan` ended with `result`.
  absl::StatusOr<homeward::v1::Plan> Created(
      uint32_t partition, homeward::v1::Plan plan,
      absl::StatusOr<storage::CommitResult> result) const;
  // A change made into the WriteSet that commits it, and the latest version
  // as it will read (with its etag).
  struct Prepared {
    storage::WriteSet set;
    homeward::v1::Plan latest;
  };
  absl::StatusOr<Prepared> Prepare(const service::Actor& actor,
                                   uint32_t partition,
                                   absl::string_view case_id,
                                   const std::string& etag,
                                   Change change) const;
  // The etag check shared by the writes.
  absl::StatusOr<Head> CheckEtag(uint32_t partition, absl::string_view case_id,
                                 const std::string& etag) const;
  void AddEvents(const service::Actor& actor, uint32_t partition,
                 absl::string_view case_id,
                 std::vector<homeward::v1::Event> events,
                 storage::WriteSet& set) const;

  storage::Store* store_;
};

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_PLAN_STORE_H_
