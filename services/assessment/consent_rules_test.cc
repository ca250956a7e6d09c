// Table-driven tests of the consent rules: request validation (each field
// path) and the sharing decision table. "Today" is fixed at 2026-06-15 and
// every expectation is worked out by hand.
#include "services/assessment/consent_rules.h"

#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace homeward::assessment {
namespace {

using ::homeward::v1::CheckConsentRequest;
using ::homeward::v1::ConsentRecord;
using ::homeward::v1::RecordConsentRequest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::CivilDay kToday(2026, 6, 15);
constexpr auto kReferral = homeward::v1::CONSENT_PURPOSE_REFERRAL;
constexpr auto kMonitoring = homeward::v1::CONSENT_PURPOSE_MONITORING;

void SetDate(homeward::v1::Date* d, int y, int m, int day) {
  d->set_year(y);
  d->set_month(m);
  d->set_day(day);
}

RecordConsentRequest ValidRequest() {
  RecordConsentRequest r;
  r.set_request_id("consent-001");
  auto* c = r.mutable_consent();
  c->set_case_id("C0123456789abcdef0123");
  c->set_purpose(kReferral);
  c->set_recipient_agency_id("agency-health.dakar");
  c->set_granted(true);
  SetDate(c->mutable_decision_date(), 2026, 6, 1);
  c->set_method(homeward::v1::CONSENT_METHOD_WRITTEN);
  c->set_notes("Signed form scanned into the paper file.");
  return r;
}

std::vector<std::string> Fields(const errors::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& fv : v.violations()) out.push_back(fv.field);
  return out;
}

TEST(ValidateRecordConsentTest, AcceptsACompleteRequest) {
  EXPECT_THAT(Fields(ValidateRecordConsent(ValidRequest(), kToday)), IsEmpty());
}

TEST(ValidateRecordConsentTest, SaysWhatIsAllowed) {
  RecordConsentRequest r = ValidRequest();
  r.mutable_consent()->clear_purpose();
  auto bad = ValidateRecordConsent(r, kToday);
  ASSERT_EQ(bad.violations().size(), 1u);
  EXPECT_THAT(
      bad.violations()[0].description,
      HasSubstr("CONSENT_PURPOSE_CASE_MANAGEMENT, CONSENT_PURPOSE_REFERRAL"));
}

struct RecordCase {
  std::string name;
  std::function<void(RecordConsentRequest&)> mutate;
  std::vector<std::string> fields;  // every violation expected, in order
  friend void PrintTo(const RecordCase& c, std::ostream* os) { *os << c.name; }
};

class RecordConsentRulesTest : public ::testing::TestWithParam<RecordCase> {};

TEST_P(RecordConsentRulesTest, ReportsExactlyTheBadFields) {
  RecordConsentRequest r = ValidRequest();
  GetParam().mutate(r);
  EXPECT_EQ(Fields(ValidateRecordConsent(r, kToday)), GetParam().fields);
}

ConsentRecord& C(RecordConsentRequest& r) { return *r.mutable_consent(); }

