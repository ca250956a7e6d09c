// The referral service's indicator counts (referral_indicators.h), one
// referral at a time with hand-checked cells, then a few together for the
// median's inputs. The period is March 2026, both days included.
#include "services/referral/referral_indicators.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace homeward::referral {
namespace {

using homeward::v1::Referral;
using homeward::v1::ReferralDeclineReason;
using homeward::v1::ReferralStatus;
using ::testing::ElementsAre;
using ::testing::Pair;

const indicators::IndicatorPeriod kMarch{absl::CivilDay(2026, 3, 1),
                                         absl::CivilDay(2026, 3, 31),
                                         absl::CivilDay(2026, 4, 15)};
constexpr char kOffice[] = "office-dakar";

google::protobuf::Timestamp At(int month, int day, int hour, int minute = 0,
                               int second = 0) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(2026, month, day, hour, minute, second),
                      absl::UTCTimeZone())));
  return t;
}

struct Step {
  ReferralStatus status;
  google::protobuf::Timestamp time;
  ReferralDeclineReason decline_reason =
      homeward::v1::REFERRAL_DECLINE_REASON_UNSPECIFIED;
};

// A referral of `office` created at `created` (REQUESTED), then `steps`, the
// first answer (RECEIVED, ACCEPTED, REJECTED) its response time, as
// MoveReferral keeps them.
Referral Made(google::protobuf::Timestamp created,
              const std::vector<Step>& steps = {},
              const std::string& office = kOffice) {
  Referral r;
  r.set_office_id(office);
  *r.mutable_create_time() = created;
  r.set_status(homeward::v1::REFERRAL_STATUS_REQUESTED);
  auto* first = r.add_history();
  first->set_status(homeward::v1::REFERRAL_STATUS_REQUESTED);
  *first->mutable_time() = created;
  for (const Step& s : steps) {
    auto* change = r.add_history();
    change->set_status(s.status);
    *change->mutable_time() = s.time;
    change->set_decline_reason(s.decline_reason);
    r.set_status(s.status);
    if (s.status == homeward::v1::REFERRAL_STATUS_REJECTED) {
      r.set_decline_reason(s.decline_reason);
    }
    const bool answers = s.status == homeward::v1::REFERRAL_STATUS_RECEIVED ||
                         s.status == homeward::v1::REFERRAL_STATUS_ACCEPTED ||
                         s.status == homeward::v1::REFERRAL_STATUS_REJECTED;
    if (answers && !r.has_response_time()) *r.mutable_response_time() = s.time;
  }
  return r;
}

// A referral saved as a draft at `created`, then `steps` (none: never sent).
Referral Draft(google::protobuf::Timestamp created,
               const std::vector<Step>& steps = {}) {
  Referral r = Made(created, steps);
  r.mutable_history(0)->set_status(homeward::v1::REFERRAL_STATUS_DRAFT);
  if (steps.empty()) r.set_status(homeward::v1::REFERRAL_STATUS_DRAFT);
  return r;
}

// Count cells as "table/row/column" -> count; the response-time
// distribution as hours -> occurrences.
struct Counted {
  std::map<std::string, int64_t> counts;
  std::map<int64_t, int64_t> response_hours;
};

Counted CountAll(const std::vector<Referral>& referrals) {
  indicators::IndicatorCells cells;
  AddReferralIndicatorRows(cells);
  for (const Referral& r : referrals) CountReferral(r, kOffice, kMarch, cells);
  Counted out;
  const homeward::internal::v1::IndicatorPart part = cells.ToPart();
  for (const auto& cell : part.cells()) {
    const std::string key =
        absl::StrCat(cell.table(), "/", cell.row(), "/", cell.column());
    if (cell.has_count()) out.counts[key] = cell.count();
    if (cell.has_distribution()) {
      for (const auto& b : cell.distribution().buckets()) {
        out.response_hours[b.value()] += b.count();
      }
    }
  }
  return out;
}

