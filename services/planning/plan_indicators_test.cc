// Table-driven tests of the plan timeliness indicator table, with values
// worked out by hand (plan_indicators.h). The example programme's deadline
// is 30 days after return, 60 for a highly vulnerable returnee.
#include "services/planning/plan_indicators.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/indicator_cells.h"

namespace homeward::planning {
namespace {

using homeward::v1::Plan;
using Cells = std::map<std::string, std::string>;

// 2026-01-01 .. 2026-03-31, as of 2026-04-15.
const indicators::IndicatorPeriod kQ1{absl::CivilDay(2026, 1, 1),
                                      absl::CivilDay(2026, 3, 31),
                                      absl::CivilDay(2026, 4, 15)};

google::protobuf::Timestamp At(int y, int m, int d, int h = 12, int mi = 0,
                               int s = 0) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(absl::FromCivil(
      absl::CivilSecond(y, m, d, h, mi, s), absl::UTCTimeZone())));
  return t;
}

homeward::v1::Programme Programme(int days, int vulnerable_days) {
  homeward::v1::Programme p;
  p.set_programme_id("sn_reintegration");
  p.set_plan_deadline_days(days);
  p.set_plan_deadline_days_vulnerable(vulnerable_days);
  return p;
}

// One case of the office and its plan versions.
struct CaseRecords {
  CaseContext context;
  std::optional<Plan> first;
  std::optional<Plan> latest;  // unset: the first is the latest
};

CaseContext Returned(std::optional<absl::CivilDay> day,
                     bool highly_vulnerable = false, bool closed = false) {
  CaseContext c;
  c.scope.set_case_id("C");
  c.scope.set_office_id("office-dakar");
  c.scope.set_closed(closed);
  c.context.set_case_id("C");
  if (day.has_value()) {
    c.context.mutable_return_date()->set_year(static_cast<int>(day->year()));
    c.context.mutable_return_date()->set_month(day->month());
    c.context.mutable_return_date()->set_day(day->day());
  }
  c.context.set_highly_vulnerable(highly_vulnerable);
  return c;
}

// Version `version` of a plan that went through `statuses`, a day apart,
// the last at `last`.
Plan Version(int version, std::vector<homeward::v1::PlanStatus> statuses,
             const google::protobuf::Timestamp& last) {
  Plan p;
  p.set_case_id("C");
  p.set_version(version);
  p.set_status(statuses.back());
  for (size_t i = 0; i < statuses.size(); ++i) {
    auto* change = p.add_history();
    change->set_status(statuses[i]);
    change->mutable_time()->set_seconds(
        last.seconds() - 86400 * static_cast<int64_t>(statuses.size() - 1 - i));
  }
  return p;
}

constexpr auto kDraft = homeward::v1::PLAN_STATUS_DRAFT;
constexpr auto kAgreed = homeward::v1::PLAN_STATUS_AGREED;
constexpr auto kSubmitted = homeward::v1::PLAN_STATUS_SUBMITTED;
constexpr auto kApproved = homeward::v1::PLAN_STATUS_APPROVED;
constexpr auto kActive = homeward::v1::PLAN_STATUS_ACTIVE;
constexpr auto kCancelled = homeward::v1::PLAN_STATUS_CANCELLED;
constexpr auto kSuperseded = homeward::v1::PLAN_STATUS_SUPERSEDED;

Plan ApprovedAt(const google::protobuf::Timestamp& t) {
  return Version(1, {kDraft, kAgreed, kSubmitted, kApproved}, t);
}

Cells Timeliness(const std::vector<CaseRecords>& cases,
                 const homeward::v1::Programme& programme) {
  indicators::IndicatorCells cells;
  StartPlanTimelinessCells(&cells);
  for (const CaseRecords& c : cases) {
    const Plan* first = c.first ? &*c.first : nullptr;
    const Plan* latest = c.latest ? &*c.latest : first;
    AddPlanTimelinessCells(c.context, first, latest, programme, kQ1, &cells);
  }
  return testing::CellsOf(cells.ToPart(), kPlanTimelinessTable);
}

