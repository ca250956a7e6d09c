// Decoding UTF-8 one code point at a time, for the places that must judge
// text a caller sent: the JSON face writing caller input into an error
// message, and the services refusing control characters in a field. Rejects
// what the Unicode standard calls ill-formed: overlong forms, surrogates,
// values above U+10FFFF and truncated sequences.
//
//   for (size_t i = 0; i < text.size();) {
//     const size_t at = i;
//     const int32_t cp = NextCodePoint(text, &i);
//     if (cp < 0) return absl::StrCat("not UTF-8 at byte ", at);
//     ...
//   }
#ifndef HOMEWARD_COMMON_STATUS_UTF8_H_
#define HOMEWARD_COMMON_STATUS_UTF8_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace homeward {

// The code point starting at text[*i], advancing *i past it; or -1, leaving
// *i where it was, when the bytes there are not well-formed UTF-8.
// Requires *i < text.size().
inline int32_t NextCodePoint(absl::string_view text, size_t* i) {
  const unsigned char lead = static_cast<unsigned char>(text[*i]);
  if (lead < 0x80) {
    ++*i;
    return lead;
  }
  // Sequence length, payload bits of the lead byte, and the smallest code
  // point that needs this length (shorter encodings are overlong).
  size_t length = 0;
  int32_t cp = 0;
  int32_t smallest = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, smallest = 0x10000;
  } else {
    return -1;
  }
  if (*i + length > text.size()) return -1;
  for (size_t k = 1; k < length; ++k) {
    const unsigned char next = static_cast<unsigned char>(text[*i + k]);
    if ((next & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (next & 0x3F);
  }
  if (cp < smallest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return -1;
  }
  *i += length;
  return cp;
}

}  // namespace homeward

#endif  // HOMEWARD_COMMON_STATUS_UTF8_H_
