// Fuzzes the gateway's ListCases page token (services/gateway/page_token.h)
// and the paging policy every List call applies (common/api/paging.h).
//
// Input: byte 0 is the replica count (1..8) the gateway routes to, byte 1
// the page size asked for (as a signed byte), the rest the token a client
// sent. A token that decodes names a replica that exists and re-encodes to
// a token that decodes to the same cursor.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/api/paging.h"
#include "homeward/v1/common.pb.h"
#include "services/gateway/page_token.h"
#include "tests/fuzz/fuzz_checks.h"

namespace homeward::fuzz {
namespace {

// What RouteTable::fingerprint() looks like: a short hex digest.
constexpr absl::string_view kFingerprint = "3f2a9c41";

void FuzzPaging(int page_size) {
  homeward::v1::PageRequest page;
  page.set_page_size(page_size);
  errors::FieldViolations bad;
  api::CheckPageRequest(bad, page);
  CheckViolations(bad);
  FUZZ_CHECK(bad.empty() == (page_size >= 0));
  if (bad.empty()) {
    const int size = api::EffectivePageSize(page);
    FUZZ_CHECK(size >= 1 && size <= api::kMaxPageSize);
  }
}

void FuzzToken(size_t replica_count, absl::string_view token) {
  absl::StatusOr<gateway::ListCursor> cursor =
      gateway::DecodeListCursor(token, kFingerprint, replica_count);
  if (!cursor.ok()) {
    CheckRefusal(cursor.status());
    FUZZ_CHECK(cursor.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  FUZZ_CHECK(cursor->replica < replica_count);
  const std::string again = gateway::EncodeListCursor(*cursor, kFingerprint);
  absl::StatusOr<gateway::ListCursor> decoded =
      gateway::DecodeListCursor(again, kFingerprint, replica_count);
  FUZZ_CHECK(decoded.ok() && *decoded == *cursor);
  // Under another partition map the same token is refused.
  FUZZ_CHECK(token.empty() ||
             !gateway::DecodeListCursor(token, "0badf00d", replica_count).ok());
}

}  // namespace
}  // namespace homeward::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t replica_count = 1 + data[0] % 8;
  homeward::fuzz::FuzzPaging(static_cast<int8_t>(data[1]) * 5);
  homeward::fuzz::FuzzToken(
      replica_count,
      absl::string_view(reinterpret_cast<const char*>(data) + 2, size - 2));
  return 0;
}
