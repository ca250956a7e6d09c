// The monitoring schedule's pure rules
// (services/follow_up/follow_up_schedule.h) with hand-checked dates: calendar
// months clamped to the month's last day (31 January + 1 month is 28 February,
// or 29 in a leap year), the cadence points of the shipped cadence, the first
// schedule from an approval day, the schedule made again on a revision (new
// points, dropped points, moved RSS, kept history) and after a reopening, and
// further attempts' ids.
#include "services/follow_up/follow_up_schedule.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/api/field_checks.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace homeward::follow_up {
namespace {

using homeward::v1::FollowUpCadence;
using homeward::v1::FollowUpContact;
using homeward::v1::FollowUpContactStatus;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr FollowUpContactStatus kScheduled =
    homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED;
constexpr FollowUpContactStatus kDone =
    homeward::v1::FOLLOW_UP_CONTACT_STATUS_DONE;
constexpr FollowUpContactStatus kMissed =
    homeward::v1::FOLLOW_UP_CONTACT_STATUS_MISSED;
constexpr FollowUpContactStatus kCancelled =
    homeward::v1::FOLLOW_UP_CONTACT_STATUS_CANCELLED;

FollowUpCadence Cadence(std::vector<int> months, std::vector<int> rss) {
  FollowUpCadence c;
  for (int m : months) c.add_months_after_return(m);
  for (int m : rss) c.add_rss_at_months(m);
  return c;
}

std::string Text(const homeward::v1::Date& d) {
  return absl::FormatCivilTime(absl::CivilDay(d.year(), d.month(), d.day()));
}

// "M03 2026-04-30 SCHEDULED rss" for compact comparisons.
std::string Describe(const FollowUpContact& c) {
  std::string s = c.contact_id() + " " + Text(c.due_date()) + " " +
                  homeward::v1::FollowUpContactStatus_Name(c.status())
                      .substr(sizeof("FOLLOW_UP_CONTACT_STATUS_") - 1);
  if (c.rss_due()) s += " rss";
  return s;
}

std::vector<std::string> Describe(const std::vector<FollowUpContact>& all) {
  std::vector<std::string> out;
  for (const auto& c : all) out.push_back(Describe(c));
  return out;
}

FollowUpContact Contact(const std::string& id, int months, absl::CivilDay due,
                        FollowUpContactStatus status, bool rss = false,
                        const std::string& attempt_of = "") {
  FollowUpContact c;
  c.set_contact_id(id);
  c.set_case_id("C1");
  c.set_months_after_return(months);
  *c.mutable_due_date() = api::ToDate(due);
  c.set_status(status);
  c.set_rss_due(rss);
  c.set_attempt_of_contact_id(attempt_of);
  return c;
}

TEST(AddMonthsClampedTest, ClampsToTheLastDayOfTheMonthReached) {
  struct Case {
    absl::CivilDay from;
    int months;
    absl::CivilDay expected;
  };
  const std::vector<Case> cases = {
      {absl::CivilDay(2026, 1, 31), 1,
       absl::CivilDay(2026, 2, 28)},  // February, common year
      {absl::CivilDay(2028, 1, 31), 1,
       absl::CivilDay(2028, 2, 29)},  // February, leap year
      {absl::CivilDay(2026, 3, 31), 1,
       absl::CivilDay(2026, 4, 30)},  // 30-day month
      {absl::CivilDay(2026, 8, 31), 6,
       absl::CivilDay(2027, 2, 28)},  // across the year end
      {absl::CivilDay(2026, 12, 31), 2,
       absl::CivilDay(2027, 2, 28)},  // December to February
      {absl::CivilDay(2026, 5, 15), 12,
       absl::CivilDay(2027, 5, 15)},  // no clamping needed
      {absl::CivilDay(2026, 1, 30), 1, absl::CivilDay(2026, 2, 28)},
      {absl::CivilDay(2026, 2, 28), 1,
       absl::CivilDay(2026, 3, 28)},  // the day kept, not month-end
      {absl::CivilDay(2026, 10, 31), 120, absl::CivilDay(2036, 10, 31)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(AddMonthsClamped(c.from, c.months), c.expected)
        << c.from << " + " << c.months;
  }
}

TEST(ContactIdsTest, CadenceAndAttemptIds) {
  EXPECT_EQ(CadenceContactId(1), "M01");
  EXPECT_EQ(CadenceContactId(12), "M12");
  EXPECT_EQ(CadenceContactId(120), "M120");
  const std::vector<std::pair<std::string, std::string>> attempts = {
      {"M03", "M03-2"},
      {"M03-2", "M03-3"},
      {"M03-9", "M03-10"},
      {"X0000018A2B3C4D5E6F", "X0000018A2B3C4D5E6F-2"},
  };
  for (const auto& [missed, next] : attempts) {
    EXPECT_EQ(NextAttemptId(missed), next) << missed;
  }
}

TEST(CadencePointsTest, ShippedCadenceFromAMonthEndReturn) {
  const std::vector<CadencePoint> points = CadencePoints(
      Cadence({1, 2, 3, 6, 9, 12}, {3, 12}), absl::CivilDay(2026, 1, 31));
  std::vector<std::string> got;
  for (const CadencePoint& p : points) {
    got.push_back(absl::StrCat(p.months_after_return, " ",
                               absl::FormatCivilTime(p.due),
                               p.rss_due ? " rss" : ""));
  }
  EXPECT_THAT(got,
              ElementsAre("1 2026-02-28", "2 2026-03-31", "3 2026-04-30 rss",
                          "6 2026-07-31", "9 2026-10-31", "12 2027-01-31 rss"));
}

TEST(CadencePointsTest, RepeatsAndNonPositiveMonthsAreLeftOut) {
  const std::vector<CadencePoint> points =
      CadencePoints(Cadence({3, 0, -1, 3, 1}, {}), absl::CivilDay(2026, 1, 15));
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].months_after_return, 1);
  EXPECT_EQ(points[1].months_after_return, 3);
}

