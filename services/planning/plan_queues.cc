// The overdue queues' reader; see plan_queues.h.
#include "services/planning/plan_queues.h"

#include <algorithm>
#include <map>
#include <utility>

#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "common/cases/case_access.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/planning/plan_checks.h"

namespace homeward::planning {
namespace {

using homeward::v1::Date;
using homeward::v1::Plan;

}  // namespace

absl::StatusOr<homeward::v1::Programme> ProgrammeForDeadline(
    const programme::ProgrammeCatalog& programmes,
    absl::string_view programme_id) {
  if (programme_id.empty()) return homeward::v1::Programme();
  absl::StatusOr<homeward::v1::Programme> programme =
      programmes.GetLatest(programme_id);
  // A programme the catalog does not know (or an id it cannot look up) sets
  // no deadline: the default applies, and the case still shows when late.
  if (absl::IsNotFound(programme.status()) ||
      absl::IsInvalidArgument(programme.status())) {
    return homeward::v1::Programme();
  }
  return programme;
}

absl::StatusOr<PlanQueues::Query> PlanQueues::CheckQuery(
    const homeward::internal::v1::Principal& principal,
    absl::string_view office_id, absl::string_view case_manager_id,
    const Date& as_of, bool has_as_of, const homeward::v1::PageRequest& page,
    absl::CivilDay today) const {
  errors::FieldViolations bad;
  Query query;
  query.as_of = today;
  if (has_as_of && api::IsSet(as_of)) {
    api::CheckDate(bad, "as_of", as_of, true, 0, &query.as_of);
  }
  api::CheckIdentifier(bad, "case_manager_id", case_manager_id,
                       /*required=*/false);
  api::CheckPageRequest(bad, page);
  RETURN_IF_ERROR(bad.ToStatus());
  ASSIGN_OR_RETURN(query.office_id, cases::ListOffice(principal, office_id));
  query.case_manager_id = std::string(case_manager_id);
  query.page_size = api::EffectivePageSize(page);
  query.page_token = page.page_token();
  return query;
}

absl::StatusOr<std::string> PlanQueues::Scan(
    absl::string_view index, bool with_activity, const Query& query,
    const std::function<absl::StatusOr<bool>(uint32_t, const QueueEntry&)>&
        visit) const {
  int listed = 0;
  int read = 0;
  std::string token = query.page_token;
  // Each round asks the store for no more entries than the page still
  // holds, so that the store's token always continues right after the last
  // entry visited.
  while (listed < query.page_size && read < kMaxEntriesPerCall) {
    const int want =
        std::min(query.page_size - listed, kMaxEntriesPerCall - read);
    ASSIGN_OR_RETURN(storage::IndexPage page,
                     store_->ListIndex(owned_->partitions(), index,
                                       kQueueIndexValue, want, token));
    for (const storage::IndexEntry& e : page.entries) {
      ++read;
      QueueEntry entry;
      // An id this version cannot read is skipped rather than failing the
      // whole queue.
      if (!ParseQueueEntry(e.id, with_activity, &entry)) continue;
      if (entry.date >= query.as_of) continue;
      ASSIGN_OR_RETURN(bool added, visit(e.partition, entry));
      if (added) ++listed;
    }
    token = std::move(page.next_page_token);
    if (token.empty()) break;
  }
  return token;
}

absl::StatusOr<bool> PlanQueues::InQuery(uint32_t partition,
                                         absl::string_view case_id,
                                         const Query& query,
                                         CaseContext* out) const {
  absl::StatusOr<CaseContext> c =
      cases_->GetScopeAndContext(partition, case_id);
  if (absl::IsNotFound(c.status())) return false;
  RETURN_IF_ERROR(c.status());
  const cases::CaseScope& scope = c->scope;
  if (scope.closed() || scope.office_id() != query.office_id) return false;
  if (!query.case_manager_id.empty() &&
      scope.case_manager_id() != query.case_manager_id) {
    return false;
  }
  *out = *std::move(c);
  return true;
}

absl::StatusOr<bool> PlanQueues::ActivePlan(uint32_t partition,
                                            absl::string_view case_id,
                                            Plan* out) const {
  absl::StatusOr<Plan> latest = plans_->Get(partition, case_id, 0);
  if (absl::IsNotFound(latest.status())) return false;
  RETURN_IF_ERROR(latest.status());
  ASSIGN_OR_RETURN(std::optional<Plan> active,
                   plans_->ActiveVersion(partition, *latest));
  if (!active.has_value()) return false;
  *out = *std::move(active);
  return true;
}

absl::StatusOr<homeward::v1::ListOverduePlansResponse> PlanQueues::OverduePlans(
    const homeward::internal::v1::Principal& principal,
    const homeward::v1::ListOverduePlansRequest& request,
    absl::CivilDay today) const {
  ASSIGN_OR_RETURN(
      Query query,
      CheckQuery(principal, request.office_id(), request.case_manager_id(),
                 request.as_of(), request.has_as_of(), request.page(), today));
  homeward::v1::ListOverduePlansResponse response;
  std::map<std::string, homeward::v1::Programme, std::less<>> programmes;
  auto visit = [&](uint32_t partition,
                   const QueueEntry& entry) -> absl::StatusOr<bool> {
    CaseContext c;
    ASSIGN_OR_RETURN(bool in_query,
                     InQuery(partition, entry.case_id, query, &c));
    if (!in_query) return false;
    // An entry under an earlier return date was left by a race; the one
    // under the current date lists the case.
    if (!api::SameDay(c.context.return_date(), entry.date)) return false;
    absl::StatusOr<Plan> latest = plans_->Get(partition, entry.case_id, 0);
    if (!latest.ok() && !absl::IsNotFound(latest.status())) {
      return latest.status();
    }
    if (!PlanAwaitsApproval(latest.ok() ? &*latest : nullptr)) return false;
    const homeward::v1::PlanStatus status =
        latest.ok() ? latest->status() : homeward::v1::PLAN_STATUS_UNSPECIFIED;
    auto known = programmes.find(c.context.programme_id());
    if (known == programmes.end()) {
      ASSIGN_OR_RETURN(
          homeward::v1::Programme programme,
          ProgrammeForDeadline(*programmes_, c.context.programme_id()));
      known = programmes.emplace(c.context.programme_id(), std::move(programme))
                  .first;
    }
    const Date deadline = PlanDeadline(c.context.return_date(), known->second,
                                       c.context.highly_vulnerable());
    if (!PlanIsOverdue(status, deadline, query.as_of)) return false;
    homeward::v1::OverduePlan& item = *response.add_plans();
    item.set_case_id(entry.case_id);
    item.set_case_manager_id(c.scope.case_manager_id());
    *item.mutable_return_date() = api::ToDate(entry.date);
    *item.mutable_deadline() = deadline;
    item.set_status(status);
    return true;
  };
  ASSIGN_OR_RETURN(std::string token,
                   Scan(kAwaitingPlanIndex, false, query, visit));
  response.set_next_page_token(std::move(token));
  return response;
}

absl::StatusOr<homeward::v1::ListOverdueActivitiesResponse>
PlanQueues::OverdueActivities(
    const homeward::internal::v1::Principal& principal,
    const homeward::v1::ListOverdueActivitiesRequest& request,
    absl::CivilDay today) const {
  ASSIGN_OR_RETURN(
      Query query,
      CheckQuery(principal, request.office_id(), request.case_manager_id(),
                 request.as_of(), request.has_as_of(), request.page(), today));
  homeward::v1::ListOverdueActivitiesResponse response;
  auto visit = [&](uint32_t partition,
                   const QueueEntry& entry) -> absl::StatusOr<bool> {
    CaseContext c;
    ASSIGN_OR_RETURN(bool in_query,
                     InQuery(partition, entry.case_id, query, &c));
    if (!in_query) return false;
    Plan active;
    ASSIGN_OR_RETURN(bool has_active,
                     ActivePlan(partition, entry.case_id, &active));
    if (!has_active) return false;
    for (const homeward::v1::PlanActivity* a :
         planning::OverdueActivities(active, query.as_of)) {
      // The activity as the ACTIVE version holds it now: an entry under
      // another due date was left by a race.
      if (a->activity_id() != entry.activity_id ||
          !api::SameDay(a->due_date(), entry.date)) {
        continue;
      }
      homeward::v1::OverdueActivity& item = *response.add_activities();
      item.set_case_id(entry.case_id);
      item.set_case_manager_id(c.scope.case_manager_id());
      item.set_activity_id(a->activity_id());
      *item.mutable_due_date() = a->due_date();
      item.set_status(a->status());
      return true;
    }
    return false;
  };
  ASSIGN_OR_RETURN(std::string token,
                   Scan(kActivityDueIndex, true, query, visit));
  response.set_next_page_token(std::move(token));
  return response;
}

}  // namespace homeward::planning
