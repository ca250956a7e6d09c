// The bench's generated service directory; see bench_directory.h.
#include "tools/bench/bench_directory.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace homeward::bench {
namespace {

int Index(const BenchDirectoryShape& shape, int organization, int service) {
  return organization * shape.services_per_organization + service;
}

// 13 mod 16 is 1 mod 4 (available): an inactive service that would
// otherwise take referrals.
bool Active(int k) { return k % 16 != 13; }

// The HSDS capacity status of service k, and its wait.
const char* Capacity(int k) {
  switch (k % 4) {
    case 2:
      return "waitlist";
    case 3:
      return "not_accepting";
    default:
      return "available";
  }
}

constexpr const char* kOtherLanguages[] = {"wo", "ff", "en"};
constexpr const char* kRegions[] = {"Dakar",       "Pikine", "Thies",
                                    "Saint-Louis", "Kolda",  "Ziguinchor"};

std::string Quoted(const std::string& text) {
  return absl::StrCat("\"", text, "\"");
}

std::string ServiceJson(const BenchDirectoryShape& shape, int organization,
                        int service, const std::vector<std::string>& components,
                        const std::string& taxonomy_id) {
  const int k = Index(shape, organization, service);
  const std::string id = BenchServiceId(organization, service);
  std::vector<std::string> attributes;
  for (const std::string& c :
       BenchServiceComponents(shape, organization, service, components)) {
    attributes.push_back(absl::StrCat(
        "{\"id\":", Quoted(absl::StrCat("at-", id, "-", c)),
        ",\"taxonomy_term\":{\"id\":",
        Quoted(absl::StrCat(taxonomy_id, ":", c)), ",\"code\":", Quoted(c),
        ",\"taxonomy\":", Quoted(taxonomy_id), "}}"));
  }
  const std::string other = kOtherLanguages[k % 3];
  const std::string capacity = Capacity(k);
  std::string json = absl::StrCat(
      "{\"id\":", Quoted(id),
      ",\"organization_id\":", Quoted(BenchOrganizationId(organization)),
      ",\"name\":",
      Quoted(absl::StrCat("Bench service ", organization, "-", service)),
      ",\"description\":\"A generated service of the benchmark directory.\"",
      ",\"status\":", Quoted(Active(k) ? "active" : "inactive"),
      ",\"languages\":[{\"id\":", Quoted(absl::StrCat("l-", id, "-fr")),
      ",\"code\":\"fr\"},{\"id\":", Quoted(absl::StrCat("l-", id, "-", other)),
      ",\"code\":", Quoted(other), "}]",
      ",\"service_areas\":[{\"id\":", Quoted(absl::StrCat("sa-", id, "-1")),
      ",\"name\":", Quoted(kRegions[k % 6]),
      "},{\"id\":", Quoted(absl::StrCat("sa-", id, "-2")),
      ",\"name\":", Quoted(kRegions[(k + 1) % 6]), "}]", ",\"attributes\":[",
      absl::StrJoin(attributes, ","), "]",
      ",\"x_homeward_capacity\":{\"status\":", Quoted(capacity),
      capacity == "waitlist" ? ",\"expected_wait_days\":14" : "", "}");
  if (k % 5 == 0)
    absl::StrAppend(&json, ",\"minimum_age\":18,\"maximum_age\":35");
  absl::StrAppend(&json, "}");
  return json;
}

}  // namespace

std::string BenchOrganizationId(int organization) {
  return absl::StrCat("org-bench-", organization);
}

std::string BenchServiceId(int organization, int service) {
  return absl::StrCat("svc-bench-", organization, "-", service);
}

std::vector<std::string> BenchServiceComponents(
    const BenchDirectoryShape& shape, int organization, int service,
    const std::vector<std::string>& components) {
  const int k = Index(shape, organization, service);
  const int n = static_cast<int>(components.size());
  std::vector<std::string> tagged = {components[k % n]};
  if (components[(k + 7) % n] != tagged[0]) {
    tagged.push_back(components[(k + 7) % n]);
  }
  return tagged;
}

bool BenchServiceAccepts(const BenchDirectoryShape& shape, int organization,
                         int service) {
  const int k = Index(shape, organization, service);
  return Active(k) && k % 4 != 3;
}

std::string AcceptingBenchServiceId(const BenchDirectoryShape& shape,
                                    int organization) {
  for (int s = 0; s < shape.services_per_organization; ++s) {
    if (BenchServiceAccepts(shape, organization, s)) {
      return BenchServiceId(organization, s);
    }
  }
  return "";
}

std::string BenchDirectoryHsds(const BenchDirectoryShape& shape,
                               const std::vector<std::string>& components,
                               const std::string& taxonomy_id) {
  std::vector<std::string> organizations, services;
  for (int o = 0; o < shape.organizations; ++o) {
    organizations.push_back(absl::StrCat(
        "{\"id\":", Quoted(BenchOrganizationId(o)),
        ",\"name\":", Quoted(absl::StrCat("Bench organization ", o)),
        ",\"description\":\"A generated organization of the benchmark "
        "directory.\"}"));
    for (int s = 0; s < shape.services_per_organization; ++s) {
      services.push_back(ServiceJson(shape, o, s, components, taxonomy_id));
    }
  }
  return absl::StrCat("{\"organizations\":[", absl::StrJoin(organizations, ","),
                      "],\"services\":[", absl::StrJoin(services, ","), "]}");
}

}  // namespace homeward::bench
