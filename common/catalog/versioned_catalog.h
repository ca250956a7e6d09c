// A versioned catalog: programme configuration that is published once per
// version and never changed afterwards, such as assessment instruments (the
// first user), planning's feasibility grids and referral's service directory.
// What was computed under a version (a score, a feasibility answer) can then
// always be reproduced from that version.
//
// Each entry is a proto message with a string id and an int32 version (1 or
// more); the catalog stamps its content hash and publish time into fields the
// schema names. Publishing the same content again returns the stored entry
// and writes nothing (a loader can publish its directory at every start);
// different content under a published (id, version) is ALREADY_EXISTS.
// "Latest" is the highest version published, whatever the order of
// publication. Entries live in the reserved configuration partition
// (storage::kConfigurationPartition), which every replica keeps in full; each
// publication is audited under "<id>@<version>" and appends no event.
//
//   // A service-directory entry (referral):
//   //   message ServiceOffer {
//   //     string offer_id = 1;  int32 version = 2;  ServiceArea area = 3;
//   //     ...
//   //     google.protobuf.Timestamp publish_time = 14;
//   //     string content_sha256 = 15;
//   //   }
//   const catalog::CatalogSchema kOffers = {.kind = "service_offer",
//                                           .noun = "service offer",
//                                           .id_field = "offer_id",
//                                           .index_field = "area"};
//   catalog::VersionedCatalog<ServiceOffer> offers(store, kOffers);
//   ASSIGN_OR_RETURN(ServiceOffer stored, offers.Publish(actor, offer));
//   ASSIGN_OR_RETURN(ServiceOffer latest, offers.Get("legal_aid_tunis", 0));
//   ASSIGN_OR_RETURN(storage::Page<ServiceOffer> page,
//                    offers.ListWhere(absl::StrCat(SERVICE_AREA_LEGAL), 50,
//                                     ""));
//
// A schema that does not match the entry type (a missing field, a field of
// the wrong type) is a programming error: every call then fails with
// INTERNAL naming the field.
#ifndef HOMEWARD_COMMON_CATALOG_VERSIONED_CATALOG_H_
#define HOMEWARD_COMMON_CATALOG_VERSIONED_CATALOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/service/actor.h"
#include "common/status/status_macros.h"
#include "common/storage/indexed_records.h"
#include "common/storage/page.h"
#include "common/storage/store.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace homeward::catalog {

// How a catalog finds its fields in the entry type and names its records.
struct CatalogSchema {
  // Record kind in the store ("instrument"). The latest-version pointers are
  // kept under "<kind>_latest", the index under "<kind>_by_<index_field>".
  std::string kind = "";
  // What errors call an entry ("instrument"); `kind` when empty.
  std::string noun = "";
  // A string field: the entry's id, required.
  std::string id_field = "";
  // An int32 field: the version, 1 or more (0 asks Get for the latest).
  std::string version_field = "version";
  // A string field the catalog sets to ContentSha256 of the entry.
  std::string content_hash_field = "content_sha256";
  // A google.protobuf.Timestamp field the catalog sets when it publishes.
  std::string publish_time_field = "publish_time";
  // Optional: an enum, integer or string field that ListWhere selects on.
  // Enums and integers are matched as decimal numbers ("3").
  std::string index_field = "";
};

// "<noun> '<id>' version <version>": how messages name one entry, e.g.
// "instrument 'rss' version 1" (just the noun if the schema does not fit).
std::string IdentityOf(const google::protobuf::Message& entry,
                       const CatalogSchema& schema);

namespace internal {

// The catalog over untyped messages; VersionedCatalog<Entry> below is the
// interface to use.
class UntypedCatalog {
 public:
  UntypedCatalog(storage::Store* store,
                 const google::protobuf::Descriptor* type,
                 CatalogSchema schema);

