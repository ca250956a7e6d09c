// The retention rules (retention_rules.h), table-driven: when a closed case
// is past its retention period, which day a case closed, and what an
// anonymised case keeps and loses.
#include "services/assessment/retention_rules.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace homeward::assessment {
namespace {

using homeward::v1::Case;
using ::testing::Optional;

google::protobuf::Timestamp At(absl::CivilSecond when) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(absl::FromCivil(when, absl::UTCTimeZone())));
}

struct RetentionCase {
  std::string name;
  absl::CivilDay closed;
  int years;
  absl::CivilDay today;
  bool past;
};

class IsPastRetentionTest : public ::testing::TestWithParam<RetentionCase> {};

TEST_P(IsPastRetentionTest, AnswersFromTheAnniversaryOfTheClosure) {
  const RetentionCase& c = GetParam();
  EXPECT_EQ(IsPastRetention(c.closed, c.years, c.today), c.past);
}

INSTANTIATE_TEST_SUITE_P(
    Table, IsPastRetentionTest,
    ::testing::ValuesIn(std::vector<RetentionCase>{
        {"DayBeforeTheAnniversary", absl::CivilDay(2020, 6, 15), 5,
         absl::CivilDay(2025, 6, 14), false},
        {"OnTheAnniversary", absl::CivilDay(2020, 6, 15), 5,
         absl::CivilDay(2025, 6, 15), true},
        {"YearsAfter", absl::CivilDay(2020, 6, 15), 5,
         absl::CivilDay(2031, 1, 1), true},
        {"SameDayWithinTenYears", absl::CivilDay(2026, 11, 30), 10,
         absl::CivilDay(2026, 11, 30), false},
        {"ZeroYearsOnTheDayOfClosure", absl::CivilDay(2026, 11, 30), 0,
         absl::CivilDay(2026, 11, 30), true},
        {"ZeroYearsBeforeTheClosureDay", absl::CivilDay(2026, 11, 30), 0,
         absl::CivilDay(2026, 11, 29), false},
        {"LeapDayCountsToFirstMarch", absl::CivilDay(2024, 2, 29), 1,
         absl::CivilDay(2025, 2, 28), false},
        {"LeapDayPastOnFirstMarch", absl::CivilDay(2024, 2, 29), 1,
         absl::CivilDay(2025, 3, 1), true},
        {"LeapDayToLeapYear", absl::CivilDay(2024, 2, 29), 4,
         absl::CivilDay(2028, 2, 29), true},
        {"EndOfYear", absl::CivilDay(2019, 12, 31), 1,
         absl::CivilDay(2020, 12, 30), false},
    }),
    [](const ::testing::TestParamInfo<RetentionCase>& info) {
      return info.param.name;
    });

TEST(RetentionYearsOfTest, UnsetIsTheDefaultAndZeroIsZero) {
  homeward::v1::Programme programme;
  EXPECT_EQ(RetentionYearsOf(programme), kDefaultRetentionYears);
  programme.set_retention_years(0);
  EXPECT_EQ(RetentionYearsOf(programme), 0);
  programme.set_retention_years(7);
  EXPECT_EQ(RetentionYearsOf(programme), 7);
}

struct ClosureCase {
  std::string name;
  std::string history;  // textproto of the case's stage and history
  std::optional<absl::CivilDay> day;
};

class ClosureDayTest : public ::testing::TestWithParam<ClosureCase> {};

TEST_P(ClosureDayTest, IsTheLatestMoveIntoClosed) {
  Case c;
  ASSERT_TRUE(
      google::protobuf::TextFormat::ParseFromString(GetParam().history, &c));
  *c.mutable_update_time() = At(absl::CivilSecond(2030, 1, 1, 0, 0, 0));
  EXPECT_EQ(ClosureDay(c), GetParam().day);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ClosureDayTest,
    ::testing::ValuesIn(std::vector<ClosureCase>{
        {"Open",
         R"pb(stage: CASE_STAGE_MONITORING
              stage_history { stage: CASE_STAGE_MONITORING })pb",
         std::nullopt},
        {"ClosedOnce",
         R"pb(stage: CASE_STAGE_CLOSED
              stage_history {
                stage: CASE_STAGE_MONITORING
                time { seconds: 1600000000 }
              }
              stage_history {
                stage: CASE_STAGE_CLOSED
                time { seconds: 1700000000 }  # 2023-11-14 22:13 UTC
              })pb",
         absl::CivilDay(2023, 11, 14)},
        {"ReopenedAndClosedAgainCountsFromTheLastClosure",
         R"pb(stage: CASE_STAGE_CLOSED
              stage_history {
                stage: CASE_STAGE_CLOSED
                time { seconds: 1600000000 }
              }
              stage_history {
                stage: CASE_STAGE_MONITORING
                time { seconds: 1650000000 }
              }
              stage_history {
                stage: CASE_STAGE_CLOSED
                time { seconds: 1700000000 }
              })pb",
         absl::CivilDay(2023, 11, 14)},
        {"ReopenedIsNotClosed",
         R"pb(stage: CASE_STAGE_MONITORING
              stage_history {
                stage: CASE_STAGE_CLOSED
                time { seconds: 1600000000 }
              }
              stage_history {
                stage: CASE_STAGE_MONITORING
                time { seconds: 1650000000 }
              })pb",
         std::nullopt},
        {"ClosedWithoutATimeUsesTheUpdateTime",
         R"pb(stage: CASE_STAGE_CLOSED
              stage_history { stage: CASE_STAGE_CLOSED })pb",
         absl::CivilDay(2030, 1, 1)},
    }),
    [](const ::testing::TestParamInfo<ClosureCase>& info) {
      return info.param.name;
    });

