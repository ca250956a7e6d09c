// The service directory's storage; see directory_store.h.
#include "services/referral/directory_store.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/api/etags.h"
#include "common/api/paging.h"
#include "common/auth/crypto.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "common/storage/indexed_records.h"
#include "common/storage/keys.h"
#include "common/storage/partitions.h"
#include "common/storage/write_set.h"

namespace homeward::referral {
namespace {

// Refuses an update that moves an entry (`what`: "location", "service") from
// its `stored` organization to `asked`: a partner agency may maintain its own
// organization's entries, so moving one would hand it to another agency.
absl::Status KeepsOrganization(absl::string_view what,
                               const std::string& stored,
                               const std::string& asked) {
  if (stored == asked) return absl::OkStatus();
  return errors::InvalidField(
      absl::StrCat(what, ".organization_id"),
      absl::StrCat("cannot change (the ", what, " belongs to '", stored,
                   "'); create a ", what, " for the other organization"));
}

using homeward::v1::HumanService;
using homeward::v1::Location;
using homeward::v1::Organization;

// Reference data of no case: the partition every replica keeps whole.
constexpr uint32_t kPartition = storage::kConfigurationPartition;

constexpr char kOrganizationKind[] = "dir_organization";
constexpr char kLocationKind[] = "dir_location";
constexpr char kServiceKind[] = "dir_service";

constexpr char kLocationsByOrganization[] = "dir_location_by_organization";
constexpr char kServicesByOrganization[] = "dir_service_by_organization";
constexpr char kServicesByComponent[] = "dir_service_by_component";
constexpr char kServicesByArea[] = "dir_service_by_area";
constexpr char kServicesByLanguage[] = "dir_service_by_language";

// A search reads at most this many index entries per call when its other
// filters leave most of them out, and then answers a short page with a
// token, so that one call's cost stays bounded.
constexpr int kMaxExaminedPerSearch = 2000;

using IndexKeys = std::set<std::pair<std::string, std::string>>;

IndexKeys ServiceIndexKeys(const HumanService& s) {
  IndexKeys keys = {{kServicesByOrganization, s.organization_id()}};
  for (const auto& c : s.components()) keys.insert({kServicesByComponent, c});
  for (const auto& a : s.service_areas()) {
    keys.insert({kServicesByArea, AreaKey(a.name())});
  }
  for (const auto& l : s.languages()) keys.insert({kServicesByLanguage, l});
  return keys;
}

IndexKeys LocationIndexKeys(const Location& l) {
  return {{kLocationsByOrganization, l.organization_id()}};
}

// Moves `id`'s index entries from `before` to `after`.
void PutIndexChange(storage::WriteSet& set, const IndexKeys& before,
                    const IndexKeys& after, absl::string_view id) {
  for (const auto& [index, value] : before) {
    if (after.count({index, value}) == 0) {
      set.DeleteIndex(kPartition, index, value, id);
    }
  }
  for (const auto& [index, value] : after) {
    if (before.count({index, value}) == 0) {
      set.PutIndex(kPartition, index, value, id);
    }
  }
}

homeward::internal::v1::IdempotencyRecord Claim(absl::string_view id) {
  homeward::internal::v1::IdempotencyRecord record;
  record.set_subject_id(std::string(id));
  record.set_partition(kPartition);
  return record;
}

std::string ClaimScope(absl::string_view write) {
  return absl::StrCat("directory/", write);
}

// Service-at-location entries without an id get one derived from what
// they link, the same on every replica.
void NameServiceLocations(HumanService& s) {
  for (auto& at : *s.mutable_locations()) {
    if (at.service_at_location_id().empty()) {
      at.set_service_at_location_id(
          absl::StrCat(s.service_id(), ":", at.location_id()));
    }
  }
}

bool SameCapacity(const homeward::v1::ServiceCapacity& a,
                  const homeward::v1::ServiceCapacity& b) {
  return a.status() == b.status() &&
         a.expected_wait_days() == b.expected_wait_days() &&
         a.note() == b.note();
}

// What a search token is bound to: every filter, so that a token is refused
// with other filters.
std::string FilterDigest(const homeward::v1::SearchServicesRequest& r) {
  return crypto::Sha256Hex(
             absl::StrCat(r.component().size(), ":", r.component(), "|",
                          AreaKey(r.area()).size(), ":", AreaKey(r.area()), "|",
                          r.has_age() ? absl::StrCat(r.age()) : "-", "|",
                          r.language(), "|", r.accepting_referrals() ? 1 : 0,
                          "|", r.organization_id()))
      .substr(0, 8);
}

absl::Status BadSearchToken() {
  return errors::InvalidField("page.page_token",
                              "is not a token returned by this search with "
                              "the same filters; start again with an empty "
                              "token");
}

}  // namespace

std::string DirectoryStore::DerivedId(absl::string_view prefix,
                                      absl::string_view request_id) {
  return absl::StrCat(
      prefix, "-",
      crypto::Sha256Hex(absl::StrCat(prefix, ":", request_id)).substr(0, 16));
}

template <typename Entry>
absl::StatusOr<std::optional<Entry>> DirectoryStore::Read(
    absl::string_view kind, absl::string_view id, uint64_t* version) const {
  Entry entry;
  uint64_t v = 0;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(kPartition, kind, id, &entry, &v));
  if (version != nullptr) *version = v;
  if (!found) return std::optional<Entry>();
  entry.set_etag(api::EtagOf(v));
  return std::optional<Entry>(std::move(entry));
}

