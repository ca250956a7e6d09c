// Key encoding; see keys.h.
#include "common/storage/keys.h"

namespace homeward::storage {
namespace {

template <typename T>
void AppendBigEndian(std::string* out, T v) {
  for (int shift = (sizeof(T) - 1) * 8; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

template <typename T>
bool ReadBigEndian(absl::string_view* in, T* v) {
  if (in->size() < sizeof(T)) return false;
  T out = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    out = static_cast<T>((out << 8) | static_cast<unsigned char>((*in)[i]));
  }
  in->remove_prefix(sizeof(T));
  *v = out;
  return true;
}

}  // namespace

KeyBuilder& KeyBuilder::U32(uint32_t v) {
  AppendBigEndian(&key_, v);
  return *this;
}

KeyBuilder& KeyBuilder::U64(uint64_t v) {
  AppendBigEndian(&key_, v);
  return *this;
}

KeyBuilder& KeyBuilder::Str(absl::string_view s) {
  AppendBigEndian(&key_, static_cast<uint32_t>(s.size()));
  key_.append(s.data(), s.size());
  return *this;
}

bool KeyReader::U32(uint32_t* v) { return ReadBigEndian(&rest_, v); }
bool KeyReader::U64(uint64_t* v) { return ReadBigEndian(&rest_, v); }

bool KeyReader::Str(std::string* s) {
  uint32_t len;
  if (!ReadBigEndian(&rest_, &len) || rest_.size() < len) return false;
  s->assign(rest_.data(), len);
  rest_.remove_prefix(len);
  return true;
}

}  // namespace homeward::storage
