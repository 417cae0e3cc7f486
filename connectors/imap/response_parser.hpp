#pragma once
// Decodes IMAP server responses from bytes (RFC 3501 section 9 grammar), one response per call.
// It reads from a BufferedReader, so it runs the same on a socket, on a recorded transcript and
// under a fuzzer.
//
// Literals ({n} and {n+}) are read as exactly n bytes, never line by line; a FETCH body literal
// goes in pieces into Response::fetch.body (a spill file from its first byte when the literal is
// over the SpillPolicy's threshold), or is drained when over max_message_size. Every bound comes
// from ImapLimits.
//
// Errors: ProtocolError for bytes that break the grammar or exceed a limit (the message says
// what was expected); NetworkError when the stream ends or times out mid-response. After either,
// the connection is unusable. Not thread-safe.
//
// Tolerated server quirks (each named where it is handled): Exchange's greeting with a bracketed
// base64 blob in its text, Exchange's bare "[COPYUID ...]" line, bare LF line ends, and unknown
// untagged responses at any time.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/imap/limits.hpp"
#include "connectors/imap/response.hpp"
#include "connectors/net/buffered_reader.hpp"
#include "connectors/spill/bytes.hpp"

namespace hd::imap {

class ResponseParser {
 public:
  ResponseParser(net::BufferedReader& reader, const ImapLimits& limits,
                 spill::SpillPolicy spill = {});

  Response next();

 private:
  // Byte access; both count towards the line length limit.
  char peek();
  char get();
  [[noreturn]] void fail(const std::string& what) const;
  void expect(char c, const char* where);
  void space(const char* where);
  bool atLineEnd();
  void lineEnd(const char* where);
  void countToken();

  std::string atom(const char* where, bool allow_bracket);
  std::uint64_t number(const char* where);
  std::string quoted();
  std::uint64_t literalHeader();  // "{n}" or "{n+}" and its CRLF; returns n (max_literal_size)
  std::uint64_t literalSize();    // the same without the max_literal_size bound
  // A literal of any size, keeping its first `keep` bytes (the rest is read and dropped);
  // returns the literal's size.
  std::uint64_t literalCapped(std::string& out, std::uint64_t keep);
  void literalInto(std::string& out);
  std::optional<std::string> quotedOrLiteral();  // nullopt when the next token is neither
  std::optional<std::string> nstring(const char* where);
  std::string astring(const char* where);
  std::string restOfLine();
  void skipValue(std::size_t depth);
  void skipRestOfResponse();
  std::vector<std::string> flagList(const char* where);

  void untagged(Response& response);
  void statusText(Response& response);
  void fetchItems(Response& response);
  void fetchBody(FetchData& fetch);
  std::string fetchItemName();
  void listData(Response& response);
  void searchNumbers(Response& response);

  net::BufferedReader& reader_;
  ImapLimits limits_;
  spill::SpillPolicy spill_;
  std::size_t line_bytes_ = 0;
  std::size_t tokens_ = 0;
};

}  // namespace hd::imap