INSTANTIATE_TEST_SUITE_P(
    Rules, RecordConsentRulesTest,
    ::testing::Values(
        RecordCase{
            "MissingConsent", [](auto& r) { r.clear_consent(); }, {"consent"}},
        RecordCase{
            "RequestIdIsOptional", [](auto& r) { r.clear_request_id(); }, {}},
        RecordCase{"RequestIdWithSpaces",
                   [](auto& r) { r.set_request_id("a b"); },
                   {"request_id"}},
        RecordCase{"RequestIdTooLong",
                   [](auto& r) { r.set_request_id(std::string(129, 'a')); },
                   {"request_id"}},
        RecordCase{"MissingCaseId",
                   [](auto& r) { C(r).clear_case_id(); },
                   {"consent.case_id"}},
        RecordCase{"MissingPurpose",
                   [](auto& r) { C(r).clear_purpose(); },
                   {"consent.purpose"}},
        RecordCase{"UnknownPurpose",
                   [](auto& r) {
                     C(r).set_purpose(
                         static_cast<homeward::v1::ConsentPurpose>(99));
                   },
                   {"consent.purpose"}},
        RecordCase{"AnyAgencyIsEmptyRecipient",
                   [](auto& r) { C(r).clear_recipient_agency_id(); },
                   {}},
        RecordCase{"RecipientWithSlash",
                   [](auto& r) { C(r).set_recipient_agency_id("a/b"); },
                   {"consent.recipient_agency_id"}},
        RecordCase{
            "RecipientTooLong",
            [](auto& r) { C(r).set_recipient_agency_id(std::string(65, 'a')); },
            {"consent.recipient_agency_id"}},
        RecordCase{
            "RecipientOf64IsFine",
            [](auto& r) { C(r).set_recipient_agency_id(std::string(64, 'a')); },
            {}},
        RecordCase{"MissingDecisionDate",
                   [](auto& r) { C(r).clear_decision_date(); },
                   {"consent.decision_date"}},
        RecordCase{
            "ZeroDecisionDate",
            [](auto& r) { SetDate(C(r).mutable_decision_date(), 0, 0, 0); },
            {"consent.decision_date"}},
        RecordCase{
            "NoSuchDay",
            [](auto& r) { SetDate(C(r).mutable_decision_date(), 2026, 4, 31); },
            {"consent.decision_date"}},
        RecordCase{
            "MonthThirteen",
            [](auto& r) { SetDate(C(r).mutable_decision_date(), 2026, 13, 1); },
            {"consent.decision_date"}},
        RecordCase{
            "TodayIsFine",
            [](auto& r) { SetDate(C(r).mutable_decision_date(), 2026, 6, 15); },
            {}},
        RecordCase{
            "Tomorrow",
            [](auto& r) { SetDate(C(r).mutable_decision_date(), 2026, 6, 16); },
            {"consent.decision_date"}},
        RecordCase{
            "FirstDayOf1950IsFine",
            [](auto& r) { SetDate(C(r).mutable_decision_date(), 1950, 1, 1); },
            {}},
        RecordCase{"Before1950",
                   [](auto& r) {
                     SetDate(C(r).mutable_decision_date(), 1949, 12, 31);
                   },
                   {"consent.decision_date"}},
        RecordCase{"MissingMethod",
                   [](auto& r) { C(r).clear_method(); },
                   {"consent.method"}},
        RecordCase{"UnknownMethod",
                   [](auto& r) {
                     C(r).set_method(
                         static_cast<homeward::v1::ConsentMethod>(7));
                   },
                   {"consent.method"}},
        RecordCase{"NotesOf2000BytesAreFine",
                   [](auto& r) { C(r).set_notes(std::string(2000, 'n')); },
                   {}},
        RecordCase{"NotesTooLong",
                   [](auto& r) { C(r).set_notes(std::string(2001, 'n')); },
                   {"consent.notes"}},
        RecordCase{"OutputOnlyFieldsAreIgnored",
                   [](auto& r) {
                     C(r).set_consent_id("not mine to choose");
                     C(r).set_recorded_by("someone else");
                     C(r).mutable_create_time()->set_seconds(-5);
                   },
                   {}},
        RecordCase{"EveryProblemAtOnce",
                   [](auto& r) {
                     r.set_request_id("bad id");
                     C(r).clear_case_id();
                     C(r).clear_purpose();
                     C(r).set_recipient_agency_id("?");
                     SetDate(C(r).mutable_decision_date(), 2027, 1, 1);
                     C(r).clear_method();
                     C(r).set_notes(std::string(3000, 'n'));
                   },
                   {"request_id", "consent.case_id", "consent.purpose",
                    "consent.recipient_agency_id", "consent.decision_date",
                    "consent.method", "consent.notes"}}),
    [](const auto& info) { return info.param.name; });

TEST(ValidateListConsentsTest, NeedsACaseAndANonNegativePageSize) {
  homeward::v1::ListConsentsRequest r;
  r.mutable_page()->set_page_size(-1);
  EXPECT_THAT(Fields(ValidateListConsents(r)),
              ElementsAre("case_id", "page.page_size"));
  r.set_case_id("C1");
  r.mutable_page()->set_page_size(0);
  EXPECT_THAT(Fields(ValidateListConsents(r)), IsEmpty());
  r.mutable_page()->set_page_size(10000);  // capped, not refused
  EXPECT_THAT(Fields(ValidateListConsents(r)), IsEmpty());
}

