#pragma once
// ASCII-only case folding and trimming for protocol tokens (header names, charset labels, MIME
// types). Not for user text: these functions do not know Unicode. Thread-safe.

#include <algorithm>
#include <string>
#include <string_view>

namespace hd::mime {

// Not std::tolower: that one follows the C locale (a call through the library for every byte,
// and other letters than A-Z in a single-byte locale), and the prescan folds every line of a
// message.
inline char asciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

inline std::string asciiLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return asciiLower(c); });
  return out;
}

inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return asciiLower(x) == asciiLower(y);
         });
}

inline bool startsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && equalsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// `s` without leading and trailing characters from `chars`.
inline std::string_view trimView(std::string_view s, std::string_view chars = " \t\r\n") {
  const std::size_t begin = s.find_first_not_of(chars);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(chars) - begin + 1);
}

}  // namespace hd::mime
