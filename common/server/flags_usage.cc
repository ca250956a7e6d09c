// --help for every binary; see flags_usage.h.
#include "common/server/flags_usage.h"

#include <string>

#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"

namespace homeward::server {
namespace {

// Where a flag's file starts to mean something to a reader: build
// directories differ between machines.
constexpr absl::string_view kSourceRoots[] = {"services/", "common/", "tools/",
                                              "absl/"};

std::string SourcePath(absl::string_view filename) {
  for (absl::string_view root : kSourceRoots) {
    size_t at = filename.rfind(root);
    if (at != absl::string_view::npos) return std::string(filename.substr(at));
  }
  return std::string(filename);
}

bool IsAbseilFlag(absl::string_view filename) {
  return absl::StartsWith(SourcePath(filename), "absl/");
}

}  // namespace

void SetUpFlagsUsage(absl::string_view usage) {
  absl::SetProgramUsageMessage(usage);
  absl::FlagsUsageConfig config;
  config.contains_help_flags = [](absl::string_view) { return true; };
  config.contains_helpshort_flags = [](absl::string_view filename) {
    return !IsAbseilFlag(filename);
  };
  config.contains_helppackage_flags = config.contains_helpshort_flags;
  config.normalize_filename = [](absl::string_view filename) {
    return SourcePath(filename);
  };
  absl::SetFlagsUsageConfig(config);
}

}  // namespace homeward::server