template <typename Entry>
absl::StatusOr<Entry> DirectoryStore::ReadExisting(absl::string_view kind,
                                                   absl::string_view noun,
                                                   absl::string_view id) const {
  ASSIGN_OR_RETURN(std::optional<Entry> entry, Read<Entry>(kind, id, nullptr));
  if (!entry.has_value()) return errors::NotFound(noun, id);
  return *std::move(entry);
}

absl::StatusOr<HumanService> DirectoryStore::GetService(
    absl::string_view service_id) const {
  return ReadExisting<HumanService>(kServiceKind, "service", service_id);
}

absl::StatusOr<Organization> DirectoryStore::GetOrganization(
    absl::string_view organization_id) const {
  return ReadExisting<Organization>(kOrganizationKind, "organization",
                                    organization_id);
}

absl::StatusOr<Location> DirectoryStore::GetLocation(
    absl::string_view location_id) const {
  return ReadExisting<Location>(kLocationKind, "location", location_id);
}

DirectoryFacts DirectoryStore::Facts(const ComponentTerms* components) const {
  DirectoryFacts facts;
  facts.components = components;
  // A read error counts as "not there": the write that follows reads the
  // same store and fails on it with the storage error.
  facts.organization_exists = [this](absl::string_view id) {
    absl::StatusOr<std::optional<Organization>> o =
        Read<Organization>(kOrganizationKind, id, nullptr);
    return o.ok() && o->has_value();
  };
  facts.location_organization =
      [this](absl::string_view id) -> std::optional<std::string> {
    absl::StatusOr<std::optional<Location>> l =
        Read<Location>(kLocationKind, id, nullptr);
    if (!l.ok() || !l->has_value()) return std::nullopt;
    return (*l)->organization_id();
  };
  facts.service_organization =
      [this](absl::string_view id) -> std::optional<std::string> {
    absl::StatusOr<std::optional<HumanService>> s =
        Read<HumanService>(kServiceKind, id, nullptr);
    if (!s.ok() || !s->has_value()) return std::nullopt;
    return (*s)->organization_id();
  };
  return facts;
}

template <typename Entry>
void DirectoryStore::CommitEntry(storage::WriteSet set, absl::string_view kind,
                                 absl::string_view noun, std::string id,
                                 std::string given_etag, uint64_t read_version,
                                 service::WriteDone<Entry> done) {
  store_->CommitAsync(
      std::move(set),
      [this, kind, noun, id = std::move(id), given_etag = std::move(given_etag),
       read_version,
       done = std::move(done)](absl::StatusOr<storage::CommitResult> result) {
        if (!result.ok()) {
          const absl::Status& s = result.status();
          if (absl::IsAlreadyExists(s)) {
            return done(errors::AlreadyExists(noun, id));
          }
          if (absl::IsNotFound(s)) return done(errors::NotFound(noun, id));
          if (absl::IsAborted(s)) {
            const std::string read = api::EtagOf(read_version);
            return done(errors::EtagMismatch(
                noun, id, given_etag,
                read == given_etag ? "newer, changed meanwhile" : read));
          }
          return done(s);
        }
        // A replay answers the entry the first request wrote, as it is now.
        const std::string& stored =
            result->replayed ? result->original.subject_id() : id;
        done(ReadExisting<Entry>(kind, noun, stored));
      });
}

// ---------------------------------------------------------------- creates

