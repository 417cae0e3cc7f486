#include "connectors/imap/grammar_chars.hpp"

#include <algorithm>
#include <cctype>

namespace hd::imap {

std::string upperAscii(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

bool isAtomChar(char c, bool allow_bracket) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x1f || u == 0x7f) return false;
  switch (c) {
    case '(':
    case ')':
    case '{':
    case ' ':
    case '"':
      return false;
    case ']':
      return allow_bracket;
    default:
      return true;
  }
}

std::string describeByte(char c) {
  if (c == '\r') return "CR";
  if (c == '\n') return "LF";
  const auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u >= 0x7f) {
    static const char kHex[] = "0123456789abcdef";
    return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 0xf];
  }
  return std::string("'") + c + "'";
}

}  // namespace hd::imap