Case FullCase() {
  Case c;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(case_id: "c-1"
           office_id: "office-dakar"
           case_manager_id: "cm-1"
           programme_id: "sn_reintegration"
           stage: CASE_STAGE_CLOSED
           stage_history { stage: CASE_STAGE_CLOSED cause: "CaseClosed" }
           create_time { seconds: 1600000000 }
           returnee {
             given_name: "Awa"
             family_name: "Diop"
             sex: SEX_FEMALE
             date_of_birth { year: 1990 month: 4 day: 12 }
             nationality: "SN"
             languages: [ "wo", "fr" ]
             contacts { kind: CONTACT_KIND_PHONE value: "+221770000000" }
             contacts { kind: CONTACT_KIND_ADDRESS value: "Rue 10, Pikine" }
             household_members {
               member_id: "M1"
               given_name: "Moussa"
               family_name: "Diop"
               relationship: "child"
               sex: SEX_MALE
               date_of_birth { year: 2015 month: 1 day: 3 }
               returned_with_returnee: true
             }
           }
           return_info {
             country: "SN"
             region: "Dakar"
             locality: "Pikine"
             return_date { year: 2020 month: 2 day: 1 }
             return_type: RETURN_TYPE_ASSISTED_VOLUNTARY
             host_country: "LY"
           })pb",
      &c));
  return c;
}

TEST(AnonymisedTest, RemovesIdentityAndContactsAndKeepsTheRest) {
  const google::protobuf::Timestamp now =
      At(absl::CivilSecond(2031, 5, 6, 7, 8, 9));
  Case after = Anonymised(FullCase(), now);

  Case expected = FullCase();
  expected.mutable_returnee()->clear_given_name();
  expected.mutable_returnee()->clear_family_name();
  expected.mutable_returnee()->clear_contacts();
  expected.mutable_returnee()->mutable_date_of_birth()->set_month(0);
  expected.mutable_returnee()->mutable_date_of_birth()->set_day(0);
  homeward::v1::HouseholdMember* member =
      expected.mutable_returnee()->mutable_household_members(0);
  member->clear_given_name();
  member->clear_family_name();
  member->mutable_date_of_birth()->set_month(0);
  member->mutable_date_of_birth()->set_day(0);
  expected.mutable_return_info()->clear_locality();
  *expected.mutable_anonymise_time() = now;
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(after, expected))
      << after.DebugString();
  EXPECT_TRUE(IsAnonymised(after));
  EXPECT_FALSE(IsAnonymised(FullCase()));
  // No trace of the removed values anywhere in the record.
  const std::string text = after.DebugString();
  for (const char* gone : {"Awa", "Diop", "Moussa", "+221", "Pikine"}) {
    EXPECT_EQ(text.find(gone), std::string::npos) << gone;
  }
}

TEST(AnonymisedTest, AgainChangesNothingAndKeepsTheFirstTime) {
  const Case once =
      Anonymised(FullCase(), At(absl::CivilSecond(2031, 5, 6, 0, 0, 0)));
  const Case twice =
      Anonymised(once, At(absl::CivilSecond(2032, 1, 1, 0, 0, 0)));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(once, twice));
}

TEST(AnonymisedTest, LeavesAnUnsetDateOfBirthUnset) {
  Case c = FullCase();
  c.mutable_returnee()->clear_date_of_birth();
  const Case after = Anonymised(c, At(absl::CivilSecond(2031, 5, 6, 0, 0, 0)));
  EXPECT_FALSE(after.returnee().has_date_of_birth());
}

// ScrubPastEvent over every kind of event an anonymised case's outbox
// holds: the expected event is written out by hand.
struct ScrubCase {
  std::string name;
  std::string event;     // text format
  std::string expected;  // text format
  bool changed;
};

class ScrubPastEventTest : public ::testing::TestWithParam<ScrubCase> {};

TEST_P(ScrubPastEventTest, RemovesIdentityAndFreeTextOnly) {
  const ScrubCase& c = GetParam();
  homeward::v1::Event event;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(c.event, &event));
  homeward::v1::Event expected;
  ASSERT_TRUE(
      google::protobuf::TextFormat::ParseFromString(c.expected, &expected));
  EXPECT_EQ(ScrubPastEvent(event), c.changed);
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(event, expected))
      << event.ShortDebugString();
}

