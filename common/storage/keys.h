// Order-preserving key encoding for RocksDB keys: big-endian integers and
// length-prefixed strings, so that every field of a key is unambiguous and a
// key prefix selects exactly one range (a partition, an index value...).
//
//   std::string key = KeyBuilder().U32(p).Str("case").Str(id).key();
//   KeyReader r(key);
//   uint32_t p;
//   std::string kind, id;
//   if (!r.U32(&p) || !r.Str(&kind) || !r.Str(&id)) ... corrupt key ...
#ifndef HOMEWARD_COMMON_STORAGE_KEYS_H_
#define HOMEWARD_COMMON_STORAGE_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace homeward::storage {

class KeyBuilder {
 public:
  KeyBuilder& U32(uint32_t v);
  KeyBuilder& U64(uint64_t v);
  KeyBuilder& Str(absl::string_view s);
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

class KeyReader {
 public:
  explicit KeyReader(absl::string_view key) : rest_(key) {}
  bool U32(uint32_t* v);
  bool U64(uint64_t* v);
  bool Str(std::string* s);
  bool done() const { return rest_.empty(); }
  absl::string_view rest() const { return rest_; }

 private:
  absl::string_view rest_;
};

}  // namespace homeward::storage

#endif  // HOMEWARD_COMMON_STORAGE_KEYS_H_
