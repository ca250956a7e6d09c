// The planning service's overdue queues, read for ListOverduePlans and
// ListOverdueActivities: the cases of an office (and, when asked, of one case
// manager) whose plan was not approved by the programme's deadline, and the
// activities of ACTIVE plans past their due date. Ids and dates only: nothing
// about the returnee.
//
// Each queue is an index kept in the write that changes what it lists
// (plan_queue_index.h); the reader walks the replica's partitions in order,
// each oldest first, and checks every entry dated before `as_of` against the
// case's current scope, context and stored plan, so that an entry left
// behind by a race is skipped, never shown:
// - a plan is overdue when the case has no plan or its version 1 still waits
//   (PlanIsOverdue) after PlanDeadline(return date, the latest version of
//   the case's programme, highly vulnerable); a plan approved once (version
//   2 or later exists) never is. A case of no programme the catalog knows
//   gets the default deadline; a closed case is in no queue;
// - an activity is overdue when the case's ACTIVE version (the latest, or
//   during a revision the one before it) holds it PLANNED or IN_PROGRESS
//   with the entry's due date, before `as_of`.
//
// The caller checks the role (case managers and supervisors); PlanQueues
// confines the listing to one of the caller's offices (cases::ListOffice).
// Pages use the store's index token. Entries a page skips (not yet due,
// another office, stale) still cost a key read; a call reads at most
// kMaxEntriesPerCall entries and may return a short page with a token.
//
//   PlanQueues queues(store, &owned, &context, &plans, &programmes);
//   ASSIGN_OR_RETURN(ListOverduePlansResponse page,
//                    queues.OverduePlans(actor.principal, request,
//                                        api::TodayUtc()));
#ifndef HOMEWARD_SERVICES_PLANNING_PLAN_QUEUES_H_
#define HOMEWARD_SERVICES_PLANNING_PLAN_QUEUES_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/programme/programme_catalogs.h"
#include "common/storage/partitions.h"
#include "common/storage/store.h"
#include "homeward/internal/v1/principal.pb.h"
#include "homeward/v1/common.pb.h"
#include "homeward/v1/planning.pb.h"
#include "services/planning/case_context.h"
#include "services/planning/plan_queue_index.h"
#include "services/planning/plan_store.h"

namespace homeward::planning {

// The programme whose deadline a case of `programme_id` has (its latest
// version), or an empty programme (the default deadline) when the catalog
// does not know it or the case names none: a case of an unknown programme
// still shows when late. Shared by the overdue queue and the plan
// timeliness indicators (plan_indicators.h), so both use one rule.
absl::StatusOr<homeward::v1::Programme> ProgrammeForDeadline(
    const programme::ProgrammeCatalog& programmes,
    absl::string_view programme_id);

class PlanQueues {
 public:
  // The most index entries one call reads.
  static constexpr int kMaxEntriesPerCall = 5000;

  // None owned; all must outlive this. `owned`: this replica's partitions.
  PlanQueues(const storage::Store* store, const storage::PartitionSet* owned,
             const CaseContextProjection* cases, const PlanStore* plans,
             const programme::ProgrammeCatalog* programmes)
      : store_(store),
        owned_(owned),
        cases_(cases),
        plans_(plans),
        programmes_(programmes) {}

  // The overdue plans of the request's office as of request.as_of (`today`
  // when unset). INVALID_ARGUMENT for an as_of that is no calendar day, a
  // bad case_manager_id, a negative page size or a foreign page token, and
  // on office_id when the caller has several offices and names none;
  // PERMISSION_DENIED for an office not the caller's.
  absl::StatusOr<homeward::v1::ListOverduePlansResponse> OverduePlans(
      const homeward::internal::v1::Principal& principal,
      const homeward::v1::ListOverduePlansRequest& request,
      absl::CivilDay today) const;

  // The overdue activities, with the same checks.
  absl::StatusOr<homeward::v1::ListOverdueActivitiesResponse> OverdueActivities(
      const homeward::internal::v1::Principal& principal,
      const homeward::v1::ListOverdueActivitiesRequest& request,
      absl::CivilDay today) const;

 private:
  struct Query {
    std::string office_id;
    std::string case_manager_id;  // empty: every case manager
    absl::CivilDay as_of;
    int page_size = 0;
    std::string page_token;
  };
  // Checks a request's common fields.
  absl::StatusOr<Query> CheckQuery(
      const homeward::internal::v1::Principal& principal,
      absl::string_view office_id, absl::string_view case_manager_id,
      const homeward::v1::Date& as_of, bool has_as_of,
      const homeward::v1::PageRequest& page, absl::CivilDay today) const;
  // Hands each entry of `index` dated before the query's as_of, from the
  // query's token on, to `visit`, which returns whether it listed an item,
  // until the page is full, the index ends or kMaxEntriesPerCall entries
  // were read. Returns the token that continues after the last entry read.
  absl::StatusOr<std::string> Scan(
      absl::string_view index, bool with_activity, const Query& query,
      const std::function<absl::StatusOr<bool>(
          uint32_t partition, const QueueEntry& entry)>& visit) const;
  // The case's scope and context when the case is open and in the query's
  // office (and case manager); false when it is not, or no longer known.
  absl::StatusOr<bool> InQuery(uint32_t partition, absl::string_view case_id,
                               const Query& query, CaseContext* out) const;
  // The case's ACTIVE plan version; false when it has none.
  absl::StatusOr<bool> ActivePlan(uint32_t partition, absl::string_view case_id,
                                  homeward::v1::Plan* out) const;

  const storage::Store* store_;
  const storage::PartitionSet* owned_;
  const CaseContextProjection* cases_;
  const PlanStore* plans_;
  const programme::ProgrammeCatalog* programmes_;
};

}  // namespace homeward::planning

#endif  // HOMEWARD_SERVICES_PLANNING_PLAN_QUEUES_H_
