// The token level of the response grammar: bytes, atoms, numbers, strings, literals, lists,
// and skipping what is not needed. Every read counts towards the limits.
#include "connectors/imap/response_parser.hpp"

#include <algorithm>

#include "connectors/imap/grammar_chars.hpp"
#include "connectors/net/errors.hpp"

namespace hd::imap {

void ResponseParser::fail(const std::string& what) const {
  throw net::ProtocolError("IMAP response: " + what);
}

char ResponseParser::peek() {
  return reader_.peek();
}

char ResponseParser::get() {
  if (++line_bytes_ > limits_.max_line_length) {
    fail("line longer than " + std::to_string(limits_.max_line_length) + " bytes");
  }
  return reader_.get();
}

void ResponseParser::countToken() {
  if (++tokens_ > limits_.max_tokens) {
    fail("more than " + std::to_string(limits_.max_tokens) + " tokens in one response");
  }
}

void ResponseParser::expect(char c, const char* where) {
  const char got = peek();
  if (got != c) fail("expected " + describeByte(c) + " " + where + ", got " + describeByte(got));
  get();
}

void ResponseParser::space(const char* where) {
  expect(' ', where);
  // Lenient: some servers pad with more than one space.
  while (peek() == ' ') get();
}

bool ResponseParser::atLineEnd() {
  const char c = peek();
  return c == '\r' || c == '\n';
}

void ResponseParser::lineEnd(const char* where) {
  // Trailing spaces before CRLF are tolerated (seen from several servers after FETCH lists).
  while (peek() == ' ') get();
  if (peek() == '\r') get();
  const char c = peek();
  if (c != '\n') fail(std::string("expected end of line ") + where + ", got " + describeByte(c));
  get();
}

std::string ResponseParser::atom(const char* where, bool allow_bracket) {
  countToken();
  std::string result;
  while (isAtomChar(peek(), allow_bracket)) result.push_back(get());
  if (result.empty())
    fail(std::string("expected an atom ") + where + ", got " + describeByte(peek()));
  return result;
}

std::uint64_t ResponseParser::number(const char* where) {
  countToken();
  if (!isDigit(peek())) {
    fail(std::string("expected a number ") + where + ", got " + describeByte(peek()));
  }
  std::uint64_t value = 0;
  while (isDigit(peek())) {
    const auto digit = static_cast<std::uint64_t>(get() - '0');
    if (value > (UINT64_MAX - digit) / 10) fail(std::string("number too large ") + where);
    value = value * 10 + digit;
  }
  return value;
}

std::string ResponseParser::quoted() {
  countToken();
  expect('"', "to open a quoted string");
  std::string result;
  for (;;) {
    char c = get();
    if (c == '"') return result;
    if (c == '\r' || c == '\n') fail("line end inside a quoted string");
    if (c == '\\') {
      // RFC 3501 quoted-specials are '"' and '\'; any other escaped char is kept as is.
      c = get();
      if (c == '\r' || c == '\n') fail("line end inside a quoted string");
    }
    result.push_back(c);
  }
}

std::uint64_t ResponseParser::literalHeader() {
  const std::uint64_t size = literalSize();
  if (size > limits_.max_literal_size) {
    fail("literal of " + std::to_string(size) + " bytes exceeds the limit of " +
         std::to_string(limits_.max_literal_size));
  }
  return size;
}

std::uint64_t ResponseParser::literalSize() {
  countToken();
  expect('{', "to open a literal");
  const std::uint64_t size = number("as literal size");
  if (peek() == '+') get();  // RFC 7888 non-synchronizing form, harmless from a server
  expect('}', "to close a literal size");
  if (peek() == '\r') get();
  expect('\n', "after a literal size");
  // The literal ends this line segment; the bytes after it start a new one.
  line_bytes_ = 0;
  return size;
}

void ResponseParser::literalInto(std::string& out) {
  const std::uint64_t size = literalHeader();
  out.reserve(out.size() + size);
  reader_.readExact(static_cast<std::size_t>(size), out);
}

std::uint64_t ResponseParser::literalCapped(std::string& out, std::uint64_t keep) {
  const std::uint64_t size = literalSize();
  const std::uint64_t kept = std::min(size, keep);
  out.reserve(out.size() + kept);
  reader_.readExact(static_cast<std::size_t>(kept), out);
  reader_.skip(static_cast<std::size_t>(size - kept));
  return size;
}

std::optional<std::string> ResponseParser::quotedOrLiteral() {
  const char c = peek();
  if (c == '"') return quoted();
  if (c != '{') return std::nullopt;
  std::string value;
  literalInto(value);
  return value;
}

std::optional<std::string> ResponseParser::nstring(const char* where) {
  if (std::optional<std::string> value = quotedOrLiteral()) return value;
  const std::string word = atom(where, false);
  if (upperAscii(word) != "NIL") fail(std::string("expected a string or NIL ") + where);
  return std::nullopt;
}

std::string ResponseParser::astring(const char* where) {
  if (std::optional<std::string> value = quotedOrLiteral()) return std::move(*value);
  return atom(where, true);
}

std::string ResponseParser::restOfLine() {
  std::string text;
  for (;;) {
    const char c = get();
    if (c == '\n') break;
    text.push_back(c);
  }
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

void ResponseParser::skipValue(std::size_t depth) {
  const char c = peek();
  if (c == '"') {
    quoted();
  } else if (c == '{') {
    reader_.skip(static_cast<std::size_t>(literalHeader()));
  } else if (c == '(') {
    if (depth >= limits_.max_nesting_depth) {
      fail("lists nested deeper than " + std::to_string(limits_.max_nesting_depth));
    }
    countToken();
    get();
    while (peek() == ' ') get();
    while (peek() != ')') {
      skipValue(depth + 1);
      while (peek() == ' ') get();
    }
    get();
  } else {
    // Atoms, numbers, NIL, and fetch-att names with sections such as BODY[HEADER]<0>.
    countToken();
    std::size_t brackets = 0;
    std::string word;
    for (;;) {
      const char d = peek();
      if (d == '[') {
        ++brackets;
      } else if (d == ']' && brackets > 0) {
        --brackets;
      } else if (brackets == 0 && !isAtomChar(d, true)) {
        break;
      } else if (d == '\r' || d == '\n') {
        break;
      }
      word.push_back(get());
    }
    if (word.empty()) fail("expected a value, got " + describeByte(c));
  }
}

void ResponseParser::skipRestOfResponse() {
  // Line-based on purpose: unknown responses may carry free text the grammar does not cover.
  // Only a literal announced at the very end of a line continues the response.
  for (;;) {
    std::string line = restOfLine();
    if (line.empty() || line.back() != '}') return;
    const std::size_t open = line.rfind('{');
    if (open == std::string::npos) return;
    std::string digits = line.substr(open + 1, line.size() - open - 2);
    if (!digits.empty() && digits.back() == '+') digits.pop_back();
    if (digits.empty() || digits.size() > 19 ||
        !std::all_of(digits.begin(), digits.end(), isDigit)) {
      return;
    }
    const std::uint64_t size = std::stoull(digits);
    if (size > limits_.max_literal_size) {
      fail("literal of " + digits + " bytes exceeds the limit of " +
           std::to_string(limits_.max_literal_size));
    }
    line_bytes_ = 0;
    reader_.skip(static_cast<std::size_t>(size));
  }
}

std::vector<std::string> ResponseParser::flagList(const char* where) {
  std::vector<std::string> flags;
  expect('(', where);
  countToken();
  while (peek() == ' ') get();
  while (peek() != ')') {
    flags.push_back(atom(where, false));
    while (peek() == ' ') get();
  }
  get();
  return flags;
}

}  // namespace hd::imap
