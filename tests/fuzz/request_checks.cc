// The request-validator fuzz driver; see request_checks.h.
#include "tests/fuzz/request_checks.h"

#include <memory>

namespace homeward::fuzz {

void CheckStatus(const absl::Status& status) {
  if (!status.ok()) CheckRefusal(status);
}

int FuzzRequestChecks(const std::vector<RequestCheck>& checks,
                      const uint8_t* data, size_t size) {
  if (size < 1 || checks.empty()) return 0;
  const RequestCheck& check = checks[data[0] % checks.size()];
  std::unique_ptr<google::protobuf::Message> request(check.prototype->New());
  if (!request->ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;
  check.run(*request);
  return 0;
}

}  // namespace homeward::fuzz
