// Request validation: a valid request passes, and each bad field gives
// exactly one violation naming it.
#include "services/referral/referral_requests.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace homeward::referral {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const absl::CivilDay kToday(2026, 3, 10);

v1::Date Day(int y, int m, int d) {
  v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

v1::CreateReferralRequest ValidCreate() {
  v1::CreateReferralRequest r;
  r.set_request_id("ref-1");
  auto* referral = r.mutable_referral();
  referral->set_case_id("C0123456789abcdef0123");
  referral->set_service_id("svc-training");
  referral->set_purpose("vocational training in tailoring");
  referral->set_urgency(v1::REFERRAL_URGENCY_ROUTINE);
  referral->set_need_id("N1");
  *referral->mutable_expected_response_date() = Day(2026, 3, 17);
  *referral->mutable_expected_completion_date() = Day(2026, 6, 30);
  referral->mutable_summary()->set_returnee_name("A. Diop");
  referral->mutable_summary()->set_birth_year(1995);
  referral->mutable_summary()->add_languages("wo");
  return r;
}

std::vector<std::string> Fields(const errors::FieldViolations& bad) {
  std::vector<std::string> fields;
  for (const auto& v : bad.violations()) fields.push_back(v.field);
  return fields;
}

TEST(ReferralRequestsTest, ValidCreatePasses) {
  EXPECT_THAT(Fields(ValidateCreateReferral(ValidCreate(), kToday)), IsEmpty());
}

TEST(ReferralRequestsTest, EachBadCreateFieldIsNamedOnce) {
  struct Case {
    std::string field;
    std::function<void(v1::CreateReferralRequest&)> spoil;
  };
  const std::vector<Case> cases = {
      {"request_id", [](auto& r) { r.set_request_id("has space"); }},
      {"referral.case_id",
       [](auto& r) { r.mutable_referral()->clear_case_id(); }},
      {"referral.service_id",
       [](auto& r) { r.mutable_referral()->set_service_id("a b"); }},
      {"referral.purpose",
       [](auto& r) { r.mutable_referral()->set_purpose("  "); }},
      {"referral.purpose",
       [](auto& r) {
         r.mutable_referral()->set_purpose(
             std::string(kMaxPurposeBytes + 1, 'x'));
       }},
      {"referral.urgency",
       [](auto& r) {
         r.mutable_referral()->set_urgency(v1::REFERRAL_URGENCY_UNSPECIFIED);
       }},
      {"referral.need_id",
       [](auto& r) { r.mutable_referral()->set_need_id(""); }},
      {"referral.activity.plan_id",
       [](auto& r) {
         r.mutable_referral()->mutable_activity()->set_activity_id("AC1");
       }},
      {"referral.concern_id",
       [](auto& r) { r.mutable_referral()->set_concern_id("bad id!"); }},
      {"referral.performer_id",
       [](auto& r) { r.mutable_referral()->set_performer_id("bad id!"); }},
      {"referral.expected_response_date",
       [](auto& r) { r.mutable_referral()->clear_expected_response_date(); }},
      {"referral.expected_response_date",
       [](auto& r) {
         *r.mutable_referral()->mutable_expected_response_date() =
             Day(2026, 2, 30);
       }},
      {"referral.expected_response_date",
       [](auto& r) {
         *r.mutable_referral()->mutable_expected_response_date() =
             Day(2026, 3, 9);
       }},
      {"referral.expected_completion_date",
       [](auto& r) { r.mutable_referral()->clear_expected_completion_date(); }},
      {"referral.expected_completion_date",
       [](auto& r) {
         *r.mutable_referral()->mutable_expected_completion_date() =
             Day(2026, 3, 16);
       }},
      {"referral.summary.languages[1]",
       [](auto& r) {
         r.mutable_referral()->mutable_summary()->add_languages("french");
       }},
      {"referral.summary.birth_year",
       [](auto& r) {
         r.mutable_referral()->mutable_summary()->set_birth_year(2027);
       }},
      {"referral.summary.needs_description",
       [](auto& r) {
         r.mutable_referral()->mutable_summary()->set_needs_description(
             std::string(kMaxNeedsDescriptionBytes + 1, 'x'));
       }},
      {"referral.summary.returnee_name",
       [](auto& r) {
         r.mutable_referral()->mutable_summary()->set_returnee_name(
             std::string(kMaxShortTextBytes + 1, 'x'));
       }},
      {"consent_override_reason",
       [](auto& r) {
         r.set_consent_override_reason(std::string(kMaxReasonBytes + 1, 'x'));
       }},
  };
  for (const Case& c : cases) {
    v1::CreateReferralRequest r = ValidCreate();
    c.spoil(r);
    EXPECT_THAT(Fields(ValidateCreateReferral(r, kToday)), ElementsAre(c.field))
        << c.field;
  }
}

TEST(ReferralRequestsTest, AdHocReferralAndEmptyRequestIdPass) {
  v1::CreateReferralRequest r = ValidCreate();
  r.clear_request_id();
  r.mutable_referral()->clear_need_id();
  EXPECT_THAT(Fields(ValidateCreateReferral(r, kToday)), IsEmpty());
}

TEST(ReferralRequestsTest, StatusChange) {
  v1::ChangeReferralStatusRequest r;
  EXPECT_THAT(Fields(ValidateChangeReferralStatus(r)),
              ElementsAre("case_id", "referral_id", "etag", "status"));
  r.set_case_id("C1");
  r.set_referral_id("R1");
  r.set_etag("3");
  r.set_status(v1::REFERRAL_STATUS_CANCELLED);
  EXPECT_THAT(Fields(ValidateChangeReferralStatus(r)), IsEmpty());
  r.set_status(static_cast<v1::ReferralStatus>(99));
  r.set_reason(std::string(kMaxReasonBytes + 1, 'x'));
  r.set_outcome(std::string(kMaxReasonBytes + 1, 'x'));
  EXPECT_THAT(Fields(ValidateChangeReferralStatus(r)),
              ElementsAre("status", "reason", "outcome"));
}

TEST(ReferralRequestsTest, DeclineReasonOnlyAndAlwaysWithRejected) {
  struct Case {
    v1::ReferralStatus status;
    int decline_reason;
    bool ok;
  };
  const Case cases[] = {
      {v1::REFERRAL_STATUS_REJECTED, v1::REFERRAL_DECLINE_REASON_NO_CAPACITY,
       true},
      {v1::REFERRAL_STATUS_REJECTED, v1::REFERRAL_DECLINE_REASON_OTHER, true},
      {v1::REFERRAL_STATUS_REJECTED, v1::REFERRAL_DECLINE_REASON_UNSPECIFIED,
       false},
      {v1::REFERRAL_STATUS_REJECTED, 99, false},
      {v1::REFERRAL_STATUS_ACCEPTED, v1::REFERRAL_DECLINE_REASON_UNSPECIFIED,
       true},
      {v1::REFERRAL_STATUS_ACCEPTED, v1::REFERRAL_DECLINE_REASON_NOT_ELIGIBLE,
       false},
      {v1::REFERRAL_STATUS_CANCELLED, v1::REFERRAL_DECLINE_REASON_OTHER, false},
      {v1::REFERRAL_STATUS_FAILED, 99, false},
  };
  for (const Case& c : cases) {
    v1::ChangeReferralStatusRequest r;
    r.set_case_id("C1");
    r.set_referral_id("R1");
    r.set_etag("3");
    r.set_status(c.status);
    r.set_decline_reason(
        static_cast<v1::ReferralDeclineReason>(c.decline_reason));
    const errors::FieldViolations bad = ValidateChangeReferralStatus(r);
    SCOPED_TRACE(
        absl::StrCat(v1::ReferralStatus_Name(c.status), " ", c.decline_reason));
    if (c.ok) {
      EXPECT_THAT(Fields(bad), IsEmpty());
    } else {
      EXPECT_THAT(Fields(bad), ElementsAre("decline_reason"));
    }
  }
  // Required: the answer lists the codes allowed.
  v1::ChangeReferralStatusRequest r;
  r.set_case_id("C1");
  r.set_referral_id("R1");
  r.set_etag("3");
  r.set_status(v1::REFERRAL_STATUS_REJECTED);
  const errors::FieldViolations bad = ValidateChangeReferralStatus(r);
  ASSERT_EQ(bad.violations().size(), 1u);
  EXPECT_THAT(bad.violations()[0].description,
              HasSubstr("REFERRAL_DECLINE_REASON_NOT_ELIGIBLE, "
                        "REFERRAL_DECLINE_REASON_NO_CAPACITY"));
  EXPECT_THAT(bad.violations()[0].description,
              HasSubstr("REFERRAL_DECLINE_REASON_OTHER"));
  EXPECT_THAT(bad.violations()[0].description, Not(HasSubstr("UNSPECIFIED")));
}

TEST(ReferralRequestsTest, ReadsClaimsAndLists) {
  EXPECT_THAT(Fields(ValidateGetReferral({})),
              ElementsAre("case_id", "referral_id"));
  EXPECT_THAT(Fields(ValidateClaimReferral({})),
              ElementsAre("case_id", "referral_id"));
  v1::ListCaseReferralsRequest list;
  list.mutable_page()->set_page_size(-1);
  EXPECT_THAT(Fields(ValidateListCaseReferrals(list)),
              ElementsAre("case_id", "page.page_size"));
  v1::ListReferralsToMakeRequest to_make;
  EXPECT_THAT(Fields(ValidateListReferralsToMake(to_make)),
              ElementsAre("case_id"));
  v1::ListInboxRequest inbox;
  inbox.add_statuses(v1::REFERRAL_STATUS_REQUESTED);
  inbox.add_statuses(v1::REFERRAL_STATUS_UNSPECIFIED);
  EXPECT_THAT(Fields(ValidateListInbox(inbox)), ElementsAre("statuses[1]"));
}

TEST(ReferralRequestsTest, OverdueQueues) {
  v1::ListOverdueReferralsRequest r;
  EXPECT_THAT(Fields(ValidateListOverdueReferrals(r)), ElementsAre("kind"));
  r.set_kind(v1::OVERDUE_KIND_AWAITING_RESPONSE);
  EXPECT_THAT(Fields(ValidateListOverdueReferrals(r)), IsEmpty());
  r.set_office_id("bad office");
  r.set_organization_id("bad org");
  *r.mutable_as_of() = Day(2026, 13, 1);
  r.mutable_page()->set_page_size(-5);
  EXPECT_THAT(
      Fields(ValidateListOverdueReferrals(r)),
      ElementsAre("office_id", "organization_id", "as_of", "page.page_size"));
}

}  // namespace
}  // namespace homeward::referral
