#include "connectors/mime/bidi_controls.hpp"

namespace hd::mime {
namespace {

// Length of the bidi control encoded at the start of `s`, 0 when there is none.
std::size_t bidiControlAt(std::string_view s) {
  if (s.size() >= 2 && s[0] == '\xD8' && s[1] == '\x9C') return 2;  // U+061C
  if (s.size() < 3 || s[0] != '\xE2') return 0;
  const auto second = static_cast<unsigned char>(s[1]);
  const auto third = static_cast<unsigned char>(s[2]);
  if (second == 0x80 && (third == 0x8E || third == 0x8F)) return 3;  // U+200E, U+200F
  if (second == 0x80 && third >= 0xAA && third <= 0xAE) return 3;    // U+202A..U+202E
  if (second == 0x81 && third >= 0xA6 && third <= 0xA9) return 3;    // U+2066..U+2069
  return 0;
}

}  // namespace

std::string withoutBidiControls(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  while (!utf8.empty()) {
    const std::size_t control = bidiControlAt(utf8);
    if (control == 0) {
      out.push_back(utf8.front());
      utf8.remove_prefix(1);
    } else {
      utf8.remove_prefix(control);
    }
  }
  return out;
}

}  // namespace hd::mime
