#include "connectors/imap/response_parser.hpp"

#include <algorithm>
#include <cctype>

#include "connectors/imap/response_code.hpp"
#include "connectors/net/errors.hpp"

namespace hd::imap {
namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// RFC 3501 ATOM-CHAR: any CHAR except atom-specials. '%', '*' (list-wildcards) and '\' are
// accepted too: flags ("\Seen", "\*") and mailbox names use them.
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

std::string describe(char c) {
  if (c == '\r') return "CR";
  if (c == '\n') return "LF";
  const auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u >= 0x7f) {
    static const char kHex[] = "0123456789abcdef";
    return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 0xf];
  }
  return std::string("'") + c + "'";
}

}  // namespace

ResponseParser::ResponseParser(net::BufferedReader& reader, const ImapLimits& limits)
    : reader_(reader), limits_(limits) {}

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
  if (got != c) fail("expected " + describe(c) + " " + where + ", got " + describe(got));
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
  if (c != '\n') fail(std::string("expected end of line ") + where + ", got " + describe(c));
  get();
}

std::string ResponseParser::atom(const char* where, bool allow_bracket) {
  countToken();
  std::string result;
  while (isAtomChar(peek(), allow_bracket)) result.push_back(get());
  if (result.empty()) fail(std::string("expected an atom ") + where + ", got " + describe(peek()));
  return result;
}

