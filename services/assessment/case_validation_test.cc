// Table-driven tests of the case-intake validation rules. "Today" is fixed at
// 2026-06-15 so that every expected violation is worked out by hand.
#include "services/assessment/case_validation.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace homeward::assessment {
namespace {

using ::homeward::testing::IsOkAndHolds;
using ::homeward::testing::StatusIs;
using ::homeward::v1::RegisterCaseRequest;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::CivilDay kToday(2026, 6, 15);

void SetDate(homeward::v1::Date* d, int y, int m, int day) {
  d->set_year(y);
  d->set_month(m);
  d->set_day(day);
}

RegisterCaseRequest ValidRequest() {
  RegisterCaseRequest r;
  r.set_request_id("req-001");
  auto* c = r.mutable_case_();
  auto* p = c->mutable_returnee();
  p->set_given_name("Awa");
  p->set_family_name("Ndiaye");
  p->set_sex(homeward::v1::SEX_FEMALE);
  SetDate(p->mutable_date_of_birth(), 1994, 3, 2);
  p->set_nationality("SN");
  p->add_languages("wo");
  p->add_languages("fr");
  auto* contact = p->add_contacts();
  contact->set_kind(homeward::v1::CONTACT_KIND_PHONE);
  contact->set_value("+221 77 000 00 00");
  auto* info = c->mutable_return_info();
  info->set_country("SN");
  info->set_region("Dakar");
  info->set_locality("Pikine");
  SetDate(info->mutable_return_date(), 2026, 5, 20);
  info->set_return_type(homeward::v1::RETURN_TYPE_ASSISTED_VOLUNTARY);
  c->set_office_id("office-dakar");
  c->set_case_manager_id("cm-1");
  c->set_programme_id("sn_reintegration");
  return r;
}

std::vector<std::string> Fields(const errors::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& fv : v.violations()) out.push_back(fv.field);
  return out;
}

TEST(ValidateRegisterCaseTest, AcceptsACompleteRequest) {
  EXPECT_THAT(Fields(ValidateRegisterCase(ValidRequest(), kToday)), IsEmpty());
}

struct RegisterCase {
  std::string name;
  std::function<void(RegisterCaseRequest&)> mutate;
  std::vector<std::string> fields;  // every violation expected, in order
  friend void PrintTo(const RegisterCase& c, std::ostream* os) {
    *os << c.name;
  }
};

class RegisterRulesTest : public ::testing::TestWithParam<RegisterCase> {};

