// The directory's rules, table-driven: each case changes one field of a
// valid entry and names the one violation expected (or none), with values
// checked by hand against docs/DIRECTORY.md.
#include "services/referral/directory_rules.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace homeward::referral {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using v1::HumanService;

std::vector<std::string> Fields(const errors::FieldViolations& bad) {
  std::vector<std::string> fields;
  for (const auto& v : bad.violations()) fields.push_back(v.field);
  return fields;
}

// A directory with organizations "org-a" and "org-b", location "loc-a1" of
// org-a and "loc-b1" of org-b, and the components housing and
// skills_training.
class DirectoryRulesTest : public ::testing::Test {
 protected:
  DirectoryRulesTest() {
    terms_["housing"] = {"reintegration", "Housing", "Housing"};
    terms_["skills_training"] = {"reintegration", "Skills", "Skills"};
    facts_.components = &terms_;
    facts_.organization_exists = [](absl::string_view id) {
      return id == "org-a" || id == "org-b";
    };
    facts_.location_organization =
        [](absl::string_view id) -> std::optional<std::string> {
      if (id == "loc-a1") return "org-a";
      if (id == "loc-b1") return "org-b";
      return std::nullopt;
    };
  }

  static HumanService ValidService() {
    HumanService s;
    s.set_service_id("svc-1");
    s.set_organization_id("org-a");
    s.set_name("Vocational training");
    s.set_status(v1::SERVICE_STATUS_ACTIVE);
    s.set_minimum_age(18);
    s.set_maximum_age(35);
    s.add_languages("fr");
    s.add_languages("wo");
    auto* schedule = s.add_schedules();
    schedule->set_byday("MO,WE,FR");
    schedule->set_opens_at("08:30");
    schedule->set_closes_at("17:00");
    s.add_service_areas()->set_name("Dakar");
    auto* cost = s.add_cost_options();
    cost->set_option("registration");
    cost->mutable_amount()->set_currency_code("XOF");
    cost->mutable_amount()->set_amount_minor(5000);
    s.add_components("skills_training");
    s.add_locations()->set_location_id("loc-a1");
    return s;
  }

  ComponentTerms terms_;
  DirectoryFacts facts_;
};

TEST_F(DirectoryRulesTest, ValidServicePasses) {
  EXPECT_THAT(Fields(CheckService(ValidService(), IdPolicy::kRequired, facts_)),
              IsEmpty());
}