TEST(ValidateCheckConsentTest, NeedsCaseAgencyAndPurpose) {
  CheckConsentRequest r;
  EXPECT_THAT(Fields(ValidateCheckConsent(r)),
              ElementsAre("case_id", "agency_id", "purpose"));
  r.set_case_id("C1");
  r.set_agency_id("agency x");
  r.set_purpose(static_cast<homeward::v1::ConsentPurpose>(42));
  EXPECT_THAT(Fields(ValidateCheckConsent(r)),
              ElementsAre("agency_id", "purpose"));
  r.set_agency_id("agency-x");
  r.set_purpose(kReferral);
  EXPECT_THAT(Fields(ValidateCheckConsent(r)), IsEmpty());
}

// --- The sharing decision table -------------------------------------------

// A record as the store returns it; `created` orders records decided on the
// same day (seconds since the epoch, only the order matters).
ConsentRecord Decision(const std::string& id,
                       homeward::v1::ConsentPurpose purpose,
                       const std::string& recipient, bool granted, int month,
                       int day, int64_t created) {
  ConsentRecord r;
  r.set_consent_id(id);
  r.set_case_id("C1");
  r.set_purpose(purpose);
  r.set_recipient_agency_id(recipient);
  r.set_granted(granted);
  SetDate(r.mutable_decision_date(), 2026, month, day);
  r.set_method(homeward::v1::CONSENT_METHOD_VERBAL);
  r.mutable_create_time()->set_seconds(created);
  return r;
}

struct DecisionCase {
  std::string name;
  std::vector<ConsentRecord> history;  // in recording order
  std::string agency;
  bool allowed;
  std::string deciding_id;  // empty: no record applies
  friend void PrintTo(const DecisionCase& c, std::ostream* os) {
    *os << c.name;
  }
};

class DecisionTableTest : public ::testing::TestWithParam<DecisionCase> {};

