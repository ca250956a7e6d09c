// Table-driven tests of the checks every request field is held to: defined
// enum numbers and text without control characters (field_values.h), through
// the validators of each service so that no request type is left out.
#include "services/assessment/field_values.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "homeward/v1/cases.pb.h"
#include "homeward/v1/counselling.pb.h"
#include "homeward/v1/instruments.pb.h"
#include "services/assessment/assessment_rules.h"
#include "services/assessment/case_validation.h"
#include "services/assessment/consent_rules.h"
#include "services/assessment/counselling_rules.h"
#include "services/assessment/need_rules.h"
#include "tests/fixtures/case_fixtures.h"

namespace homeward::assessment {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const absl::CivilDay kToday(2026, 6, 15);

std::vector<std::string> Fields(const errors::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& fv : v.violations()) out.push_back(fv.field);
  return out;
}

std::string DescriptionOf(const errors::FieldViolations& v,
                          const std::string& field) {
  for (const auto& fv : v.violations()) {
    if (fv.field == field) return fv.description;
  }
  return "";
}

TEST(TextProblemTest, RefusesControlCharactersAndInvalidUtf8) {
  struct Row {
    std::string text;
    bool single_line_ok;
    bool multi_line_ok;
  };
  const Row rows[] = {
      {"Awa", true, true},
      {"Aïssatou N'Diaye-Sow", true, true},
      {"\xD0\x9C\xD0\xB0\xD0\xBC\xD0\xB0\xD0\xB4\xD1\x83", true, true},
      {"emoji \xF0\x9F\x99\x82", true, true},
      {std::string("Awa\0x", 5), false, false},  // NUL
      {"Awa\x1b[31mred\x1b[0m", false, false},   // ANSI escape
      {"two\nlines", false, true},               // line break
      {"tab\there", false, true},                // tab
      {"carriage\rreturn", false, false},        // CR is not allowed
      {"bell\x07", false, false},                // other C0
      {"del\x7f", false, false},                 // DEL
      {"next line \xC2\x85", false, false},      // C1 U+0085
      {"csi \xC2\x9B", false, false},            // C1 U+009B
      {"nbsp\xC2\xA0ok", true, true},            // U+00A0 is printable
      {"bad \xFF byte", false, false},           // invalid UTF-8
      {"overlong \xC0\xAF", false, false},       // overlong '/'
      {"surrogate \xED\xA0\x80", false, false},  // UTF-16 surrogate
      {"cut \xE2\x82", false, false},            // truncated sequence
  };
  for (const Row& row : rows) {
    EXPECT_EQ(TextProblem(row.text, false).empty(), row.single_line_ok)
        << "single line: " << absl::CEscape(row.text);
    EXPECT_EQ(TextProblem(row.text, true).empty(), row.multi_line_ok)
        << "multi line: " << absl::CEscape(row.text);
  }
  EXPECT_THAT(TextProblem(std::string("Awa\0x", 5), false),
              HasSubstr("U+0000 at byte 3"));
}

// Out-of-range enum numbers, as a JSON or gRPC client can send them: proto3
// keeps the number, so only a check can refuse it.
TEST(FieldValuesTest, RefusesUndefinedEnumNumbersNamingPathAndValues) {
  homeward::v1::RegisterCaseRequest request =
      homeward::testing::ValidRegistration("r-1");
  auto* returnee = request.mutable_case_()->mutable_returnee();
  returnee->set_sex(static_cast<homeward::v1::Sex>(99));
  auto* contact = returnee->add_contacts();
  contact->set_kind(static_cast<homeward::v1::ContactKind>(-3));
  contact->set_value("+221 77 000 00 00");
  request.mutable_case_()->mutable_return_info()->set_return_type(
      static_cast<homeward::v1::ReturnType>(42));
  errors::FieldViolations bad = ValidateRegisterCase(request, kToday);
  EXPECT_THAT(Fields(bad),
              ElementsAre("case.returnee.sex", "case.returnee.contacts[0].kind",
                          "case.return_info.return_type"));
  EXPECT_EQ(DescriptionOf(bad, "case.returnee.sex"),
            "99 is not a defined value: one of SEX_FEMALE, SEX_MALE, "
            "SEX_OTHER or SEX_UNDISCLOSED");
  EXPECT_THAT(DescriptionOf(bad, "case.return_info.return_type"),
              HasSubstr("42 is not a defined value: one of "
                        "RETURN_TYPE_VOLUNTARY"));
}

