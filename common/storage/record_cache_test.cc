// Unit tests of the record cache: hits and misses, least-recently-used
// eviction within the byte bound, and the fill tickets that keep bytes read
// before a write out of the cache.
#include "common/storage/record_cache.h"

#include <string>

#include "gtest/gtest.h"

namespace homeward::storage {
namespace {

// One shard, so that eviction order is the cache's whole order.
RecordCache OneShard(size_t capacity) { return RecordCache(capacity, 1); }

void Read(RecordCache& cache, const std::string& key, const std::string& db) {
  RecordCache::Ticket ticket = cache.FillTicket(key);
  cache.Fill(key, ticket, db);
}

std::string Cached(RecordCache& cache, const std::string& key) {
  RecordCache::Bytes bytes = cache.Find(key);
  return bytes == nullptr ? "<miss>" : *bytes;
}

TEST(RecordCacheTest, MissThenFillThenHit) {
  RecordCache cache(1 << 20);
  EXPECT_EQ(Cached(cache, "case/1"), "<miss>");
  Read(cache, "case/1", "v1");
  EXPECT_EQ(Cached(cache, "case/1"), "v1");
  EXPECT_EQ(Cached(cache, "case/2"), "<miss>");
  EXPECT_EQ(cache.entry_count(), 1u);
  EXPECT_EQ(cache.size_bytes(), 6 + 2 + RecordCache::kEntryOverhead);
}

TEST(RecordCacheTest, ZeroCapacityNeverCaches) {
  RecordCache cache(0);
  Read(cache, "case/1", "v1");
  EXPECT_EQ(Cached(cache, "case/1"), "<miss>");
  EXPECT_EQ(cache.entry_count(), 0u);
}

TEST(RecordCacheTest, EvictsLeastRecentlyUsedWithinTheBound) {
  // Each entry: 1-byte key, 4-byte value, plus the overhead.
  const size_t entry = 1 + 4 + RecordCache::kEntryOverhead;
  RecordCache cache = OneShard(3 * entry);
  Read(cache, "a", "aaaa");
  Read(cache, "b", "bbbb");
  Read(cache, "c", "cccc");
  EXPECT_EQ(Cached(cache, "a"), "aaaa");  // a is now the most recent
  Read(cache, "d", "dddd");               // evicts b, the least recent
  EXPECT_EQ(Cached(cache, "b"), "<miss>");
  EXPECT_EQ(Cached(cache, "a"), "aaaa");
  EXPECT_EQ(Cached(cache, "c"), "cccc");
  EXPECT_EQ(Cached(cache, "d"), "dddd");
  EXPECT_EQ(cache.size_bytes(), 3 * entry);
}

TEST(RecordCacheTest, RefillReplacesTheEntry) {
  RecordCache cache = OneShard(1 << 20);
  Read(cache, "a", "old");
  Read(cache, "a", "newer");
  EXPECT_EQ(Cached(cache, "a"), "newer");
  EXPECT_EQ(cache.entry_count(), 1u);
  EXPECT_EQ(cache.size_bytes(), 1 + 5 + RecordCache::kEntryOverhead);
}

TEST(RecordCacheTest, EntryLargerThanAShardIsNotCached) {
  RecordCache cache = OneShard(RecordCache::kEntryOverhead + 10);
  Read(cache, "a", std::string(20, 'x'));
  EXPECT_EQ(Cached(cache, "a"), "<miss>");
  EXPECT_EQ(cache.size_bytes(), 0u);
}

TEST(RecordCacheTest, WriteDropsTheEntry) {
  RecordCache cache(1 << 20);
  Read(cache, "a", "v1");
  Read(cache, "b", "v1");
  cache.BeginWrite({"a"});
  EXPECT_EQ(Cached(cache, "a"), "<miss>");
  cache.EndWrite({"a"});
  EXPECT_EQ(Cached(cache, "a"), "<miss>");
  EXPECT_EQ(Cached(cache, "b"), "v1");
  Read(cache, "a", "v2");
  EXPECT_EQ(Cached(cache, "a"), "v2");
}

// The interleavings of one reader (ticket, database read, fill) with one
// write (begin, database write, end) on the same shard. A fill is kept only
// when no write began between the ticket and the fill; otherwise the bytes
// may be from before the write.
TEST(RecordCacheTest, FillIsRefusedWhenAWriteBeganAfterTheTicket) {
  struct Case {
    const char* name;
    bool begin_before_ticket;
    bool end_before_ticket;
    bool begin_before_fill;
    bool end_before_fill;
    bool kept;
  };
  const Case cases[] = {
      {"write wholly before the read", true, true, true, true, true},
      {"write in flight at the ticket", true, false, true, false, false},
      {"write in flight at the ticket, ended before the fill", true, false,
       true, true, false},
      {"write began and ended between ticket and fill", false, false, true,
       true, false},
      {"write in flight at the fill", false, false, true, false, false},
      {"write wholly after the fill", false, false, false, false, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    RecordCache cache = OneShard(1 << 20);
    bool begun = false, ended = false;
    // Moves the write to another key of the (only) shard on to its begin
    // and end, each done once.
    auto advance_write = [&](bool begin, bool end) {
      if (begin && !begun) {
        cache.BeginWrite({"other"});
        begun = true;
      }
      if (end && !ended) {
        cache.EndWrite({"other"});
        ended = true;
      }
    };
    advance_write(c.begin_before_ticket, c.end_before_ticket);
    RecordCache::Ticket ticket = cache.FillTicket("a");
    advance_write(c.begin_before_fill, c.end_before_fill);
    cache.Fill("a", ticket, "bytes");
    EXPECT_EQ(Cached(cache, "a"), c.kept ? "bytes" : "<miss>");
    advance_write(true, true);
  }
}

}  // namespace
}  // namespace homeward::storage
