// Case-intake validation rules; see case_validation.h.
#include "services/assessment/case_validation.h"

#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/api/field_checks.h"
#include "common/api/iso_codes.h"
#include "common/api/paging.h"
#include "services/assessment/field_values.h"

namespace homeward::assessment {
namespace {

using api::IsIsoCountryCode;
using api::IsIsoLanguageCode;
using errors::FieldViolations;
using homeward::v1::Case;
using homeward::v1::Date;

constexpr size_t kMaxNameLength = 200;
constexpr size_t kMaxContactLength = 320;
constexpr size_t kMaxReasonLength = 1000;
constexpr int kMaxLanguages = 20;
constexpr int kMaxContacts = 20;
constexpr int kMaxHouseholdMembers = 50;
constexpr int kEarliestReturnYear = 1950;
// An unknown programme id is answered with the published ids up to this
// many; beyond, the caller is pointed at ListProgrammes.
constexpr size_t kMaxListedProgrammes = 10;
// A case may be opened before the returnee comes back (pre-departure
// counselling, as programmes recommend): the return date may then be a
// planned one, up to this many days ahead.
constexpr int kPlannedReturnHorizonDays = 365;

std::string Path(absl::string_view prefix, absl::string_view field) {
  return prefix.empty() ? std::string(field) : absl::StrCat(prefix, ".", field);
}

void CheckText(FieldViolations& bad, const std::string& field,
               const std::string& text, bool required,
               size_t max_length = kMaxNameLength) {
  if (absl::StripAsciiWhitespace(text).empty()) {
    if (!text.empty()) {
      bad.Add(field, "must not be only spaces");
    } else if (required) {
      bad.Add(field, "is required");
    }
    return;
  }
  if (text.size() > max_length) {
    bad.Add(field, absl::StrCat("must be at most ", max_length, " bytes"));
  }
}

void CheckDateOfBirth(FieldViolations& bad, const std::string& field,
                      const Date& date, bool has_date, absl::CivilDay today,
                      bool required, absl::CivilDay* out) {
  if (!required && (!has_date || !api::IsSet(date))) return;
  if (!api::CheckPastDate(bad, field, date, has_date, today, 0, out)) return;
  if (*out <
      absl::CivilDay(today.year() - kMaxAgeYears, today.month(), today.day())) {
    bad.Add(field, absl::StrCat("gives an age over ", kMaxAgeYears, " years"));
  }
}

void CheckReturnee(FieldViolations& bad, const homeward::v1::Returnee& r,
                   bool has_returnee, absl::CivilDay today,
                   absl::CivilDay* birth, bool* birth_valid) {
  const std::string p = "case.returnee";
  if (!has_returnee) {
    bad.Add(p, "is required");
    return;
  }
  CheckText(bad, Path(p, "given_name"), r.given_name(), true);
  CheckText(bad, Path(p, "family_name"), r.family_name(), false);
  if (r.sex() == homeward::v1::SEX_UNSPECIFIED) {
    bad.Add(Path(p, "sex"), RequiredEnumRule(homeward::v1::Sex_descriptor()));
  }
  size_t before = bad.violations().size();
  CheckDateOfBirth(bad, Path(p, "date_of_birth"), r.date_of_birth(),
                   r.has_date_of_birth(), today, true, birth);
  *birth_valid = bad.violations().size() == before;
  if (r.nationality().empty()) {
    bad.Add(Path(p, "nationality"),
            "is required (ISO 3166-1 alpha-2, e.g. \"SN\")");
  } else if (!IsIsoCountryCode(r.nationality())) {
    bad.Add(
        Path(p, "nationality"),
        absl::StrCat(
            "'", r.nationality(),
            "' is not an ISO 3166-1 alpha-2 code (upper case, e.g. \"SN\")"));
  }
  if (r.languages_size() > kMaxLanguages) {
    bad.Add(Path(p, "languages"),
            absl::StrCat("must list at most ", kMaxLanguages));
  }
  std::set<std::string> languages;
  for (int i = 0; i < r.languages_size(); ++i) {
    std::string field = absl::StrCat(p, ".languages[", i, "]");
    if (!IsIsoLanguageCode(r.languages(i))) {
      bad.Add(
          field,
          absl::StrCat("'", r.languages(i),
                       "' is not an ISO 639-1 code (lower case, e.g. \"fr\")"));
    } else if (!languages.insert(r.languages(i)).second) {
      bad.Add(field, absl::StrCat("'", r.languages(i), "' is listed twice"));
    }
  }
  if (r.contacts_size() > kMaxContacts) {
    bad.Add(Path(p, "contacts"),
            absl::StrCat("must list at most ", kMaxContacts));
  }
  for (int i = 0; i < r.contacts_size(); ++i) {
    std::string field = absl::StrCat(p, ".contacts[", i, "]");
    if (r.contacts(i).kind() == homeward::v1::CONTACT_KIND_UNSPECIFIED) {
      bad.Add(field + ".kind",
              RequiredEnumRule(homeward::v1::ContactKind_descriptor()));
    }
    CheckText(bad, field + ".value", r.contacts(i).value(), true,
              kMaxContactLength);
  }
  if (r.household_members_size() > kMaxHouseholdMembers) {
    bad.Add(Path(p, "household_members"),
            absl::StrCat("must list at most ", kMaxHouseholdMembers));
  }
  for (int i = 0; i < r.household_members_size(); ++i) {
    const auto& m = r.household_members(i);
    std::string field = absl::StrCat(p, ".household_members[", i, "]");
    CheckText(bad, field + ".given_name", m.given_name(), true);
    CheckText(bad, field + ".family_name", m.family_name(), false);
    CheckText(bad, field + ".relationship", m.relationship(), true);
    absl::CivilDay ignored;
    CheckDateOfBirth(bad, field + ".date_of_birth", m.date_of_birth(),
                     m.has_date_of_birth(), today, false, &ignored);
  }
}

void CheckReturnInfo(FieldViolations& bad, const homeward::v1::ReturnInfo& info,
                     bool has_info, absl::CivilDay today, absl::CivilDay birth,
                     bool birth_valid) {
  const std::string p = "case.return_info";
  if (!has_info) {
    bad.Add(p, "is required");
    return;
  }
  if (info.country().empty()) {
    bad.Add(Path(p, "country"),
            "is required (ISO 3166-1 alpha-2, e.g. \"SN\")");
  } else if (!IsIsoCountryCode(info.country())) {
    bad.Add(
        Path(p, "country"),
        absl::StrCat(
            "'", info.country(),
            "' is not an ISO 3166-1 alpha-2 code (upper case, e.g. \"SN\")"));
  }
  if (!info.host_country().empty() && !IsIsoCountryCode(info.host_country())) {
    bad.Add(Path(p, "host_country"),
            absl::StrCat("'", info.host_country(),
                         "' is not an ISO 3166-1 alpha-2 code (upper case, "
                         "e.g. \"LY\"); leave it empty when unknown"));
  }
  CheckText(bad, Path(p, "region"), info.region(), false);
  CheckText(bad, Path(p, "locality"), info.locality(), false);
  absl::CivilDay returned;
  if (api::CheckDate(bad, Path(p, "return_date"), info.return_date(),
                     info.has_return_date(), kEarliestReturnYear, &returned)) {
    if (returned > today + kPlannedReturnHorizonDays) {
      bad.Add(Path(p, "return_date"),
              absl::StrCat("can be at most ", kPlannedReturnHorizonDays,
                           " days ahead (a planned return, for a case opened "
                           "before the returnee comes back)"));
    } else if (birth_valid && returned < birth) {
      bad.Add(Path(p, "return_date"),
              "cannot be before the returnee's date of birth");
    }
  }
  if (info.return_type() == homeward::v1::RETURN_TYPE_UNSPECIFIED) {
    bad.Add(Path(p, "return_type"),
            RequiredEnumRule(homeward::v1::ReturnType_descriptor()));
  }
}

void CheckEtag(FieldViolations& bad, const std::string& field,
               const std::string& etag) {
  if (etag.empty()) {
    bad.Add(field, "is required: pass the etag of the case you last read");
  } else if (absl::Status parsed = api::ParseEtag(etag, field).status();
             !parsed.ok()) {
    for (auto& v : errors::FieldViolationsOf(parsed)) {
      bad.Add(v.field, v.description);
    }
  }
}

void CheckCaseBody(FieldViolations& bad, const Case& c, absl::CivilDay today) {
  absl::CivilDay birth;
  bool birth_valid = false;
  CheckReturnee(bad, c.returnee(), c.has_returnee(), today, &birth,
                &birth_valid);
  CheckReturnInfo(bad, c.return_info(), c.has_return_info(), today, birth,
                  birth_valid);
}

}  // namespace

FieldViolations ValidateRegisterCase(
    const homeward::v1::RegisterCaseRequest& request, absl::CivilDay today) {
  FieldViolations bad;
  api::CheckRequestId(bad, request.request_id());
  if (!request.has_case_()) {
    bad.Add("case", "is required");
    return WithFieldValueChecks(request, std::move(bad));
  }
  CheckCaseBody(bad, request.case_(), today);
  if (request.case_().programme_id().empty()) {
    bad.Add("case.programme_id",
            "is required: the id of the published programme the case "
            "belongs to (e.g. \"sn_reintegration\")");
  }
  const auto& members = request.case_().returnee().household_members();
  for (int i = 0; i < members.size(); ++i) {
    if (!members[i].member_id().empty()) {
      bad.Add(
          absl::StrCat("case.returnee.household_members[", i, "].member_id"),
          "is assigned at registration (\"M1\", \"M2\"...): leave it "
          "empty");
    }
  }
  api::CheckIdentifier(bad, "case.office_id", request.case_().office_id());
  api::CheckIdentifier(bad, "case.case_manager_id",
                       request.case_().case_manager_id());
  return WithFieldValueChecks(request, std::move(bad));
}

FieldViolations ValidateUpdateCase(
    const homeward::v1::UpdateCaseRequest& request, absl::CivilDay today) {
  FieldViolations bad;
  if (!request.has_case_()) {
    bad.Add("case", "is required");
    return WithFieldValueChecks(request, std::move(bad));
  }
  const Case& c = request.case_();
  if (c.case_id().empty()) bad.Add("case.case_id", "is required");
  CheckEtag(bad, "case.etag", c.etag());
  CheckCaseBody(bad, c, today);
  return WithFieldValueChecks(request, std::move(bad));
}

void CheckCaseProgramme(FieldViolations& bad, const Case& c,
                        const homeward::v1::Programme* programme,
                        const std::vector<std::string>& published_ids) {
  const std::string field = "case.programme_id";
  for (const auto& v : bad.violations()) {
    if (v.field == field) return;  // already refused for its spelling
  }
  if (programme == nullptr) {
    std::string known =
        published_ids.empty() ? std::string("none is published")
        : published_ids.size() > kMaxListedProgrammes
            ? std::string("list them with ProgrammeService.ListProgrammes")
            : absl::StrCat("published: ", absl::StrJoin(published_ids, ", "));
    bad.Add(field,
            absl::StrCat("'", c.programme_id(),
                         "' is not a published programme (", known, ")"));
    return;
  }
  const std::string& country = c.return_info().country();
  for (const auto& v : bad.violations()) {
    // A country that is not a valid code is refused on its own field; it
    // says nothing about the programme.
    if (v.field == "case.return_info.country") return;
  }
  for (const auto& allowed : programme->countries()) {
    if (allowed == country) return;
  }
  bad.Add(field,
          absl::StrCat("programme '", programme->programme_id(),
                       "' does not run in the country of return '", country,
                       "' (case.return_info.country); it runs in ",
                       absl::StrJoin(programme->countries(), ", ")));
}

FieldViolations ValidateAssignCase(
    const homeward::v1::AssignCaseRequest& request) {
  FieldViolations bad;
  if (request.case_id().empty()) bad.Add("case_id", "is required");
  CheckEtag(bad, "etag", request.etag());
  api::CheckIdentifier(bad, "case_manager_id", request.case_manager_id());
  api::CheckIdentifier(bad, "office_id", request.office_id(),
                       /*required=*/false);
  if (request.reason().size() > kMaxReasonLength) {
    bad.Add("reason",
            absl::StrCat("must be at most ", kMaxReasonLength, " bytes"));
  }
  return WithFieldValueChecks(request, std::move(bad));
}

FieldViolations ValidateGetCase(const homeward::v1::GetCaseRequest& request) {
  FieldViolations bad;
  if (request.case_id().empty()) bad.Add("case_id", "is required");
  return WithFieldValueChecks(request, std::move(bad));
}

FieldViolations ValidateListCases(
    const homeward::v1::ListCasesRequest& request) {
  FieldViolations bad;
  api::CheckIdentifier(bad, "office_id", request.office_id(),
                       /*required=*/false);
  api::CheckIdentifier(bad, "case_manager_id", request.case_manager_id(),
                       /*required=*/false);
  api::CheckPageRequest(bad, request.page());
  return WithFieldValueChecks(request, std::move(bad));
}

}  // namespace homeward::assessment