TEST_P(RegisterRulesTest, ReportsExactlyTheBadFields) {
  RegisterCaseRequest r = ValidRequest();
  GetParam().mutate(r);
  EXPECT_EQ(Fields(ValidateRegisterCase(r, kToday)), GetParam().fields);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, RegisterRulesTest,
    ::testing::Values(
        RegisterCase{"MissingCase", [](auto& r) { r.clear_case_(); }, {"case"}},
        RegisterCase{
            "MissingGivenName",
            [](auto& r) {
              r.mutable_case_()->mutable_returnee()->clear_given_name();
            },
            {"case.returnee.given_name"}},
        RegisterCase{"BlankGivenName",
                     [](auto& r) {
                       r.mutable_case_()->mutable_returnee()->set_given_name(
                           "   ");
                     },
                     {"case.returnee.given_name"}},
        RegisterCase{
            "FamilyNameIsOptional",
            [](auto& r) {
              r.mutable_case_()->mutable_returnee()->clear_family_name();
            },
            {}},
        RegisterCase{
            "MissingSex",
            [](auto& r) { r.mutable_case_()->mutable_returnee()->clear_sex(); },
            {"case.returnee.sex"}},
        RegisterCase{"BirthInTheFuture",
                     [](auto& r) {
                       SetDate(r.mutable_case_()
                                   ->mutable_returnee()
                                   ->mutable_date_of_birth(),
                               2026, 6, 16);
                     },
                     {"case.returnee.date_of_birth"}},
        RegisterCase{"BirthTodayIsAllowedButReturnBeforeBirthIsNot",
                     [](auto& r) {
                       SetDate(r.mutable_case_()
                                   ->mutable_returnee()
                                   ->mutable_date_of_birth(),
                               2026, 6, 15);
                     },
                     {"case.return_info.return_date"}},
        RegisterCase{"NoSuchDay",
                     [](auto& r) {
                       SetDate(r.mutable_case_()
                                   ->mutable_returnee()
                                   ->mutable_date_of_birth(),
                               1990, 2, 30);
                     },
                     {"case.returnee.date_of_birth"}},
        RegisterCase{"LeapDayExists",
                     [](auto& r) {
                       SetDate(r.mutable_case_()
                                   ->mutable_returnee()
                                   ->mutable_date_of_birth(),
                               1996, 2, 29);
                     },
                     {}},
        // 2026-06-15 minus 120 years is 1906-06-15: the day before is too old.
        RegisterCase{"OlderThan120",
                     [](auto& r) {
                       SetDate(r.mutable_case_()
                                   ->mutable_returnee()
                                   ->mutable_date_of_birth(),
                               1906, 6, 14);
                     },
                     {"case.returnee.date_of_birth"}},
        RegisterCase{"Exactly120",
                     [](auto& r) {
                       SetDate(r.mutable_case_()
                                   ->mutable_returnee()
                                   ->mutable_date_of_birth(),
                               1906, 6, 15);
                     },
                     {}},
        RegisterCase{"LowerCaseNationality",
                     [](auto& r) {
                       r.mutable_case_()->mutable_returnee()->set_nationality(
                           "sn");
                     },
                     {"case.returnee.nationality"}},
        RegisterCase{"UnassignedCountryCode",
                     [](auto& r) {
                       r.mutable_case_()->mutable_return_info()->set_country(
                           "XX");
                     },
                     {"case.return_info.country"}},
        RegisterCase{
            "UnknownAndRepeatedLanguages",
            [](auto& r) {
              auto* p = r.mutable_case_()->mutable_returnee();
              p->add_languages("xx");
              p->add_languages("wo");
            },
            {"case.returnee.languages[2]", "case.returnee.languages[3]"}},
        RegisterCase{"ContactWithoutKindOrValue",
                     [](auto& r) {
                       r.mutable_case_()->mutable_returnee()->add_contacts();
                     },
                     {"case.returnee.contacts[1].kind",
                      "case.returnee.contacts[1].value"}},
        RegisterCase{"HouseholdMemberNeedsNameAndRelationship",
                     [](auto& r) {
                       auto* m = r.mutable_case_()
                                     ->mutable_returnee()
                                     ->add_household_members();
                       SetDate(m->mutable_date_of_birth(), 2030, 1, 1);
                     },
                     {"case.returnee.household_members[0].given_name",
                      "case.returnee.household_members[0].relationship",
                      "case.returnee.household_members[0].date_of_birth"}},
        // Opened before return: a planned return up to 365 days ahead of
        // kToday (2026-06-15), i.e. up to 2027-06-15.
        RegisterCase{"ReturnPlannedHalfAYearAhead",
                     [](auto& r) {
                       SetDate(r.mutable_case_()
                                   ->mutable_return_info()
                                   ->mutable_return_date(),
                               2027, 1, 1);
                     },
                     {}},
        RegisterCase{"ReturnPlannedExactlyAYearAhead",
                     [](auto& r) {
                       SetDate(r.mutable_case_()
                                   ->mutable_return_info()
                                   ->mutable_return_date(),
                               2027, 6, 15);
                     },
                     {}},
        RegisterCase{
            "HostCountryKnown",
            [](auto& r) {
              r.mutable_case_()->mutable_return_info()->set_host_country("LY");
            },
            {}},
        RegisterCase{
            "HostCountryNotACode",
            [](auto& r) {
              r.mutable_case_()->mutable_return_info()->set_host_country(
                  "Libya");
            },
            {"case.return_info.host_country"}},
        RegisterCase{"ReturnPlannedMoreThanAYearAhead",
                     [](auto& r) {
                       SetDate(r.mutable_case_()
                                   ->mutable_return_info()
                                   ->mutable_return_date(),
                               2027, 6, 16);
                     },
                     {"case.return_info.return_date"}},
        RegisterCase{"ReturnBefore1950",
                     [](auto& r) {
                       SetDate(r.mutable_case_()
                                   ->mutable_returnee()
                                   ->mutable_date_of_birth(),
                               1930, 1, 1);
                       SetDate(r.mutable_case_()
                                   ->mutable_return_info()
                                   ->mutable_return_date(),
                               1949, 12, 31);
                     },
                     {"case.return_info.return_date"}},
        RegisterCase{
            "MissingReturnTypeAndDate",
            [](auto& r) {
              r.mutable_case_()->mutable_return_info()->clear_return_type();
              r.mutable_case_()->mutable_return_info()->clear_return_date();
            },
            {"case.return_info.return_date", "case.return_info.return_type"}},
        RegisterCase{"MissingOfficeAndBadCaseManager",
                     [](auto& r) {
                       r.mutable_case_()->clear_office_id();
                       r.mutable_case_()->set_case_manager_id("has space");
                     },
                     {"case.office_id", "case.case_manager_id"}},
        RegisterCase{"BadRequestId",
                     [](auto& r) { r.set_request_id("no spaces"); },
                     {"request_id"}},
        // cases.proto promises any printable ASCII: slashes, '+', '=' too.
        RegisterCase{"PrintableAsciiRequestId",
                     [](auto& r) { r.set_request_id("req/7+base64=="); },
                     {}},
        RegisterCase{"EverythingMissingAtOnce",
                     [](auto& r) { r.mutable_case_()->Clear(); },
                     {"case.returnee", "case.return_info", "case.programme_id",
                      "case.office_id", "case.case_manager_id"}},
        RegisterCase{"MissingProgramme",
                     [](auto& r) { r.mutable_case_()->clear_programme_id(); },
                     {"case.programme_id"}},
        RegisterCase{"MemberIdsAreAssignedNotGiven",
                     [](auto& r) {
                       auto* returnee = r.mutable_case_()->mutable_returnee();
                       auto* m = returnee->add_household_members();
                       m->set_given_name("Fatou");
                       m->set_relationship("daughter");
                       m = returnee->add_household_members();
                       m->set_given_name("Moussa");
                       m->set_relationship("son");
                       m->set_member_id("M1");
                     },
                     {"case.returnee.household_members[1].member_id"}}),
    [](const auto& info) { return info.param.name; });

