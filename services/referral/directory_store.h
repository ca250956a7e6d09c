// The service directory's storage (docs/DIRECTORY.md): organizations,
// locations and services (each with its service_at_location entries and its
// capacity) as records of the configuration partition
// (storage::kConfigurationPartition), which every replica keeps whole, like
// the versioned catalogs. The directory is reference data that the gateway
// writes to every replica, so every write gives the same result everywhere:
// a create without an id derives it from its request id ("org-", "loc-",
// "svc-" + 16 hex digits of SHA-256), every write is idempotent by request
// id (a retry answers the entry as it now is and writes nothing), and an
// entry's etag is its record version (1, 2, ...): an update with a stale etag
// is ABORTED and writes nothing.
//
// Entries list in key order: ids are length-prefixed in keys, so shorter ids
// come first, then ids of one length in byte order; stable, as paging needs.
//
// Search reads index key ranges, not every service: services are indexed by
// organization, component, service area (AreaKey) and language, and a search
// reads the range of its most selective filter (organization, then area,
// then component, then language) and checks the other filters on the
// services read. Only a search with none of those four filters (age or
// accepting_referrals alone) reads every service.
//
// The store checks no content rule (directory_rules.h: the caller does);
// it keeps the records, their indexes, the idempotency claims and an audit
// entry per write together in one WriteSet.
//
//   DirectoryStore directory(store);
//   directory.CreateService(actor, "req-1", service, [](auto stored) {...});
//   ASSIGN_OR_RETURN(HumanService s, directory.GetService("svc-1"));
//   ASSIGN_OR_RETURN(storage::Page<HumanService> page,
//                    directory.Search(request));
#ifndef HOMEWARD_SERVICES_REFERRAL_DIRECTORY_STORE_H_
#define HOMEWARD_SERVICES_REFERRAL_DIRECTORY_STORE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/service/actor.h"
#include "common/storage/page.h"
#include "common/storage/store.h"
#include "homeward/v1/directory.pb.h"
#include "services/referral/directory_rules.h"

namespace homeward::referral {

// What an import stored.
struct ImportCounts {
  int organizations = 0;
  int locations = 0;
  int services = 0;
};

class DirectoryStore {
 public:
  explicit DirectoryStore(storage::Store* store) : store_(store) {}

  // The entry with its etag; NOT_FOUND naming the id ("service 'x' was not
  // found").
  absl::StatusOr<homeward::v1::HumanService> GetService(
      absl::string_view service_id) const;
  absl::StatusOr<homeward::v1::Organization> GetOrganization(
      absl::string_view organization_id) const;
  absl::StatusOr<homeward::v1::Location> GetLocation(
      absl::string_view location_id) const;

  // What the rules ask of the directory, answered from this store, with
  // `components` (which must outlive the facts).
  DirectoryFacts Facts(const ComponentTerms* components) const;

  // Creates: the entry's id, or when empty the id derived from `request_id`
  // (DerivedId). ALREADY_EXISTS when an entry has that id (and the request
  // id is new). `done` gets the stored entry with its etag, on the store's
  // completion thread. A service is stored without capacity (UNSPECIFIED:
  // not accepting referrals until SetServiceCapacity); a service_at_location
  // without an id gets "<service_id>:<location_id>".
  void CreateOrganization(const service::Actor& actor,
                          const std::string& request_id,
                          homeward::v1::Organization organization,
                          service::WriteDone<homeward::v1::Organization> done);
  void CreateLocation(const service::Actor& actor,
                      const std::string& request_id,
                      homeward::v1::Location location,
                      service::WriteDone<homeward::v1::Location> done);
  void CreateService(const service::Actor& actor, const std::string& request_id,
                     homeward::v1::HumanService service,
                     service::WriteDone<homeward::v1::HumanService> done);