void DirectoryStore::CreateOrganization(const service::Actor& actor,
                                        const std::string& request_id,
                                        Organization o,
                                        service::WriteDone<Organization> done) {
  if (o.organization_id().empty()) {
    o.set_organization_id(DerivedId("org", request_id));
  }
  const std::string id = o.organization_id();
  o.clear_etag();
  *o.mutable_update_time() = storage::NowTimestamp();
  storage::WriteSet set;
  set.ClaimRequest(kPartition, ClaimScope("CreateOrganization"), request_id,
                   Claim(id))
      .ExpectVersion(kPartition, kOrganizationKind, id, 0)
      .PutRecord(kPartition, kOrganizationKind, id, 1, o)
      .Audit(service::AuditEntryFor(actor, id));
  CommitEntry<Organization>(std::move(set), kOrganizationKind, "organization",
                            id, "", 0, std::move(done));
}

void DirectoryStore::CreateLocation(const service::Actor& actor,
                                    const std::string& request_id, Location l,
                                    service::WriteDone<Location> done) {
  if (l.location_id().empty()) l.set_location_id(DerivedId("loc", request_id));
  const std::string id = l.location_id();
  l.clear_etag();
  *l.mutable_update_time() = storage::NowTimestamp();
  storage::WriteSet set;
  set.ClaimRequest(kPartition, ClaimScope("CreateLocation"), request_id,
                   Claim(id))
      .ExpectVersion(kPartition, kLocationKind, id, 0)
      .PutRecord(kPartition, kLocationKind, id, 1, l)
      .Audit(service::AuditEntryFor(actor, id));
  PutIndexChange(set, {}, LocationIndexKeys(l), id);
  CommitEntry<Location>(std::move(set), kLocationKind, "location", id, "", 0,
                        std::move(done));
}

void DirectoryStore::CreateService(const service::Actor& actor,
                                   const std::string& request_id,
                                   HumanService s,
                                   service::WriteDone<HumanService> done) {
  if (s.service_id().empty()) s.set_service_id(DerivedId("svc", request_id));
  const std::string id = s.service_id();
  s.clear_etag();
  s.clear_capacity();
  *s.mutable_update_time() = storage::NowTimestamp();
  NameServiceLocations(s);
  storage::WriteSet set;
  set.ClaimRequest(kPartition, ClaimScope("CreateService"), request_id,
                   Claim(id))
      .ExpectVersion(kPartition, kServiceKind, id, 0)
      .PutRecord(kPartition, kServiceKind, id, 1, s)
      .Audit(service::AuditEntryFor(actor, id));
  PutIndexChange(set, {}, ServiceIndexKeys(s), id);
  CommitEntry<HumanService>(std::move(set), kServiceKind, "service", id, "", 0,
                            std::move(done));
}

// ---------------------------------------------------------------- updates

absl::Status DirectoryStore::UpdateOrganization(
    const service::Actor& actor, const std::string& request_id, Organization o,
    service::WriteDone<Organization> done) {
  const std::string id = o.organization_id();
  const std::string etag = o.etag();
  ASSIGN_OR_RETURN(uint64_t expected,
                   api::ParseEtag(etag, "organization.etag"));
  uint64_t version = 0;
  ASSIGN_OR_RETURN(std::optional<Organization> current,
                   Read<Organization>(kOrganizationKind, id, &version));
  if (!current.has_value()) return errors::NotFound("organization", id);
  o.clear_etag();
  *o.mutable_update_time() = storage::NowTimestamp();
  storage::WriteSet set;
  // The claim is checked before the version: a retry of an update that
  // was applied replays instead of failing on the etag it moved.
  set.ClaimRequest(kPartition, ClaimScope("UpdateOrganization"), request_id,
                   Claim(id))
      .ExpectVersion(kPartition, kOrganizationKind, id, expected)
      .PutRecord(kPartition, kOrganizationKind, id, expected + 1, o)
      .Audit(service::AuditEntryFor(actor, id));
  CommitEntry<Organization>(std::move(set), kOrganizationKind, "organization",
                            id, etag, version, std::move(done));
  return absl::OkStatus();
}