INSTANTIATE_TEST_SUITE_P(
    Events, ScrubPastEventTest,
    ::testing::Values(
        ScrubCase{
            "NeedLosesDescriptionAndReasons",
            R"pb(subject_id: "C1"
                 need_changed {
                   need {
                     need_id: "N1"
                     category: "housing"
                     description: "sleeps at her cousin Awa's"
                     priority: NEED_PRIORITY_HIGH
                     status: NEED_STATUS_RESOLVED
                     status_reason: "Awa found a flat"
                     history { status: NEED_STATUS_OPEN }
                     history {
                       status: NEED_STATUS_RESOLVED
                       reason: "Awa found a flat"
                       user_id: "cm-1"
                     }
                   }
                 })pb",
            R"pb(subject_id: "C1"
                 need_changed {
                   need {
                     need_id: "N1"
                     category: "housing"
                     priority: NEED_PRIORITY_HIGH
                     status: NEED_STATUS_RESOLVED
                     history { status: NEED_STATUS_OPEN }
                     history { status: NEED_STATUS_RESOLVED user_id: "cm-1" }
                   }
                 })pb",
            true},
        ScrubCase{"NeedWithoutTextIsLeftAlone",
                  R"pb(need_changed {
                         need { need_id: "N1" category: "housing" }
                       })pb",
                  R"pb(need_changed {
                         need { need_id: "N1" category: "housing" }
                       })pb",
                  false},
        ScrubCase{"ConcernLosesLabelAndReasonsKeepsCode",
                  R"pb(protection_concern_changed {
                         concern {
                           concern_id: "PC1"
                           code: "THREATS"
                           label: "threatened by Awa's family"
                           status: NEED_STATUS_NOT_APPLICABLE
                           status_reason: "moved away"
                           history {
                             status: NEED_STATUS_NOT_APPLICABLE
                             reason: "moved away"
                           }
                         }
                       })pb",
                  R"pb(protection_concern_changed {
                         concern {
                           concern_id: "PC1"
                           code: "THREATS"
                           status: NEED_STATUS_NOT_APPLICABLE
                           history { status: NEED_STATUS_NOT_APPLICABLE }
                         }
                       })pb",
                  true},
        ScrubCase{"CaseEventLosesTheIdentity",
                  R"pb(case_registered {
                         case {
                           case_id: "C1"
                           office_id: "office-dakar"
                           returnee { given_name: "Awa" sex: SEX_FEMALE }
                         }
                       })pb",
                  R"pb(case_registered {
                         case {
                           case_id: "C1"
                           office_id: "office-dakar"
                           returnee { sex: SEX_FEMALE }
                         }
                       })pb",
                  true},
        ScrubCase{"ConsentEventHasNoNotesToLose",
                  R"pb(consent_changed {
                         consent { consent_id: "K1" granted: true }
                       })pb",
                  R"pb(consent_changed {
                         consent { consent_id: "K1" granted: true }
                       })pb",
                  false},
        ScrubCase{"CounsellingEventHasNoNotesToLose",
                  R"pb(counselling_session_recorded {
                         session_id: "S1"
                         distress_signs_observed: true
                       })pb",
                  R"pb(counselling_session_recorded {
                         session_id: "S1"
                         distress_signs_observed: true
                       })pb",
                  false}),
    [](const ::testing::TestParamInfo<ScrubCase>& info) {
      return info.param.name;
    });

TEST(RemoveFreeTextTest, AConsentDecisionLosesItsNotesOnly) {
  homeward::v1::ConsentRecord consent;
  consent.set_consent_id("K1");
  consent.set_granted(true);
  consent.set_recipient_agency_id("org-a");
  consent.set_notes("her brother Moussa must not be told");
  homeward::v1::ConsentRecord expected = consent;
  expected.clear_notes();
  EXPECT_TRUE(RemoveFreeText(consent));
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(consent, expected));
  EXPECT_FALSE(RemoveFreeText(consent));
}

TEST(RemoveFreeTextTest, ASessionLosesItsNotesAndNextStepsOnly) {
  homeward::v1::CounsellingSession session;
  session.set_session_id("S1");
  session.add_participants("returnee");
  session.add_topics("employment");
  session.set_observations("spoke of Moussa's debts");
  session.set_distress_signs_observed(true);
  session.set_distress_notes("cried when Moussa was named");
  session.add_agreed_next_steps("call Moussa's employer");
  homeward::v1::CounsellingSession expected = session;
  expected.clear_observations();
  expected.clear_distress_notes();
  expected.clear_agreed_next_steps();
  EXPECT_TRUE(RemoveFreeText(session));
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(session, expected));
  EXPECT_FALSE(RemoveFreeText(session));
}

}  // namespace
}  // namespace homeward::assessment
