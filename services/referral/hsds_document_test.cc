// HSDS 3.0 documents: reading (field names, components from attributes,
// the capacity extension, money in minor units), every invalid entry
// reported at its path in the document, and writing -> reading giving the
// same entries back.
#include "services/referral/hsds_document.h"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace homeward::referral {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

google::protobuf::Struct Json(const std::string& text) {
  google::protobuf::Struct s;
  auto status = google::protobuf::util::JsonStringToMessage(text, &s);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return s;
}

std::vector<std::string> Fields(const errors::FieldViolations& bad) {
  std::vector<std::string> fields;
  for (const auto& v : bad.violations()) fields.push_back(v.field);
  return fields;
}

ComponentTerms Terms() {
  ComponentTerms terms;
  terms["skills_training"] = {"reintegration", "Skills and vocational training",
                              "Vocational training"};
  terms["housing"] = {"reintegration", "Housing", "Accommodation"};
  return terms;
}

// Organization org-a (stored) and nothing else.
DirectoryFacts Stored(const ComponentTerms* terms) {
  DirectoryFacts facts;
  facts.components = terms;
  facts.organization_exists = [](absl::string_view id) {
    return id == "org-a";
  };
  facts.location_organization = [](absl::string_view) {
    return std::optional<std::string>();
  };
  facts.service_organization = [](absl::string_view) {
    return std::optional<std::string>();
  };
  return facts;
}

TEST(MinorUnitsTest, ConvertsExactlyOrRefuses) {
  struct Case {
    double amount;
    int exponent;
    std::optional<int64_t> minor;
  };
  const std::vector<Case> cases = {
      {5000, 0, 5000},  // XOF: no minor unit
      {12.5, 2, 1250},  // EUR
      {0.1, 2, 10},     // not exact in binary, exact as written
      {0.3, 2, 30},
      {19.99, 2, 1999},
      {12.345, 2, std::nullopt},  // three decimals for a two-decimal currency
      {1.005, 2, std::nullopt},
      {0.5, 0, std::nullopt},  // half a franc CFA
      {1.234, 3, 1234},        // TND millimes
      {0.001, 3, 1},
      {0, 2, 0},
      {-1, 2, std::nullopt},
      {1e16, 0, std::nullopt},  // beyond 10^15 minor units
      {1e15, 0, 1000000000000000},
      {999999999999.99, 2, 99999999999999},
      {NAN, 2, std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ToMinorUnits(c.amount, c.exponent), c.minor)
        << c.amount << " with " << c.exponent << " decimals";
  }
  EXPECT_EQ(FromMinorUnits(1250, 2), 12.5);
  EXPECT_EQ(FromMinorUnits(1999, 2), 19.99);
  EXPECT_EQ(FromMinorUnits(1, 3), 0.001);
  EXPECT_EQ(FromMinorUnits(5000, 0), 5000);
}

TEST(HsdsPathsTest, RenamedPrefixesAndTheBase) {
  HsdsPaths paths("services[3]");
  paths.Rename("components[0]", "services[3].attributes[2].taxonomy_term.code");
  paths.Rename("capacity", "services[3].x_homeward_capacity");
  EXPECT_EQ(paths.Of("minimum_age"), "services[3].minimum_age");
  EXPECT_EQ(paths.Of("components[0]"),
            "services[3].attributes[2].taxonomy_term.code");
  EXPECT_EQ(paths.Of("capacity.status"),
            "services[3].x_homeward_capacity.status");
  EXPECT_EQ(paths.Of("schedules[1].opens_at"),
            "services[3].schedules[1].opens_at");
}

