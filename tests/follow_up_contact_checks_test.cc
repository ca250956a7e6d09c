// The checks of a recorded and of a missed follow-up contact
// (services/follow_up/contact_checks.h), table-driven: a valid contact, then
// one bad field at a time, each giving exactly one violation naming that
// field; several bad fields give one violation each. And what a recorded
// contact is filled with from the plan and referral feeds.
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/api/field_checks.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/follow_up/contact_checks.h"

namespace homeward::follow_up {
namespace {

using homeward::v1::FollowUpContact;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const absl::CivilDay kToday(2026, 6, 15);

homeward::v1::Plan Delivered() {
  homeward::v1::Plan plan;
  plan.set_plan_id("P1");
  plan.set_version(2);
  auto add = [&](const std::string& id, homeward::v1::ActivityStatus status) {
    auto* a = plan.add_activities();
    a->set_activity_id(id);
    a->set_description("activity " + id);
    a->set_dimension(homeward::v1::DIMENSION_ECONOMIC);
    a->set_status(status);
  };
  add("AC1", homeward::v1::ACTIVITY_STATUS_PLANNED);
  add("AC2", homeward::v1::ACTIVITY_STATUS_IN_PROGRESS);
  add("AC3", homeward::v1::ACTIVITY_STATUS_DONE);
  return plan;
}

homeward::v1::Taxonomy Taxonomy() {
  homeward::v1::Taxonomy t;
  t.set_taxonomy_id("reintegration");
  t.set_version(1);
  auto* housing = t.add_components();
  housing->set_component_id("housing");
  housing->set_dimension(homeward::v1::DIMENSION_SOCIAL);
  (*housing->mutable_label())["en"] = "Housing";
  return t;
}

class ContactChecksTest : public ::testing::Test {
 protected:
  ContactChecksTest() : plan_(Delivered()), taxonomy_(Taxonomy()) {
    facts_.today = kToday;
    facts_.has_return_day = true;
    facts_.return_day = absl::CivilDay(2026, 1, 31);
    facts_.member_ids = {"m1", "m2"};
    facts_.delivered = &plan_;
    facts_.taxonomy = &taxonomy_;
    homeward::v1::Referral r;
    r.set_referral_id("R1");
    r.set_status(homeward::v1::REFERRAL_STATUS_COMPLETED);
    r.set_outcome("certificate obtained");
    r.set_organization_id("org-1");
    r.set_service_id("svc-1");
    facts_.referrals.push_back(r);
  }

  // A contact that passes every check.
  static FollowUpContact Valid() {
    FollowUpContact c;
    *c.mutable_contact_date() = api::ToDate(absl::CivilDay(2026, 6, 10));
    c.set_mode(homeward::v1::FOLLOW_UP_MODE_VISIT);
    c.add_participants()->set_kind(homeward::v1::PARTICIPANT_KIND_RETURNEE);
    auto* staff = c.add_participants();
    staff->set_kind(homeward::v1::PARTICIPANT_KIND_STAFF);
    staff->set_user_id("cm-1");
    for (const char* id : {"AC1", "AC2"}) {
      auto* p = c.add_activity_progress();
      p->set_activity_id(id);
      p->set_rating(homeward::v1::ACTIVITY_PROGRESS_RATING_ON_TRACK);
    }
    auto* r = c.add_referral_outcomes();
    r->set_referral_id("R1");
    r->set_returnee_feedback("helpful");
    auto* need = c.add_new_needs();
    need->set_dimension(homeward::v1::DIMENSION_SOCIAL);
    need->set_category("housing");
    need->set_description("the landlord is selling the house");
    need->set_priority(homeward::v1::NEED_PRIORITY_HIGH);
    c.set_wellbeing(3);
    c.set_satisfaction(4);
    c.set_w_phase(homeward::v1::W_PHASE_REENTRY_SHOCK);
    c.set_distress_signs_observed(true);
    c.set_distress_notes("tearful when speaking of debts");
    c.set_notes("visit went well");
    return c;
  }

  std::vector<std::string> Fields(const FollowUpContact& c) const {
    std::vector<std::string> fields;
    const errors::FieldViolations bad = CheckRecordedContact(c, facts_);
    for (const auto& v : bad.violations()) {
      fields.push_back(v.field);
    }
    return fields;
  }

