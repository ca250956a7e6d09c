// The overdue queues' indexes; see plan_queue_index.h.
#include "services/planning/plan_queue_index.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/api/field_checks.h"

namespace homeward::planning {
namespace {

using homeward::v1::Date;
using homeward::v1::Plan;

constexpr size_t kDateWidth = 10;  // YYYY-MM-DD

// Pads `id` with spaces to kQueueEntryWidth.
std::string Padded(std::string id) {
  if (id.size() < kQueueEntryWidth) id.resize(kQueueEntryWidth, ' ');
  return id;
}

// "YYYY-MM-DD", or empty when `date` is no calendar day (or beyond year
// 9999, which would not fit the width).
std::string DateText(const Date& date) {
  absl::CivilDay day;
  if (!api::ToCivilDay(date, &day) || day.year() < 1 || day.year() > 9999) {
    return "";
  }
  return absl::FormatCivilTime(day);
}

// The id of the entry `activity` of the ACTIVE version of the plan of
// `case_id` puts in the activity queue; empty when it puts none.
std::string ActivityEntry(absl::string_view case_id,
                          const homeward::v1::PlanActivity& activity) {
  if (activity.status() != homeward::v1::ACTIVITY_STATUS_PLANNED &&
      activity.status() != homeward::v1::ACTIVITY_STATUS_IN_PROGRESS) {
    return "";
  }
  if (!activity.has_due_date() || activity.activity_id().empty()) return "";
  return ActivityDueEntry(activity.due_date(), case_id, activity.activity_id());
}

// The ids of the entries `plan` (the ACTIVE version) puts in the activity
// queue.
std::set<std::string> ActivityEntries(const Plan* plan) {
  std::set<std::string> ids;
  if (plan == nullptr) return ids;
  for (const auto& activity : plan->activities()) {
    std::string id = ActivityEntry(plan->case_id(), activity);
    if (!id.empty()) ids.insert(std::move(id));
  }
  return ids;
}

}  // namespace

std::string AwaitingPlanEntry(const Date& return_date,
                              absl::string_view case_id) {
  std::string date = DateText(return_date);
  if (date.empty()) return "";
  return Padded(absl::StrCat(date, "/", case_id));
}

std::string ActivityDueEntry(const Date& due_date, absl::string_view case_id,
                             absl::string_view activity_id) {
  std::string date = DateText(due_date);
  if (date.empty()) return "";
  return Padded(absl::StrCat(date, "/", case_id, "/", activity_id));
}

bool ParseQueueEntry(absl::string_view id, bool with_activity,
                     QueueEntry* out) {
  id = absl::StripTrailingAsciiWhitespace(id);
  if (id.size() <= kDateWidth + 1 || id[kDateWidth] != '/') return false;
  if (!absl::ParseCivilTime(id.substr(0, kDateWidth), &out->date)) {
    return false;
  }
  absl::string_view rest = id.substr(kDateWidth + 1);
  if (!with_activity) {
    out->case_id = std::string(rest);
    out->activity_id.clear();
    return true;
  }
  // Neither identifiers nor "AC<n>" activity ids hold a '/'.
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(rest, absl::MaxSplits('/', 1));
  if (parts.first.empty() || parts.second.empty()) return false;
  out->case_id = std::string(parts.first);
  out->activity_id = std::string(parts.second);
  return true;
}

bool PlanAwaitsApproval(const Plan* latest) {
  if (latest == nullptr) return true;
  if (latest->version() > 1) return false;
  switch (latest->status()) {
    case homeward::v1::PLAN_STATUS_UNSPECIFIED:
    case homeward::v1::PLAN_STATUS_DRAFT:
    case homeward::v1::PLAN_STATUS_AGREED:
    case homeward::v1::PLAN_STATUS_SUBMITTED:
    case homeward::v1::PLAN_STATUS_RETURNED:
      return true;
    default:
      return false;
  }
}

void JoinPlanQueue(uint32_t partition, const Date& return_date,
                   absl::string_view case_id, storage::WriteSet& set) {
  std::string id = AwaitingPlanEntry(return_date, case_id);
  if (id.empty()) return;
  set.PutIndex(partition, kAwaitingPlanIndex, kQueueIndexValue, id);
}

void LeavePlanQueue(uint32_t partition, const Date& return_date,
                    absl::string_view case_id, storage::WriteSet& set) {
  std::string id = AwaitingPlanEntry(return_date, case_id);
  if (id.empty()) return;
  set.DeleteIndex(partition, kAwaitingPlanIndex, kQueueIndexValue, id);
}

void UpdateActivityQueue(uint32_t partition, const Plan* before,
                         const Plan* after, storage::WriteSet& set) {
  const std::set<std::string> was = ActivityEntries(before);
  const std::set<std::string> kept = ActivityEntries(after);
  for (const std::string& id : was) {
    if (kept.count(id) == 0) {
      set.DeleteIndex(partition, kActivityDueIndex, kQueueIndexValue, id);
    }
  }
  for (const std::string& id : kept) {
    if (was.count(id) == 0) {
      set.PutIndex(partition, kActivityDueIndex, kQueueIndexValue, id);
    }
  }
}

void UpdateActivityQueueEntry(uint32_t partition, absl::string_view case_id,
                              const homeward::v1::PlanActivity& before,
                              const homeward::v1::PlanActivity& after,
                              storage::WriteSet& set) {
  const std::string was = ActivityEntry(case_id, before);
  const std::string now = ActivityEntry(case_id, after);
  if (was == now) return;
  if (!was.empty()) {
    set.DeleteIndex(partition, kActivityDueIndex, kQueueIndexValue, was);
  }
  if (!now.empty()) {
    set.PutIndex(partition, kActivityDueIndex, kQueueIndexValue, now);
  }
}

}  // namespace homeward::planning
