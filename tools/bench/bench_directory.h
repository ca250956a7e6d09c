// The service directory the referral scenarios run on: an HSDS 3.0 document
// (docs/DIRECTORY.md, "HSDS mapping") of generated organizations, each with
// the same number of services, imported into the referral service before any
// measurement beside deploy/directory/example_directory.json. Pure: the
// shape in, JSON text out, and the rules that say which service is tagged
// with what, so that the scenarios know what a search must find.
//
// Service k (k = organization * services_per_organization + service) is
// tagged with components k and k + 7 (mod the list), offered in French and
// one of Wolof, Pulaar and English, in two regions; a fifth have an age
// range; one in sixteen is inactive; its capacity cycles available,
// available, waitlist (14 days), not accepting. So about 70 % accept
// referrals, and with the defaults (40 x 8 services, the 23 components of
// the reintegration taxonomy) a component has about 28 services, some 20
// of them accepting: one page of a search.
//
//   const BenchDirectoryShape shape{.organizations = 40,
//                                   .services_per_organization = 8};
//   std::string json = BenchDirectoryHsds(shape, components, "reintegration");
//   ... ImportHsds(document = json) as an administrator ...
//   std::string target = AcceptingBenchServiceId(shape, 3);  // org 3's
#ifndef HOMEWARD_TOOLS_BENCH_BENCH_DIRECTORY_H_
#define HOMEWARD_TOOLS_BENCH_BENCH_DIRECTORY_H_

#include <string>
#include <vector>

namespace homeward::bench {

struct BenchDirectoryShape {
  int organizations = 40;
  int services_per_organization = 8;
};

// "org-bench-<organization>" and "svc-bench-<organization>-<service>".
std::string BenchOrganizationId(int organization);
std::string BenchServiceId(int organization, int service);

// The components service (organization, service) is tagged with: one or
// two ids of `components` (not empty).
std::vector<std::string> BenchServiceComponents(
    const BenchDirectoryShape& shape, int organization, int service,
    const std::vector<std::string>& components);

// Whether service (organization, service) takes referrals: ACTIVE, with
// capacity AVAILABLE or WAITLIST.
bool BenchServiceAccepts(const BenchDirectoryShape& shape, int organization,
                         int service);

// The first service of `organization` that takes referrals (every
// organization of at least two services has one).
std::string AcceptingBenchServiceId(const BenchDirectoryShape& shape,
                                    int organization);

// The HSDS document of every organization and service of `shape`, services
// tagged with `components` of taxonomy `taxonomy_id`.
std::string BenchDirectoryHsds(const BenchDirectoryShape& shape,
                               const std::vector<std::string>& components,
                               const std::string& taxonomy_id);

}  // namespace homeward::bench

#endif  // HOMEWARD_TOOLS_BENCH_BENCH_DIRECTORY_H_