TEST_F(DirectoryRulesTest, EachBadServiceFieldIsOneViolation) {
  struct Case {
    std::string name;
    std::function<void(HumanService&)> change;
    std::vector<std::string> fields;  // empty: valid
  };
  const std::vector<Case> cases = {
      {"blank name", [](auto& s) { s.set_name("  "); }, {"name"}},
      {"name of 201 characters",
       [](auto& s) { s.set_name(std::string(201, 'a')); },
       {"name"}},
      {"name of 200 characters",
       [](auto& s) { s.set_name(std::string(200, 'a')); },
       {}},
      {"id with a space", [](auto& s) { s.set_service_id("svc 1"); },
       {"service_id"}},
      {"id of 65 characters",
       [](auto& s) { s.set_service_id(std::string(65, 'x')); },
       {"service_id"}},
      {"uuid id",
       [](auto& s) {
         s.set_service_id("8896b788-7b3e-11ef-8db9-7f3d040352b3");
       },
       {}},
      {"missing id when required", [](auto& s) { s.clear_service_id(); },
       {"service_id"}},
      {"unknown organization",
       [](auto& s) { s.set_organization_id("org-z"); },
       // The location then belongs to another organization too.
       {"organization_id", "locations[0].location_id"}},
      {"no status", [](auto& s) { s.clear_status(); }, {"status"}},
      {"minimum above maximum",
       [](auto& s) {
         s.set_minimum_age(40);
         s.set_maximum_age(35);
       },
       {"maximum_age"}},
      {"minimum equal to maximum",
       [](auto& s) {
         s.set_minimum_age(35);
         s.set_maximum_age(35);
       },
       {}},
      {"no maximum (0) with a minimum",
       [](auto& s) {
         s.set_minimum_age(60);
         s.set_maximum_age(0);
       },
       {}},
      {"maximum 130", [](auto& s) { s.set_maximum_age(130); }, {}},
      {"maximum 131", [](auto& s) { s.set_maximum_age(131); }, {"maximum_age"}},
      {"negative minimum", [](auto& s) { s.set_minimum_age(-1); },
       {"minimum_age"}},
      {"language in upper case", [](auto& s) { s.set_languages(0, "FR"); },
       {"languages[0]"}},
      {"three-letter language", [](auto& s) { s.set_languages(1, "wol"); },
       {"languages[1]"}},
      {"language twice", [](auto& s) { s.set_languages(1, "fr"); },
       {"languages[1]"}},
      {"opening time 24:00",
       [](auto& s) { s.mutable_schedules(0)->set_opens_at("24:00"); },
       {"schedules[0].opens_at"}},
      {"closing time without a colon",
       [](auto& s) { s.mutable_schedules(0)->set_closes_at("1700"); },
       {"schedules[0].closes_at"}},
      {"closing before opening",
       [](auto& s) { s.mutable_schedules(0)->set_closes_at("08:00"); },
       {"schedules[0].closes_at"}},
      {"unknown day code",
       [](auto& s) { s.mutable_schedules(0)->set_byday("MO,XX"); },
       {"schedules[0].byday"}},
      {"area without a name",
       [](auto& s) { s.mutable_service_areas(0)->clear_name(); },
       {"service_areas[0].name"}},
      {"currency in lower case",
       [](auto& s) {
         s.mutable_cost_options(0)->mutable_amount()->set_currency_code("xof");
       },
       {"cost_options[0].amount.currency_code"}},
      {"unassigned currency",
       [](auto& s) {
         s.mutable_cost_options(0)->mutable_amount()->set_currency_code("XXY");
       },
       {"cost_options[0].amount.currency_code"}},
      {"negative amount",
       [](auto& s) {
         s.mutable_cost_options(0)->mutable_amount()->set_amount_minor(-1);
       },
       {"cost_options[0].amount.amount_minor"}},
      {"free option (no amount)",
       [](auto& s) { s.mutable_cost_options(0)->clear_amount(); },
       {}},
      {"no component", [](auto& s) { s.clear_components(); }, {"components"}},
      {"component not in the taxonomy",
       [](auto& s) { s.add_components("karaoke"); },
       {"components[1]"}},
      {"component twice",
       [](auto& s) { s.add_components("skills_training"); },
       {"components[1]"}},
      {"location of another organization",
       [](auto& s) { s.mutable_locations(0)->set_location_id("loc-b1"); },
       {"locations[0].location_id"}},
      {"unknown location",
       [](auto& s) { s.mutable_locations(0)->set_location_id("loc-z"); },
       {"locations[0].location_id"}},
      {"location twice",
       [](auto& s) { s.add_locations()->set_location_id("loc-a1"); },
       {"locations[1].location_id"}},
      {"email without @", [](auto& s) { s.set_email("info.example.org"); },
       {"email"}},
      {"url without scheme", [](auto& s) { s.set_url("example.org"); },
       {"url"}},
      {"contact with a letter in its phone",
       [](auto& s) {
         auto* c = s.add_contacts();
         c->set_name("Desk");
         c->add_phones("+221 33 O00 00 00");
       },
       {"contacts[0].phones[0]"}},
      {"empty contact", [](auto& s) { s.add_contacts(); }, {"contacts[0]"}},
  };
  for (const Case& c : cases) {
    HumanService s = ValidService();
    c.change(s);
    EXPECT_EQ(Fields(CheckService(s, IdPolicy::kRequired, facts_)), c.fields)
        << c.name;
  }
}

TEST_F(DirectoryRulesTest, CreateMayLeaveTheIdToBeDerived) {
  HumanService s = ValidService();
  s.clear_service_id();
  EXPECT_THAT(Fields(CheckService(s, IdPolicy::kDerivedWhenEmpty, facts_)),
              IsEmpty());
}

TEST_F(DirectoryRulesTest, OrganizationAndLocationRules) {
  v1::Organization o;
  o.set_organization_id("org-a");
  o.set_name("Dakar Skills Centre");
  o.set_website("https://example.org");
  EXPECT_THAT(Fields(CheckOrganization(o, IdPolicy::kRequired)), IsEmpty());
  o.clear_name();
  o.set_website("ftp://example.org");
  EXPECT_THAT(Fields(CheckOrganization(o, IdPolicy::kRequired)),
              ElementsAre("name", "website"));

  v1::Location l;
  l.set_location_id("loc-a2");
  l.set_organization_id("org-a");
  l.set_name("Pikine office");
  l.set_latitude(14.75);
  l.set_longitude(-17.39);
  l.add_addresses()->set_country("SN");
  EXPECT_THAT(Fields(CheckLocation(l, IdPolicy::kRequired, facts_)), IsEmpty());
  l.set_organization_id("org-z");
  l.set_latitude(90.5);
  l.mutable_addresses(0)->set_country("SEN");
  EXPECT_THAT(Fields(CheckLocation(l, IdPolicy::kRequired, facts_)),
              ElementsAre("organization_id", "addresses[0].country",
                          "latitude"));
}

TEST_F(DirectoryRulesTest, CapacityRules) {
  struct Case {
    v1::CapacityStatus status;
    int wait;
    std::vector<std::string> fields;
  };
  const std::vector<Case> cases = {
      {v1::CAPACITY_STATUS_AVAILABLE, 0, {}},
      {v1::CAPACITY_STATUS_AVAILABLE, 3, {"expected_wait_days"}},
      {v1::CAPACITY_STATUS_WAITLIST, 1, {}},
      {v1::CAPACITY_STATUS_WAITLIST, 0, {"expected_wait_days"}},
      {v1::CAPACITY_STATUS_NOT_ACCEPTING, 0, {}},
      {v1::CAPACITY_STATUS_UNSPECIFIED, 0, {"status"}},
  };
  for (const Case& c : cases) {
    v1::ServiceCapacity capacity;
    capacity.set_status(c.status);
    capacity.set_expected_wait_days(c.wait);
    EXPECT_EQ(Fields(CheckCapacity(capacity)), c.fields)
        << v1::CapacityStatus_Name(c.status) << " wait " << c.wait;
  }
}

