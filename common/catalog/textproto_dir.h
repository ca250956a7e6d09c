// Loads a directory of textproto files, one message each, such as the
// instrument definitions shipped in deploy/instruments/: an operator edits
// catalog entries as files, a service publishes them at start-up, and CI
// proves every shipped file valid with the same code.
//
//   ASSIGN_OR_RETURN(
//       std::vector<ServiceOffer> offers,
//       catalog::LoadTextprotoDir<ServiceOffer>(
//           dir, {.what = "service directory",
//                 .check = ValidateServiceOffer,  // errors::FieldViolations
//                 .identity = [&](const ServiceOffer& o) {
//                   return offers_catalog.Identity(o);
//                 }}));
//   for (ServiceOffer& o : offers) {
//     RETURN_IF_ERROR(offers_catalog.Publish(loader, std::move(o)).status());
//   }
#ifndef HOMEWARD_COMMON_CATALOG_TEXTPROTO_DIR_H_
#define HOMEWARD_COMMON_CATALOG_TEXTPROTO_DIR_H_

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/server/config_file.h"
#include "common/status/errors.h"

namespace homeward::catalog {

template <typename T>
struct TextprotoDirOptions {
  // What the directory holds, for NOT_FOUND ("instrument directory").
  std::string what = "directory";
  // Files whose name ends with this are loaded; others are ignored.
  std::string suffix = ".textproto";
  // Optional: every problem with a parsed message, field paths relative to
  // it. Reported on "<path>: <field>".
  std::function<errors::FieldViolations(const T&)> check;
  // Optional: what a message defines, e.g. "instrument 'rss' version 1". A
  // second file defining the same is refused, naming the first.
  std::function<std::string(const T&)> identity;
};

// The regular files directly in `dir` whose name ends with `suffix`, sorted
// by path (byte order, whatever the locale or the file system's order).
// NOT_FOUND "<what> '<dir>'" when `dir` is not a readable directory.
absl::StatusOr<std::vector<std::string>> ListFilesEndingWith(
    const std::string& dir, absl::string_view suffix, absl::string_view what);

// Reads every file ListFilesEndingWith finds as one T each, in that order.
// An empty directory gives an empty list. Errors: NOT_FOUND as above;
// otherwise INVALID_ARGUMENT listing every problem of every file, so that an
// operator fixes them all in one round, each as a field violation:
//   - a file that does not parse: on "<path>", the parser's message (which
//     names the line and column);
//   - a message `check` refuses: on "<path>: <field>" for each violation;
//   - a message whose identity an earlier file defined: on "<path>",
//     "<identity> is already defined in <first path>".
template <typename T>
absl::StatusOr<std::vector<T>> LoadTextprotoDir(
    const std::string& dir, const TextprotoDirOptions<T>& options = {}) {
  absl::StatusOr<std::vector<std::string>> paths =
      ListFilesEndingWith(dir, options.suffix, options.what);
  if (!paths.ok()) return paths.status();
  std::vector<errors::FieldViolation> bad;
  std::vector<T> loaded;
  // identity -> the file that defined it first.
  std::map<std::string, std::string> defined_in;
  for (const std::string& path : *paths) {
    T message;
    absl::Status parsed = server::ParseTextProtoFile(path, &message);
    if (!parsed.ok()) {
      bad.push_back({path, std::string(parsed.message())});
      continue;
    }
    bool fine = true;
    if (options.check) {
      errors::FieldViolations violations = options.check(message);
      for (const errors::FieldViolation& v : violations.violations()) {
        bad.push_back({absl::StrCat(path, ": ", v.field), v.description});
      }
      fine = violations.empty();
    }
    if (options.identity) {
      std::string identity = options.identity(message);
      auto [first, fresh] = defined_in.emplace(identity, path);
      if (!fresh) {
        bad.push_back({path, absl::StrCat(identity, " is already defined in ",
                                          first->second)});
        fine = false;
      }
    }
    if (fine) loaded.push_back(std::move(message));
  }
  if (!bad.empty()) return errors::InvalidFields(bad);
  return loaded;
}

}  // namespace homeward::catalog

#endif  // HOMEWARD_COMMON_CATALOG_TEXTPROTO_DIR_H_
