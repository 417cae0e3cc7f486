#include "service/ingest/subject.hpp"

#include <array>
#include <cctype>

namespace hd::ingest {
namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool startsWithIgnoringCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// Reply/forward markers of the mail clients our customers use (English, German, Nordic, Dutch).
constexpr std::array<std::string_view, 10> kPrefixes = {"re", "fwd", "fw",   "aw", "wg",
                                                        "sv", "vs",  "antw", "tr", "rv"};

// Removes one prefix such as "Re:", "RE :", "Re[2]:" or "Re(2):"; returns false if none.
bool stripOnePrefix(std::string_view& s) {
  for (auto prefix : kPrefixes) {
    if (!startsWithIgnoringCase(s, prefix)) continue;
    std::string_view rest = s.substr(prefix.size());
    if (!rest.empty() && (rest.front() == '[' || rest.front() == '(')) {
      char close = rest.front() == '[' ? ']' : ')';
      std::size_t i = 1;
      while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
      if (i == 1 || i >= rest.size() || rest[i] != close) continue;
      rest.remove_prefix(i + 1);
    }
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty() || rest.front() != ':') continue;
    s = trim(rest.substr(1));
    return true;
  }
  return false;
}

}  // namespace

std::string ticketSubject(std::string_view subject) {
  std::string_view s = trim(subject);
  while (stripOnePrefix(s)) {
  }
  if (s.empty()) return "(no subject)";
  return std::string(s);
}

}  // namespace hd::ingest