TEST_F(DirectoryRulesTest, SearchMatchesEveryFilterGiven) {
  HumanService s = ValidService();  // org-a, skills_training, Dakar, 18..35
  s.mutable_capacity()->set_status(v1::CAPACITY_STATUS_WAITLIST);
  struct Case {
    std::string name;
    std::function<void(v1::SearchServicesRequest&)> filter;
    bool matches;
  };
  const std::vector<Case> cases = {
      {"no filter", [](auto&) {}, true},
      {"its component", [](auto& r) { r.set_component("skills_training"); },
       true},
      {"another component", [](auto& r) { r.set_component("housing"); },
       false},
      {"area in other case", [](auto& r) { r.set_area("DAKAR "); }, true},
      {"another area", [](auto& r) { r.set_area("Thies"); }, false},
      {"age at the minimum", [](auto& r) { r.set_age(18); }, true},
      {"age at the maximum", [](auto& r) { r.set_age(35); }, true},
      {"age below", [](auto& r) { r.set_age(17); }, false},
      {"age above", [](auto& r) { r.set_age(36); }, false},
      {"age 0 is a filter", [](auto& r) { r.set_age(0); }, false},
      {"its language", [](auto& r) { r.set_language("wo"); }, true},
      {"another language", [](auto& r) { r.set_language("en"); }, false},
      {"accepting (waitlist)",
       [](auto& r) { r.set_accepting_referrals(true); }, true},
      {"its organization", [](auto& r) { r.set_organization_id("org-a"); },
       true},
      {"another organization",
       [](auto& r) { r.set_organization_id("org-b"); }, false},
  };
  for (const Case& c : cases) {
    v1::SearchServicesRequest r;
    c.filter(r);
    EXPECT_EQ(MatchesSearch(s, r), c.matches) << c.name;
  }
}

TEST_F(DirectoryRulesTest, AcceptingReferralsNeedsActiveAndCapacity) {
  struct Case {
    v1::ServiceStatus status;
    v1::CapacityStatus capacity;
    bool accepts;
  };
  const std::vector<Case> cases = {
      {v1::SERVICE_STATUS_ACTIVE, v1::CAPACITY_STATUS_AVAILABLE, true},
      {v1::SERVICE_STATUS_ACTIVE, v1::CAPACITY_STATUS_WAITLIST, true},
      {v1::SERVICE_STATUS_ACTIVE, v1::CAPACITY_STATUS_NOT_ACCEPTING, false},
      {v1::SERVICE_STATUS_ACTIVE, v1::CAPACITY_STATUS_UNSPECIFIED, false},
      {v1::SERVICE_STATUS_TEMPORARILY_CLOSED, v1::CAPACITY_STATUS_AVAILABLE,
       false},
      {v1::SERVICE_STATUS_INACTIVE, v1::CAPACITY_STATUS_AVAILABLE, false},
  };
  for (const Case& c : cases) {
    HumanService s;
    s.set_status(c.status);
    s.mutable_capacity()->set_status(c.capacity);
    EXPECT_EQ(AcceptsReferrals(s), c.accepts)
        << v1::ServiceStatus_Name(c.status) << " "
        << v1::CapacityStatus_Name(c.capacity);
  }
}

TEST_F(DirectoryRulesTest, SearchRequestChecks) {
  v1::SearchServicesRequest r;
  r.set_age(131);
  r.set_language("fra");
  r.mutable_page()->set_page_size(-1);
  EXPECT_THAT(Fields(CheckSearch(r)),
              ElementsAre("age", "language", "page.page_size"));
}

TEST(ComponentTermsTest, TakesTheLatestVersionOfEachTaxonomy) {
  v1::Taxonomy v1;
  v1.set_taxonomy_id("reintegration");
  v1.set_version(1);
  auto* old = v1.add_components();
  old->set_component_id("housing");
  (*old->mutable_label())["en"] = "Housing";
  v1::Taxonomy v2 = v1;
  v2.set_version(2);
  (*v2.mutable_components(0)->mutable_label())["en"] = "Housing support";
  v2.add_components()->set_component_id("legal_aid");
  ComponentTerms terms = ComponentTermsOf({v2, v1});
  ASSERT_EQ(terms.size(), 2u);
  EXPECT_EQ(terms.at("housing").name, "Housing support");
  EXPECT_EQ(terms.at("housing").taxonomy_id, "reintegration");
  // No label: the id names it.
  EXPECT_EQ(terms.at("legal_aid").name, "legal_aid");
}

}  // namespace
}  // namespace homeward::referral