// Every count cell the part must show, at 0.
std::map<std::string, int64_t> Zeros() {
  std::map<std::string, int64_t> zeros;
  for (const char* column :
       {"made", "accepted", "declined", "completed", "failed", "cancelled"}) {
    zeros[absl::StrCat("referrals/ALL/", column)] = 0;
  }
  for (const char* row : {"NOT_CODED", "REFERRAL_DECLINE_REASON_NOT_ELIGIBLE",
                          "REFERRAL_DECLINE_REASON_NO_CAPACITY",
                          "REFERRAL_DECLINE_REASON_OUT_OF_AREA",
                          "REFERRAL_DECLINE_REASON_SERVICE_NOT_SUITABLE",
                          "REFERRAL_DECLINE_REASON_RETURNEE_UNREACHABLE",
                          "REFERRAL_DECLINE_REASON_RETURNEE_DECLINED",
                          "REFERRAL_DECLINE_REASON_OTHER"}) {
    zeros[absl::StrCat("referral_declines/", row, "/declined")] = 0;
  }
  return zeros;
}

struct Case {
  Case(const char* name, Referral referral,
       std::map<std::string, int64_t> counts,
       std::map<int64_t, int64_t> response_hours = {})
      : name(name),
        referral(std::move(referral)),
        counts(std::move(counts)),
        response_hours(std::move(response_hours)) {}
  const char* name;
  Referral referral;
  std::map<std::string, int64_t> counts;  // the cells not 0
  std::map<int64_t, int64_t> response_hours;
};