std::uint64_t ResponseParser::number(const char* where) {
  countToken();
  if (!isDigit(peek())) {
    fail(std::string("expected a number ") + where + ", got " + describe(peek()));
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
  countToken();
  expect('{', "to open a literal");
  const std::uint64_t size = number("as literal size");
  if (peek() == '+') get();  // RFC 7888 non-synchronizing form, harmless from a server
  expect('}', "to close a literal size");
  if (peek() == '\r') get();
  expect('\n', "after a literal size");
  if (size > limits_.max_literal_size) {
    fail("literal of " + std::to_string(size) + " bytes exceeds the limit of " +
         std::to_string(limits_.max_literal_size));
  }
  // The literal ends this line segment; the bytes after it start a new one.
  line_bytes_ = 0;
  return size;
}

void ResponseParser::literalInto(std::string& out) {
  const std::uint64_t size = literalHeader();
  out.reserve(out.size() + size);
  reader_.readExact(static_cast<std::size_t>(size), out);
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
  if (upper(word) != "NIL") fail(std::string("expected a string or NIL ") + where);
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
    if (word.empty()) fail("expected a value, got " + describe(c));
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

Response ResponseParser::next() {
  line_bytes_ = 0;
  tokens_ = 0;
  Response response;
  const char first = peek();
  if (first == '+') {
    // Continuation request (RFC 3501 section 7.5). "+" without a space is tolerated.
    get();
    if (peek() == ' ') get();
    response.kind = Response::Kind::kContinuation;
    response.type = Response::Type::kContinuation;
    response.text = restOfLine();
    return response;
  }
  if (first == '*') {
    get();
    space("after '*'");
    response.kind = Response::Kind::kUntagged;
    untagged(response);
    return response;
  }
  if (first == '[') {
    // Workaround: Exchange Online sends a bare "[COPYUID 55 31 6]" line, without "* OK", in
    // UID MOVE replies (outlook.md; MailKit issue 1446). Read it as an untagged OK.
    response.kind = Response::Kind::kUntagged;
    response.type = Response::Type::kStatus;
    response.status = Status::kOk;
    statusText(response);
    return response;
  }

  response.kind = Response::Kind::kTagged;
  response.type = Response::Type::kStatus;
  std::string tag;
  while (isAtomChar(peek(), true) && peek() != '+') tag.push_back(get());
  if (tag.empty())
    fail("expected '*', '+' or a tag at the start of a response, got " + describe(peek()));
  response.tag = std::move(tag);
  space("after the tag");
  const std::string status = upper(atom("as tagged status", false));
  if (status == "OK") {
    response.status = Status::kOk;
  } else if (status == "NO") {
    response.status = Status::kNo;
  } else if (status == "BAD") {
    response.status = Status::kBad;
  } else {
    fail("tagged response with status '" + status + "' (expected OK, NO or BAD)");
  }
  statusText(response);
  return response;
}

void ResponseParser::statusText(Response& response) {
  if (peek() == ' ') get();
  // resp-text: the code is parsed from the whole line, so a '[' later in the text (Exchange's
  // greeting ends in "[base64 blob]") is never taken for a code.
  RespText parsed = parseRespText(restOfLine());
  response.code = std::move(parsed.code);
  response.text = std::move(parsed.text);
}

void ResponseParser::untagged(Response& response) {
  if (isDigit(peek())) {
    response.number = number("as message count or number");
    space("after a message number");
    const std::string keyword = upper(atom("after a message number", false));
    if (keyword == "EXISTS") {
      response.type = Response::Type::kExists;
    } else if (keyword == "RECENT") {
      response.type = Response::Type::kRecent;
    } else if (keyword == "EXPUNGE") {
      response.type = Response::Type::kExpunge;
    } else if (keyword == "FETCH") {
      response.type = Response::Type::kFetch;
      space("after FETCH");
      fetchItems(response);
      lineEnd("after FETCH data");
      return;
    } else {
      response.type = Response::Type::kOther;
      response.text = keyword;
    }
    skipRestOfResponse();
    return;
  }

  const std::string keyword = upper(atom("as untagged keyword", false));
  static const std::pair<const char*, Status> kStatuses[] = {{"OK", Status::kOk},
                                                             {"NO", Status::kNo},
                                                             {"BAD", Status::kBad},
                                                             {"BYE", Status::kBye},
                                                             {"PREAUTH", Status::kPreauth}};
  for (const auto& [name, status] : kStatuses) {
    if (keyword == name) {
      response.type = Response::Type::kStatus;
      response.status = status;
      statusText(response);
      return;
    }
  }
  if (keyword == "CAPABILITY") {
    response.type = Response::Type::kCapability;
    while (!atLineEnd()) {
      space("between capabilities");
      if (atLineEnd()) break;
      response.atoms.push_back(atom("as capability", true));
    }
    lineEnd("after CAPABILITY");
  } else if (keyword == "FLAGS") {
    response.type = Response::Type::kFlags;
    space("after FLAGS");
    response.atoms = flagList("as FLAGS list");
    lineEnd("after FLAGS");
  } else if (keyword == "SEARCH") {
    response.type = Response::Type::kSearch;
    searchNumbers(response);
  } else if (keyword == "LIST" || keyword == "LSUB") {
    response.type = Response::Type::kList;
    space("after LIST");
    listData(response);
  } else {
    response.type = Response::Type::kOther;
    response.text = keyword;
    skipRestOfResponse();
  }
}

void ResponseParser::searchNumbers(Response& response) {
  while (!atLineEnd()) {
    space("between SEARCH results");
    if (atLineEnd()) break;
    if (peek() == '(') {
      skipValue(0);  // RFC 7162 "(MODSEQ n)" at the end
      continue;
    }
    response.numbers.push_back(number("in SEARCH results"));
    // A SEARCH line may hold many thousands of UIDs; max_tokens bounds it instead.
    line_bytes_ = 0;
  }
  lineEnd("after SEARCH");
}

void ResponseParser::listData(Response& response) {
  response.list.attributes = flagList("as LIST attributes");
  space("after LIST attributes");
  if (std::optional<std::string> delimiter = nstring("as LIST delimiter")) {
    response.list.delimiter = std::move(*delimiter);
  }
  space("after LIST delimiter");
  response.list.mailbox = astring("as LIST mailbox");
  // RFC 5258 extended data may follow; it is not needed.
  skipRestOfResponse();
}

std::string ResponseParser::fetchItemName() {
  countToken();
  std::string name;
  while (isAtomChar(peek(), false) && peek() != '[') name.push_back(get());
  if (name.empty()) fail("expected a FETCH item name, got " + describe(peek()));
  name = upper(std::move(name));
  if (peek() == '[') {
    // section: may contain spaces, parentheses and quoted header names; never a line end.
    std::size_t depth = 0;
    for (;;) {
      const char c = get();
      if (c == '\r' || c == '\n') fail("line end inside a FETCH section");
      name.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
      if (c == '[') {
        ++depth;
      } else if (c == ']' && --depth == 0) {
        break;
      }
    }
    if (peek() == '<') {
      while (peek() != '>') {
        if (atLineEnd()) fail("line end inside a FETCH origin");
        name.push_back(get());
      }
      name.push_back(get());
    }
  }
  return name;
}

void ResponseParser::fetchItems(Response& response) {
  FetchData& fetch = response.fetch;
  expect('(', "to open FETCH data");
  countToken();
  while (peek() == ' ') get();
  while (peek() != ')') {
    const std::string name = fetchItemName();
    space("after a FETCH item name");
    if (name == "UID") {
      fetch.uid = number("as UID");
    } else if (name == "RFC822.SIZE") {
      fetch.rfc822_size = number("as RFC822.SIZE");
    } else if (name == "FLAGS") {
      fetch.flags = flagList("as FLAGS");
    } else if (name == "BODY[]" || name == "RFC822" || name == "BINARY[]") {
      if (peek() == '{') {
        // The message bytes go straight from the reader into their final string.
        fetch.body.emplace();
        literalInto(*fetch.body);
      } else {
        fetch.body = nstring("as message body");
      }
    } else {
      skipValue(1);
    }
    while (peek() == ' ') get();
  }
  get();
}

}  // namespace hd::imap