TEST(FieldValuesTest, EveryServiceRefusesUndefinedEnums) {
  struct Row {
    std::string name;
    errors::FieldViolations bad;
    std::string field;
  };
  homeward::v1::ListCasesRequest list_cases;
  list_cases.set_stage(static_cast<homeward::v1::CaseStage>(77));
  homeward::v1::RecordConsentRequest consent;
  consent.mutable_consent()->set_case_id("C1");
  consent.mutable_consent()->set_purpose(
      static_cast<homeward::v1::ConsentPurpose>(50));
  consent.mutable_consent()->set_method(homeward::v1::CONSENT_METHOD_WRITTEN);
  homeward::v1::CheckConsentRequest check;
  check.set_case_id("C1");
  check.set_agency_id("agency-7");
  check.set_purpose(static_cast<homeward::v1::ConsentPurpose>(50));
  homeward::v1::RecordCounsellingSessionRequest session;
  session.mutable_session()->set_mode(
      static_cast<homeward::v1::ContactMode>(9));
  homeward::v1::SubmitAssessmentRequest submit;
  auto* need = submit.add_needs();
  need->set_dimension(static_cast<homeward::v1::Dimension>(8));
  need->set_priority(static_cast<homeward::v1::NeedPriority>(8));
  homeward::v1::ListNeedsRequest needs;
  needs.set_case_id("C1");
  needs.set_dimension(static_cast<homeward::v1::Dimension>(12));
  homeward::v1::ListAssessmentsRequest list_assessments;
  list_assessments.set_case_id("C1");
  list_assessments.set_kind(static_cast<homeward::v1::InstrumentKind>(12));

  const Row rows[] = {
      {"ListCases", ValidateListCases(list_cases), "stage"},
      {"RecordConsent", ValidateRecordConsent(consent, kToday),
       "consent.purpose"},
      {"CheckConsent", ValidateCheckConsent(check), "purpose"},
      {"RecordCounsellingSession",
       ValidateRecordCounsellingSession(session, absl::Now()), "session.mode"},
      {"SubmitAssessment dimension", ValidateSubmitAssessment(submit, kToday),
       "needs[0].dimension"},
      {"SubmitAssessment priority", ValidateSubmitAssessment(submit, kToday),
       "needs[0].priority"},
      {"ListNeeds", ValidateNeedList(needs), "dimension"},
      {"ListAssessments", ValidateListAssessments(list_assessments), "kind"},
  };
  for (const Row& row : rows) {
    // Exactly one violation for the field, and it is the undefined number.
    int count = 0;
    for (const auto& v : row.bad.violations()) {
      if (v.field != row.field) continue;
      ++count;
      EXPECT_THAT(v.description, HasSubstr("is not a defined value: one of"))
          << row.name;
    }
    EXPECT_EQ(count, 1) << row.name;
  }
}

TEST(FieldValuesTest, RefusesControlCharactersOncePerField) {
  homeward::v1::RegisterCaseRequest request =
      homeward::testing::ValidRegistration("r-1");
  auto* returnee = request.mutable_case_()->mutable_returnee();
  returnee->set_given_name(std::string("Awa\0x", 5));
  returnee->set_family_name("\x1b[2JNdiaye");
  returnee->set_nationality("S\x7f");  // also not an ISO code: one violation
  request.mutable_case_()->mutable_return_info()->set_locality("Pikine\nDakar");
  request.set_request_id("r 1");
  errors::FieldViolations bad = ValidateRegisterCase(request, kToday);
  EXPECT_THAT(Fields(bad),
              UnorderedElementsAre("request_id", "case.returnee.given_name",
                                   "case.returnee.family_name",
                                   "case.returnee.nationality",
                                   "case.return_info.locality"));
  EXPECT_THAT(DescriptionOf(bad, "case.returnee.nationality"),
              HasSubstr("control characters"));
}

TEST(FieldValuesTest, MultiLineNotesKeepLineBreaksAndTabsOnly) {
  homeward::v1::RecordCounsellingSessionRequest ok;
  auto* s = ok.mutable_session();
  s->set_observations("Slept badly.\n\tAsked about work.");
  errors::FieldViolations bad;
  CheckFieldValues(bad, ok);
  EXPECT_THAT(bad.violations(), IsEmpty());

  s->set_observations("Slept badly.\r\n");
  s->add_topics("housing\nwork");
  s->add_participants("returnee\t");
  CheckFieldValues(bad, ok);
  EXPECT_THAT(Fields(bad), UnorderedElementsAre("session.participants[0]",
                                                "session.topics[0]",
                                                "session.observations"));
}

TEST(FieldValuesTest, ChecksMapValuesAndKeysByPath) {
  homeward::v1::PublishInstrumentRequest request;
  auto* instrument = request.mutable_instrument();
  (*instrument->mutable_title())["fr"] = "Titre\x1b";
  (*instrument->mutable_title())["en\n"] = "Title";
  auto* rule = instrument->add_need_rules();
  (*rule->mutable_description())["fr"] = "Ligne 1\nLigne 2";  // multi-line
  rule->set_priority(static_cast<homeward::v1::NeedPriority>(40));
  errors::FieldViolations bad;
  CheckFieldValues(bad, request);
  std::vector<std::string> fields = Fields(bad);
  std::sort(fields.begin(), fields.end());
  EXPECT_THAT(fields, ElementsAre("instrument.need_rules[0].priority",
                                  "instrument.title", "instrument.title[fr]"));
}

// Invalid UTF-8 never reaches a handler: protobuf refuses to parse a proto3
// string field that holds it (the wire form below is what a hostile client
// sends), and the JSON parser refuses it too.
TEST(FieldValuesTest, ProtobufRefusesInvalidUtf8InStringFields) {
  // Field 1 (case_id), wire type 2, length 3: "a\xFFb".
  const std::string wire("\x0A\x03\x61\xFF\x62", 5);
  homeward::v1::GetCaseRequest parsed;
  EXPECT_FALSE(parsed.ParseFromString(wire));
  homeward::v1::GetCaseRequest valid;
  EXPECT_TRUE(valid.ParseFromString(std::string("\x0A\x03\x61\x62\x63", 5)));
  EXPECT_EQ(valid.case_id(), "abc");
}

}  // namespace
}  // namespace homeward::assessment