// The table with the given counts and, when any plan was approved in the
// period, its days distribution and mean.
Cells Table(int approved, int within, int overdue,
            const std::string& distribution = "",
            const std::string& mean = "") {
  Cells t{{"plan_timeliness/ALL/approved", std::to_string(approved)},
          {"plan_timeliness/ALL/within_deadline", std::to_string(within)},
          {"plan_timeliness/ALL/overdue_now", std::to_string(overdue)}};
  if (!distribution.empty()) {
    t["plan_timeliness/ALL/median_days_to_approval"] = distribution;
    t["plan_timeliness/ALL/mean_days_to_approval"] = mean;
  }
  return t;
}

TEST(PlanTimelinessCells, FirstApprovalsInPeriodAgainstTheDeadline) {
  const absl::CivilDay jan1(2026, 1, 1);
  const auto programme = Programme(30, 60);
  struct Example {
    std::string name;
    std::vector<CaseRecords> cases;
    homeward::v1::Programme programme;
    Cells expected;
  } examples[] = {
      {"approved on the deadline day (30 days) is within",
       {{Returned(jan1), ApprovedAt(At(2026, 1, 31, 23, 0, 0)), {}}},
       programme,
       Table(1, 1, 0, "30:1", "30/1")},
      {"approved one day after the deadline is not",
       {{Returned(jan1), ApprovedAt(At(2026, 2, 1, 0, 0, 0)), {}}},
       programme,
       Table(1, 0, 0, "31:1", "31/1")},
      {"a highly vulnerable returnee has the programme's 60 days",
       {{Returned(jan1, true), ApprovedAt(At(2026, 2, 15)), {}}},
       programme,
       Table(1, 1, 0, "45:1", "45/1")},
      {"the same returnee not vulnerable has 30",
       {{Returned(jan1, false), ApprovedAt(At(2026, 2, 15)), {}}},
       programme,
       Table(1, 0, 0, "45:1", "45/1")},
      {"without longer days for the vulnerable the 30 days apply",
       {{Returned(jan1, true), ApprovedAt(At(2026, 2, 15)), {}}},
       Programme(30, 0),
       Table(1, 0, 0, "45:1", "45/1")},
      {"a programme without a deadline gets the default 30 days",
       {{Returned(jan1), ApprovedAt(At(2026, 1, 31)), {}},
        {Returned(jan1), ApprovedAt(At(2026, 2, 1)), {}}},
       homeward::v1::Programme(),
       Table(2, 1, 0, "30:1 31:1", "61/2")},
      {"approved the second before the period: not counted",
       {{Returned(absl::CivilDay(2025, 12, 1)),
         ApprovedAt(At(2025, 12, 31, 23, 59, 59)),
         {}}},
       programme,
       Table(0, 0, 0)},
      {"approved the period's last second: counted",
       {{Returned(absl::CivilDay(2026, 3, 21)),
         ApprovedAt(At(2026, 3, 31, 23, 59, 59)),
         {}}},
       programme,
       Table(1, 1, 0, "10:1", "10/1")},
      {"a revision approved in the period is not a first approval",
       {{Returned(absl::CivilDay(2025, 12, 1)),
         // Version 1 approved on 2025-12-26.
         Version(1,
                 {kDraft, kAgreed, kSubmitted, kApproved, kActive, kSuperseded},
                 At(2025, 12, 28)),
         Version(2, {kActive, kSubmitted, kApproved}, At(2026, 2, 1))}},
       programme,
       Table(0, 0, 0)},
      {"a first approval in the period of a plan since revised counts",
       {{Returned(jan1),
         Version(1,
                 {kDraft, kAgreed, kSubmitted, kApproved, kActive, kSuperseded},
                 At(2026, 1, 25)),
         Version(2, {kActive}, At(2026, 3, 1))}},
       programme,
       // Approved on 2026-01-23, two days before the supersession.
       Table(1, 1, 0, "22:1", "22/1")},
      {"a case whose return date is unknown counts as approved only",
       {{Returned(std::nullopt), ApprovedAt(At(2026, 2, 1)), {}}},
       programme,
       Table(1, 0, 0)},
  };
  for (const Example& e : examples) {
    EXPECT_EQ(Timeliness(e.cases, e.programme), e.expected) << e.name;
  }
}

