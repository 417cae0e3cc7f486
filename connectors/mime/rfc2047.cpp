#include "connectors/mime/rfc2047.hpp"

#include <cctype>
#include <optional>

#include "connectors/mime/ascii.hpp"
#include "connectors/mime/charset.hpp"

namespace hd::mime {
namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// One word on its own: stops at its padding, tolerates missing padding and stray characters.
std::string decodeBase64Word(std::string_view text) {
  std::string out;
  unsigned int bits = 0;
  int bit_count = 0;
  for (char c : text) {
    if (c == '=') break;
    const int v = base64Value(c);
    if (v < 0) continue;
    bits = (bits << 6) | static_cast<unsigned int>(v);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<char>((bits >> bit_count) & 0xFF));
    }
  }
  return out;
}

// RFC 2047 4.2: '_' is a space, "=XX" a byte; a malformed '=' is kept as written.
std::string decodeQWord(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_') {
      out.push_back(' ');
    } else if (c == '=' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
               hexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

struct EncodedWord {
  std::size_t length = 0;  // bytes of input consumed, "=?" through "?="
  std::string charset;
  std::string bytes;  // decoded, still in `charset`
};

// Parses "=?charset[*lang]?B|Q?text?=" at the start of `s`.
std::optional<EncodedWord> parseEncodedWord(std::string_view s) {
  if (s.size() < 8 || s[0] != '=' || s[1] != '?') return std::nullopt;
  const std::size_t charset_end = s.find('?', 2);
  if (charset_end == std::string_view::npos || charset_end == 2) return std::nullopt;
  if (charset_end + 2 >= s.size() || s[charset_end + 2] != '?') return std::nullopt;
  const char encoding =
      static_cast<char>(std::toupper(static_cast<unsigned char>(s[charset_end + 1])));
  if (encoding != 'B' && encoding != 'Q') return std::nullopt;
  const std::size_t text_begin = charset_end + 3;
  const std::size_t text_end = s.find("?=", text_begin);
  if (text_end == std::string_view::npos) return std::nullopt;
  std::string_view charset = s.substr(2, charset_end - 2);
  std::string_view text = s.substr(text_begin, text_end - text_begin);
  for (char c : charset) {
    if (isSpace(c) || c == '"' || c == '(' || c == ')') return std::nullopt;
  }
  for (char c : text) {
    if (isSpace(c)) return std::nullopt;
  }
  EncodedWord word;
  word.length = text_end + 2;
  // RFC 2231 section 5: "charset*language".
  word.charset = std::string(charset.substr(0, charset.find('*')));
  word.bytes = encoding == 'B' ? decodeBase64Word(text) : decodeQWord(text);
  return word;
}

// Appends pending same-charset bytes, converted, to `out`.
struct PendingRun {
  std::string charset;
  std::string bytes;
  bool active = false;

  void flush(std::string& out, std::vector<Warning>& warnings, std::string_view where) {
    if (!active) return;
    out += toUtf8(bytes, charset, warnings, where);
    bytes.clear();
    active = false;
  }
};

std::string plainText(std::string_view text, std::vector<Warning>& warnings,
                      std::string_view where) {
  if (isAscii(text)) return std::string(text);
  return toUtf8(text, "", warnings, where);
}

}  // namespace

std::string unfoldHeader(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    if (c != '\r' && c != '\n') out.push_back(c);
  }
  return std::string(trimView(out, " \t"));
}

std::string decodeHeaderText(std::string_view raw, std::vector<Warning>& warnings,
                             std::string_view where) {
  const std::string text = unfoldHeader(raw);
  std::string out;
  PendingRun run;
  std::size_t plain_begin = 0;  // start of text not yet emitted
  bool previous_was_word = false;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t found = text.find("=?", i);
    if (found == std::string::npos) break;
    auto word = parseEncodedWord(std::string_view(text).substr(found));
    if (!word) {
      i = found + 2;
      continue;
    }
    std::string_view between = std::string_view(text).substr(plain_begin, found - plain_begin);
    const bool only_space = between.find_first_not_of(" \t") == std::string_view::npos;
    if (!(previous_was_word && only_space)) {
      run.flush(out, warnings, where);
      out += plainText(between, warnings, where);
    }
    if (run.active && !equalsIgnoreCase(run.charset, word->charset))
      run.flush(out, warnings, where);
    if (!run.active) {
      run.charset = word->charset;
      run.active = true;
    }
    run.bytes += word->bytes;
    previous_was_word = true;
    i = found + word->length;
    plain_begin = i;
  }
  run.flush(out, warnings, where);
  out += plainText(std::string_view(text).substr(plain_begin), warnings, where);
  return out;
}

std::string decodeEncodedWordsInPhrases(std::string_view raw, std::vector<Warning>& warnings,
                                        std::string_view where) {
  const std::string text = plainText(unfoldHeader(raw), warnings, where);
  enum class State { kPhrase, kQuoted, kComment, kAngle };
  State state = State::kPhrase;
  int comment_depth = 0;
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (state != State::kAngle && c == '=' && i + 1 < text.size() && text[i + 1] == '?') {
      // Take the whole run of encoded words separated by whitespace, then decode it at once.
      std::size_t end = i;
      for (std::size_t probe = i;;) {
        auto word = parseEncodedWord(std::string_view(text).substr(probe));
        if (!word) break;
        end = probe + word->length;
        probe = end;
        while (probe < text.size() && isSpace(text[probe])) ++probe;
      }
      if (end > i) {
        const std::string decoded = decodeHeaderText(text.substr(i, end - i), warnings, where);
        if (state == State::kPhrase) out.push_back('"');
        for (char d : decoded) {
          const bool special =
              d == '\\' || (state == State::kComment ? (d == '(' || d == ')') : d == '"');
          if (special) out.push_back('\\');
          out.push_back(d);
        }
        if (state == State::kPhrase) out.push_back('"');
        i = end;
        continue;
      }
    }
    out.push_back(c);
    ++i;
    if (c == '\\' && state != State::kPhrase && state != State::kAngle && i < text.size()) {
      out.push_back(text[i++]);
      continue;
    }
    switch (state) {
      case State::kPhrase:
        if (c == '"') state = State::kQuoted;
        if (c == '(') state = State::kComment, comment_depth = 1;
        if (c == '<') state = State::kAngle;
        break;
      case State::kQuoted:
        if (c == '"') state = State::kPhrase;
        break;
      case State::kComment:
        if (c == '(') ++comment_depth;
        if (c == ')' && --comment_depth == 0) state = State::kPhrase;
        break;
      case State::kAngle:
        if (c == '>') state = State::kPhrase;
        break;
    }
  }
  return out;
}

}  // namespace hd::mime
