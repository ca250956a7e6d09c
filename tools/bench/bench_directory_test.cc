// The bench's generated directory is a valid HSDS document by the referral
// service's own reading and rules (against the shipped taxonomy), and says
// truly which service is tagged with what and which accepts referrals.
#include "tools/bench/bench_directory.h"

#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "homeward/v1/taxonomy.pb.h"
#include "services/referral/directory_rules.h"
#include "services/referral/hsds_document.h"

namespace homeward::bench {
namespace {

using referral::ComponentTerms;

homeward::v1::Taxonomy ShippedTaxonomy() {
  std::ifstream in(std::string(HOMEWARD_SOURCE_DIR) +
                   "/deploy/taxonomy/reintegration.textproto");
  std::stringstream text;
  text << in.rdbuf();
  homeward::v1::Taxonomy taxonomy;
  EXPECT_TRUE(
      google::protobuf::TextFormat::ParseFromString(text.str(), &taxonomy));
  return taxonomy;
}

std::vector<std::string> ComponentIds(const homeward::v1::Taxonomy& taxonomy) {
  std::vector<std::string> ids;
  for (const auto& c : taxonomy.components()) ids.push_back(c.component_id());
  return ids;
}

// An empty directory: every reference must resolve within the document.
referral::DirectoryFacts Empty(const ComponentTerms* terms) {
  referral::DirectoryFacts facts;
  facts.components = terms;
  facts.organization_exists = [](absl::string_view) { return false; };
  facts.location_organization = [](absl::string_view) {
    return std::optional<std::string>();
  };
  facts.service_organization = [](absl::string_view) {
    return std::optional<std::string>();
  };
  return facts;
}

TEST(BenchDirectoryTest, DocumentImportsCleanlyAndMatchesTheRules) {
  const homeward::v1::Taxonomy taxonomy = ShippedTaxonomy();
  const std::vector<std::string> components = ComponentIds(taxonomy);
  ASSERT_GE(components.size(), 8u);
  const ComponentTerms terms = referral::ComponentTermsOf({taxonomy});
  const BenchDirectoryShape shape{.organizations = 40,
                                  .services_per_organization = 8};

  google::protobuf::Struct document;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  BenchDirectoryHsds(shape, components, taxonomy.taxonomy_id()),
                  &document)
                  .ok());
  errors::FieldViolations bad;
  referral::HsdsFile file = referral::ReadHsds(document, terms, bad);
  referral::CheckHsdsFile(file, Empty(&terms), bad);
  EXPECT_TRUE(bad.empty()) << bad.ToStatus();
  ASSERT_EQ(file.entries.organizations.size(), 40u);
  ASSERT_EQ(file.entries.services.size(), 320u);

  std::map<std::string, int> accepting_per_component;
  int accepting = 0;
  for (int o = 0; o < shape.organizations; ++o) {
    for (int s = 0; s < shape.services_per_organization; ++s) {
      const homeward::v1::HumanService& service =
          file.entries.services[o * shape.services_per_organization + s];
      EXPECT_EQ(service.service_id(), BenchServiceId(o, s));
      EXPECT_EQ(service.organization_id(), BenchOrganizationId(o));
      const std::vector<std::string> tagged =
          BenchServiceComponents(shape, o, s, components);
      EXPECT_EQ(std::vector<std::string>(service.components().begin(),
                                         service.components().end()),
                tagged)
          << service.service_id();
      const bool accepts =
          service.status() == homeward::v1::SERVICE_STATUS_ACTIVE &&
          (service.capacity().status() ==
               homeward::v1::CAPACITY_STATUS_AVAILABLE ||
           service.capacity().status() ==
               homeward::v1::CAPACITY_STATUS_WAITLIST);
      EXPECT_EQ(accepts, BenchServiceAccepts(shape, o, s))
          << service.service_id();
      if (accepts) {
        ++accepting;
        for (const std::string& c : tagged) ++accepting_per_component[c];
      }
    }
    const std::string target = AcceptingBenchServiceId(shape, o);
    ASSERT_FALSE(target.empty()) << "organization " << o;
  }
  // About 70 % accept, and every component has a page's worth or so.
  EXPECT_GT(accepting, 200);
  EXPECT_LT(accepting, 240);
  EXPECT_EQ(accepting_per_component.size(), components.size());
  for (const auto& [component, count] : accepting_per_component) {
    EXPECT_GE(count, 12) << component;
    EXPECT_LE(count, 30) << component;
  }
}

TEST(BenchDirectoryTest, AcceptingServiceIsOneThatAccepts) {
  const BenchDirectoryShape shape{.organizations = 5,
                                  .services_per_organization = 3};
  for (int o = 0; o < shape.organizations; ++o) {
    const std::string id = AcceptingBenchServiceId(shape, o);
    bool found = false;
    for (int s = 0; s < shape.services_per_organization; ++s) {
      if (BenchServiceId(o, s) == id) {
        EXPECT_TRUE(BenchServiceAccepts(shape, o, s)) << id;
        found = true;
      }
    }
    EXPECT_TRUE(found) << "organization " << o << ": '" << id << "'";
  }
}

}  // namespace
}  // namespace homeward::bench