TEST(ReferralIndicatorsTest, EachReferralCountsByTheDayOfEachEntry) {
  const Case cases[] = {
      {"created on the first day",
       Made(At(3, 1, 0)),
       {{"referrals/ALL/made", 1}}},
      {"created the second before", Made(At(2, 28, 23, 59, 59)), {}},
      {"created on the last second",
       Made(At(3, 31, 23, 59, 59)),
       {{"referrals/ALL/made", 1}}},
      {"created the day after", Made(At(4, 1, 0)), {}},
      {"a draft never sent", Draft(At(3, 5, 9)), {}},
      {"a draft of February sent in March, answered an hour later",
       Draft(At(2, 20, 9),
             {{homeward::v1::REFERRAL_STATUS_REQUESTED, At(3, 2, 9)},
              {homeward::v1::REFERRAL_STATUS_RECEIVED, At(3, 2, 10)}}),
       {{"referrals/ALL/made", 1}},
       {{1, 1}}},
      {"another office's", Made(At(3, 5, 9), {}, "office-thies"), {}},
      {"created before, answered and accepted in, completed after",
       Made(At(2, 20, 10),
            {{homeward::v1::REFERRAL_STATUS_RECEIVED, At(3, 2, 13, 30)},
             {homeward::v1::REFERRAL_STATUS_ACCEPTED, At(3, 3, 9)},
             {homeward::v1::REFERRAL_STATUS_IN_PROGRESS, At(3, 4, 9)},
             {homeward::v1::REFERRAL_STATUS_COMPLETED, At(4, 2, 9)}}),
       {{"referrals/ALL/accepted", 1}},
       // Feb 20 10:00 -> Mar 2 13:30: 10 days and 3.5 hours = 243.5 h.
       {{243, 1}}},
      {"declined with a code",
       Made(At(3, 10, 8),
            {{homeward::v1::REFERRAL_STATUS_REJECTED, At(3, 10, 9, 59, 59),
              homeward::v1::REFERRAL_DECLINE_REASON_NO_CAPACITY}}),
       {{"referrals/ALL/made", 1},
        {"referrals/ALL/declined", 1},
        {"referral_declines/REFERRAL_DECLINE_REASON_NO_CAPACITY/declined", 1}},
       {{1, 1}}},
      {"declined before codes existed",
       Made(At(1, 5, 8),
            {{homeward::v1::REFERRAL_STATUS_REJECTED, At(3, 31, 8)}}),
       {{"referrals/ALL/declined", 1},
        {"referral_declines/NOT_CODED/declined", 1}},
       // Jan 5 08:00 -> Mar 31 08:00: 26 + 28 + 31 = 85 days.
       {{85 * 24, 1}}},
      {"declined after the period",
       Made(At(3, 30, 8),
            {{homeward::v1::REFERRAL_STATUS_RECEIVED, At(3, 30, 9)},
             {homeward::v1::REFERRAL_STATUS_REJECTED, At(4, 1, 8),
              homeward::v1::REFERRAL_DECLINE_REASON_OUT_OF_AREA}}),
       {{"referrals/ALL/made", 1}},
       {{1, 1}}},
      {"answered after the period: no response time counted",
       Made(At(3, 30, 8),
            {{homeward::v1::REFERRAL_STATUS_ACCEPTED, At(4, 1, 8)}}),
       {{"referrals/ALL/made", 1}}},
      {"held, then failed",
       Made(At(2, 1, 8),
            {{homeward::v1::REFERRAL_STATUS_ACCEPTED, At(2, 2, 8)},
             {homeward::v1::REFERRAL_STATUS_IN_PROGRESS, At(2, 3, 8)},
             {homeward::v1::REFERRAL_STATUS_ON_HOLD, At(3, 3, 8)},
             {homeward::v1::REFERRAL_STATUS_FAILED, At(3, 20, 8)}}),
       {{"referrals/ALL/failed", 1}}},
      {"cancelled by the requester",
       Made(At(3, 3, 8),
            {{homeward::v1::REFERRAL_STATUS_CANCELLED, At(3, 4, 8)}}),
       {{"referrals/ALL/made", 1}, {"referrals/ALL/cancelled", 1}}},
      {"entered in error: as if never made",
       Made(At(3, 3, 8),
            {{homeward::v1::REFERRAL_STATUS_REJECTED, At(3, 4, 8),
              homeward::v1::REFERRAL_DECLINE_REASON_OTHER},
             {homeward::v1::REFERRAL_STATUS_ENTERED_IN_ERROR, At(3, 5, 8)}}),
       {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::map<std::string, int64_t> expected = Zeros();
    for (const auto& [key, n] : c.counts) expected[key] = n;
    const Counted counted = CountAll({c.referral});
    EXPECT_EQ(counted.counts, expected);
    EXPECT_EQ(counted.response_hours, c.response_hours);
  }
}

TEST(ReferralIndicatorsTest, TheMedianGetsEveryFirstAnswerOfThePeriod) {
  const Counted counted = CountAll({
      Made(At(3, 1, 0), {{homeward::v1::REFERRAL_STATUS_RECEIVED,
                          At(3, 1, 0, 59, 59)}}),  // 0 h
      Made(At(3, 1, 0),
           {{homeward::v1::REFERRAL_STATUS_ACCEPTED, At(3, 1, 1)}}),  // 1 h
      Made(At(3, 2, 12),
           {{homeward::v1::REFERRAL_STATUS_RECEIVED, At(3, 3, 12)},  // 24 h
            {homeward::v1::REFERRAL_STATUS_ACCEPTED,
             At(3, 9, 12)}}),  // a later answer: not counted
      Made(At(3, 5, 12), {{homeward::v1::REFERRAL_STATUS_REJECTED, At(3, 6, 12),
                           homeward::v1::REFERRAL_DECLINE_REASON_OTHER}}),
      // 24 h again
  });
  EXPECT_THAT(counted.response_hours,
              ElementsAre(Pair(0, 1), Pair(1, 1), Pair(24, 2)));
  EXPECT_EQ(counted.counts.at("referrals/ALL/made"), 4);
  EXPECT_EQ(counted.counts.at("referrals/ALL/accepted"), 2);
  EXPECT_EQ(counted.counts.at("referrals/ALL/declined"), 1);
  EXPECT_EQ(counted.counts.at(
                "referral_declines/REFERRAL_DECLINE_REASON_OTHER/declined"),
            1);
}

TEST(ReferralIndicatorsTest, DeclineRowsAreTheEnumNames) {
  EXPECT_EQ(DeclineReasonRow(homeward::v1::REFERRAL_DECLINE_REASON_UNSPECIFIED),
            "NOT_CODED");
  EXPECT_EQ(DeclineReasonRow(static_cast<ReferralDeclineReason>(99)),
            "NOT_CODED");
  EXPECT_EQ(
      DeclineReasonRow(homeward::v1::REFERRAL_DECLINE_REASON_RETURNEE_DECLINED),
      "REFERRAL_DECLINE_REASON_RETURNEE_DECLINED");
}

}  // namespace
}  // namespace homeward::referral
