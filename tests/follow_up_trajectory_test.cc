// The W-model trajectory (services/follow_up/trajectory.h): a point per DONE
// contact, oldest contact date first, none for scheduled, missed or
// cancelled ones; the RSS surveys oldest first; the return date.
#include <vector>

#include "common/api/field_checks.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/follow_up/trajectory.h"

namespace homeward::follow_up {
namespace {

using homeward::v1::FollowUpContact;

FollowUpContact Contact(const std::string& id,
                        homeward::v1::FollowUpContactStatus status,
                        absl::CivilDay date, homeward::v1::WPhase phase,
                        int wellbeing, int months) {
  FollowUpContact c;
  c.set_contact_id(id);
  c.set_status(status);
  *c.mutable_contact_date() = api::ToDate(date);
  c.set_w_phase(phase);
  c.set_wellbeing(wellbeing);
  c.set_months_after_return(months);
  return c;
}

TEST(TrajectoryTest, DoneContactsAndSurveysOldestFirst) {
  const auto done = homeward::v1::FOLLOW_UP_CONTACT_STATUS_DONE;
  const std::vector<FollowUpContact> contacts = {
      Contact("M03", done, absl::CivilDay(2026, 5, 2),
              homeward::v1::W_PHASE_REENTRY_SHOCK, 2, 3),
      Contact("M01", done, absl::CivilDay(2026, 3, 1),
              homeward::v1::W_PHASE_RETURN_HONEYMOON, 4, 1),
      Contact("M06", homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED,
              absl::CivilDay(2026, 1, 1), homeward::v1::W_PHASE_UNSPECIFIED, 0,
              6),
      Contact("M02", homeward::v1::FOLLOW_UP_CONTACT_STATUS_MISSED,
              absl::CivilDay(2026, 4, 1), homeward::v1::W_PHASE_UNSPECIFIED, 0,
              2),
      Contact("X1", done, absl::CivilDay(2026, 4, 10),
              homeward::v1::W_PHASE_UNCLEAR, 3, 0),
  };
  homeward::v1::RssPoint later, baseline;
  later.set_assessment_id("A2");
  *later.mutable_assessment_date() = api::ToDate(absl::CivilDay(2026, 5, 2));
  later.set_occasion(homeward::v1::ASSESSMENT_OCCASION_FOLLOW_UP);
  baseline.set_assessment_id("A1");
  *baseline.mutable_assessment_date() = api::ToDate(absl::CivilDay(2026, 2, 2));
  baseline.set_occasion(homeward::v1::ASSESSMENT_OCCASION_BASELINE);

  const homeward::v1::Trajectory t =
      BuildTrajectory("C1", api::ToDate(absl::CivilDay(2026, 1, 31)), contacts,
                      {later, baseline});
  EXPECT_EQ(t.case_id(), "C1");
  EXPECT_EQ(t.return_date().day(), 31);
  ASSERT_EQ(t.contacts_size(), 3);
  EXPECT_EQ(t.contacts(0).contact_id(), "M01");
  EXPECT_EQ(t.contacts(0).w_phase(), homeward::v1::W_PHASE_RETURN_HONEYMOON);
  EXPECT_EQ(t.contacts(0).wellbeing(), 4);
  EXPECT_EQ(t.contacts(0).months_after_return(), 1);
  EXPECT_EQ(t.contacts(1).contact_id(), "X1");
  EXPECT_EQ(t.contacts(1).months_after_return(), 0);
  EXPECT_EQ(t.contacts(2).contact_id(), "M03");
  ASSERT_EQ(t.surveys_size(), 2);
  EXPECT_EQ(t.surveys(0).assessment_id(), "A1");
  EXPECT_EQ(t.surveys(1).assessment_id(), "A2");
}

TEST(TrajectoryTest, ACaseWithoutContactsOrReturnDate) {
  const homeward::v1::Trajectory t =
      BuildTrajectory("C1", homeward::v1::Date(), {}, {});
  EXPECT_FALSE(t.has_return_date());
  EXPECT_EQ(t.contacts_size(), 0);
  EXPECT_EQ(t.surveys_size(), 0);
}

}  // namespace
}  // namespace homeward::follow_up
