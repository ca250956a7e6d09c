// The shape of the fuzz targets of request validators: a table of checks,
// each taking one request message, and a driver that lets the input pick a
// check and parses the rest as that check's request (binary protobuf, so
// libFuzzer mutates well-formed messages as often as broken ones).
//
//   const std::vector<fuzz::RequestCheck>& Checks() {
//     static const auto* checks = new std::vector<fuzz::RequestCheck>{
//         fuzz::Violations(&ValidateGetCase),
//         fuzz::ViolationsOnDay(&ValidateRegisterCase),
//     };
//     return *checks;
//   }
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     return fuzz::FuzzRequestChecks(Checks(), data, size);
//   }
//
// Input byte 0 is the index of the check in its table (modulo its size):
// append new checks at the END of a table, so that the committed corpus
// (tests/fuzz/make-corpus.sh) keeps pointing at the checks it was made for.
#ifndef HOMEWARD_TESTS_FUZZ_REQUEST_CHECKS_H_
#define HOMEWARD_TESTS_FUZZ_REQUEST_CHECKS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "google/protobuf/message.h"
#include "tests/fuzz/fuzz_checks.h"

namespace homeward::fuzz {

// The "today" and "now" the targets pass to rules that take one: fixed, so
// that a crash reproduces on any day.
inline constexpr absl::CivilDay kToday(2026, 6, 15);
inline absl::Time Now() {
  return absl::FromCivil(absl::CivilSecond(2026, 6, 15, 10, 30, 0),
                         absl::UTCTimeZone());
}

struct RequestCheck {
  const google::protobuf::Message* prototype;
  // Runs the check on a message of the prototype's type and asserts what
  // its answer must look like (fuzz_checks.h).
  std::function<void(const google::protobuf::Message&)> run;
};

// A check that runs `run` on a Request.
template <typename Request>
RequestCheck CheckOf(std::function<void(const Request&)> run) {
  return {&Request::default_instance(),
          [run = std::move(run)](const google::protobuf::Message& m) {
            run(static_cast<const Request&>(m));
          }};
}

// A validator returning every violation of the request.
template <typename Request>
RequestCheck Violations(errors::FieldViolations (*validate)(const Request&)) {
  return CheckOf<Request>(
      [validate](const Request& r) { CheckViolations(validate(r)); });
}

// A validator that also takes today's date.
template <typename Request>
RequestCheck ViolationsOnDay(
    errors::FieldViolations (*validate)(const Request&, absl::CivilDay)) {
  return CheckOf<Request>(
      [validate](const Request& r) { CheckViolations(validate(r, kToday)); });
}

// A check answering OK or a refusal (fuzz_checks.h: CheckRefusal).
void CheckStatus(const absl::Status& status);

// Picks the check (byte 0) and runs it on the rest parsed as its request;
// input that does not parse is skipped.
int FuzzRequestChecks(const std::vector<RequestCheck>& checks,
                      const uint8_t* data, size_t size);

}  // namespace homeward::fuzz

#endif  // HOMEWARD_TESTS_FUZZ_REQUEST_CHECKS_H_
