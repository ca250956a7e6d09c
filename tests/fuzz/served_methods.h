// The method table the gateway serves, as gateway_server.cc declares it: the
// public methods and the programme indicators (with the default suppression
// threshold). For connect_request_fuzzer and the seed corpus generator.
//
//   absl::StatusOr<gateway::MethodTable> table = fuzz::ServedMethodTable();
#ifndef HOMEWARD_TESTS_FUZZ_SERVED_METHODS_H_
#define HOMEWARD_TESTS_FUZZ_SERVED_METHODS_H_

#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/gateway/method_table.h"
#include "services/gateway/programme_indicators.h"

namespace homeward::fuzz {

inline absl::StatusOr<gateway::MethodTable> ServedMethodTable() {
  std::vector<gateway::MethodRoute> declared = gateway::PublicMethods();
  for (gateway::MethodRoute& method : gateway::IndicatorMethods(
           gateway::kDefaultIndicatorSuppressionThreshold)) {
    declared.push_back(std::move(method));
  }
  return gateway::MethodTable::Create(std::move(declared));
}

}  // namespace homeward::fuzz

#endif  // HOMEWARD_TESTS_FUZZ_SERVED_METHODS_H_
