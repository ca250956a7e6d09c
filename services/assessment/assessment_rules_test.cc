// Table-driven tests of submission request validation and of comparing two
// submissions.
#include "services/assessment/assessment_rules.h"

#include <functional>
#include <string>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

namespace homeward::assessment {
namespace {

using ::homeward::v1::SubmitAssessmentRequest;
using ::testing::ElementsAre;

const absl::CivilDay kToday(2026, 6, 15);

SubmitAssessmentRequest Valid() {
  SubmitAssessmentRequest r;
  r.set_request_id("sub-1");
  r.set_case_id("C1");
  r.set_instrument_id("rss");
  r.set_instrument_version(1);
  r.set_occasion(homeward::v1::ASSESSMENT_OCCASION_FOLLOW_UP);
  r.set_assessor_role(homeward::v1::ASSESSOR_ROLE_COUNSELLOR);
  r.set_mode(homeward::v1::CONTACT_MODE_PHONE);
  r.mutable_assessment_date()->set_year(2026);
  r.mutable_assessment_date()->set_month(6);
  r.mutable_assessment_date()->set_day(15);
  auto* need = r.add_needs();
  need->set_dimension(homeward::v1::DIMENSION_SOCIAL);
  need->set_category("housing");
  need->set_description("Roof leaks; family of five in one room");
  need->set_priority(homeward::v1::NEED_PRIORITY_HIGH);
  return r;
}

std::vector<std::string> Fields(const errors::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& fv : v.violations()) out.push_back(fv.field);
  return out;
}

struct SubmitCase {
  std::string name;
  std::function<void(SubmitAssessmentRequest&)> mutate;
  std::vector<std::string> fields;
  friend void PrintTo(const SubmitCase& c, std::ostream* os) { *os << c.name; }
};

class SubmitRulesTest : public ::testing::TestWithParam<SubmitCase> {};

TEST_P(SubmitRulesTest, ReportsExactlyTheBadFields) {
  SubmitAssessmentRequest r = Valid();
  GetParam().mutate(r);
  EXPECT_EQ(Fields(ValidateSubmitAssessment(r, kToday)), GetParam().fields);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, SubmitRulesTest,
    ::testing::Values(
        SubmitCase{"Valid", [](auto&) {}, {}},
        SubmitCase{"MissingIds",
                   [](auto& r) {
                     r.clear_case_id();
                     r.clear_instrument_id();
                     r.set_instrument_version(0);
                   },
                   {"case_id", "instrument_id", "instrument_version"}},
        SubmitCase{"DateTomorrow",
                   [](auto& r) { r.mutable_assessment_date()->set_day(16); },
                   {"assessment_date"}},
        SubmitCase{"DateMissing",
                   [](auto& r) { r.clear_assessment_date(); },
                   {"assessment_date"}},
        SubmitCase{"NoSuchDay",
                   [](auto& r) {
                     r.mutable_assessment_date()->set_month(2);
                     r.mutable_assessment_date()->set_day(30);
                   },
                   {"assessment_date"}},
        SubmitCase{"BadRequestId",
                   [](auto& r) { r.set_request_id("a b"); },
                   {"request_id"}},
        SubmitCase{"IncompleteNeed",
                   [](auto& r) { r.add_needs(); },
                   {"needs[1].dimension", "needs[1].category",
                    "needs[1].description", "needs[1].priority"}},
        SubmitCase{
            "NeedCategoryWithSpaces",
            [](auto& r) { r.mutable_needs(0)->set_category("social housing"); },
            {"needs[0].category"}},
        SubmitCase{"WhenAndByWhomMissing",
                   [](auto& r) {
                     r.clear_occasion();
                     r.clear_assessor_role();
                     r.clear_mode();
                   },
                   {"occasion", "assessor_role", "mode"}},
        SubmitCase{"OccasionOutOfRange",
                   [](auto& r) {
                     r.set_occasion(
                         static_cast<homeward::v1::AssessmentOccasion>(42));
                   },
                   {"occasion"}},
        SubmitCase{"AssessorRoleOutOfRange",
                   [](auto& r) {
                     r.set_assessor_role(
                         static_cast<homeward::v1::AssessorRole>(42));
                   },
                   {"assessor_role"}},
        SubmitCase{"ModeOutOfRange",
                   [](auto& r) {
                     r.set_mode(static_cast<homeward::v1::ContactMode>(-1));
                   },
                   {"mode"}}),
    [](const auto& info) { return info.param.name; });

TEST(SubmitRulesTest, RequiredWhenAndByWhomListTheAllowedValues) {
  SubmitAssessmentRequest r = Valid();
  r.clear_occasion();
  r.clear_assessor_role();
  r.clear_mode();
  const auto violations = ValidateSubmitAssessment(r, kToday).violations();
  ASSERT_EQ(violations.size(), 3u);
  EXPECT_THAT(
      violations[0].description,
      ::testing::AllOf(::testing::HasSubstr("is required"),
                       ::testing::HasSubstr("ASSESSMENT_OCCASION_BASELINE"),
                       ::testing::HasSubstr("ASSESSMENT_OCCASION_FOLLOW_UP")));
  EXPECT_THAT(violations[1].description,
              ::testing::HasSubstr("ASSESSOR_ROLE_SELF_REPORTED"));
  EXPECT_THAT(violations[2].description,
              ::testing::HasSubstr("CONTACT_MODE_PHONE"));
}

struct SubjectCase {
  std::string name;
  std::vector<std::string> member_ids;  // the case's
  std::string subject;
  bool allowed;
};

class SubjectMemberTest : public ::testing::TestWithParam<SubjectCase> {};

TEST_P(SubjectMemberTest, SubjectIsTheReturneeOrOneOfTheCaseMembers) {
  homeward::v1::Case c;
  for (const auto& id : GetParam().member_ids) {
    c.mutable_returnee()->add_household_members()->set_member_id(id);
  }
  absl::Status status = CheckSubjectMember(c, GetParam().subject);
  if (GetParam().allowed) {
    EXPECT_TRUE(status.ok()) << status;
  } else {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    const auto violations = errors::FieldViolationsOf(status);
    ASSERT_EQ(violations.size(), 1u);
    EXPECT_EQ(violations[0].field, "subject_member_id");
    for (const auto& id : GetParam().member_ids) {
      EXPECT_THAT(violations[0].description, ::testing::HasSubstr(id));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, SubjectMemberTest,
    ::testing::Values(SubjectCase{"ReturneeWithoutMembers", {}, "", true},
                      SubjectCase{"ReturneeWithMembers", {"M1"}, "", true},
                      SubjectCase{"AMember", {"M1", "M3"}, "M3", true},
                      SubjectCase{"NotAMember", {"M1", "M3"}, "M2", false},
                      SubjectCase{"NoMembers", {}, "M1", false},
                      SubjectCase{"CaseMatters", {"M1"}, "m1", false}),
    [](const auto& info) { return info.param.name; });

homeward::v1::Assessment WithScores(std::optional<double> economic,
                                    std::optional<double> social,
                                    std::optional<double> composite,
                                    std::vector<std::string> flags) {
  homeward::v1::Assessment a;
  if (economic) a.mutable_scores()->set_economic(*economic);
  if (social) a.mutable_scores()->set_social(*social);
  if (composite) a.mutable_scores()->set_composite(*composite);
  for (auto& f : flags) a.add_flags()->set_code(f);
  return a;
}

TEST(CompareSubmissionsTest, ChangesPerScoreAndFlagDifferences) {
  auto base = WithScores(0.25, 0.5, 0.4, {"A", "B"});
  auto target = WithScores(0.75, std::nullopt, 0.45, {"B", "C"});
  auto c = CompareSubmissions(base, target);
  // Economic and composite in both, social only in base; psychosocial in
  // neither (so not listed).
  ASSERT_EQ(c.changes_size(), 3);
  EXPECT_EQ(c.changes(0).score(), homeward::v1::SCORE_KIND_ECONOMIC);
  EXPECT_DOUBLE_EQ(c.changes(0).change(), 0.5);  // 0.75 - 0.25
  EXPECT_EQ(c.changes(1).score(), homeward::v1::SCORE_KIND_SOCIAL);
  EXPECT_TRUE(c.changes(1).has_base());
  EXPECT_FALSE(c.changes(1).has_target());
  EXPECT_FALSE(c.changes(1).has_change());
  EXPECT_EQ(c.changes(2).score(), homeward::v1::SCORE_KIND_COMPOSITE);
  // 0.45 - 0.4 = 0.04999999999999999 in binary floating point; rounded to 4
  // places it is 0.05.
  EXPECT_DOUBLE_EQ(c.changes(2).change(), 0.05);
  EXPECT_THAT(c.flags_raised(), ElementsAre("C"));
  EXPECT_THAT(c.flags_cleared(), ElementsAre("A"));
}

TEST(CompareSubmissionsTest, AWorseningIsANegativeChange) {
  auto c = CompareSubmissions(WithScores(0.8, std::nullopt, std::nullopt, {}),
                              WithScores(0.3, std::nullopt, std::nullopt, {}));
  ASSERT_EQ(c.changes_size(), 1);
  EXPECT_DOUBLE_EQ(c.changes(0).change(), -0.5);
}

struct ComparableCase {
  const char* name;
  homeward::v1::InstrumentKind base_kind;
  const char* base_id;
  int base_version;
  homeward::v1::InstrumentKind target_kind;
  const char* target_id;
  int target_version;
  // Empty: comparable; else the precondition type and words of the message.
  const char* refusal;
  const char* message;
};

homeward::v1::Assessment MadeWith(homeward::v1::InstrumentKind kind,
                                  const char* id, int version) {
  homeward::v1::Assessment a;
  a.set_kind(kind);
  a.set_instrument_id(id);
  a.set_instrument_version(version);
  return a;
}

class CheckComparableTest : public ::testing::TestWithParam<ComparableCase> {};

TEST_P(CheckComparableTest, OnlyOneInstrumentVersionCompares) {
  const ComparableCase& c = GetParam();
  absl::Status status = CheckComparable(
      MadeWith(c.base_kind, c.base_id, c.base_version),
      MadeWith(c.target_kind, c.target_id, c.target_version), "A-target");
  if (std::string(c.refusal).empty()) {
    EXPECT_TRUE(status.ok()) << status;
    return;
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr(c.message));
  auto payload = status.GetPayload(errors::kPreconditionFailureTypeUrl);
  ASSERT_TRUE(payload.has_value());
  google::rpc::PreconditionFailure failure;
  ASSERT_TRUE(failure.ParseFromString(std::string(*payload)));
  ASSERT_EQ(failure.violations_size(), 1);
  EXPECT_EQ(failure.violations(0).type(), c.refusal);
  EXPECT_EQ(failure.violations(0).subject(), "A-target");
}

constexpr auto kRss = homeward::v1::INSTRUMENT_KIND_RSS;
constexpr auto kFamily = homeward::v1::INSTRUMENT_KIND_FAMILY_ASSESSMENT;

INSTANTIATE_TEST_SUITE_P(
    Rules, CheckComparableTest,
    ::testing::Values(
        ComparableCase{"SameVersion", kRss, "rss", 1, kRss, "rss", 1, "", ""},
        ComparableCase{"BaselineV1AgainstFollowUpV2", kRss, "rss", 1, kRss,
                       "rss", 2, "DIFFERENT_INSTRUMENT_VERSIONS",
                       "the base used rss version 1, the target rss version "
                       "2"},
        ComparableCase{"AnotherInstrumentOfTheSameKind", kRss, "rss", 1, kRss,
                       "rss_short", 1, "DIFFERENT_INSTRUMENT_VERSIONS",
                       "the base used rss version 1, the target rss_short "
                       "version 1"},
        ComparableCase{"AnotherKind", kRss, "rss", 1, kFamily, "family", 1,
                       "DIFFERENT_INSTRUMENT_KINDS",
                       "INSTRUMENT_KIND_RSS vs "
                       "INSTRUMENT_KIND_FAMILY_ASSESSMENT"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace homeward::assessment
