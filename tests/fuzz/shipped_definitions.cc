// The shipped definitions, parsed once; see shipped_definitions.h.
#include "tests/fuzz/shipped_definitions.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "tests/fuzz/fuzz_checks.h"

namespace homeward::fuzz {
namespace {

class IgnoredErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int, google::protobuf::io::ColumnNumber,
                const std::string&) override {}
  void AddWarning(int, google::protobuf::io::ColumnNumber,
                  const std::string&) override {}
};

template <typename Message>
Message* Parsed(absl::string_view relative_path) {
  auto* message = new Message();
  FUZZ_CHECK(google::protobuf::TextFormat::ParseFromString(
      ReadSourceFile(relative_path), message));
  return message;
}

}  // namespace

bool ParseTextQuietly(absl::string_view text,
                      google::protobuf::Message* message) {
  IgnoredErrors ignored;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&ignored);
  return parser.ParseFromString(std::string(text), message);
}

const homeward::v1::Taxonomy& ShippedTaxonomy() {
  static const auto* taxonomy =
      Parsed<homeward::v1::Taxonomy>("deploy/taxonomy/reintegration.textproto");
  return *taxonomy;
}

const homeward::v1::Programme& ShippedProgramme() {
  static const auto* programme = Parsed<homeward::v1::Programme>(
      "deploy/programmes/sn_reintegration.textproto");
  return *programme;
}

const homeward::v1::FeasibilityGrid& ShippedGrid() {
  static const auto* grid = Parsed<homeward::v1::FeasibilityGrid>(
      "deploy/feasibility/example_grid.textproto");
  return *grid;
}

const homeward::v1::InstrumentDefinition& ShippedInstrument(
    absl::string_view name) {
  // Read once per name, at the targets' start (not thread-safe; libFuzzer
  // runs one input at a time).
  static auto* instruments =
      new std::map<std::string, const homeward::v1::InstrumentDefinition*>();
  const std::string key(name);
  auto it = instruments->find(key);
  if (it == instruments->end()) {
    it = instruments
             ->emplace(key,
                       Parsed<homeward::v1::InstrumentDefinition>(absl::StrCat(
                           "deploy/instruments/", name, ".textproto")))
             .first;
  }
  return *it->second;
}

}  // namespace homeward::fuzz
