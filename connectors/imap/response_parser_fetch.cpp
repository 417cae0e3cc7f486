// FETCH data: item names with their sections, and the items the client uses (UID, RFC822.SIZE,
// FLAGS, the body); others are skipped.
#include "connectors/imap/response_parser.hpp"

#include <cctype>
#include <optional>
#include <string_view>

#include "connectors/imap/grammar_chars.hpp"

namespace hd::imap {

std::string ResponseParser::fetchItemName() {
  countToken();
  std::string name;
  while (isAtomChar(peek(), false) && peek() != '[') name.push_back(get());
  if (name.empty()) fail("expected a FETCH item name, got " + describeByte(peek()));
  name = upperAscii(std::move(name));
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

void ResponseParser::fetchBody(FetchData& fetch) {
  if (peek() != '{') {
    if (std::optional<std::string> body = nstring("as message body")) fetch.body = std::move(*body);
    return;
  }
  const std::uint64_t size = literalSize();
  if (size > limits_.max_message_size) {
    // Over the limit: drained, only its size reported (the pass decides what to do with it).
    reader_.skip(static_cast<std::size_t>(size));
    fetch.body_over_limit = size;
    return;
  }
  if (size <= spill_.threshold_bytes) {
    // Everyday mail: straight from the TLS stream into its string, not through the reader's
    // buffer (one copy fewer on the hot path).
    std::string body;
    body.reserve(static_cast<std::size_t>(size));
    reader_.readExact(static_cast<std::size_t>(size), body);
    fetch.body = spill::Bytes(std::move(body));
    return;
  }
  // Over the threshold: piece by piece from the reader's buffer into a spill file, from the first
  // byte, so a big message is never whole in memory.
  spill::BytesBuilder builder(spill_);
  builder.expect(size);
  reader_.readPieces(size, [&builder](std::string_view piece) { builder.append(piece); });
  fetch.body = std::move(builder).finish();
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
      fetchBody(fetch);
    } else if (name.rfind("BODY[HEADER]", 0) == 0) {
      if (peek() == '{') {
        fetch.header.emplace();
        literalCapped(*fetch.header, limits_.max_header_size);
      } else {
        fetch.header = nstring("as message header");
      }
    } else {
      skipValue(1);
    }
    while (peek() == ' ') get();
  }
  get();
}

}  // namespace hd::imap
