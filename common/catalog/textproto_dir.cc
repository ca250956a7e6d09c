// Listing a directory of textproto files; see textproto_dir.h.
#include "common/catalog/textproto_dir.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/match.h"

namespace homeward::catalog {

namespace fs = std::filesystem;

absl::StatusOr<std::vector<std::string>> ListFilesEndingWith(
    const std::string& dir, absl::string_view suffix, absl::string_view what) {
  std::vector<std::string> paths;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return errors::NotFound(what, dir);
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    std::error_code file_ec;
    if (absl::EndsWith(path.filename().string(), suffix) &&
        it->is_regular_file(file_ec)) {
      paths.push_back(path.string());
    }
  }
  // A directory that cannot be listed to the end is as unusable as a
  // missing one: loading part of it would publish part of a catalog.
  if (ec) return errors::NotFound(what, dir);
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace homeward::catalog
