// HSDS 3.0 JSON documents <-> directory entries (docs/DIRECTORY.md, "HSDS
// mapping"). Pure: a google.protobuf.Struct (the JSON object of
// ImportHsdsRequest.document / ExportHsdsResponse.document) in, entries out,
// and back. A document is {"organizations": [...], "locations": [...],
// "services": [...], "service_at_locations": [...]}, each object with the
// HSDS 3.0 schema's field names; components ride as service `attributes`
// whose taxonomy_term names a Homeward taxonomy, capacity as the Homeward
// extension property "x_homeward_capacity".
//
//   errors::FieldViolations bad;
//   HsdsFile file = ReadHsds(request.document(), terms, bad);
//   bad.AddAll(CheckHsdsFile(file, directory.Facts(&terms)));
//   RETURN_IF_ERROR(bad.ToStatus());        // "services[3].minimum_age"...
//   directory.Import(actor, request_id, std::move(file.entries), done);
//
//   google::protobuf::Struct out = WriteHsds(entries, terms);
//
// WriteHsds -> ReadHsds gives back the same entries (ids, capacity status,
// wait and note included; etags, update times and who set the capacity are
// the store's bookkeeping and are not written), so export -> import ->
// export gives the same document.
#ifndef HOMEWARD_SERVICES_REFERRAL_HSDS_DOCUMENT_H_
#define HOMEWARD_SERVICES_REFERRAL_HSDS_DOCUMENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/status/errors.h"
#include "google/protobuf/struct.pb.h"
#include "services/referral/directory_rules.h"

namespace homeward::referral {

// The HSDS extension property that carries a service's capacity.
inline constexpr char kCapacityProperty[] = "x_homeward_capacity";

// Where an entry's fields are in the document, to report a rule's violation
// (a path relative to the entry's message, "minimum_age",
// "components[1]") at its place in the file ("services[3].minimum_age",
// "services[3].attributes[2].taxonomy_term.code").
class HsdsPaths {
 public:
  HsdsPaths() = default;
  explicit HsdsPaths(std::string base) : base_(std::move(base)) {}
  // Fields whose document path is not "<base>.<message path>".
  void Rename(std::string message_path, std::string document_path) {
    renamed_[std::move(message_path)] = std::move(document_path);
  }
  // The document path of `message_path`: its longest renamed prefix
  // replaced, else under the entry's base.
  std::string Of(absl::string_view message_path) const;
  const std::string& base() const { return base_; }

 private:
  std::string base_;
  absl::flat_hash_map<std::string, std::string> renamed_;
};

// An HSDS document read into entries, each with where it came from.
struct HsdsFile {
  DirectoryEntries entries;
  std::vector<HsdsPaths> organization_paths;  // parallel to entries
  std::vector<HsdsPaths> location_paths;
  std::vector<HsdsPaths> service_paths;
};

// Reads `document`, adding to `bad` one violation per field that is not of
// the shape HSDS and Homeward allow (a wrong JSON type, a missing id, an id
// used twice, an unknown status, an amount with more decimals than its
// currency has, a service_at_location naming no service of the file...).
// Entries are read as far as they can be, so that CheckHsdsFile can report
// the rules' violations too. Properties that are not read are ignored
// (HSDS allows additional properties).
HsdsFile ReadHsds(const google::protobuf::Struct& document,
                  const ComponentTerms& terms, errors::FieldViolations& bad);

// The directory rules (directory_rules.h) over every entry of `file`, with
// document paths; references resolve to the file's entries first, then to
// `stored` (the directory as it is). Also refuses moving a stored location
// or service to another organization.
errors::FieldViolations CheckHsdsFile(const HsdsFile& file,
                                      const DirectoryFacts& stored);

// The HSDS document of `entries`.
google::protobuf::Struct WriteHsds(const DirectoryEntries& entries,
                                   const ComponentTerms& terms);

// `amount` (a JSON number in the currency's major unit) in minor units of
// a currency with `exponent` decimals, exactly: nullopt when it is negative,
// not finite, above 10^15 minor units, or has more decimals than `exponent`
// (as its shortest decimal form shows: 12.5 has one, 1e-3 has three).
std::optional<int64_t> ToMinorUnits(double amount, int exponent);
// The JSON number of `minor` units of a currency with `exponent` decimals.
double FromMinorUnits(int64_t minor, int exponent);

}  // namespace homeward::referral

#endif  // HOMEWARD_SERVICES_REFERRAL_HSDS_DOCUMENT_H_