absl::Status DirectoryStore::UpdateLocation(const service::Actor& actor,
                                            const std::string& request_id,
                                            Location l,
                                            service::WriteDone<Location> done) {
  const std::string id = l.location_id();
  const std::string etag = l.etag();
  ASSIGN_OR_RETURN(uint64_t expected, api::ParseEtag(etag, "location.etag"));
  uint64_t version = 0;
  ASSIGN_OR_RETURN(std::optional<Location> current,
                   Read<Location>(kLocationKind, id, &version));
  if (!current.has_value()) return errors::NotFound("location", id);
  RETURN_IF_ERROR(KeepsOrganization("location", current->organization_id(),
                                    l.organization_id()));
  l.clear_etag();
  *l.mutable_update_time() = storage::NowTimestamp();
  storage::WriteSet set;
  set.ClaimRequest(kPartition, ClaimScope("UpdateLocation"), request_id,
                   Claim(id))
      .ExpectVersion(kPartition, kLocationKind, id, expected)
      .PutRecord(kPartition, kLocationKind, id, expected + 1, l)
      .Audit(service::AuditEntryFor(actor, id));
  CommitEntry<Location>(std::move(set), kLocationKind, "location", id, etag,
                        version, std::move(done));
  return absl::OkStatus();
}

absl::Status DirectoryStore::UpdateService(
    const service::Actor& actor, const std::string& request_id, HumanService s,
    service::WriteDone<HumanService> done) {
  const std::string id = s.service_id();
  const std::string etag = s.etag();
  ASSIGN_OR_RETURN(uint64_t expected, api::ParseEtag(etag, "service.etag"));
  uint64_t version = 0;
  ASSIGN_OR_RETURN(std::optional<HumanService> current,
                   Read<HumanService>(kServiceKind, id, &version));
  if (!current.has_value()) return errors::NotFound("service", id);
  RETURN_IF_ERROR(KeepsOrganization("service", current->organization_id(),
                                    s.organization_id()));
  s.clear_etag();
  *s.mutable_capacity() = current->capacity();
  *s.mutable_update_time() = storage::NowTimestamp();
  NameServiceLocations(s);
  storage::WriteSet set;
  set.ClaimRequest(kPartition, ClaimScope("UpdateService"), request_id,
                   Claim(id))
      .ExpectVersion(kPartition, kServiceKind, id, expected)
      .PutRecord(kPartition, kServiceKind, id, expected + 1, s)
      .Audit(service::AuditEntryFor(actor, id));
  // Computed from the version read: if it is not the one the etag names,
  // the commit fails on the version and these are not applied.
  PutIndexChange(set, ServiceIndexKeys(*current), ServiceIndexKeys(s), id);
  CommitEntry<HumanService>(std::move(set), kServiceKind, "service", id, etag,
                            version, std::move(done));
  return absl::OkStatus();
}

absl::Status DirectoryStore::SetCapacity(
    const service::Actor& actor, const std::string& request_id,
    absl::string_view service_id, absl::string_view etag,
    homeward::v1::ServiceCapacity capacity,
    service::WriteDone<HumanService> done) {
  const std::string id(service_id);
  ASSIGN_OR_RETURN(uint64_t expected, api::ParseEtag(etag, "etag"));
  uint64_t version = 0;
  ASSIGN_OR_RETURN(std::optional<HumanService> current,
                   Read<HumanService>(kServiceKind, id, &version));
  if (!current.has_value()) return errors::NotFound("service", id);
  HumanService s = *std::move(current);
  s.clear_etag();
  *capacity.mutable_update_time() = storage::NowTimestamp();
  capacity.set_updated_by(actor.principal.user_id());
  *s.mutable_capacity() = std::move(capacity);
  storage::WriteSet set;
  set.ClaimRequest(kPartition, ClaimScope("SetServiceCapacity"), request_id,
                   Claim(id))
      .ExpectVersion(kPartition, kServiceKind, id, expected)
      .PutRecord(kPartition, kServiceKind, id, expected + 1, s)
      .Audit(service::AuditEntryFor(actor, id));
  CommitEntry<HumanService>(std::move(set), kServiceKind, "service", id,
                            std::string(etag), version, std::move(done));
  return absl::OkStatus();
}

// ------------------------------------------------------------------ reads

absl::StatusOr<storage::Page<HumanService>> DirectoryStore::Search(
    const homeward::v1::SearchServicesRequest& request) const {
  homeward::v1::SearchServicesResponse response;
  RETURN_IF_ERROR(SearchInto(request, &response));
  storage::Page<HumanService> page;
  page.items.reserve(response.services_size());
  for (HumanService& s : *response.mutable_services()) {
    page.items.push_back(std::move(s));
  }
  page.next_page_token = std::move(*response.mutable_next_page_token());
  return page;
}