TEST(PlanTimelinessCells, OverdueAsOfTheDayAsTheOverdueQueueSaysIt) {
  const auto programme = Programme(30, 60);
  // As of 2026-04-15: a return on 2026-03-16 has its deadline that day.
  struct Example {
    std::string name;
    CaseRecords c;
    int overdue;
  } examples[] = {
      {"no plan, deadline passed",
       {Returned(absl::CivilDay(2026, 3, 15)), {}, {}},
       1},
      {"no plan, deadline today",
       {Returned(absl::CivilDay(2026, 3, 16)), {}, {}},
       0},
      {"no plan, vulnerable: 60 days",
       {Returned(absl::CivilDay(2026, 3, 1), true), {}, {}},
       0},
      {"no plan, closed case",
       {Returned(absl::CivilDay(2026, 1, 1), false, true), {}, {}},
       0},
      {"a draft past the deadline",
       {Returned(absl::CivilDay(2026, 1, 1)),
        Version(1, {kDraft}, At(2026, 1, 5)),
        {}},
       1},
      {"a submitted plan past the deadline",
       {Returned(absl::CivilDay(2026, 1, 1)),
        Version(1, {kDraft, kAgreed, kSubmitted}, At(2026, 1, 5)),
        {}},
       1},
      {"a cancelled plan is not waiting",
       {Returned(absl::CivilDay(2026, 1, 1)),
        Version(1, {kDraft, kCancelled}, At(2026, 1, 5)),
        {}},
       0},
      {"an approved plan is not waiting, however late",
       {Returned(absl::CivilDay(2025, 1, 1)), ApprovedAt(At(2025, 6, 1)), {}},
       0},
  };
  for (const Example& e : examples) {
    const Cells cells = Timeliness({e.c}, programme);
    EXPECT_EQ(cells.at("plan_timeliness/ALL/overdue_now"),
              std::to_string(e.overdue))
        << e.name;
  }
}

TEST(PlanTimelinessCells, SeveralCasesAddUp) {
  const absl::CivilDay jan1(2026, 1, 1);
  const Cells cells =
      Timeliness({{Returned(jan1), ApprovedAt(At(2026, 1, 31)), {}},
                  {Returned(jan1), ApprovedAt(At(2026, 2, 1)), {}},
                  {Returned(jan1, true), ApprovedAt(At(2026, 2, 15)), {}},
                  {Returned(absl::CivilDay(2026, 3, 1)), {}, {}},
                  {Returned(absl::CivilDay(2026, 3, 2)),
                   Version(1, {kDraft}, At(2026, 3, 3)),
                   {}}},
                 Programme(30, 60));
  // 30 + 31 + 45 = 106 days over 3 plans; two overdue (deadlines 03-31 and
  // 04-01, as of 04-15).
  EXPECT_EQ(cells, Table(3, 2, 2, "30:1 31:1 45:1", "106/3"));
}

TEST(PlanTimelinessCells, FirstApprovalIsVersionOnesFirstApproval) {
  EXPECT_FALSE(
      FirstApproval(Version(1, {kDraft, kAgreed}, At(2026, 1, 5))).has_value());
  const auto approved = FirstApproval(ApprovedAt(At(2026, 1, 5)));
  ASSERT_TRUE(approved.has_value());
  EXPECT_EQ(approved->seconds(), At(2026, 1, 5).seconds());
}

}  // namespace
}  // namespace homeward::planning
