// The follow-up service's views of the assessment, planning and referral
// feeds (services/follow_up/follow_up_cases.h, plan_view.h, referral_view.h)
// with the contact store, on a real RocksDB: events handed over as the feed
// follower would, in either order across feeds. Covers the schedule made
// from the programme's cadence whichever of "plan approved" and "case
// known" comes last, a race between the two feeds, redelivered events, the
// schedule made again on a revision, contacts cancelled with the plan,
// CancelScheduled and ScheduleFrom for closing and reopening, the delivered
// plan with its activities' statuses, referrals and the returnee's RSS
// points.
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/follow_up/closure_store.h"
#include "services/follow_up/contact_due_index.h"
#include "tests/fixtures/follow_up_parts.h"

namespace homeward::follow_up {
namespace {

using ::homeward::testing::Day;
using ::homeward::testing::DayText;
using ::homeward::testing::FollowUpTestParts;
using ::homeward::testing::IsOk;
using ::homeward::v1::FollowUpContact;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// "M03 2026-04-30 SCHEDULED rss".
std::vector<std::string> Describe(const std::vector<FollowUpContact>& all) {
  std::vector<std::string> out;
  for (const auto& c : all) {
    std::string s = c.contact_id() + " " + DayText(c.due_date()) + " " +
                    homeward::v1::FollowUpContactStatus_Name(c.status())
                        .substr(sizeof("FOLLOW_UP_CONTACT_STATUS_") - 1);
    if (c.rss_due()) s += " rss";
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> Etags(const std::vector<FollowUpContact>& all) {
  std::vector<std::string> out;
  for (const auto& c : all) out.push_back(c.etag());
  return out;
}

class FollowUpFeedTest : public ::testing::Test {
 protected:
  // The due-list entries of `list` in the case's partition, "M03 2026-04-30".
  std::vector<std::string> DueEntries(const std::string& case_id,
                                      const std::string& list) {
    std::vector<std::string> out;
    auto page = parts_.store().ListIndex(
        {FollowUpTestParts::PartitionOf(case_id)}, kDueIndex, list, 500, "");
    EXPECT_THAT(page.status(), IsOk());
    if (!page.ok()) return out;
    for (const auto& e : page->entries) {
      DueEntry entry;
      EXPECT_TRUE(ParseDueEntryId(e.id, &entry)) << e.id;
      out.push_back(entry.contact_id + " " + absl::FormatCivilTime(entry.due));
    }
    return out;
  }

  // Case C1, back on 31 January 2026 (event 1), its plan approved on 10
  // February: the cadence from month 1 (28 February) on.
  void ApproveC1() {
    ASSERT_THAT(parts_.Deliver(
                    parts_.cases(),
                    FollowUpTestParts::CaseRegistered(
                        FollowUpTestParts::CaseAt("C1", 1, Day(2026, 1, 31)))),
                IsOk());
    ASSERT_THAT(
        parts_.Deliver(parts_.plans(), FollowUpTestParts::PlanApproved(
                                           "C1", absl::CivilDay(2026, 2, 10))),
        IsOk());
  }

  FollowUpTestParts parts_;
};

TEST_F(FollowUpFeedTest, PlanApprovedAfterTheCaseSchedulesTheCadence) {
  ASSERT_THAT(
      parts_.Deliver(parts_.cases(),
                     FollowUpTestParts::CaseRegistered(
                         FollowUpTestParts::CaseAt("C1", 1, Day(2026, 1, 31)))),
      IsOk());
  EXPECT_THAT(parts_.Contacts("C1"), IsEmpty());
  ASSERT_THAT(
      parts_.Deliver(parts_.plans(), FollowUpTestParts::PlanApproved(
                                         "C1", absl::CivilDay(2026, 2, 10))),
      IsOk());
  const std::vector<FollowUpContact> contacts = parts_.Contacts("C1");
  EXPECT_THAT(
      Describe(contacts),
      ElementsAre("M01 2026-02-28 SCHEDULED", "M02 2026-03-31 SCHEDULED",
                  "M03 2026-04-30 SCHEDULED rss", "M06 2026-07-31 SCHEDULED",
                  "M09 2026-10-31 SCHEDULED", "M12 2027-01-31 SCHEDULED rss"));
  for (const FollowUpContact& c : contacts) {
    EXPECT_EQ(c.office_id(), "office-1");
    EXPECT_EQ(c.case_manager_id(), "cm-1");
    EXPECT_EQ(c.partition(), FollowUpTestParts::PartitionOf("C1"));
    EXPECT_EQ(c.etag(), "1");
  }
}

TEST_F(FollowUpFeedTest, CaseArrivingAfterTheApprovalSchedulesFromThatDay) {
  ASSERT_THAT(
      parts_.Deliver(parts_.plans(), FollowUpTestParts::PlanApproved(
                                         "C1", absl::CivilDay(2026, 3, 15))),
      IsOk());
  EXPECT_THAT(parts_.Contacts("C1"), IsEmpty());
  // Registered without a return date: nothing to count from yet.
  ASSERT_THAT(parts_.Deliver(parts_.cases(),
                             FollowUpTestParts::CaseRegistered(
                                 FollowUpTestParts::CaseAt("C1", 1, {}))),
              IsOk());
  EXPECT_THAT(parts_.Contacts("C1"), IsEmpty());
  ASSERT_THAT(
      parts_.Deliver(parts_.cases(),
                     FollowUpTestParts::CaseUpdated(
                         FollowUpTestParts::CaseAt("C1", 2, Day(2026, 1, 31)))),
      IsOk());
  // Month 1 (28 February) was before the approval day.
  EXPECT_THAT(
      Describe(parts_.Contacts("C1")),
      ElementsAre("M02 2026-03-31 SCHEDULED", "M03 2026-04-30 SCHEDULED rss",
                  "M06 2026-07-31 SCHEDULED", "M09 2026-10-31 SCHEDULED",
                  "M12 2027-01-31 SCHEDULED rss"));
  // A later case event does not schedule again.
  const std::vector<std::string> etags = Etags(parts_.Contacts("C1"));
  ASSERT_THAT(
      parts_.Deliver(parts_.cases(),
                     FollowUpTestParts::CaseUpdated(
                         FollowUpTestParts::CaseAt("C1", 3, Day(2026, 1, 31)))),
      IsOk());
  EXPECT_EQ(Etags(parts_.Contacts("C1")), etags);
}

TEST_F(FollowUpFeedTest, FeedsDeliveringAtOnceMakeOneCommitRetry) {
  // The planning view reads "case unknown", then the case commits, then the
  // planning view's commit: it must fail rather than leave the case without
  // a schedule, and the event applied again schedules.
  homeward::v1::Event approved = parts_.Sequenced(
      parts_.plans(),
      FollowUpTestParts::PlanApproved("C1", absl::CivilDay(2026, 2, 10)));
  absl::StatusOr<storage::WriteSet> stale = parts_.plans().Apply(approved);
  ASSERT_THAT(stale.status(), IsOk());
  ASSERT_THAT(
      parts_.Deliver(parts_.cases(),
                     FollowUpTestParts::CaseRegistered(
                         FollowUpTestParts::CaseAt("C1", 1, Day(2026, 1, 31)))),
      IsOk());
  EXPECT_FALSE(parts_.store().Commit(std::move(*stale)).ok());
  EXPECT_THAT(parts_.Contacts("C1"), IsEmpty());
  ASSERT_THAT(testing::ApplyAndCommit(parts_.plans(), parts_.store(), approved),
              IsOk());
  EXPECT_EQ(parts_.Contacts("C1").size(), 6u);
}

TEST_F(FollowUpFeedTest, RedeliveredEventsChangeNothing) {
  ApproveC1();
  if (HasFatalFailure()) return;
  const std::vector<std::string> etags = Etags(parts_.Contacts("C1"));
  ASSERT_THAT(parts_.Redeliver(parts_.plans()), IsOk());
  ASSERT_THAT(parts_.Redeliver(parts_.cases()), IsOk());
  EXPECT_EQ(Etags(parts_.Contacts("C1")), etags);
  // A cancellation redelivered after a revision does not undo it either.
  ASSERT_THAT(
      parts_.Deliver(parts_.plans(), FollowUpTestParts::PlanCancelled(
                                         "C1", absl::CivilDay(2026, 3, 1))),
      IsOk());
  const std::vector<std::string> cancelled = Etags(parts_.Contacts("C1"));
  ASSERT_THAT(parts_.Redeliver(parts_.plans()), IsOk());
  EXPECT_EQ(Etags(parts_.Contacts("C1")), cancelled);
}

TEST_F(FollowUpFeedTest, RevisionReschedulesFromTheProgrammesLatestCadence) {
  ApproveC1();
  if (HasFatalFailure()) return;
  // Version 2 of the programme: months 1, 2, 3, 4, 6, 12; RSS at 6 and 12.
  parts_.PublishProgramme(2, {1, 2, 3, 4, 6, 12}, {6, 12});
  ASSERT_THAT(
      parts_.Deliver(parts_.plans(), FollowUpTestParts::PlanRevised(
                                         "C1", 2, absl::CivilDay(2026, 5, 10))),
      IsOk());
  // M01..M03 were due before the revision day: kept as they were (SCHEDULED
  // here, overdue); M04 added, M06 takes the RSS, M09 cancelled.
  EXPECT_THAT(
      Describe(parts_.Contacts("C1")),
      ElementsAre("M01 2026-02-28 SCHEDULED", "M02 2026-03-31 SCHEDULED",
                  "M03 2026-04-30 SCHEDULED rss", "M04 2026-05-31 SCHEDULED",
                  "M06 2026-07-31 SCHEDULED rss", "M09 2026-10-31 CANCELLED",
                  "M12 2027-01-31 SCHEDULED rss"));
  absl::StatusOr<std::optional<homeward::v1::Plan>> delivered =
      parts_.plans().Delivered(FollowUpTestParts::PartitionOf("C1"), "C1");
  ASSERT_THAT(delivered.status(), IsOk());
  ASSERT_TRUE(delivered->has_value());
  EXPECT_EQ((*delivered)->version(), 2);
  // The due lists changed in the same commits: M04 joined, M09 left.
  const std::vector<std::string> expected = {
      "M01 2026-02-28", "M02 2026-03-31", "M03 2026-04-30",
      "M04 2026-05-31", "M06 2026-07-31", "M12 2027-01-31"};
  EXPECT_EQ(DueEntries("C1", OfficeDueList("office-1")), expected);
  EXPECT_EQ(DueEntries("C1", CaseManagerDueList("office-1", "cm-1")), expected);
}

TEST_F(FollowUpFeedTest, ACorrectedReturnDateMovesTheContactsAhead) {
  ApproveC1();
  if (HasFatalFailure()) return;
  // Corrected on 20 March to 15 February: M01 (28 February) stays as it
  // was; the points still ahead move.
  homeward::v1::Event corrected = FollowUpTestParts::CaseUpdated(
      FollowUpTestParts::CaseAt("C1", 2, Day(2026, 2, 15)));
  corrected.mutable_time()->set_seconds(absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilDay(2026, 3, 20), absl::UTCTimeZone())));
  ASSERT_THAT(parts_.Deliver(parts_.cases(), corrected), IsOk());
  EXPECT_THAT(
      Describe(parts_.Contacts("C1")),
      ElementsAre("M01 2026-02-28 SCHEDULED", "M02 2026-04-15 SCHEDULED",
                  "M03 2026-05-15 SCHEDULED rss", "M06 2026-08-15 SCHEDULED",
                  "M09 2026-11-15 SCHEDULED", "M12 2027-02-15 SCHEDULED rss"));
  EXPECT_EQ(DueEntries("C1", OfficeDueList("office-1")).size(), 6u);
  EXPECT_THAT(DueEntries("C1", OfficeDueList("office-1")),
              ::testing::Contains("M02 2026-04-15"));
}

TEST_F(FollowUpFeedTest, AClosedCasesContactsStayCancelled) {
  ApproveC1();
  if (HasFatalFailure()) return;
  const uint32_t p = FollowUpTestParts::PartitionOf("C1");
  ClosureStore closures(&parts_.store());
  service::Actor actor;
  actor.principal.set_user_id("sup-1");
  actor.principal.set_role(homeward::v1::ROLE_SUPERVISOR);
  actor.method = "test";
  homeward::v1::Closure closure;
  closure.set_case_id("C1");
  closure.set_status(homeward::v1::CLOSURE_STATUS_CLOSED);
  closure.set_reason(homeward::v1::CLOSURE_REASON_RE_MIGRATED);
  auto closing = closures.PrepareCreate(actor, p, "", closure);
  ASSERT_THAT(closing.status(), IsOk());
  ASSERT_THAT(
      parts_.contacts().CancelScheduled(p, "C1", "case closed", closing->set),
      IsOk());
  ASSERT_THAT(closures.Commit(std::move(*closing)).status(), IsOk());
  const std::vector<std::string> etags = Etags(parts_.Contacts("C1"));
  // A revision and a corrected return date arriving after the closure.
  parts_.PublishProgramme(2, {1, 2, 3, 4, 6, 12}, {6, 12});
  ASSERT_THAT(
      parts_.Deliver(parts_.plans(), FollowUpTestParts::PlanRevised(
                                         "C1", 2, absl::CivilDay(2026, 3, 1))),
      IsOk());
  ASSERT_THAT(
      parts_.Deliver(parts_.cases(),
                     FollowUpTestParts::CaseUpdated(
                         FollowUpTestParts::CaseAt("C1", 2, Day(2026, 2, 15)))),
      IsOk());
  EXPECT_EQ(Etags(parts_.Contacts("C1")), etags);
  for (const FollowUpContact& c : parts_.Contacts("C1")) {
    EXPECT_EQ(c.status(), homeward::v1::FOLLOW_UP_CONTACT_STATUS_CANCELLED)
        << c.contact_id();
  }
  EXPECT_THAT(DueEntries("C1", OfficeDueList("office-1")), IsEmpty());
}

TEST_F(FollowUpFeedTest, PlanCancelledCancelsTheScheduledContacts) {
  ApproveC1();
  if (HasFatalFailure()) return;
  ASSERT_THAT(
      parts_.Deliver(parts_.plans(), FollowUpTestParts::PlanCancelled(
                                         "C1", absl::CivilDay(2026, 3, 1))),
      IsOk());
  for (const FollowUpContact& c : parts_.Contacts("C1")) {
    EXPECT_EQ(c.status(), homeward::v1::FOLLOW_UP_CONTACT_STATUS_CANCELLED)
        << c.contact_id();
  }
  EXPECT_THAT(DueEntries("C1", OfficeDueList("office-1")), IsEmpty());
  EXPECT_THAT(DueEntries("C1", CaseManagerDueList("office-1", "cm-1")),
              IsEmpty());
  homeward::internal::v1::FollowUpContactRecord record;
  uint64_t version = 0;
  ASSERT_THAT(parts_.contacts().Read(FollowUpTestParts::PartitionOf("C1"), "C1",
                                     "M06", &record, &version),
              IsOk());
  EXPECT_EQ(record.cancel_reason(), PlanView::kPlanCancelled);
  absl::StatusOr<std::optional<homeward::v1::Plan>> delivered =
      parts_.plans().Delivered(FollowUpTestParts::PartitionOf("C1"), "C1");
  ASSERT_THAT(delivered.status(), IsOk());
  EXPECT_FALSE(delivered->has_value());
}

TEST_F(FollowUpFeedTest,
       CancelScheduledThenScheduleFromForClosingAndReopening) {
  ApproveC1();
  if (HasFatalFailure()) return;
  const uint32_t p = FollowUpTestParts::PartitionOf("C1");
  storage::WriteSet close;
  ASSERT_THAT(parts_.contacts().CancelScheduled(p, "C1", "case closed", close),
              IsOk());
  ASSERT_THAT(parts_.store().Commit(std::move(close)).status(), IsOk());
  for (const FollowUpContact& c : parts_.Contacts("C1")) {
    EXPECT_EQ(c.status(), homeward::v1::FOLLOW_UP_CONTACT_STATUS_CANCELLED);
  }
  absl::StatusOr<FollowUpCase> c = parts_.cases().Get(p, "C1");
  ASSERT_THAT(c.status(), IsOk());
  storage::WriteSet reopen;
  ASSERT_THAT(parts_.contacts().ScheduleFrom(*c, Day(2026, 6, 1), reopen),
              IsOk());
  ASSERT_THAT(parts_.store().Commit(std::move(reopen)).status(), IsOk());
  EXPECT_THAT(
      Describe(parts_.Contacts("C1")),
      ElementsAre("M01 2026-02-28 CANCELLED", "M02 2026-03-31 CANCELLED",
                  "M03 2026-04-30 CANCELLED rss", "M06 2026-07-31 SCHEDULED",
                  "M09 2026-10-31 SCHEDULED", "M12 2027-01-31 SCHEDULED rss"));
}

TEST_F(FollowUpFeedTest, PlanCancelledBeforeAReopeningLeavesItsSchedule) {
  ApproveC1();
  if (HasFatalFailure()) return;
  // Closed on 1 May (contacts cancelled), reopened on 3 May (scheduled
  // again from that day), as the closure handlers do.
  const uint32_t p = FollowUpTestParts::PartitionOf("C1");
  ClosureStore closures(&parts_.store());
  service::Actor actor;
  actor.principal.set_user_id("sup-1");
  actor.principal.set_role(homeward::v1::ROLE_SUPERVISOR);
  actor.method = "test";
  auto at = [](absl::CivilDay day) {
    google::protobuf::Timestamp t;
    t.set_seconds(absl::ToUnixSeconds(absl::FromCivil(
        absl::CivilSecond(day) + 12 * 3600, absl::UTCTimeZone())));
    return t;
  };
  homeward::v1::Closure closure;
  closure.set_case_id("C1");
  closure.set_status(homeward::v1::CLOSURE_STATUS_CLOSED);
  closure.set_reason(homeward::v1::CLOSURE_REASON_MOVED_AWAY);
  *closure.mutable_update_time() = at(absl::CivilDay(2026, 5, 1));
  auto closing = closures.PrepareCreate(actor, p, "", closure);
  ASSERT_THAT(closing.status(), IsOk());
  ASSERT_THAT(
      parts_.contacts().CancelScheduled(p, "C1", "case closed", closing->set),
      IsOk());
  auto closed = closures.Commit(std::move(*closing));
  ASSERT_THAT(closed.status(), IsOk());
  homeward::v1::Closure reopened = *closed;
  reopened.set_status(homeward::v1::CLOSURE_STATUS_REOPENED);
  *reopened.mutable_update_time() = at(absl::CivilDay(2026, 5, 3));
  auto reopening =
      closures.PrepareStep(actor, p, *closed, reopened, closed->etag());
  ASSERT_THAT(reopening.status(), IsOk());
  absl::StatusOr<FollowUpCase> c = parts_.cases().Get(p, "C1");
  ASSERT_THAT(c.status(), IsOk());
  ASSERT_THAT(
      parts_.contacts().ScheduleFrom(*c, Day(2026, 5, 3), reopening->set),
      IsOk());
  ASSERT_THAT(closures.Commit(std::move(*reopening)).status(), IsOk());
  const std::vector<std::string> scheduled = Describe(parts_.Contacts("C1"));
  // Planning cancelled the plan on 2 May, on the closure; its event comes
  // after the reopening and leaves the reopened case's schedule alone.
  ASSERT_THAT(
      parts_.Deliver(parts_.plans(), FollowUpTestParts::PlanCancelled(
                                         "C1", absl::CivilDay(2026, 5, 2))),
      IsOk());
  EXPECT_EQ(Describe(parts_.Contacts("C1")), scheduled);
  EXPECT_THAT(scheduled, ::testing::Contains("M06 2026-07-31 SCHEDULED"));
}

TEST_F(FollowUpFeedTest, DeliveredPlanFollowsActivityStatuses) {
  const uint32_t p = FollowUpTestParts::PartitionOf("C1");
  absl::StatusOr<std::optional<homeward::v1::Plan>> none =
      parts_.plans().Delivered(p, "C1");
  ASSERT_THAT(none.status(), IsOk());
  EXPECT_FALSE(none->has_value());
  ASSERT_THAT(
      parts_.Deliver(parts_.plans(), FollowUpTestParts::PlanApproved(
                                         "C1", absl::CivilDay(2026, 2, 10))),
      IsOk());
  ASSERT_THAT(parts_.Deliver(parts_.plans(),
                             FollowUpTestParts::ActivityChanged(
                                 "C1", 1, "AC1",
                                 homeward::v1::ACTIVITY_STATUS_IN_PROGRESS)),
              IsOk());
  // A change of another version (not delivered) is not applied.
  ASSERT_THAT(parts_.Deliver(
                  parts_.plans(),
                  FollowUpTestParts::ActivityChanged(
                      "C1", 3, "AC1", homeward::v1::ACTIVITY_STATUS_DROPPED)),
              IsOk());
  absl::StatusOr<std::optional<homeward::v1::Plan>> plan =
      parts_.plans().Delivered(p, "C1");
  ASSERT_THAT(plan.status(), IsOk());
  ASSERT_TRUE(plan->has_value());
  EXPECT_EQ((*plan)->activities(0).status(),
            homeward::v1::ACTIVITY_STATUS_IN_PROGRESS);
  EXPECT_EQ((*plan)->activities(1).status(),
            homeward::v1::ACTIVITY_STATUS_DONE);
}

TEST_F(FollowUpFeedTest, ReferralsKeepTheirLatestStatus) {
  ASSERT_THAT(
      parts_.Deliver(parts_.referrals(),
                     FollowUpTestParts::ReferralChanged(
                         "C1", "R2", homeward::v1::REFERRAL_STATUS_REQUESTED)),
      IsOk());
  ASSERT_THAT(
      parts_.Deliver(parts_.referrals(),
                     FollowUpTestParts::ReferralChanged(
                         "C1", "R1", homeward::v1::REFERRAL_STATUS_REQUESTED)),
      IsOk());
  ASSERT_THAT(
      parts_.Deliver(parts_.referrals(),
                     FollowUpTestParts::ReferralChanged(
                         "C1", "R1", homeward::v1::REFERRAL_STATUS_COMPLETED)),
      IsOk());
  ASSERT_THAT(parts_.Redeliver(parts_.referrals()), IsOk());
  absl::StatusOr<std::vector<homeward::v1::Referral>> referrals =
      parts_.referrals().ForCase(FollowUpTestParts::PartitionOf("C1"), "C1");
  ASSERT_THAT(referrals.status(), IsOk());
  ASSERT_EQ(referrals->size(), 2u);
  EXPECT_EQ((*referrals)[0].referral_id(), "R1");
  EXPECT_EQ((*referrals)[0].status(), homeward::v1::REFERRAL_STATUS_COMPLETED);
  EXPECT_EQ((*referrals)[0].outcome(), "certificate obtained");
  EXPECT_EQ((*referrals)[1].status(), homeward::v1::REFERRAL_STATUS_REQUESTED);
}

TEST_F(FollowUpFeedTest, CaseKeepsTheReturneesRssPointsInDateOrder) {
  ASSERT_THAT(
      parts_.Deliver(parts_.cases(),
                     FollowUpTestParts::CaseRegistered(
                         FollowUpTestParts::CaseAt("C1", 1, Day(2026, 1, 31)))),
      IsOk());
  ASSERT_THAT(
      parts_.Deliver(parts_.cases(),
                     FollowUpTestParts::RssCompleted(
                         "C1", "A2", Day(2026, 4, 30),
                         homeward::v1::ASSESSMENT_OCCASION_FOLLOW_UP, 0.55)),
      IsOk());
  ASSERT_THAT(
      parts_.Deliver(parts_.cases(),
                     FollowUpTestParts::RssCompleted(
                         "C1", "A1", Day(2026, 2, 2),
                         homeward::v1::ASSESSMENT_OCCASION_BASELINE, 0.35)),
      IsOk());
  // A household member's survey is not the returnee's.
  ASSERT_THAT(parts_.Deliver(
                  parts_.cases(),
                  FollowUpTestParts::RssCompleted(
                      "C1", "A3", Day(2026, 5, 1),
                      homeward::v1::ASSESSMENT_OCCASION_FOLLOW_UP, 0.9, "m1")),
              IsOk());
  absl::StatusOr<FollowUpCase> c =
      parts_.cases().Get(FollowUpTestParts::PartitionOf("C1"), "C1");
  ASSERT_THAT(c.status(), IsOk());
  const std::vector<homeward::v1::RssPoint> points =
      FollowUpCases::RssPoints(*c);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].assessment_id(), "A1");
  EXPECT_EQ(points[1].assessment_id(), "A2");
  EXPECT_DOUBLE_EQ(points[1].scores().composite(), 0.55);
  EXPECT_EQ(c->record.programme_id(), FollowUpTestParts::kProgramme);
  EXPECT_THAT(c->record.member_ids(), ElementsAre("m1"));
}

}  // namespace
}  // namespace homeward::follow_up