absl::Status DirectoryStore::SearchInto(
    const homeward::v1::SearchServicesRequest& request,
    homeward::v1::SearchServicesResponse* response) const {
  // The most selective filter's range; none: every service.
  std::string index;
  std::string value;
  if (!request.organization_id().empty()) {
    index = kServicesByOrganization;
    value = request.organization_id();
  } else if (!AreaKey(request.area()).empty()) {
    index = kServicesByArea;
    value = AreaKey(request.area());
  } else if (!request.component().empty()) {
    index = kServicesByComponent;
    value = request.component();
  } else if (!request.language().empty()) {
    index = kServicesByLanguage;
    value = request.language();
  }

  const std::string digest = FilterDigest(request);
  std::string inner;  // the store's token for the range
  if (!request.page().page_token().empty()) {
    std::string raw, bound;
    if (!absl::WebSafeBase64Unescape(request.page().page_token(), &raw)) {
      return BadSearchToken();
    }
    storage::KeyReader r(raw);
    if (!r.Str(&bound) || !r.Str(&inner) || !r.done() || bound != digest ||
        inner.empty()) {
      return BadSearchToken();
    }
  }

  const int want = api::EffectivePageSize(request.page());
  auto* services = response->mutable_services();
  int examined = 0;
  while (true) {
    const int ask = want - services->size();
    absl::StatusOr<storage::IndexPage> ids =
        index.empty()
            ? store_->ListRecordIds({kPartition}, kServiceKind, ask, inner)
            : store_->ListIndex({kPartition}, index, value, ask, inner);
    if (!ids.ok()) {
      // The store refuses a token of another range as its own argument.
      if (absl::IsInvalidArgument(ids.status())) return BadSearchToken();
      return ids.status();
    }
    examined += static_cast<int>(ids->entries.size());
    // Each service is decoded straight into its place in the answer (on
    // the call's arena when the caller put the answer on one) and taken
    // back out when it does not match: no copy, no per-service heap
    // allocations. Services are written with their index entries in one
    // commit and never deleted: a miss is lost data.
    for (const storage::IndexEntry& entry : ids->entries) {
      HumanService* s = services->Add();
      uint64_t version = 0;
      ASSIGN_OR_RETURN(bool found,
                       storage::ReadIndexedRecord(
                           *store_, entry, kServiceKind,
                           storage::MissingRecord::kCorruption, s, &version));
      if (found && MatchesSearch(*s, request)) {
        s->set_etag(api::EtagOf(version));
      } else {
        services->RemoveLast();
      }
    }
    inner = std::move(ids->next_page_token);
    if (inner.empty() || services->size() >= want ||
        examined >= kMaxExaminedPerSearch) {
      break;
    }
  }
  if (!inner.empty()) {
    response->set_next_page_token(absl::WebSafeBase64Escape(
        storage::KeyBuilder().Str(digest).Str(inner).key()));
  }
  return absl::OkStatus();
}

absl::StatusOr<storage::Page<Organization>> DirectoryStore::ListOrganizations(
    int page_size, absl::string_view page_token) const {
  ASSIGN_OR_RETURN(storage::IndexPage ids,
                   store_->ListRecordIds({kPartition}, kOrganizationKind,
                                         page_size, page_token));
  return storage::ReadIndexedRecords<Organization>(
      *store_, std::move(ids), kOrganizationKind,
      storage::MissingRecord::kCorruption,
      [](const storage::IndexEntry&, uint64_t version, Organization& o) {
        o.set_etag(api::EtagOf(version));
        return true;
      });
}