  // Publishes `entry` and leaves the stored entry in it.
  absl::Status Publish(const service::Actor& actor,
                       google::protobuf::Message& entry);
  absl::Status Get(absl::string_view id, int32_t version,
                   google::protobuf::Message* out) const;
  // The ids of a page of entries: all of them, or when `filtered` those
  // whose index field has the value `where`.
  absl::StatusOr<storage::IndexPage> ListIds(
      bool filtered, absl::string_view where, int page_size,
      absl::string_view page_token) const;
  std::string ContentHash(const google::protobuf::Message& entry) const;
  const CatalogSchema& schema() const { return schema_; }
  const storage::Store& store() const { return *store_; }

 private:
  std::string IdOf(const google::protobuf::Message& entry) const;
  int32_t VersionOf(const google::protobuf::Message& entry) const;
  std::string IndexValueOf(const google::protobuf::Message& entry) const;

  storage::Store* store_;
  CatalogSchema schema_;
  std::string latest_kind_;
  std::string index_;
  // OK, or INTERNAL naming the schema field that does not fit the type.
  absl::Status schema_status_;
  const google::protobuf::FieldDescriptor* id_ = nullptr;
  const google::protobuf::FieldDescriptor* version_ = nullptr;
  const google::protobuf::FieldDescriptor* content_hash_ = nullptr;
  const google::protobuf::FieldDescriptor* publish_time_ = nullptr;
  const google::protobuf::FieldDescriptor* index_field_ = nullptr;
};

}  // namespace internal

template <typename Entry>
class VersionedCatalog {
 public:
  VersionedCatalog(storage::Store* store, CatalogSchema schema)
      : untyped_(store, Entry::descriptor(), std::move(schema)) {}

  // Stores `entry` stamped with its content hash and publish time, or
  // returns the entry already published with the same content. ALREADY_EXISTS
  // "<noun> version '<id>@<version> with other content: ...'" when the
  // version holds other content. INVALID_ARGUMENT when the id is empty or
  // the version is below 1 (callers validate entries before: this only
  // protects the keys).
  absl::StatusOr<Entry> Publish(const service::Actor& actor, Entry entry) {
    RETURN_IF_ERROR(untyped_.Publish(actor, entry));
    return entry;
  }
  // Version `version` of `id`, or the latest when `version` is 0. NOT_FOUND
  // "<noun> '<id>'" when no version of `id` is published, "<noun> version
  // '<id>@<version>'" when that version is not.
  absl::StatusOr<Entry> Get(absl::string_view id, int32_t version) const {
    Entry entry;
    RETURN_IF_ERROR(untyped_.Get(id, version, &entry));
    return entry;
  }
  absl::StatusOr<Entry> GetLatest(absl::string_view id) const {
    return Get(id, 0);
  }
  // A page of every published version, ordered by id then version.
  absl::StatusOr<storage::Page<Entry>> List(
      int page_size, absl::string_view page_token) const {
    return Read(untyped_.ListIds(false, "", page_size, page_token));
  }
  // The same, of the entries whose index field has the value `value`
  // (decimal for enums and integers).
  absl::StatusOr<storage::Page<Entry>> ListWhere(
      absl::string_view value, int page_size,
      absl::string_view page_token) const {
    return Read(untyped_.ListIds(true, value, page_size, page_token));
  }

  // The hash Publish stamps on `entry`.
  std::string ContentHash(const Entry& entry) const {
    return untyped_.ContentHash(entry);
  }
  // "<noun> '<id>' version <version>", as messages name one entry.
  std::string Identity(const Entry& entry) const {
    return IdentityOf(entry, untyped_.schema());
  }
  const CatalogSchema& schema() const { return untyped_.schema(); }

 private:
  absl::StatusOr<storage::Page<Entry>> Read(
      absl::StatusOr<storage::IndexPage> ids) const {
    if (!ids.ok()) return ids.status();
    // Entries are never deleted and each index entry is committed with its
    // entry: a miss is lost data, not a race.
    return storage::ReadIndexedRecords<Entry>(
        untyped_.store(), *std::move(ids), untyped_.schema().kind,
        storage::MissingRecord::kCorruption);
  }

  internal::UntypedCatalog untyped_;
};

}  // namespace homeward::catalog

#endif  // HOMEWARD_COMMON_CATALOG_VERSIONED_CATALOG_H_
