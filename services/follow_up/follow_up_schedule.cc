// The monitoring schedule's rules; see follow_up_schedule.h.
#include "services/follow_up/follow_up_schedule.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/api/field_checks.h"

namespace homeward::follow_up {
namespace {

using homeward::v1::FollowUpContact;

// Whether `c` is the contact of a cadence point (not a further attempt, not
// an extra contact).
bool IsCadenceContact(const FollowUpContact& c) {
  return c.months_after_return() > 0 && c.attempt_of_contact_id().empty() &&
         c.contact_id() == CadenceContactId(c.months_after_return());
}

}  // namespace

absl::CivilDay UtcDayOf(const google::protobuf::Timestamp& time) {
  return absl::ToCivilDay(absl::FromUnixSeconds(time.seconds()),
                          absl::UTCTimeZone());
}

absl::CivilDay AddMonthsClamped(absl::CivilDay day, int months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  const absl::CivilDay last = absl::CivilDay(month + 1) - 1;
  return absl::CivilDay(month.year(), month.month(),
                        std::min(day.day(), last.day()));
}

std::string CadenceContactId(int months_after_return) {
  return absl::StrFormat("M%02d", months_after_return);
}

std::string NextAttemptId(absl::string_view contact_id) {
  const size_t dash = contact_id.rfind('-');
  int attempt = 0;
  if (dash != absl::string_view::npos &&
      absl::SimpleAtoi(contact_id.substr(dash + 1), &attempt) && attempt >= 2) {
    return absl::StrCat(contact_id.substr(0, dash), "-", attempt + 1);
  }
  return absl::StrCat(contact_id, "-2");
}

std::vector<CadencePoint> CadencePoints(
    const homeward::v1::FollowUpCadence& cadence, absl::CivilDay return_day) {
  const std::set<int> rss(cadence.rss_at_months().begin(),
                          cadence.rss_at_months().end());
  std::set<int> months;
  for (int m : cadence.months_after_return()) {
    if (m > 0) months.insert(m);
  }
  std::vector<CadencePoint> points;
  for (int m : months) {
    points.push_back({m, AddMonthsClamped(return_day, m), rss.count(m) > 0});
  }
  return points;
}

std::vector<FollowUpContact> ScheduleChanges(
    const homeward::v1::FollowUpCadence& cadence, absl::CivilDay return_day,
    absl::CivilDay from_day, const std::vector<FollowUpContact>& existing,
    absl::string_view case_id) {
  std::map<int, CadencePoint> points;
  for (const CadencePoint& p : CadencePoints(cadence, return_day)) {
    points[p.months_after_return] = p;
  }
  std::vector<FollowUpContact> changed;
  std::set<int> have;
  for (const FollowUpContact& c : existing) {
    if (!IsCadenceContact(c)) {
      // A further attempt cancelled with the case (its closure) comes back
      // with it while its day is still ahead: the missed contact it tries
      // again is still not held.
      absl::CivilDay due;
      if (!c.attempt_of_contact_id().empty() &&
          c.status() == homeward::v1::FOLLOW_UP_CONTACT_STATUS_CANCELLED &&
          api::ToCivilDay(c.due_date(), &due) && due >= from_day) {
        FollowUpContact next = c;
        next.set_status(homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
        changed.push_back(std::move(next));
      }
      continue;
    }
    have.insert(c.months_after_return());
    auto point = points.find(c.months_after_return());
    const bool in_cadence =
        point != points.end() && point->second.due >= from_day;
    absl::CivilDay due;
    const bool due_later =
        api::ToCivilDay(c.due_date(), &due) && due >= from_day;
    FollowUpContact next = c;
    switch (c.status()) {
      case homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED:
        if (!due_later) continue;  // overdue before the change: kept
        if (!in_cadence) {
          next.set_status(homeward::v1::FOLLOW_UP_CONTACT_STATUS_CANCELLED);
          break;
        }
        if (api::SameDay(c.due_date(), point->second.due) &&
            c.rss_due() == point->second.rss_due) {
          continue;
        }
        *next.mutable_due_date() = api::ToDate(point->second.due);
        next.set_rss_due(point->second.rss_due);
        break;
      case homeward::v1::FOLLOW_UP_CONTACT_STATUS_CANCELLED:
        if (!in_cadence) continue;
        next.set_status(homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
        *next.mutable_due_date() = api::ToDate(point->second.due);
        next.set_rss_due(point->second.rss_due);
        break;
      default:
        continue;  // DONE, MISSED: what happened stays
    }
    changed.push_back(std::move(next));
  }
  for (const auto& [m, point] : points) {
    if (have.count(m) > 0 || point.due < from_day) continue;
    FollowUpContact c;
    c.set_contact_id(CadenceContactId(m));
    c.set_case_id(std::string(case_id));
    c.set_status(homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
    *c.mutable_due_date() = api::ToDate(point.due);
    c.set_months_after_return(m);
    c.set_rss_due(point.rss_due);
    changed.push_back(std::move(c));
  }
  return changed;
}

FollowUpContact NextAttempt(const FollowUpContact& missed, absl::CivilDay due) {
  FollowUpContact next;
  next.set_contact_id(NextAttemptId(missed.contact_id()));
  next.set_case_id(missed.case_id());
  next.set_status(homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
  *next.mutable_due_date() = api::ToDate(due);
  next.set_months_after_return(missed.months_after_return());
  next.set_rss_due(missed.rss_due());
  next.set_attempt_of_contact_id(missed.contact_id());
  next.set_office_id(missed.office_id());
  next.set_case_manager_id(missed.case_manager_id());
  next.set_partition(missed.partition());
  return next;
}

}  // namespace homeward::follow_up
