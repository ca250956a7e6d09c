// How assessment instruments are kept in a versioned catalog
// (common/catalog/versioned_catalog.h): the record kind and field names that
// the instrument store, the content hash and the file loader share, so that
// a definition loaded from a file hashes and is named exactly as one
// published through the API.
//
//   catalog::VersionedCatalog<homeward::v1::InstrumentDefinition> instruments(
//       store, InstrumentCatalogSchema());
#ifndef HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENTS_INSTRUMENT_CATALOG_H_
#define HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENTS_INSTRUMENT_CATALOG_H_

#include "common/catalog/versioned_catalog.h"

namespace homeward::assessment {

// Kind "instrument" (records "instrument", pointers "instrument_latest",
// index "instrument_by_kind": the keys data directories already hold), id
// field instrument_id, listed by kind.
inline const catalog::CatalogSchema& InstrumentCatalogSchema() {
  static const catalog::CatalogSchema* const kSchema =
      new catalog::CatalogSchema{.kind = "instrument",
                                 .noun = "instrument",
                                 .id_field = "instrument_id",
                                 .index_field = "kind"};
  return *kSchema;
}

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENTS_INSTRUMENT_CATALOG_H_
