// The follow-up service's indicator counts (follow_up_indicators.h), one
// record at a time with hand-checked cells. The period is March 2026, both
// days included, counted as of 15 April 2026.
#include "services/follow_up/follow_up_indicators.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/follow_up/closure_rules.h"

namespace homeward::follow_up {
namespace {

using homeward::v1::Closure;
using homeward::v1::FollowUpContact;

const indicators::IndicatorPeriod kMarch{absl::CivilDay(2026, 3, 1),
                                         absl::CivilDay(2026, 3, 31),
                                         absl::CivilDay(2026, 4, 15)};
constexpr char kOffice[] = "office-dakar";

homeward::v1::Date Day(int month, int day) {
  homeward::v1::Date d;
  d.set_year(2026);
  d.set_month(month);
  d.set_day(day);
  return d;
}

google::protobuf::Timestamp At(int month, int day, int hour, int minute = 0,
                               int second = 0) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(2026, month, day, hour, minute, second),
                      absl::UTCTimeZone())));
  return t;
}

FollowUpContact Done(homeward::v1::Date on,
                     const std::string& office = kOffice) {
  FollowUpContact c;
  c.set_office_id(office);
  c.set_status(homeward::v1::FOLLOW_UP_CONTACT_STATUS_DONE);
  *c.mutable_due_date() = Day(1, 1);
  *c.mutable_contact_date() = on;
  return c;
}

FollowUpContact Missed(homeward::v1::Date attempted) {
  FollowUpContact c;
  c.set_office_id(kOffice);
  c.set_status(homeward::v1::FOLLOW_UP_CONTACT_STATUS_MISSED);
  *c.mutable_due_date() = Day(1, 1);
  *c.mutable_missed()->mutable_attempted_date() = attempted;
  return c;
}

FollowUpContact WithStatus(homeward::v1::FollowUpContactStatus status,
                           homeward::v1::Date due,
                           const std::string& office = kOffice) {
  FollowUpContact c;
  c.set_office_id(office);
  c.set_status(status);
  *c.mutable_due_date() = due;
  return c;
}

struct Step {
  homeward::v1::ClosureStatus status;
  google::protobuf::Timestamp time;
};

Closure ClosureOf(homeward::v1::ClosureReason reason,
                  const std::vector<Step>& steps,
                  const std::string& office = kOffice) {
  Closure c;
  c.set_office_id(office);
  c.set_reason(reason);
  c.set_kind(ClosureKindOf(reason));
  for (const Step& s : steps) {
    c.set_status(s.status);
    auto* change = c.add_history();
    change->set_status(s.status);
    *change->mutable_time() = s.time;
  }
  return c;
}

// The records of one case and the cells they make, as "table/row/column"
// -> count; every other cell must be 0.
struct Case {
  const char* name;
  std::vector<FollowUpContact> recorded;
  std::vector<FollowUpContact> scheduled;  // as the due list hands them
  std::vector<Closure> closures;
  std::map<std::string, int64_t> counts;
};

std::map<std::string, int64_t> Zeros() {
  std::map<std::string, int64_t> zeros;
  for (const char* column : {"done", "missed", "overdue_now"}) {
    zeros[absl::StrCat("follow_ups/ALL/", column)] = 0;
  }
  for (const char* row :
       {"CLOSURE_REASON_SUPPORT_COMPLETED", "CLOSURE_REASON_NO_LONGER_ELIGIBLE",
        "CLOSURE_REASON_CHOSE_TO_STOP", "CLOSURE_REASON_MOVED_AWAY",
        "CLOSURE_REASON_RE_MIGRATED", "CLOSURE_REASON_DIED",
        "CLOSURE_REASON_LOST_CONTACT", "CLOSURE_REASON_TRANSFERRED",
        "CLOSURE_REASON_INVOLUNTARY_FUNDING",
        "CLOSURE_REASON_INVOLUNTARY_SECURITY"}) {
    for (const char* column : {"closed", "planned", "unplanned"}) {
      zeros[absl::StrCat("closures/", row, "/", column)] = 0;
    }
  }
  return zeros;
}

std::map<std::string, int64_t> CountAll(const Case& c) {
  indicators::IndicatorCells cells;
  AddFollowUpIndicatorRows(cells);
  for (const auto& contact : c.recorded) {
    CountRecordedContact(contact, kOffice, kMarch, cells);
  }
  for (const auto& contact : c.scheduled) {
    CountOverdueContact(contact, kOffice, kMarch, cells);
  }
  for (const auto& closure : c.closures) {
    CountClosure(closure, kOffice, kMarch, cells);
  }
  std::map<std::string, int64_t> counts;
  const homeward::internal::v1::IndicatorPart part = cells.ToPart();
  for (const auto& cell : part.cells()) {
    EXPECT_TRUE(cell.has_count()) << cell.ShortDebugString();
    counts[absl::StrCat(cell.table(), "/", cell.row(), "/", cell.column())] =
        cell.count();
  }
  return counts;
}