namespace {

// Every record of `kind` (or under `index` = `value`), in id order.
template <typename Entry>
absl::Status ReadEvery(const storage::Store& store, absl::string_view kind,
                       absl::string_view index, absl::string_view value,
                       std::vector<Entry>& out) {
  std::string token;
  do {
    ASSIGN_OR_RETURN(
        storage::IndexPage ids,
        index.empty()
            ? store.ListRecordIds({kPartition}, kind, api::kMaxPageSize, token)
            : store.ListIndex({kPartition}, index, value, api::kMaxPageSize,
                              token));
    ASSIGN_OR_RETURN(
        storage::Page<Entry> page,
        storage::ReadIndexedRecords<Entry>(
            store, std::move(ids), kind, storage::MissingRecord::kCorruption,
            [](const storage::IndexEntry&, uint64_t version, Entry& e) {
              e.set_etag(api::EtagOf(version));
              return true;
            }));
    for (auto& e : page.items) out.push_back(std::move(e));
    token = std::move(page.next_page_token);
  } while (!token.empty());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DirectoryEntries> DirectoryStore::ReadAll(
    absl::string_view organization_id) const {
  DirectoryEntries entries;
  if (organization_id.empty()) {
    RETURN_IF_ERROR(
        ReadEvery(*store_, kOrganizationKind, "", "", entries.organizations));
    RETURN_IF_ERROR(
        ReadEvery(*store_, kLocationKind, "", "", entries.locations));
    RETURN_IF_ERROR(ReadEvery(*store_, kServiceKind, "", "", entries.services));
    return entries;
  }
  ASSIGN_OR_RETURN(Organization o, GetOrganization(organization_id));
  entries.organizations.push_back(std::move(o));
  RETURN_IF_ERROR(ReadEvery(*store_, kLocationKind, kLocationsByOrganization,
                            organization_id, entries.locations));
  RETURN_IF_ERROR(ReadEvery(*store_, kServiceKind, kServicesByOrganization,
                            organization_id, entries.services));
  return entries;
}

// ----------------------------------------------------------------- import

absl::Status DirectoryStore::Import(const service::Actor& actor,
                                    const std::string& request_id,
                                    DirectoryEntries entries,
                                    service::WriteDone<ImportCounts> done) {
  ImportCounts counts;
  counts.organizations = static_cast<int>(entries.organizations.size());
  counts.locations = static_cast<int>(entries.locations.size());
  counts.services = static_cast<int>(entries.services.size());
  const google::protobuf::Timestamp now = storage::NowTimestamp();

  storage::WriteSet set;
  set.ClaimRequest(kPartition, ClaimScope("ImportHsds"), request_id,
                   Claim("import"));
  // Each entry replaces the version read now; a change meanwhile fails the
  // whole import (ABORTED) rather than overwriting it unseen.
  for (Organization& o : entries.organizations) {
    const std::string id = o.organization_id();
    uint64_t version = 0;
    ASSIGN_OR_RETURN(std::optional<Organization> current,
                     Read<Organization>(kOrganizationKind, id, &version));
    o.clear_etag();
    *o.mutable_update_time() = now;
    set.ExpectVersion(kPartition, kOrganizationKind, id, version)
        .PutRecord(kPartition, kOrganizationKind, id, version + 1, o)
        .Audit(service::AuditEntryFor(actor, id));
  }
  for (Location& l : entries.locations) {
    const std::string id = l.location_id();
    uint64_t version = 0;
    ASSIGN_OR_RETURN(std::optional<Location> current,
                     Read<Location>(kLocationKind, id, &version));
    l.clear_etag();
    *l.mutable_update_time() = now;
    set.ExpectVersion(kPartition, kLocationKind, id, version)
        .PutRecord(kPartition, kLocationKind, id, version + 1, l)
        .Audit(service::AuditEntryFor(actor, id));
    PutIndexChange(set, current ? LocationIndexKeys(*current) : IndexKeys(),
                   LocationIndexKeys(l), id);
  }
  for (HumanService& s : entries.services) {
    const std::string id = s.service_id();
    uint64_t version = 0;
    ASSIGN_OR_RETURN(std::optional<HumanService> current,
                     Read<HumanService>(kServiceKind, id, &version));
    if (current.has_value() &&
        (!s.has_capacity() ||
         SameCapacity(s.capacity(), current->capacity()))) {
      if (current->has_capacity()) {
        *s.mutable_capacity() = current->capacity();
      } else {
        s.clear_capacity();
      }
    } else if (s.has_capacity()) {
      *s.mutable_capacity()->mutable_update_time() = now;
      s.mutable_capacity()->set_updated_by(actor.principal.user_id());
    }
    s.clear_etag();
    *s.mutable_update_time() = now;
    NameServiceLocations(s);
    set.ExpectVersion(kPartition, kServiceKind, id, version)
        .PutRecord(kPartition, kServiceKind, id, version + 1, s)
        .Audit(service::AuditEntryFor(actor, id));
    PutIndexChange(set, current ? ServiceIndexKeys(*current) : IndexKeys(),
                   ServiceIndexKeys(s), id);
  }
  store_->CommitAsync(
      std::move(set), [counts, done = std::move(done)](
                          absl::StatusOr<storage::CommitResult> result) {
        if (!result.ok()) {
          if (absl::IsAborted(result.status()) ||
              absl::IsAlreadyExists(result.status()) ||
              absl::IsNotFound(result.status())) {
            return done(errors::ConcurrentChange(
                "a directory entry of the file changed while the import was "
                "prepared; nothing was imported: import the file again"));
          }
          return done(result.status());
        }
        done(counts);
      });
  return absl::OkStatus();
}

}  // namespace homeward::referral
