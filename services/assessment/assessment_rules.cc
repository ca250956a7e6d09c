// Submission validation and comparison; see assessment_rules.h.
#include "services/assessment/assessment_rules.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/field_checks.h"
#include "common/api/paging.h"
#include "common/api/scores.h"
#include "services/assessment/field_values.h"
#include "services/assessment/instruments/scoring.h"

namespace homeward::assessment {
namespace {

constexpr int kMaxNeeds = 50;
constexpr int kEarliestAssessmentYear = 1950;
constexpr size_t kMaxDescription = 2000;

std::set<std::string> FlagCodes(const homeward::v1::Assessment& a) {
  std::set<std::string> codes;
  for (const auto& f : a.flags()) codes.insert(f.code());
  return codes;
}

}  // namespace

errors::FieldViolations ValidateSubmitAssessment(
    const homeward::v1::SubmitAssessmentRequest& request,
    absl::CivilDay today) {
  errors::FieldViolations bad;
  api::CheckRequestId(bad, request.request_id());
  if (request.case_id().empty()) bad.Add("case_id", "is required");
  if (request.instrument_id().empty()) bad.Add("instrument_id", "is required");
  if (request.instrument_version() < 1) {
    bad.Add("instrument_version",
            "is required (>= 1): answers belong to one published version of "
            "the instrument");
  }
  absl::CivilDay day;
  api::CheckPastDate(bad, "assessment_date", request.assessment_date(),
                     request.has_assessment_date(), today,
                     kEarliestAssessmentYear, &day);
  if (request.needs_size() > kMaxNeeds) {
    bad.Add("needs", absl::StrCat("must list at most ", kMaxNeeds));
  }
  for (int i = 0; i < request.needs_size(); ++i) {
    const auto& need = request.needs(i);
    std::string path = absl::StrCat("needs[", i, "]");
    if (need.dimension() == homeward::v1::DIMENSION_UNSPECIFIED) {
      bad.Add(path + ".dimension",
              RequiredEnumRule(homeward::v1::Dimension_descriptor()));
    }
    if (!api::IsIdentifier(need.category())) {
      bad.Add(
          path + ".category",
          "is required: 1 to 64 characters from letters, digits and - _ . : @ "
          "(e.g. \"housing\")");
    }
    if (absl::StripAsciiWhitespace(need.description()).empty()) {
      bad.Add(path + ".description", "is required");
    } else if (need.description().size() > kMaxDescription) {
      bad.Add(path + ".description",
              absl::StrCat("must be at most ", kMaxDescription, " bytes"));
    }
    if (need.priority() == homeward::v1::NEED_PRIORITY_UNSPECIFIED) {
      bad.Add(path + ".priority",
              RequiredEnumRule(homeward::v1::NeedPriority_descriptor()));
    }
  }
  // When and by whom: a follow-up is compared with the baseline, and a
  // self-reported answer weighs differently from a counsellor's.
  if (request.occasion() == homeward::v1::ASSESSMENT_OCCASION_UNSPECIFIED) {
    bad.Add("occasion",
            RequiredEnumRule(homeward::v1::AssessmentOccasion_descriptor()));
  }
  if (request.assessor_role() == homeward::v1::ASSESSOR_ROLE_UNSPECIFIED) {
    bad.Add("assessor_role",
            RequiredEnumRule(homeward::v1::AssessorRole_descriptor()));
  }
  if (request.mode() == homeward::v1::CONTACT_MODE_UNSPECIFIED) {
    bad.Add("mode", RequiredEnumRule(homeward::v1::ContactMode_descriptor()));
  }
  return WithFieldValueChecks(request, std::move(bad));
}

absl::Status CheckSubjectMember(const homeward::v1::Case& c,
                                absl::string_view subject_member_id) {
  if (subject_member_id.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  for (const auto& m : c.returnee().household_members()) {
    if (m.member_id() == subject_member_id) return absl::OkStatus();
    ids.push_back(m.member_id());
  }
  return errors::InvalidField(
      "subject_member_id",
      ids.empty()
          ? absl::StrCat("'", subject_member_id,
                         "' is not a household member of the case (it has "
                         "none): leave it empty for an assessment of the "
                         "returnee")
          : absl::StrCat("'", subject_member_id,
                         "' is not a household member of the case (its "
                         "members: ",
                         absl::StrJoin(ids, ", "),
                         "); leave it empty for the returnee"));
}

errors::FieldViolations ValidateSubmission(
    const homeward::v1::SubmitAssessmentRequest& request, absl::CivilDay today,
    const homeward::v1::InstrumentDefinition& instrument) {
  errors::FieldViolations bad = ValidateSubmitAssessment(request, today);
  std::set<std::string> refused;
  for (const auto& v : bad.violations()) refused.insert(v.field);
  const errors::FieldViolations answers =
      ValidateAnswers(instrument, request.answers());
  for (const auto& v : answers.violations()) {
    if (!refused.count(v.field)) bad.Add(v.field, v.description);
  }
  return bad;
}

errors::FieldViolations ValidateGetAssessment(
    const homeward::v1::GetAssessmentRequest& request) {
  errors::FieldViolations bad;
  if (request.case_id().empty()) bad.Add("case_id", "is required");
  if (request.assessment_id().empty()) bad.Add("assessment_id", "is required");
  return WithFieldValueChecks(request, std::move(bad));
}

errors::FieldViolations ValidateListAssessments(
    const homeward::v1::ListAssessmentsRequest& request) {
  errors::FieldViolations bad;
  if (request.case_id().empty()) bad.Add("case_id", "is required");
  api::CheckPageRequest(bad, request.page());
  return WithFieldValueChecks(request, std::move(bad));
}

errors::FieldViolations ValidateCompareAssessments(
    const homeward::v1::CompareAssessmentsRequest& request) {
  errors::FieldViolations bad;
  if (request.case_id().empty()) bad.Add("case_id", "is required");
  if (request.base_assessment_id().empty())
    bad.Add("base_assessment_id", "is required");
  if (request.target_assessment_id().empty())
    bad.Add("target_assessment_id", "is required");
  return WithFieldValueChecks(request, std::move(bad));
}

absl::Status CheckComparable(const homeward::v1::Assessment& base,
                             const homeward::v1::Assessment& target,
                             absl::string_view target_id) {
  if (base.kind() != target.kind()) {
    return errors::FailedPrecondition(
        "DIFFERENT_INSTRUMENT_KINDS", target_id,
        absl::StrCat("only assessments of the same kind compare: ",
                     homeward::v1::InstrumentKind_Name(base.kind()), " vs ",
                     homeward::v1::InstrumentKind_Name(target.kind())));
  }
  if (base.instrument_id() != target.instrument_id() ||
      base.instrument_version() != target.instrument_version()) {
    return errors::FailedPrecondition(
        "DIFFERENT_INSTRUMENT_VERSIONS", target_id,
        absl::StrCat("only assessments made with one instrument version "
                     "compare: the base used ",
                     base.instrument_id(), " version ",
                     base.instrument_version(), ", the target ",
                     target.instrument_id(), " version ",
                     target.instrument_version()));
  }
  return absl::OkStatus();
}

homeward::v1::CompareAssessmentsResponse CompareSubmissions(
    const homeward::v1::Assessment& base,
    const homeward::v1::Assessment& target) {
  homeward::v1::CompareAssessmentsResponse comparison;
  *comparison.mutable_base() = base;
  *comparison.mutable_target() = target;
  api::AddScoreChanges(&base.scores(), &target.scores(), /*comparable=*/true,
                       comparison.mutable_changes());
  std::set<std::string> before = FlagCodes(base);
  std::set<std::string> after = FlagCodes(target);
  for (const auto& code : after) {
    if (!before.count(code)) comparison.add_flags_raised(code);
  }
  for (const auto& code : before) {
    if (!after.count(code)) comparison.add_flags_cleared(code);
  }
  return comparison;
}

}  // namespace homeward::assessment