TEST(ReadHsdsTest, ReadsTheHsdsFieldsIntoEntries) {
  const ComponentTerms terms = Terms();
  errors::FieldViolations bad;
  HsdsFile file = ReadHsds(Json(R"json({
    "organizations": [{"id": "org-b", "name": "Centre B",
                       "website": "https://b.example.org",
                       "contacts": [{"id": "c1", "name": "Desk",
                                     "phones": [{"id": "p1",
                                                 "number": "+221 33 000 00 00"}]}]}],
    "locations": [{"id": "loc-b1", "location_type": "physical",
                   "organization_id": "org-b", "name": "Pikine",
                   "latitude": 14.75, "longitude": -17.39,
                   "addresses": [{"id": "a1", "address_1": "Route 1",
                                  "city": "Pikine", "country": "SN",
                                  "address_type": "physical"}]}],
    "services": [{"id": "svc-b1", "organization_id": "org-b",
                  "name": "Tailoring course", "status": "active",
                  "minimum_age": 18, "maximum_age": 35,
                  "languages": [{"id": "l1", "code": "wo", "name": "Wolof"}],
                  "schedules": [{"id": "s1", "freq": "WEEKLY",
                                 "byday": "MO,TU", "opens_at": "09:00",
                                 "closes_at": "13:00"}],
                  "service_areas": [{"id": "sa1", "name": "Dakar"}],
                  "cost_options": [{"id": "co1", "option": "materials",
                                    "amount": 2500, "currency": "XOF"}],
                  "attributes": [
                    {"id": "at1", "taxonomy_term": {"id": "t1",
                       "code": "skills_training", "name": "Skills",
                       "description": "Skills", "taxonomy": "reintegration"}},
                    {"id": "at2", "taxonomy_term": {"id": "t2",
                       "code": "BH-1800", "name": "Food", "description": "x",
                       "taxonomy": "open_eligibility"}}],
                  "x_homeward_capacity": {"status": "waitlist",
                                          "expected_wait_days": 21,
                                          "note": "next intake in March"}}],
    "service_at_locations": [{"id": "sal-1", "service_id": "svc-b1",
                              "location_id": "loc-b1"}]
  })json"),
                           terms, bad);
  EXPECT_THAT(Fields(bad), IsEmpty());
  ASSERT_EQ(file.entries.organizations.size(), 1u);
  EXPECT_EQ(file.entries.organizations[0].contacts(0).phones(0),
            "+221 33 000 00 00");
  ASSERT_EQ(file.entries.locations.size(), 1u);
  EXPECT_EQ(file.entries.locations[0].addresses(0).country(), "SN");
  EXPECT_DOUBLE_EQ(file.entries.locations[0].latitude(), 14.75);
  ASSERT_EQ(file.entries.services.size(), 1u);
  const v1::HumanService& s = file.entries.services[0];
  EXPECT_EQ(s.status(), v1::SERVICE_STATUS_ACTIVE);
  EXPECT_EQ(s.maximum_age(), 35);
  EXPECT_THAT(s.languages(), ElementsAre("wo"));
  // Only the attribute of a Homeward taxonomy is a component.
  EXPECT_THAT(s.components(), ElementsAre("skills_training"));
  EXPECT_EQ(s.cost_options(0).amount().currency_code(), "XOF");
  EXPECT_EQ(s.cost_options(0).amount().amount_minor(), 2500);
  EXPECT_EQ(s.capacity().status(), v1::CAPACITY_STATUS_WAITLIST);
  EXPECT_EQ(s.capacity().expected_wait_days(), 21);
  ASSERT_EQ(s.locations_size(), 1);
  EXPECT_EQ(s.locations(0).service_at_location_id(), "sal-1");
  EXPECT_EQ(s.locations(0).location_id(), "loc-b1");

  CheckHsdsFile(file, Stored(&terms), bad);
  EXPECT_THAT(Fields(bad), IsEmpty());
}

TEST(ReadHsdsTest, ReportsEveryInvalidEntryAtItsPathInTheDocument) {
  const ComponentTerms terms = Terms();
  errors::FieldViolations bad;
  HsdsFile file = ReadHsds(Json(R"json({
    "organizations": [{"id": "org-b", "name": "Centre B"},
                      {"id": "org-b", "name": "Centre B again"},
                      {"id": "org-c"}],
    "locations": [{"id": "loc-1", "organization_id": "org-z", "name": "X"}],
    "services": [{"id": "svc-1", "organization_id": "org-b", "name": "One",
                  "status": "active",
                  "languages": [{"code": "fr"}, {"code": "French"}],
                  "cost_options": [{"amount": 12.345, "currency": "EUR"}],
                  "attributes": [{"taxonomy_term": {"code": "karaoke",
                                  "taxonomy": "reintegration"}}]},
                 {"id": "svc-2", "organization_id": "org-a", "name": "Two",
                  "status": "open", "minimum_age": 40, "maximum_age": 30,
                  "attributes": [{"taxonomy_term": {"code": "housing",
                                  "taxonomy": "reintegration"}}],
                  "x_homeward_capacity": {"status": "waitlist"}},
                 {"id": "svc-3", "organization_id": "org-a", "name": "Three",
                  "status": "active", "minimum_age": "eighteen",
                  "attributes": [{"taxonomy_term": {"code": "housing",
                                  "taxonomy": "reintegration"}}]}],
    "service_at_locations": [{"id": "sal-9", "service_id": "svc-9",
                              "location_id": "loc-1"}]
  })json"),
                           terms, bad);
  CheckHsdsFile(file, Stored(&terms), bad);
  EXPECT_THAT(
      Fields(bad),
      UnorderedElementsAre(
          // Reading: an id used twice, a wrong status name, a number
          // given as text, an amount finer than cents, a link to a
          // service not in the file.
          "organizations[1].id", "services[1].status",
          "services[2].minimum_age", "services[0].cost_options[0].amount",
          "service_at_locations[0].service_id",
          // Rules, at their places in the file (not "status" again:
          // one violation per field).
          "organizations[2].name", "locations[0].organization_id",
          "services[0].languages[1].code",
          "services[0].attributes[0].taxonomy_term.code",
          "services[1].maximum_age",
          "services[1].x_homeward_capacity.expected_wait_days"));
}

