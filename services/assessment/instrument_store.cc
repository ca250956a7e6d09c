// Published instruments; see instrument_store.h.
#include "services/assessment/instrument_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/assessment/instruments/instrument_catalog.h"

namespace homeward::assessment {

using homeward::v1::InstrumentDefinition;

InstrumentStore::InstrumentStore(storage::Store* store)
    : catalog_(store, InstrumentCatalogSchema()) {}

absl::StatusOr<InstrumentDefinition> InstrumentStore::Publish(
    const service::Actor& actor, InstrumentDefinition definition) {
  return catalog_.Publish(actor, std::move(definition));
}

absl::StatusOr<InstrumentDefinition> InstrumentStore::Get(
    absl::string_view instrument_id, int32_t version) const {
  return catalog_.Get(instrument_id, version);
}

absl::StatusOr<storage::Page<InstrumentDefinition>> InstrumentStore::List(
    homeward::v1::InstrumentKind kind, int page_size,
    absl::string_view page_token) const {
  if (kind == homeward::v1::INSTRUMENT_KIND_UNSPECIFIED) {
    return catalog_.List(page_size, page_token);
  }
  // The catalog indexes the kind enum by its number.
  return catalog_.ListWhere(absl::StrCat(kind), page_size, page_token);
}

}  // namespace homeward::assessment