TEST(FollowUpIndicatorsTest, EachRecordCountsByItsDay) {
  using homeward::v1::CLOSURE_STATUS_CLOSED;
  using homeward::v1::CLOSURE_STATUS_DECLINED;
  using homeward::v1::CLOSURE_STATUS_PENDING_APPROVAL;
  using homeward::v1::CLOSURE_STATUS_REOPENED;
  const Case cases[] = {
      {"done on the first and last days",
       {Done(Day(3, 1)), Done(Day(3, 31))},
       {},
       {},
       {{"follow_ups/ALL/done", 2}}},
      {"done just outside", {Done(Day(2, 28)), Done(Day(4, 1))}, {}, {}, {}},
      {"done in another office",
       {Done(Day(3, 10), "office-thies")},
       {},
       {},
       {}},
      {"missed in, missed after",
       {Missed(Day(3, 12)), Missed(Day(4, 2))},
       {},
       {},
       {{"follow_ups/ALL/missed", 1}}},
      {"scheduled and cancelled contacts are not recorded ones",
       {WithStatus(homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED, Day(3, 5)),
        WithStatus(homeward::v1::FOLLOW_UP_CONTACT_STATUS_CANCELLED,
                   Day(3, 5))},
       {},
       {},
       {}},
      {"overdue: due before as_of, not on it",
       {},
       {WithStatus(homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED,
                   Day(1, 10)),
        WithStatus(homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED,
                   Day(4, 14)),
        WithStatus(homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED,
                   Day(4, 15)),
        WithStatus(homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED, Day(5, 1)),
        WithStatus(homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED, Day(2, 1),
                   "office-thies"),
        WithStatus(homeward::v1::FOLLOW_UP_CONTACT_STATUS_DONE, Day(2, 1))},
       {},
       {{"follow_ups/ALL/overdue_now", 2}}},
      {"closed by a supervisor in the period: planned",
       {},
       {},
       {ClosureOf(homeward::v1::CLOSURE_REASON_SUPPORT_COMPLETED,
                  {{CLOSURE_STATUS_CLOSED, At(3, 31, 23, 59, 59)}})},
       {{"closures/CLOSURE_REASON_SUPPORT_COMPLETED/closed", 1},
        {"closures/CLOSURE_REASON_SUPPORT_COMPLETED/planned", 1}}},
      {"asked before, approved in the period: unplanned",
       {},
       {},
       {ClosureOf(homeward::v1::CLOSURE_REASON_RE_MIGRATED,
                  {{CLOSURE_STATUS_PENDING_APPROVAL, At(2, 27, 9)},
                   {CLOSURE_STATUS_CLOSED, At(3, 1, 0)}})},
       {{"closures/CLOSURE_REASON_RE_MIGRATED/closed", 1},
        {"closures/CLOSURE_REASON_RE_MIGRATED/unplanned", 1}}},
      {"pending approval, or declined: not closed",
       {},
       {},
       {ClosureOf(homeward::v1::CLOSURE_REASON_LOST_CONTACT,
                  {{CLOSURE_STATUS_PENDING_APPROVAL, At(3, 5, 9)}}),
        ClosureOf(homeward::v1::CLOSURE_REASON_DIED,
                  {{CLOSURE_STATUS_PENDING_APPROVAL, At(3, 5, 9)},
                   {CLOSURE_STATUS_DECLINED, At(3, 6, 9)}})},
       {}},
      {"closed in the period, reopened since: still closed that day",
       {},
       {},
       {ClosureOf(homeward::v1::CLOSURE_REASON_TRANSFERRED,
                  {{CLOSURE_STATUS_CLOSED, At(3, 5, 9)},
                   {CLOSURE_STATUS_REOPENED, At(4, 5, 9)}})},
       {{"closures/CLOSURE_REASON_TRANSFERRED/closed", 1},
        {"closures/CLOSURE_REASON_TRANSFERRED/planned", 1}}},
      {"closed outside the period or in another office",
       {},
       {},
       {ClosureOf(homeward::v1::CLOSURE_REASON_MOVED_AWAY,
                  {{CLOSURE_STATUS_CLOSED, At(2, 28, 23, 59, 59)}}),
        ClosureOf(homeward::v1::CLOSURE_REASON_MOVED_AWAY,
                  {{CLOSURE_STATUS_CLOSED, At(4, 1, 0)}}),
        ClosureOf(homeward::v1::CLOSURE_REASON_MOVED_AWAY,
                  {{CLOSURE_STATUS_CLOSED, At(3, 9, 0)}}, "office-thies")},
       {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::map<std::string, int64_t> expected = Zeros();
    for (const auto& [key, n] : c.counts) expected[key] = n;
    EXPECT_EQ(CountAll(c), expected);
  }
}

}  // namespace
}  // namespace homeward::follow_up
