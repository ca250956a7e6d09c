// Published instruments; see instrument_store.h.
#include "services/assessment/instrument_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/clock.h"
#include "common/storage/partitions.h"
#include "services/assessment/instruments/instrument_rules.h"

namespace homeward::assessment {
namespace {

using homeward::v1::InstrumentDefinition;

constexpr char kKind[] = "instrument";
// id -> a definition holding only the latest version number.
constexpr char kLatestKind[] = "instrument_latest";
constexpr char kByKind[] = "instrument_by_kind";

// Zero-padded so that versions of one instrument sort numerically.
std::string VersionKey(absl::string_view id, int32_t version) {
  return absl::StrFormat("%s@%010d", id, version);
}

std::string KindValue(homeward::v1::InstrumentKind kind) {
  return absl::StrCat(kind);
}

}  // namespace

absl::StatusOr<InstrumentDefinition> InstrumentStore::Publish(
    const service::Actor& actor, InstrumentDefinition definition) {
  definition.clear_publish_time();
  definition.set_content_sha256(InstrumentContentHash(definition));
  const std::string key =
      VersionKey(definition.instrument_id(), definition.version());

  auto existing = Get(definition.instrument_id(), definition.version());
  if (existing.ok()) {
    if (existing->content_sha256() == definition.content_sha256())
      return *existing;
    return errors::AlreadyExists(
        "instrument version",
        absl::StrCat(
            definition.instrument_id(), "@", definition.version(),
            " with other content: published versions never change, so publish "
            "the change as a new version"));
  }
  if (existing.status().code() != absl::StatusCode::kNotFound)
    return existing.status();

  InstrumentDefinition latest;
  uint64_t latest_version = 0;
  ASSIGN_OR_RETURN(
      bool has_latest,
      store_->GetRecord(storage::kConfigurationPartition, kLatestKind,
                        definition.instrument_id(), &latest, &latest_version));
  *definition.mutable_publish_time() = storage::NowTimestamp();

  homeward::internal::v1::AuditEntry audit = service::AuditEntryFor(actor, key);

  storage::WriteSet set;
  // Version 0 "must not exist": two concurrent publishers of the same
  // version cannot both win.
  set.ExpectVersion(storage::kConfigurationPartition, kKind, key, 0)
      .PutRecord(storage::kConfigurationPartition, kKind, key, 1, definition)
      .PutIndex(storage::kConfigurationPartition, kByKind,
                KindValue(definition.kind()), key)
      .Audit(std::move(audit));
  // Publishing an older version after a newer one keeps "latest" pointing at
  // the highest version number.
  if (!has_latest || latest.version() < definition.version()) {
    InstrumentDefinition pointer;
    pointer.set_version(definition.version());
    set.ExpectVersion(storage::kConfigurationPartition, kLatestKind,
                      definition.instrument_id(),
                      has_latest ? latest_version : 0)
        .PutRecord(storage::kConfigurationPartition, kLatestKind,
                   definition.instrument_id(), latest_version + 1, pointer);
  }
  RETURN_IF_ERROR(store_->Commit(std::move(set)).status());
  return definition;
}

absl::StatusOr<InstrumentDefinition> InstrumentStore::Get(
    absl::string_view instrument_id, int32_t version) const {
  if (version == 0) {
    InstrumentDefinition pointer;
    ASSIGN_OR_RETURN(
        bool found,
        store_->GetRecord(storage::kConfigurationPartition, kLatestKind,
                          instrument_id, &pointer, nullptr));
    if (!found) return errors::NotFound("instrument", instrument_id);
    version = pointer.version();
  }
  InstrumentDefinition definition;
  ASSIGN_OR_RETURN(bool found,
                   store_->GetRecord(storage::kConfigurationPartition, kKind,
                                     VersionKey(instrument_id, version),
                                     &definition, nullptr));
  if (!found) {
    return errors::NotFound("instrument version",
                            absl::StrCat(instrument_id, "@", version));
  }
  return definition;
}

absl::StatusOr<InstrumentPage> InstrumentStore::List(
    homeward::v1::InstrumentKind kind, int page_size,
    absl::string_view page_token) const {
  const std::vector<uint32_t> partitions = {storage::kConfigurationPartition};
  storage::IndexPage ids;
  if (kind == homeward::v1::INSTRUMENT_KIND_UNSPECIFIED) {
    ASSIGN_OR_RETURN(
        ids, store_->ListRecordIds(partitions, kKind, page_size, page_token));
  } else {
    ASSIGN_OR_RETURN(
        ids, store_->ListIndex(partitions, kByKind, KindValue(kind), page_size,
                               page_token));
  }
  InstrumentPage page;
  page.next_page_token = std::move(ids.next_page_token);
  for (const auto& entry : ids.entries) {
    InstrumentDefinition definition;
    ASSIGN_OR_RETURN(bool found,
                     store_->GetRecord(storage::kConfigurationPartition, kKind,
                                       entry.id, &definition, nullptr));
    if (found) page.instruments.push_back(std::move(definition));
  }
  return page;
}

}  // namespace homeward::assessment