  // Updates replace every field but the output-only ones (and a service's
  // capacity) if the entry's etag is current. NOT_FOUND when the entry does
  // not exist, ABORTED when the etag is stale, INVALID_ARGUMENT on
  // organization_id when a location or service would move to another
  // organization (create a new one instead). Errors that need no commit
  // (an unreadable etag, NOT_FOUND...) are returned at once and `done` is not
  // called.
  absl::Status UpdateOrganization(
      const service::Actor& actor, const std::string& request_id,
      homeward::v1::Organization organization,
      service::WriteDone<homeward::v1::Organization> done);
  absl::Status UpdateLocation(const service::Actor& actor,
                              const std::string& request_id,
                              homeward::v1::Location location,
                              service::WriteDone<homeward::v1::Location> done);
  absl::Status UpdateService(
      const service::Actor& actor, const std::string& request_id,
      homeward::v1::HumanService service,
      service::WriteDone<homeward::v1::HumanService> done);
  // Sets the service's capacity, stamped with now and the actor's user id.
  absl::Status SetCapacity(const service::Actor& actor,
                           const std::string& request_id,
                           absl::string_view service_id, absl::string_view etag,
                           homeward::v1::ServiceCapacity capacity,
                           service::WriteDone<homeward::v1::HumanService> done);

  // Services matching every filter of `request` (its page included, which
  // the caller checked: CheckSearch), in key order (ids are
  // length-prefixed in keys: shorter ids first, then by bytes). Pages are
  // full unless the last one; a page token holds the filters it was made
  // for, and another filter set refuses it (INVALID_ARGUMENT on
  // page.page_token).
  absl::StatusOr<storage::Page<homeward::v1::HumanService>> Search(
      const homeward::v1::SearchServicesRequest& request) const;
  // The same page written into `response` (services and next_page_token;
  // it must hold none yet), each service decoded in place: on the
  // response's arena when it has one (the SearchServices handler's).
  absl::Status SearchInto(const homeward::v1::SearchServicesRequest& request,
                          homeward::v1::SearchServicesResponse* response) const;
  // A page of organizations, in key order.
  absl::StatusOr<storage::Page<homeward::v1::Organization>> ListOrganizations(
      int page_size, absl::string_view page_token) const;

  // Every entry, or only the organization `organization_id`'s (its
  // locations and services; NOT_FOUND when it does not exist), in key
  // order.
  absl::StatusOr<DirectoryEntries> ReadAll(
      absl::string_view organization_id) const;

  // Stores every entry of `entries` (checked by the caller: CheckHsdsFile),
  // replacing the entries with the same ids whatever their etags, in one
  // WriteSet: all of them or none. An imported service keeps its stored
  // capacity when it gives none or the same one (status, wait, note);
  // otherwise it is stamped with now and the actor. Idempotent by
  // `request_id`: a replay stores nothing and answers the counts of
  // `entries`. ABORTED when an entry changed while the import was prepared.
  // A read error is returned at once and `done` is not called.
  absl::Status Import(const service::Actor& actor,
                      const std::string& request_id, DirectoryEntries entries,
                      service::WriteDone<ImportCounts> done);

  // The id a create without one stores: `prefix` + "-" + 16 hex digits of
  // SHA-256 of "<prefix>:<request_id>", the same on every replica.
  static std::string DerivedId(absl::string_view prefix,
                               absl::string_view request_id);

 private:
  template <typename Entry>
  absl::StatusOr<std::optional<Entry>> Read(absl::string_view kind,
                                            absl::string_view id,
                                            uint64_t* version) const;
  template <typename Entry>
  absl::StatusOr<Entry> ReadExisting(absl::string_view kind,
                                     absl::string_view noun,
                                     absl::string_view id) const;
  // Commits `set` and answers `done` with the entry `kind`/`id` as stored
  // (read back on a replay), mapping the store's precondition errors to the
  // entry's noun.
  template <typename Entry>
  void CommitEntry(storage::WriteSet set, absl::string_view kind,
                   absl::string_view noun, std::string id,
                   std::string given_etag, uint64_t read_version,
                   service::WriteDone<Entry> done);

  storage::Store* store_;
};

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_DIRECTORY_STORE_H_