homeward::v1::Programme Programme(std::vector<std::string> countries) {
  homeward::v1::Programme p;
  p.set_programme_id("sn_reintegration");
  p.set_version(1);
  for (auto& c : countries) p.add_countries(c);
  return p;
}

struct ProgrammeCase {
  std::string name;
  std::string country;  // the case's country of return
  std::optional<homeward::v1::Programme> programme;  // nullopt: unknown id
  std::vector<std::string> published;                // when unknown
  std::vector<std::string> fields;
  std::vector<std::string> mentions;  // in the description
  bool country_refused_already = false;
};

class CaseProgrammeTest : public ::testing::TestWithParam<ProgrammeCase> {};

TEST_P(CaseProgrammeTest, ProgrammeMustBePublishedAndRunInTheCountry) {
  const ProgrammeCase& p = GetParam();
  homeward::v1::Case c = ValidRequest().case_();
  c.mutable_return_info()->set_country(p.country);
  errors::FieldViolations bad;
  if (p.country_refused_already) {
    bad.Add("case.return_info.country", "not an ISO code");
  }
  CheckCaseProgramme(bad, c, p.programme ? &*p.programme : nullptr,
                     p.published);
  std::vector<std::string> fields = Fields(bad);
  EXPECT_EQ(fields, p.fields);
  if (!p.mentions.empty()) {
    ASSERT_FALSE(bad.violations().empty());
    for (const auto& m : p.mentions) {
      EXPECT_THAT(bad.violations().back().description, ::testing::HasSubstr(m));
    }
  }
}

std::vector<std::string> ManyIds() {
  std::vector<std::string> ids;
  for (int i = 0; i < 11; ++i) ids.push_back(absl::StrCat("programme_", i));
  return ids;
}

INSTANTIATE_TEST_SUITE_P(
    Rules, CaseProgrammeTest,
    ::testing::Values(
        ProgrammeCase{
            "RunsInTheCountry", "SN", Programme({"SN", "GM"}), {}, {}, {}},
        ProgrammeCase{"RunsInAnotherOfItsCountries",
                      "GM",
                      Programme({"SN", "GM"}),
                      {},
                      {},
                      {}},
        ProgrammeCase{"DoesNotRunInTheCountry",
                      "FR",
                      Programme({"SN", "GM"}),
                      {},
                      {"case.programme_id"},
                      {"sn_reintegration", "'FR'", "SN, GM"}},
        ProgrammeCase{
            "UnknownListsThePublishedIds",
            "SN",
            std::nullopt,
            {"ml_pilot", "sn_reintegration"},
            {"case.programme_id"},
            {"not a published programme", "ml_pilot, sn_reintegration"}},
        ProgrammeCase{"UnknownWhenNoneIsPublished",
                      "SN",
                      std::nullopt,
                      {},
                      {"case.programme_id"},
                      {"none is published"}},
        ProgrammeCase{"UnknownAmongManyPointsAtTheList",
                      "SN",
                      std::nullopt,
                      ManyIds(),
                      {"case.programme_id"},
                      {"ListProgrammes"}},
        ProgrammeCase{"AnInvalidCountryIsRefusedOnItsOwnField",
                      "france",
                      Programme({"SN"}),
                      {},
                      {"case.return_info.country"},
                      {},
                      true}),
    [](const auto& info) { return info.param.name; });