TEST(ScheduleChangesTest, FirstScheduleLeavesOutPointsBeforeTheApprovalDay) {
  // Approved on 15 March: month 1 (28 Feb) has passed; month 2 (31 March)
  // is still ahead.
  const std::vector<FollowUpContact> changed = ScheduleChanges(
      Cadence({1, 2, 3, 6, 9, 12}, {3, 12}), absl::CivilDay(2026, 1, 31),
      absl::CivilDay(2026, 3, 15), {}, "C1");
  EXPECT_THAT(
      Describe(changed),
      ElementsAre("M02 2026-03-31 SCHEDULED", "M03 2026-04-30 SCHEDULED rss",
                  "M06 2026-07-31 SCHEDULED", "M09 2026-10-31 SCHEDULED",
                  "M12 2027-01-31 SCHEDULED rss"));
  for (const FollowUpContact& c : changed) {
    EXPECT_EQ(c.case_id(), "C1");
    EXPECT_TRUE(c.attempt_of_contact_id().empty());
  }
  EXPECT_EQ(changed[0].months_after_return(), 2);
}

TEST(ScheduleChangesTest, ApprovalOnTheDueDayStillSchedulesIt) {
  const std::vector<FollowUpContact> changed =
      ScheduleChanges(Cadence({1}, {}), absl::CivilDay(2026, 1, 31),
                      absl::CivilDay(2026, 2, 28), {}, "C1");
  EXPECT_THAT(Describe(changed), ElementsAre("M01 2026-02-28 SCHEDULED"));
}

TEST(ScheduleChangesTest, MakingTheSameScheduleAgainChangesNothing) {
  const FollowUpCadence cadence = Cadence({1, 2, 3}, {3});
  const absl::CivilDay returned(2026, 1, 31);
  std::vector<FollowUpContact> first =
      ScheduleChanges(cadence, returned, absl::CivilDay(2026, 2, 1), {}, "C1");
  EXPECT_THAT(ScheduleChanges(cadence, returned, absl::CivilDay(2026, 2, 1),
                              first, "C1"),
              IsEmpty());
}

