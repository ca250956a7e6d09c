// The request-id rule and the office-scoped case id.
#include "common/storage/ids.h"

#include <string>

#include "gtest/gtest.h"

namespace homeward::storage {
namespace {

TEST(IdsTest, RequestIdIsOneTo128PrintableAsciiWithoutSpaces) {
  struct Case {
    std::string id;
    bool valid;
  };
  const Case cases[] = {
      {"demo-1", true},
      {"550e8400-e29b-41d4-a716-446655440000", true},
      {"a", true},
      {std::string(128, 'x'), true},
      // Printable ASCII beyond letters, digits and - _ . : @ (what the
      // contract promised and the server used to refuse).
      {"req/7+base64==", true},
      {"!\"#$%&'()*,;<=>?[\\]^`{|}~", true},
      {"", false},
      {std::string(129, 'x'), false},
      {"with space", false},
      {"tab\there", false},
      {"new\nline", false},
      {std::string("nul\0x", 5), false},
      {"del\x7f", false},
      {"esc\x1b[31m", false},
      {"caf\xc3\xa9", false},  // non-ASCII (UTF-8 e-acute)
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsRequestId(c.id), c.valid) << "'" << c.id << "'";
  }
}

TEST(IdsTest, CaseIdForRequestIsScopedByOffice) {
  const std::string dakar = CaseIdForRequest("office-dakar", "demo-1");
  EXPECT_EQ(dakar, CaseIdForRequest("office-dakar", "demo-1"));
  EXPECT_NE(dakar, CaseIdForRequest("office-thies", "demo-1"));
  EXPECT_NE(dakar, CaseIdForRequest("office-dakar", "demo-2"));
  EXPECT_EQ(dakar.size(), 21u);
  EXPECT_EQ(dakar[0], 'C');
  // The office is delimited by its length, so moving characters between
  // office and request id gives another case.
  EXPECT_NE(CaseIdForRequest("a:b", "c"), CaseIdForRequest("a", "b:c"));
  EXPECT_NE(CaseIdForRequest("", "a:b"), CaseIdForRequest("a", "b"));
}

}  // namespace
}  // namespace homeward::storage