TEST_P(DecisionTableTest, LatestApplicableRecordDecides) {
  const DecisionCase& c = GetParam();
  auto answer = DecideConsent(c.history, c.agency, kReferral);
  EXPECT_EQ(answer.allowed(), c.allowed);
  EXPECT_EQ(answer.has_deciding_record(), !c.deciding_id.empty());
  EXPECT_EQ(answer.deciding_record().consent_id(), c.deciding_id);
  if (c.deciding_id.empty()) {
    EXPECT_THAT(answer.explanation(), HasSubstr("no consent was recorded"));
  } else {
    EXPECT_THAT(answer.explanation(), HasSubstr(c.deciding_id));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, DecisionTableTest,
    ::testing::Values(
        DecisionCase{"NoRecordsX", {}, "X", false, ""},
        DecisionCase{"GrantXAllowsX",
                     {Decision("K1", kReferral, "X", true, 3, 1, 100)},
                     "X",
                     true,
                     "K1"},
        DecisionCase{"GrantXDoesNotAllowY",
                     {Decision("K1", kReferral, "X", true, 3, 1, 100)},
                     "Y",
                     false,
                     ""},
        DecisionCase{"GrantAnyAllowsX",
                     {Decision("K1", kReferral, "", true, 3, 1, 100)},
                     "X",
                     true,
                     "K1"},
        DecisionCase{"GrantAnyAllowsY",
                     {Decision("K1", kReferral, "", true, 3, 1, 100)},
                     "Y",
                     true,
                     "K1"},
        DecisionCase{"GrantAnyThenWithdrawXRefusesX",
                     {Decision("K1", kReferral, "", true, 3, 1, 100),
                      Decision("K2", kReferral, "X", false, 4, 1, 200)},
                     "X",
                     false,
                     "K2"},
        DecisionCase{"GrantAnyThenWithdrawXStillAllowsY",
                     {Decision("K1", kReferral, "", true, 3, 1, 100),
                      Decision("K2", kReferral, "X", false, 4, 1, 200)},
                     "Y",
                     true,
                     "K1"},
        DecisionCase{"WithdrawAnyAfterGrantXRefusesX",
                     {Decision("K1", kReferral, "X", true, 3, 1, 100),
                      Decision("K2", kReferral, "", false, 4, 1, 200)},
                     "X",
                     false,
                     "K2"},
        // The decision date orders, not the recording order: a withdrawal
        // of March entered after a grant of April does not override it.
        DecisionCase{"LaterDecisionDateWinsOverLaterRecording",
                     {Decision("K1", kReferral, "X", true, 4, 1, 100),
                      Decision("K2", kReferral, "X", false, 3, 1, 200)},
                     "X",
                     true,
                     "K1"},
        DecisionCase{"SameDateLaterCreateTimeWinsGrant",
                     {Decision("K1", kReferral, "X", false, 3, 1, 100),
                      Decision("K2", kReferral, "X", true, 3, 1, 200)},
                     "X",
                     true,
                     "K2"},
        DecisionCase{"SameDateLaterCreateTimeWinsWithdraw",
                     {Decision("K1", kReferral, "", true, 3, 1, 100),
                      Decision("K2", kReferral, "X", false, 3, 1, 200)},
                     "X",
                     false,
                     "K2"},
        // The history's order does not matter, only the create_time.
        DecisionCase{"SameDateCreateTimeNotPositionDecides",
                     {Decision("K2", kReferral, "X", true, 3, 1, 200),
                      Decision("K1", kReferral, "X", false, 3, 1, 100)},
                     "X",
                     true,
                     "K2"},
        DecisionCase{"FullTieLaterInHistoryWins",
                     {Decision("K1", kReferral, "X", true, 3, 1, 100),
                      Decision("K2", kReferral, "X", false, 3, 1, 100)},
                     "X",
                     false,
                     "K2"},
        DecisionCase{"OtherPurposeGrantIsIgnored",
                     {Decision("K1", kMonitoring, "X", true, 3, 1, 100)},
                     "X",
                     false,
                     ""},
        DecisionCase{"OtherPurposeWithdrawalIsIgnored",
                     {Decision("K1", kReferral, "X", true, 3, 1, 100),
                      Decision("K2", kMonitoring, "", false, 5, 1, 200)},
                     "X",
                     true,
                     "K1"},
        DecisionCase{"OtherAgencysWithdrawalIsIgnored",
                     {Decision("K1", kReferral, "", true, 3, 1, 100),
                      Decision("K2", kReferral, "Y", false, 5, 1, 200)},
                     "X",
                     true,
                     "K1"},
        DecisionCase{"RegrantAfterWithdrawal",
                     {Decision("K1", kReferral, "X", true, 3, 1, 100),
                      Decision("K2", kReferral, "", false, 4, 1, 200),
                      Decision("K3", kReferral, "X", true, 5, 1, 300)},
                     "X",
                     true,
                     "K3"}),
    [](const auto& info) { return info.param.name; });

TEST(DecideConsentTest, ExplanationsNameTheDecision) {
  auto none = DecideConsent({}, "agency-x", kReferral);
  EXPECT_EQ(none.explanation(),
            "no consent was recorded for CONSENT_PURPOSE_REFERRAL with agency "
            "'agency-x' or "
            "with any agency, so sharing is not allowed");
  auto withdrawn = DecideConsent(
      {Decision("K9", kReferral, "", false, 2, 7, 1)}, "agency-x", kReferral);
  EXPECT_EQ(withdrawn.explanation(),
            "consent K9 of 2026-02-07 refused or withdrew "
            "CONSENT_PURPOSE_REFERRAL for any "
            "agency, and no later decision applies");
  auto granted =
      DecideConsent({Decision("K3", kReferral, "agency-x", true, 12, 25, 1)},
                    "agency-x", kReferral);
  EXPECT_EQ(granted.explanation(),
            "consent K3 of 2026-12-25 granted CONSENT_PURPOSE_REFERRAL for "
            "agency 'agency-x', "
            "and no later decision applies");
}

}  // namespace
}  // namespace homeward::assessment
