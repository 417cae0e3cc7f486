#include "connectors/net/redact.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>
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

namespace {

// Process-wide: a secret read by the configuration must be masked in every log line and error
// text of the process, whichever module produces it.
struct RememberedSecrets {
  std::mutex mutex;
  std::vector<std::string> values;  // longest first, so a secret containing another is masked whole
};

RememberedSecrets& remembered() {
  static RememberedSecrets secrets;
  return secrets;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "%41" -> "A"; a malformed escape stays as written.
std::string percentDecodedLeniently(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
        hexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

void replaceAll(std::string& text, const std::string& secret) {
  for (auto at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + kRedacted.size())) {
    text.replace(at, secret.size(), kRedacted);
  }
}

// Where the URI starting at `start` (just after "://") ends: at white space or a quote, which is
// where libpq and our own messages put the end of a quoted URI.
std::size_t uriTokenEnd(std::string_view text, std::size_t start) {
  const auto end = text.find_first_of(" \t\r\n\"'", start);
  return end == std::string_view::npos ? text.size() : end;
}

// The userinfo password of the URI whose authority starts at `start`: [begin, end) in `text`.
std::optional<std::pair<std::size_t, std::size_t>> passwordSpan(std::string_view text,
                                                                std::size_t start) {
  const std::size_t end = uriTokenEnd(text, start);
  const auto authority = text.substr(start, end - start);
  const auto at = authority.rfind('@');  // the password itself may hold a (malformed) '@'
  if (at == std::string_view::npos) return std::nullopt;
  const auto colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return std::make_pair(start + colon + 1, start + at);
}

void maskUriPasswords(std::string& text) {
  for (auto scheme_end = text.find("://"); scheme_end != std::string::npos;
       scheme_end = text.find("://", scheme_end + 3)) {
    if (auto span = passwordSpan(text, scheme_end + 3)) {
      text.replace(span->first, span->second - span->first, kRedacted);
    }
  }
}

// libpq's key/value form: password=secret or password = 'quoted \' secret'.
void maskConninfoPasswords(std::string& text) {
  static constexpr std::string_view kKey = "password";
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto it = std::search(
        text.begin() + static_cast<std::ptrdiff_t>(pos), text.end(), kKey.begin(), kKey.end(),
        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
    if (it == text.end()) return;
    std::size_t i = static_cast<std::size_t>(it - text.begin()) + kKey.size();
    pos = i;
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size() || text[i] != '=') continue;
    ++i;
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t end = i;
    if (end < text.size() && text[end] == '\'') {
      for (++end; end < text.size() && text[end] != '\''; ++end) {
        if (text[end] == '\\') ++end;
      }
      end = std::min(end + 1, text.size());
    } else {
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
    }
    if (end == i) continue;
    text.replace(i, end - i, kRedacted);
    pos = i + kRedacted.size();
  }
}

}  // namespace

void rememberSecret(std::string_view secret) {
  auto& secrets = remembered();
  std::lock_guard lock(secrets.mutex);
  for (std::string value : {std::string(secret), percentDecodedLeniently(secret)}) {
    if (value.size() < kMinRememberedSecret) continue;
    if (std::find(secrets.values.begin(), secrets.values.end(), value) != secrets.values.end())
      continue;
    secrets.values.push_back(std::move(value));
  }
  std::stable_sort(secrets.values.begin(), secrets.values.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string redactSecrets(std::string_view text) {
  std::string out(text);
  {
    auto& secrets = remembered();
    std::lock_guard lock(secrets.mutex);
    for (const auto& secret : secrets.values) replaceAll(out, secret);
  }
  maskUriPasswords(out);
  maskConninfoPasswords(out);
  return out;
}

std::string uriPassword(std::string_view uri) {
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return "";
  const auto span = passwordSpan(uri, scheme_end + 3);
  if (!span) return "";
  return std::string(uri.substr(span->first, span->second - span->first));
}

}  // namespace hd::net