TEST(CaseProgrammeTest, AFieldAlreadyRefusedIsNotRefusedTwice) {
  homeward::v1::Case c = ValidRequest().case_();
  errors::FieldViolations bad;
  bad.Add("case.programme_id", "holds a control character");
  CheckCaseProgramme(bad, c, nullptr, {"sn_reintegration"});
  EXPECT_EQ(Fields(bad), std::vector<std::string>{"case.programme_id"});
}

TEST(ValidateUpdateCaseTest, NeedsIdAndEtagAndAValidBody) {
  homeward::v1::UpdateCaseRequest r;
  *r.mutable_case_() = ValidRequest().case_();
  EXPECT_EQ(Fields(ValidateUpdateCase(r, kToday)),
            (std::vector<std::string>{"case.case_id", "case.etag"}));
  r.mutable_case_()->set_case_id("C1");
  r.mutable_case_()->set_etag("3");
  r.mutable_case_()->mutable_returnee()->set_nationality("ZZ");
  EXPECT_EQ(Fields(ValidateUpdateCase(r, kToday)),
            (std::vector<std::string>{"case.returnee.nationality"}));
}

TEST(ValidateAssignCaseTest, NeedsIdEtagAndCaseManager) {
  homeward::v1::AssignCaseRequest r;
  EXPECT_EQ(Fields(ValidateAssignCase(r)),
            (std::vector<std::string>{"case_id", "etag", "case_manager_id"}));
  r.set_case_id("C1");
  r.set_etag("1");
  r.set_case_manager_id("cm-2");
  r.set_office_id("bad office");
  EXPECT_EQ(Fields(ValidateAssignCase(r)),
            (std::vector<std::string>{"office_id"}));
}

TEST(ValidateListCasesTest, RejectsNegativePageSizeAndUnknownStage) {
  homeward::v1::ListCasesRequest r;
  EXPECT_THAT(Fields(ValidateListCases(r)), IsEmpty());
  r.mutable_page()->set_page_size(-1);
  r.set_stage(static_cast<homeward::v1::CaseStage>(99));
  // The undefined stage is refused by the shared value checks, which report
  // after the method's own rules.
  EXPECT_EQ(Fields(ValidateListCases(r)),
            (std::vector<std::string>{"page.page_size", "stage"}));
}

TEST(PageSizeTest, DefaultsAndCaps) {
  homeward::v1::PageRequest page;
  EXPECT_EQ(api::EffectivePageSize(page), 50);
  page.set_page_size(7);
  EXPECT_EQ(api::EffectivePageSize(page), 7);
  page.set_page_size(100000);
  EXPECT_EQ(api::EffectivePageSize(page), 500);
}

TEST(EtagTest, RoundTripsAndRejectsGarbage) {
  EXPECT_EQ(api::EtagOf(12), "12");
  EXPECT_THAT(api::ParseEtag("12", "etag"), IsOkAndHolds(12u));
  EXPECT_THAT(api::ParseEtag("0", "etag"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(api::ParseEtag("abc", "case.etag"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("case.etag")));
}

// Found by api_fields_fuzzer: absl::SimpleAtoi took a sign, surrounding
// whitespace and leading zeros, so text EtagOf never writes named a version.
TEST(EtagTest, RefusesWhatEtagOfNeverWrites) {
  for (const char* etag : {"+12", " 12", "12 ", "012", "\n12", "-0", "1_2",
                           "99999999999999999999"}) {
    EXPECT_THAT(api::ParseEtag(etag, "etag"),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << etag;
  }
  EXPECT_THAT(api::ParseEtag("18446744073709551615", "etag"),
              IsOkAndHolds(18446744073709551615u));
}

}  // namespace
}  // namespace homeward::assessment
