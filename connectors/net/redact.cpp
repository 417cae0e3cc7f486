#include "connectors/net/redact.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace hd::net {
namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

// Splits at spaces, remembering where each word starts, so a password that itself contains
// spaces is masked as a whole (everything after the keyword's fixed arguments).
struct Word {
  std::string_view text;
  std::size_t offset;
};

std::vector<Word> splitWords(std::string_view line, std::size_t max_words) {
  std::vector<Word> words;
  std::size_t pos = 0;
  while (pos < line.size() && words.size() < max_words) {
    while (pos < line.size() && line[pos] == ' ') ++pos;
    if (pos >= line.size()) break;
    std::size_t end = pos;
    if (line[pos] == '"') {
      // An IMAP quoted string (RFC 3501 section 4.3) is one word even with spaces inside.
      for (end = pos + 1; end < line.size() && line[end] != '"'; ++end) {
        if (line[end] == '\\') ++end;
      }
      end = std::min(end + 1, line.size());
    } else {
      end = std::min(line.find(' ', pos), line.size());
    }
    words.push_back({line.substr(pos, end - pos), pos});
    pos = end;
  }
  return words;
}

// Keeps the first `keep` words after the keyword and masks the rest of the line.
std::string maskAfter(std::string_view line, const std::vector<Word>& words, std::size_t keyword,
                      std::size_t keep) {
  const std::size_t first_secret = keyword + 1 + keep;
  if (first_secret >= words.size()) return std::string(line);
  return std::string(line.substr(0, words[first_secret].offset)) + std::string(kRedacted);
}

}  // namespace

std::string redactProtocolLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  const std::vector<Word> words = splitWords(line, 4);
  if (words.empty()) return std::string(line);

  // The keyword is the first word (POP3) or the second one after an IMAP tag.
  for (std::size_t keyword = 0; keyword < std::min<std::size_t>(2, words.size()); ++keyword) {
    const std::string_view verb = words[keyword].text;
    if (equalsIgnoreCase(verb, "LOGIN") || equalsIgnoreCase(verb, "APOP")) {
      return maskAfter(line, words, keyword, 1);
    }
    if (equalsIgnoreCase(verb, "AUTHENTICATE") || equalsIgnoreCase(verb, "AUTH")) {
      return maskAfter(line, words, keyword, 1);
    }
    if (equalsIgnoreCase(verb, "PASS")) return maskAfter(line, words, keyword, 0);
  }
  return std::string(line);
}

}  // namespace hd::net
