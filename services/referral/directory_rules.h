// The service directory's rules (docs/DIRECTORY.md): what a valid
// organization, location, service and capacity are, and which services a
// search matches. Pure: what a rule needs to know about the rest of the
// directory (does this organization exist, whose location is this, which
// components does the taxonomy have) is passed in as DirectoryFacts, so the
// same rules check an RPC's entry against the store and an HSDS file's
// entries against the file and the store.
//
//   DirectoryFacts facts{.components = &terms,
//                        .organization_exists = [&](auto id) {...},
//                        .location_organization = [&](auto id) {...}};
//   errors::FieldViolations bad;
//   bad.AddAll(CheckService(service, IdPolicy::kDerivedWhenEmpty, facts),
//              "service.");
//   RETURN_IF_ERROR(bad.ToStatus());
//   if (MatchesSearch(service, request)) ...
#ifndef HOMEWARD_SERVICES_REFERRAL_DIRECTORY_RULES_H_
#define HOMEWARD_SERVICES_REFERRAL_DIRECTORY_RULES_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "homeward/v1/directory.pb.h"
#include "homeward/v1/taxonomy.pb.h"

namespace homeward::referral {

inline constexpr size_t kMaxDirectoryIdLength = 64;
inline constexpr int kMaxAge = 130;
inline constexpr size_t kMaxNameLength = 200;
inline constexpr size_t kMaxTextLength = 4000;

// Directory ids: 1 to 64 characters from A-Z a-z 0-9 . _ : - (HSDS files
// carry UUIDs, which fit).
bool IsDirectoryId(absl::string_view id);
inline constexpr absl::string_view kDirectoryIdRule =
    "must be 1 to 64 characters from letters, digits and . _ : -";

// A taxonomy component as HSDS files name it (an attribute's taxonomy_term).
struct ComponentTerm {
  std::string taxonomy_id;  // taxonomy_term.taxonomy
  std::string name;         // the English label, else the component id
  std::string description;  // the English description, else the name
};
// The components services may be tagged with, by component id.
using ComponentTerms = absl::btree_map<std::string, ComponentTerm>;
// The components of the latest version of each taxonomy in `taxonomies`
// (any versions, any order); a component id in two taxonomies keeps the
// first taxonomy id in id order.
ComponentTerms ComponentTermsOf(
    const std::vector<homeward::v1::Taxonomy>& taxonomies);

// What the rules need to know about the rest of the directory.
struct DirectoryFacts {
  const ComponentTerms* components = nullptr;
  std::function<bool(absl::string_view organization_id)> organization_exists;
  // The organization of `location_id`; nullopt when there is no such
  // location.
  std::function<std::optional<std::string>(absl::string_view location_id)>
      location_organization;
  // The organization of `service_id`; nullopt when there is no such service.
  // (An import checks that no entry moves to another organization.)
  std::function<std::optional<std::string>(absl::string_view service_id)>
      service_organization;
};

// Whether an entry's own id must be given: a create derives it from its
// request id when empty; an update or an imported entry names it.
enum class IdPolicy { kDerivedWhenEmpty, kRequired };

// Every problem with the entry, one violation per bad field, with paths
// relative to the entry ("name", "contacts[0].email"). Output-only fields
// (etag, update_time, a service's capacity) are not checked: writes replace
// them.
errors::FieldViolations CheckOrganization(
    const homeward::v1::Organization& organization, IdPolicy id_policy);
errors::FieldViolations CheckLocation(const homeward::v1::Location& location,
                                      IdPolicy id_policy,
                                      const DirectoryFacts& facts);
errors::FieldViolations CheckService(const homeward::v1::HumanService& service,
                                     IdPolicy id_policy,
                                     const DirectoryFacts& facts);
// A capacity as SetServiceCapacity or an import gives it: a status, and
// expected_wait_days >= 1 exactly when WAITLIST (0 otherwise).
errors::FieldViolations CheckCapacity(
    const homeward::v1::ServiceCapacity& capacity);
// A search's filters and page (paths as in the request: "age", "language",
// "page.page_size"...).
errors::FieldViolations CheckSearch(
    const homeward::v1::SearchServicesRequest& request);

// A set of directory entries: what an HSDS file holds and what an export
// writes, each list in id order when read from the store.
struct DirectoryEntries {
  std::vector<homeward::v1::Organization> organizations;
  std::vector<homeward::v1::Location> locations;
  std::vector<homeward::v1::HumanService> services;
};

// The search key of a service area name: ASCII letters folded to lower case
// and surrounding spaces dropped, so "Dakar", "DAKAR " and "dakar" match.
std::string AreaKey(absl::string_view name);
// ACTIVE, and capacity AVAILABLE or WAITLIST.
bool AcceptsReferrals(const homeward::v1::HumanService& service);
// Every filter the request gives holds for `service`.
bool MatchesSearch(const homeward::v1::HumanService& service,
                   const homeward::v1::SearchServicesRequest& request);

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_DIRECTORY_RULES_H_
