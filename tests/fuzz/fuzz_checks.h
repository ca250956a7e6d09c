// What every Homeward fuzz target asserts beyond "does not crash": a broken
// invariant aborts with a message, which libFuzzer reports as a crash and
// saves the input that caused it (docs/FUZZING.md).
//
//   FUZZ_CHECK(decoded == cursor);
//   errors::FieldViolations bad = ValidateGetCase(request);
//   fuzz::CheckViolations(bad);      // well-formed INVALID_ARGUMENT or none
#ifndef HOMEWARD_TESTS_FUZZ_FUZZ_CHECKS_H_
#define HOMEWARD_TESTS_FUZZ_FUZZ_CHECKS_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "google/protobuf/message.h"

// Aborts (a crash to libFuzzer) when `condition` is false.
#define FUZZ_CHECK(condition)                                          \
  do {                                                                 \
    if (!(condition)) {                                                \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, \
                   __LINE__, #condition);                              \
      std::abort();                                                    \
    }                                                                  \
  } while (false)

namespace homeward::fuzz {

// A refusal a caller can read: every violation names a field and says what
// is allowed; ToStatus is OK exactly when there is none, else
// INVALID_ARGUMENT carrying them all; the Connect error object rendered from
// it, and a log line quoting each violation, are valid JSON whatever bytes
// the request held.
void CheckViolations(const errors::FieldViolations& bad);

// A refusal made by the error factories: a non-OK status whose Connect error
// object and log line are valid JSON.
void CheckRefusal(const absl::Status& status);

// `message` encoded with maps in key order, so that two encodings of equal
// messages are equal bytes (the default order of map entries is unspecified).
std::string DeterministicBytes(const google::protobuf::Message& message);

// The shipped file at `relative_path` under the source tree (the targets are
// built with HOMEWARD_SOURCE_DIR), e.g.
// "deploy/taxonomy/reintegration.textproto"; aborts when it cannot be read,
// since the target would then test nothing.
std::string ReadSourceFile(absl::string_view relative_path);

}  // namespace homeward::fuzz

#endif  // HOMEWARD_TESTS_FUZZ_FUZZ_CHECKS_H_
