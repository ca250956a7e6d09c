// Key encoding: round trips, ordering and prefix bounds.
#include "common/storage/keys.h"

#include "gtest/gtest.h"

namespace homeward::storage {
namespace {

TEST(KeysTest, RoundTripsEveryFieldType) {
  std::string key =
      KeyBuilder().U32(7).Str("case").U64(1ULL << 40).Str("").key();
  KeyReader r(key);
  uint32_t a;
  uint64_t b;
  std::string s1, s2;
  ASSERT_TRUE(r.U32(&a));
  ASSERT_TRUE(r.Str(&s1));
  ASSERT_TRUE(r.U64(&b));
  ASSERT_TRUE(r.Str(&s2));
  EXPECT_TRUE(r.done());
  EXPECT_EQ(a, 7u);
  EXPECT_EQ(s1, "case");
  EXPECT_EQ(b, 1ULL << 40);
  EXPECT_EQ(s2, "");
}

TEST(KeysTest, IntegersSortNumerically) {
  // Big-endian encoding makes byte order equal numeric order.
  EXPECT_LT(KeyBuilder().U32(1).key(), KeyBuilder().U32(256).key());
  EXPECT_LT(KeyBuilder().U64(255).key(), KeyBuilder().U64(256).key());
  EXPECT_LT(KeyBuilder().U32(2).Str("zzz").key(),
            KeyBuilder().U32(3).Str("a").key());
}

TEST(KeysTest, ReaderRejectsTruncatedKeys) {
  std::string key = KeyBuilder().Str("office").key();
  KeyReader r(absl::string_view(key).substr(0, key.size() - 1));
  std::string s;
  EXPECT_FALSE(r.Str(&s));
  KeyReader short_int("\x01\x02");
  uint32_t v;
  EXPECT_FALSE(short_int.U32(&v));
}

}  // namespace
}  // namespace homeward::storage