  homeward::v1::Plan plan_;
  homeward::v1::Taxonomy taxonomy_;
  ContactFacts facts_;
};

TEST_F(ContactChecksTest, ValidContactPasses) {
  EXPECT_THAT(Fields(Valid()), IsEmpty());
}

TEST_F(ContactChecksTest, EachBadFieldIsOneViolation) {
  struct Case {
    std::string name;
    std::function<void(FollowUpContact&)> spoil;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"no date", [](auto& c) { c.clear_contact_date(); },
       "contact.contact_date"},
      {"no such day",
       [](auto& c) {
         c.mutable_contact_date()->set_month(2);
         c.mutable_contact_date()->set_day(30);
       },
       "contact.contact_date"},
      {"future date",
       [](auto& c) { *c.mutable_contact_date() = api::ToDate(kToday + 1); },
       "contact.contact_date"},
      {"over a year before return",
       [](auto& c) {
         *c.mutable_contact_date() =
             api::ToDate(absl::CivilDay(2026, 1, 31) - 366);
       },
       "contact.contact_date"},
      {"no mode",
       [](auto& c) { c.set_mode(homeward::v1::FOLLOW_UP_MODE_UNSPECIFIED); },
       "contact.mode"},
      {"unknown mode",
       [](auto& c) { c.set_mode(static_cast<homeward::v1::FollowUpMode>(42)); },
       "contact.mode"},
      {"staff only",
       [](auto& c) { c.mutable_participants()->DeleteSubrange(0, 1); },
       "contact.participants"},
      {"participant without kind", [](auto& c) { c.add_participants(); },
       "contact.participants[2].kind"},
      {"member not of the case",
       [](auto& c) {
         auto* p = c.add_participants();
         p->set_kind(homeward::v1::PARTICIPANT_KIND_HOUSEHOLD_MEMBER);
         p->set_member_id("m9");
       },
       "contact.participants[2].member_id"},
      {"member without id",
       [](auto& c) {
         c.add_participants()->set_kind(
             homeward::v1::PARTICIPANT_KIND_HOUSEHOLD_MEMBER);
       },
       "contact.participants[2].member_id"},
      {"staff without user",
       [](auto& c) { c.mutable_participants(1)->clear_user_id(); },
       "contact.participants[1].user_id"},
      {"partner without organization",
       [](auto& c) {
         c.add_participants()->set_kind(homeward::v1::PARTICIPANT_KIND_PARTNER);
       },
       "contact.participants[2].organization_id"},
      {"open activity missing",
       [](auto& c) { c.mutable_activity_progress()->DeleteSubrange(1, 1); },
       "contact.activity_progress"},
      {"unknown activity",
       [](auto& c) {
         auto* p = c.add_activity_progress();
         p->set_activity_id("AC9");
         p->set_rating(homeward::v1::ACTIVITY_PROGRESS_RATING_DELAYED);
       },
       "contact.activity_progress[2].activity_id"},
      {"activity repeated",
       [](auto& c) { *c.add_activity_progress() = c.activity_progress(0); },
       "contact.activity_progress[2].activity_id"},
      {"activity without rating",
       [](auto& c) { c.mutable_activity_progress(0)->clear_rating(); },
       "contact.activity_progress[0].rating"},
      {"activity note too long",
       [](auto& c) {
         c.mutable_activity_progress(0)->set_note(
             std::string(kMaxShortText + 1, 'x'));
       },
       "contact.activity_progress[0].note"},
      {"referral of another case",
       [](auto& c) { c.mutable_referral_outcomes(0)->set_referral_id("R9"); },
       "contact.referral_outcomes[0].referral_id"},
      {"referral repeated",
       [](auto& c) { *c.add_referral_outcomes() = c.referral_outcomes(0); },
       "contact.referral_outcomes[1].referral_id"},
      {"feedback too long",
       [](auto& c) {
         c.mutable_referral_outcomes(0)->set_returnee_feedback(
             std::string(kMaxShortText + 1, 'x'));
       },
       "contact.referral_outcomes[0].returnee_feedback"},
      {"need of no component",
       [](auto& c) { c.mutable_new_needs(0)->set_category("spaceflight"); },
       "contact.new_needs[0].category"},
      {"need in the wrong dimension",
       [](auto& c) {
         c.mutable_new_needs(0)->set_dimension(
             homeward::v1::DIMENSION_ECONOMIC);
       },
       "contact.new_needs[0].dimension"},
      {"need without dimension",
       [](auto& c) {
         c.mutable_new_needs(0)->set_dimension(
             homeward::v1::DIMENSION_UNSPECIFIED);
       },
       "contact.new_needs[0].dimension"},
      {"need without description",
       [](auto& c) { c.mutable_new_needs(0)->set_description("  "); },
       "contact.new_needs[0].description"},
      {"need without priority",
       [](auto& c) { c.mutable_new_needs(0)->clear_priority(); },
       "contact.new_needs[0].priority"},
      {"wellbeing 0", [](auto& c) { c.set_wellbeing(0); }, "contact.wellbeing"},
      {"wellbeing 6", [](auto& c) { c.set_wellbeing(6); }, "contact.wellbeing"},
      {"satisfaction 0", [](auto& c) { c.set_satisfaction(0); },
       "contact.satisfaction"},
      {"satisfaction 6", [](auto& c) { c.set_satisfaction(6); },
       "contact.satisfaction"},
      {"no phase",
       [](auto& c) { c.set_w_phase(homeward::v1::W_PHASE_UNSPECIFIED); },
       "contact.w_phase"},
      {"distress notes without signs",
       [](auto& c) { c.set_distress_signs_observed(false); },
       "contact.distress_notes"},
      {"distress notes too long",
       [](auto& c) {
         c.set_distress_notes(std::string(kMaxShortText + 1, 'x'));
       },
       "contact.distress_notes"},
      {"notes too long",
       [](auto& c) { c.set_notes(std::string(kMaxNotes + 1, 'x')); },
       "contact.notes"},
      {"revision without reason",
       [](auto& c) { c.set_plan_revision_needed(true); },
       "contact.plan_revision_reason"},
      {"reason without revision",
       [](auto& c) { c.set_plan_revision_reason("more capital"); },
       "contact.plan_revision_reason"},
      {"bad rss id", [](auto& c) { c.set_rss_assessment_id("not an id"); },
       "contact.rss_assessment_id"},
  };
  for (const Case& c : cases) {
    FollowUpContact contact = Valid();
    c.spoil(contact);
    EXPECT_THAT(Fields(contact), ElementsAre(c.field)) << c.name;
  }
}

TEST_F(ContactChecksTest, EveryMissingOpenActivityIsNamed) {
  FollowUpContact c = Valid();
  c.clear_activity_progress();
  const errors::FieldViolations bad = CheckRecordedContact(c, facts_);
  ASSERT_EQ(bad.violations().size(), 2u);
  EXPECT_THAT(bad.violations()[0].description, ::testing::HasSubstr("AC1"));
  EXPECT_THAT(bad.violations()[1].description, ::testing::HasSubstr("AC2"));
}

TEST_F(ContactChecksTest, WithoutADeliveredPlanNoActivityIsRequiredOrKnown) {
  facts_.delivered = nullptr;
  FollowUpContact c = Valid();
  EXPECT_THAT(Fields(c),
              ElementsAre("contact.activity_progress[0].activity_id",
                          "contact.activity_progress[1].activity_id"));
  c.clear_activity_progress();
  EXPECT_THAT(Fields(c), IsEmpty());
}

TEST_F(ContactChecksTest, SeveralBadFieldsGiveOneViolationEach) {
  FollowUpContact c = Valid();
  c.set_mode(homeward::v1::FOLLOW_UP_MODE_UNSPECIFIED);
  c.set_wellbeing(9);
  c.set_w_phase(homeward::v1::W_PHASE_UNSPECIFIED);
  EXPECT_THAT(Fields(c),
              UnorderedElementsAre("contact.mode", "contact.wellbeing",
                                   "contact.w_phase"));
}

TEST_F(ContactChecksTest, RecordedContactIsFilledFromTheFeeds) {
  FollowUpContact base;
  base.set_contact_id("M03");
  base.set_case_id("C1");
  base.set_months_after_return(3);
  base.set_status(homeward::v1::FOLLOW_UP_CONTACT_STATUS_SCHEDULED);
  const FollowUpContact out = RecordedContact(base, Valid(), facts_);
  EXPECT_EQ(out.status(), homeward::v1::FOLLOW_UP_CONTACT_STATUS_DONE);
  EXPECT_EQ(out.contact_id(), "M03");
  EXPECT_EQ(out.months_after_return(), 3);
  EXPECT_EQ(out.plan_id(), "P1");
  EXPECT_EQ(out.plan_version(), 2);
  ASSERT_EQ(out.activity_progress_size(), 2);
  EXPECT_EQ(out.activity_progress(1).title(), "activity AC2");
  EXPECT_EQ(out.activity_progress(1).status(),
            homeward::v1::ACTIVITY_STATUS_IN_PROGRESS);
  ASSERT_EQ(out.referral_outcomes_size(), 1);
  EXPECT_EQ(out.referral_outcomes(0).status(),
            homeward::v1::REFERRAL_STATUS_COMPLETED);
  EXPECT_EQ(out.referral_outcomes(0).outcome(), "certificate obtained");
  EXPECT_EQ(out.referral_outcomes(0).returnee_feedback(), "helpful");
  EXPECT_EQ(out.w_phase(), homeward::v1::W_PHASE_REENTRY_SHOCK);
}

TEST(MissedContactChecksTest, EachBadFieldIsOneViolation) {
  auto valid = [] {
    homeward::v1::MissedContact m;
    m.set_reason(homeward::v1::MISSED_REASON_UNREACHABLE);
    *m.mutable_attempted_date() = api::ToDate(absl::CivilDay(2026, 6, 14));
    return m;
  };
  struct Case {
    std::string name;
    std::function<void(homeward::v1::MissedContact&)> spoil;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"no reason", [](auto& m) { m.clear_reason(); }, "missed.reason"},
      {"other without details",
       [](auto& m) { m.set_reason(homeward::v1::MISSED_REASON_OTHER); },
       "missed.details"},
      {"details too long",
       [](auto& m) { m.set_details(std::string(kMaxShortText + 1, 'x')); },
       "missed.details"},
      {"no attempted date", [](auto& m) { m.clear_attempted_date(); },
       "missed.attempted_date"},
      {"attempt in the future",
       [](auto& m) { *m.mutable_attempted_date() = api::ToDate(kToday + 1); },
       "missed.attempted_date"},
      {"next attempt before the attempt",
       [](auto& m) {
         *m.mutable_next_attempt_date() =
             api::ToDate(absl::CivilDay(2026, 6, 13));
       },
       "missed.next_attempt_date"},
  };
  for (const Case& c : cases) {
    homeward::v1::MissedContact m = valid();
    c.spoil(m);
    std::vector<std::string> fields;
    const errors::FieldViolations bad = CheckMissedContact(m, kToday, nullptr);
    for (const auto& v : bad.violations()) {
      fields.push_back(v.field);
    }
    EXPECT_THAT(fields, ElementsAre(c.field)) << c.name;
  }
}

TEST(MissedContactChecksTest, NextAttemptDefaultsToAWeekLater) {
  homeward::v1::MissedContact m;
  m.set_reason(homeward::v1::MISSED_REASON_OTHER);
  m.set_details("flooded road");
  *m.mutable_attempted_date() = api::ToDate(absl::CivilDay(2026, 6, 14));
  absl::CivilDay next;
  EXPECT_TRUE(CheckMissedContact(m, kToday, &next).empty());
  EXPECT_EQ(next, absl::CivilDay(2026, 6, 21));
  *m.mutable_next_attempt_date() = api::ToDate(absl::CivilDay(2026, 7, 1));
  EXPECT_TRUE(CheckMissedContact(m, kToday, &next).empty());
  EXPECT_EQ(next, absl::CivilDay(2026, 7, 1));
}

}  // namespace
}  // namespace homeward::follow_up
