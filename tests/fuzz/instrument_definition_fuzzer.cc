// Fuzzes the checks of an instrument definition
// (services/assessment/instruments/instrument_rules.h) as an operator's file
// under deploy/instruments/ reaches them: text format, checked against the
// shipped taxonomy. A definition that passes has a content hash, and the
// shipped instruments' seeds keep the corpus close to real definitions.
//
// Input: an InstrumentDefinition in protobuf text format.
#include <cstddef>
#include <cstdint>
#include <string>

#include "homeward/v1/instruments.pb.h"
#include "services/assessment/instruments/instrument_rules.h"
#include "services/assessment/instruments/scoring.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/shipped_definitions.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fuzz = homeward::fuzz;
  homeward::v1::InstrumentDefinition definition;
  if (!fuzz::ParseTextQuietly(
          absl::string_view(reinterpret_cast<const char*>(data), size),
          &definition)) {
    return 0;
  }
  const homeward::errors::FieldViolations bad =
      homeward::assessment::ValidateInstrument(definition,
                                               &fuzz::ShippedTaxonomy());
  fuzz::CheckViolations(bad);
  if (!bad.empty()) return 0;
  FUZZ_CHECK(!homeward::assessment::InstrumentContentHash(definition).empty());
  // A valid definition scores the empty submission whenever it accepts it.
  const google::protobuf::RepeatedPtrField<homeward::v1::Answer> none;
  const homeward::errors::FieldViolations refused =
      homeward::assessment::ValidateAnswers(definition, none);
  fuzz::CheckViolations(refused);
  if (refused.empty()) homeward::assessment::Score(definition, none);
  return 0;
}
