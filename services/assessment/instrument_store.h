// Published instrument definitions in the assessment service's store: the
// first user of the versioned catalog (common/catalog/versioned_catalog.h).
// Instruments are programme configuration, not case data: they live under a
// reserved partition outside 0..P-1, and every replica keeps a full copy (the
// gateway broadcasts publications). A published (instrument_id, version) never
// changes.
//
//   InstrumentStore instruments(store.get());
//   ASSIGN_OR_RETURN(InstrumentDefinition stored,
//                    instruments.Publish(actor, definition));
//   ASSIGN_OR_RETURN(InstrumentDefinition latest, instruments.Get("rss", 0));
#ifndef HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENT_STORE_H_
#define HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENT_STORE_H_

#include "absl/status/statusor.h"
#include "common/catalog/versioned_catalog.h"
#include "common/service/actor.h"
#include "common/storage/page.h"
#include "common/storage/store.h"
#include "homeward/v1/instruments.pb.h"

namespace homeward::assessment {

class InstrumentStore {
 public:
  explicit InstrumentStore(storage::Store* store);

  // Stores a validated definition, stamping publish_time and content_sha256.
  // Identical content already published under the same version is returned
  // as stored; different content is ALREADY_EXISTS.
  absl::StatusOr<homeward::v1::InstrumentDefinition> Publish(
      const service::Actor& actor,
      homeward::v1::InstrumentDefinition definition);
  // `version` 0 means the latest published version. NOT_FOUND otherwise.
  absl::StatusOr<homeward::v1::InstrumentDefinition> Get(
      absl::string_view instrument_id, int32_t version) const;
  // Every published version, ordered by id then version; `kind` UNSPECIFIED
  // lists all kinds.
  absl::StatusOr<storage::Page<homeward::v1::InstrumentDefinition>> List(
      homeward::v1::InstrumentKind kind, int page_size,
      absl::string_view page_token) const;

 private:
  catalog::VersionedCatalog<homeward::v1::InstrumentDefinition> catalog_;
};

}  // namespace homeward::assessment

#endif  // HOMEWARD_SERVICES_ASSESSMENT_INSTRUMENT_STORE_H_
