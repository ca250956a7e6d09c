// Instrument definition files; see instrument_files.h.
#include "services/assessment/instruments/instrument_files.h"

#include "common/catalog/textproto_dir.h"
#include "common/catalog/versioned_catalog.h"
#include "services/assessment/instruments/instrument_catalog.h"
#include "services/assessment/instruments/instrument_rules.h"

namespace homeward::assessment {

absl::StatusOr<std::vector<homeward::v1::InstrumentDefinition>>
LoadInstrumentDir(const std::string& dir, const TaxonomyLookup& taxonomies) {
  using homeward::v1::InstrumentDefinition;
  catalog::TextprotoDirOptions<InstrumentDefinition> options;
  options.what = "instrument directory";
  options.check = [&taxonomies](const InstrumentDefinition& d) {
    return ValidateInstrumentWith(d, taxonomies);
  };
  options.identity = [](const InstrumentDefinition& d) {
    return catalog::IdentityOf(d, InstrumentCatalogSchema());
  };
  return catalog::LoadTextprotoDir<InstrumentDefinition>(dir, options);
}

}  // namespace homeward::assessment
