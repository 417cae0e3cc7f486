#pragma once
// Reads POP3 responses from a ByteStream: status lines, multi-line bodies and listings. Owns the
// read buffer; all decoding is done by parseStatusLine() and DotDecoder.
//
// Errors: net::NetworkError when the server closes the stream before a response is complete
// (never waits for more bytes after end-of-stream); net::ProtocolError for an over-long line, a
// response over a limit or a line without a status indicator. Either leaves the reader unusable.
// Not thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "connectors/net/byte_stream.hpp"
#include "connectors/pop3/limits.hpp"
#include "connectors/pop3/status_line.hpp"
#include "connectors/spill/bytes.hpp"

namespace hd::pop3 {

class ResponseReader {
 public:
  ResponseReader(net::ByteStream& stream, const Pop3Limits& limits)
      : stream_(stream), limits_(limits) {}

  // One line without its CRLF (a bare LF is accepted as a line end too).
  std::string readLine();

  // One status line, parsed.
  StatusLine readStatus();

  // The body of a multi-line response after its +OK line, byte-exact minus dot-stuffing, at most
  // `max_size` bytes.
  std::string readBody(std::uint64_t max_size);

  // The same body, consumed to its end whatever its size, keeping at most `keep` bytes: a
  // message over the size limit or a header block never costs more than that, and the session
  // stays usable. The kept bytes are decoded one read at a time into memory or, past `spill`'s
  // threshold, a spill file: a big message is never whole in memory. `size` counts every
  // decoded byte, the dropped ones too.
  struct CappedBody {
    spill::Bytes bytes;
    std::uint64_t size = 0;
  };
  CappedBody readBodyCapped(std::uint64_t keep, const spill::SpillPolicy& spill);

  // The lines of a multi-line listing (CAPA, UIDL, LIST) after its +OK line, without line
  // endings; each at most max_line_length, all together at most max_listing_size.
  std::vector<std::string> readListing();

  // True when bytes the server sent have not been consumed yet (checked right after the +OK to
  // STLS, where anything buffered arrived in clear text).
  bool hasBufferedInput() const { return pos_ < buffer_.size(); }

 private:
  // Reads once more from the stream; throws net::NetworkError at end-of-stream, naming `what`.
  void fill(const char* what);

  net::ByteStream& stream_;
  const Pop3Limits& limits_;
  std::string buffer_;
  std::size_t pos_ = 0;
};

}  // namespace hd::pop3
