// What `--help` prints for a Homeward binary: the usage line and every flag
// with its help text. Abseil's default shows only flags defined in a file
// named like the program (homeward-gateway.cc), and the binaries' flags live
// in main.cc, so without this `--help` listed none.
//
//   int main(int argc, char** argv) {
//     server::SetUpFlagsUsage(
//         "Usage: homeward-gateway --config=FILE [flags]\n\n"
//         "The public gRPC and JSON face of Homeward.");
//     absl::ParseCommandLine(argc, argv);
#ifndef HOMEWARD_COMMON_SERVER_FLAGS_USAGE_H_
#define HOMEWARD_COMMON_SERVER_FLAGS_USAGE_H_

#include "absl/strings/string_view.h"

namespace homeward::server {

// Sets the usage message and makes --help list every flag of the binary
// (--helpshort: the binary's own flags, without Abseil's). Call before
// absl::ParseCommandLine.
void SetUpFlagsUsage(absl::string_view usage);

}  // namespace homeward::server

#endif  // HOMEWARD_COMMON_SERVER_FLAGS_USAGE_H_