TEST(ScheduleChangesTest, RevisionReschedulesOnlyWhatIsNotYetDone) {
  // Returned 31 January 2026; revised on 10 May 2026 to months 1, 2, 3, 4,
  // 6, 12 with an RSS at 6 and 12 (instead of 3 and 12).
  const absl::CivilDay returned(2026, 1, 31);
  const std::vector<FollowUpContact> existing = {
      Contact("M01", 1, absl::CivilDay(2026, 2, 28), kDone),
      Contact("M02", 2, absl::CivilDay(2026, 3, 31), kMissed),
      Contact("M02-2", 2, absl::CivilDay(2026, 4, 7), kScheduled, false, "M02"),
      Contact("M03", 3, absl::CivilDay(2026, 4, 30), kScheduled,
              true),  // overdue: kept
      Contact("M06", 6, absl::CivilDay(2026, 7, 31), kScheduled),
      Contact("M09", 9, absl::CivilDay(2026, 10, 31), kScheduled),
      Contact("M12", 12, absl::CivilDay(2027, 1, 31), kScheduled, true),
  };
  const std::vector<FollowUpContact> changed =
      ScheduleChanges(Cadence({1, 2, 3, 4, 6, 12}, {6, 12}), returned,
                      absl::CivilDay(2026, 5, 10), existing, "C1");
  EXPECT_THAT(Describe(changed),
              ElementsAre("M06 2026-07-31 SCHEDULED rss",  // RSS moved here
                          "M09 2026-10-31 CANCELLED",      // dropped
                          "M04 2026-05-31 SCHEDULED"));    // new point
}

TEST(ScheduleChangesTest, RevisionAfterTheReturnDateMovedTakesTheNewDates) {
  const std::vector<FollowUpContact> existing = {
      Contact("M01", 1, absl::CivilDay(2026, 2, 28), kDone),
      Contact("M03", 3, absl::CivilDay(2026, 4, 30), kScheduled, true),
  };
  // The return date is now 15 February: month 3 falls on 15 May.
  const std::vector<FollowUpContact> changed =
      ScheduleChanges(Cadence({1, 3}, {3}), absl::CivilDay(2026, 2, 15),
                      absl::CivilDay(2026, 4, 1), existing, "C1");
  EXPECT_THAT(Describe(changed), ElementsAre("M03 2026-05-15 SCHEDULED rss"));
}

TEST(ScheduleChangesTest, ReopeningSchedulesAgainOnlyWhatIsStillAhead) {
  // Month 3 missed (its next attempt set for 20 June) and the case closed
  // in May (every scheduled contact cancelled), reopened on 1 June 2026:
  // the attempt and the cadence points still ahead come back; month 2's
  // contact and month 1's attempt, whose days have passed, do not.
  const std::vector<FollowUpContact> existing = {
      Contact("M01", 1, absl::CivilDay(2026, 2, 28), kMissed),
      Contact("M01-2", 1, absl::CivilDay(2026, 3, 7), kCancelled, false, "M01"),
      Contact("M02", 2, absl::CivilDay(2026, 3, 31), kCancelled),
      Contact("M03", 3, absl::CivilDay(2026, 4, 30), kMissed, true),
      Contact("M03-2", 3, absl::CivilDay(2026, 6, 20), kCancelled, true, "M03"),
      Contact("M06", 6, absl::CivilDay(2026, 7, 31), kCancelled),
      Contact("M12", 12, absl::CivilDay(2027, 1, 31), kCancelled, true),
  };
  const std::vector<FollowUpContact> changed = ScheduleChanges(
      Cadence({1, 2, 3, 6, 12}, {3, 12}), absl::CivilDay(2026, 1, 31),
      absl::CivilDay(2026, 6, 1), existing, "C1");
  EXPECT_THAT(Describe(changed), ElementsAre("M03-2 2026-06-20 SCHEDULED rss",
                                             "M06 2026-07-31 SCHEDULED",
                                             "M12 2027-01-31 SCHEDULED rss"));
}

TEST(NextAttemptTest, KeepsTheCadencePointAndNamesTheMissedContact) {
  FollowUpContact missed =
      Contact("M03", 3, absl::CivilDay(2026, 4, 30), kMissed, /*rss=*/true);
  missed.set_office_id("office-1");
  missed.set_case_manager_id("cm-1");
  const FollowUpContact next = NextAttempt(missed, absl::CivilDay(2026, 5, 7));
  EXPECT_EQ(Describe(next), "M03-2 2026-05-07 SCHEDULED rss");
  EXPECT_EQ(next.attempt_of_contact_id(), "M03");
  EXPECT_EQ(next.months_after_return(), 3);
  EXPECT_EQ(next.case_id(), "C1");
  EXPECT_EQ(next.office_id(), "office-1");
  EXPECT_FALSE(next.has_missed());
}

}  // namespace
}  // namespace homeward::follow_up