TEST(WriteHsdsTest, WritingThenReadingGivesTheSameEntries) {
  const ComponentTerms terms = Terms();
  DirectoryEntries entries;
  v1::Organization o;
  o.set_organization_id("org-a");
  o.set_name("Centre A");
  o.set_email("info@a.example.org");
  auto* contact = o.add_contacts();
  contact->set_name("Desk");
  contact->add_phones("+221 33 000 00 00");
  entries.organizations.push_back(o);
  v1::Location l;
  l.set_location_id("loc-a1");
  l.set_organization_id("org-a");
  l.set_name("Main office");
  l.set_latitude(14.6937);
  l.set_longitude(-17.4441);
  auto* address = l.add_addresses();
  address->set_address_1("Avenue 1");
  address->set_city("Dakar");
  address->set_country("SN");
  entries.locations.push_back(l);
  v1::HumanService s;
  s.set_service_id("svc-a1");
  s.set_organization_id("org-a");
  s.set_name("Counselling");
  s.set_status(v1::SERVICE_STATUS_TEMPORARILY_CLOSED);
  s.set_minimum_age(16);
  s.add_languages("fr");
  s.add_languages("wo");
  auto* schedule = s.add_schedules();
  schedule->set_byday("TU,TH");
  schedule->set_opens_at("10:00");
  schedule->set_closes_at("16:30");
  s.add_service_areas()->set_name("Dakar");
  auto* cost = s.add_cost_options();
  cost->set_option("session");
  cost->mutable_amount()->set_currency_code("EUR");
  cost->mutable_amount()->set_amount_minor(1999);
  s.add_cost_options()->set_option("first visit free");
  s.add_components("housing");
  s.add_components("skills_training");
  auto* at = s.add_locations();
  at->set_service_at_location_id("svc-a1:loc-a1");
  at->set_location_id("loc-a1");
  s.mutable_capacity()->set_status(v1::CAPACITY_STATUS_NOT_ACCEPTING);
  s.mutable_capacity()->set_note("full until June");
  entries.services.push_back(s);

  google::protobuf::Struct document = WriteHsds(entries, terms);
  errors::FieldViolations bad;
  HsdsFile back = ReadHsds(document, terms, bad);
  EXPECT_THAT(Fields(bad), IsEmpty());
  ASSERT_EQ(back.entries.organizations.size(), 1u);
  ASSERT_EQ(back.entries.locations.size(), 1u);
  ASSERT_EQ(back.entries.services.size(), 1u);
  using google::protobuf::util::MessageDifferencer;
  EXPECT_TRUE(MessageDifferencer::Equals(back.entries.organizations[0], o));
  EXPECT_TRUE(MessageDifferencer::Equals(back.entries.locations[0], l));
  EXPECT_TRUE(MessageDifferencer::Equals(back.entries.services[0], s))
      << back.entries.services[0].DebugString();
  // And the HSDS names carry the values.
  const auto& service =
      document.fields().at("services").list_value().values(0).struct_value();
  EXPECT_EQ(service.fields().at("status").string_value(), "temporarily closed");
  EXPECT_EQ(service.fields()
                .at("cost_options")
                .list_value()
                .values(0)
                .struct_value()
                .fields()
                .at("amount")
                .number_value(),
            19.99);
  EXPECT_EQ(service.fields()
                .at("attributes")
                .list_value()
                .values(0)
                .struct_value()
                .fields()
                .at("taxonomy_term")
                .struct_value()
                .fields()
                .at("name")
                .string_value(),
            "Housing");
}

}  // namespace
}  // namespace homeward::referral
