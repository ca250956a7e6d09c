// Instrument definition files; see instrument_files.h.
#include "services/assessment/instruments/instrument_files.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/server/config_file.h"
#include "common/status/errors.h"
#include "services/assessment/instruments/instrument_rules.h"

namespace homeward::assessment {
namespace {

namespace fs = std::filesystem;
using homeward::v1::InstrumentDefinition;

// Appends the *.textproto regular files directly in `dir` to `paths`, sorted
// by name; false when the directory cannot be listed.
bool ListTextprotos(const std::string& dir, std::vector<std::string>* paths) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  fs::directory_iterator it(dir, ec);
  if (ec) return false;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return false;
    const fs::path& path = it->path();
    std::error_code file_ec;
    if (absl::EndsWith(path.filename().string(), ".textproto") &&
        it->is_regular_file(file_ec)) {
      paths->push_back(path.string());
    }
  }
  if (ec) return false;
  std::sort(paths->begin(), paths->end());
  return true;
}

}  // namespace

absl::StatusOr<std::vector<InstrumentDefinition>> LoadInstrumentDir(
    const std::string& dir) {
  std::vector<std::string> paths;
  if (!ListTextprotos(dir, &paths)) {
    return errors::NotFound("instrument directory", dir);
  }

  std::vector<errors::FieldViolation> bad;
  std::vector<InstrumentDefinition> definitions;
  // (instrument_id, version) -> the file that defined it first.
  std::map<std::pair<std::string, int>, std::string> defined_in;
  for (const std::string& path : paths) {
    InstrumentDefinition d;
    absl::Status parsed = server::ParseTextProtoFile(path, &d);
    if (!parsed.ok()) {
      bad.push_back({path, std::string(parsed.message())});
      continue;
    }
    errors::FieldViolations violations = ValidateInstrument(d);
    for (const errors::FieldViolation& v : violations.violations()) {
      bad.push_back({absl::StrCat(path, ": ", v.field), v.description});
    }
    auto [it, fresh] = defined_in.emplace(
        std::make_pair(d.instrument_id(), d.version()), path);
    if (!fresh) {
      bad.push_back(
          {path,
           absl::StrCat("instrument '", d.instrument_id(), "' version ",
                        d.version(), " is already defined in ", it->second)});
    }
    if (violations.empty() && fresh) definitions.push_back(std::move(d));
  }
  if (!bad.empty()) return errors::InvalidFields(bad);
  return definitions;
}

}  // namespace homeward::assessment
