#pragma once
// A read buffer over a ByteStream, shared by the IMAP and POP3 clients: byte-wise access for
// tokenizers, CRLF lines with a length bound, exact-size reads into the caller's string, and
// exact-size reads handed over in pieces (a 150 MB literal goes to a spill file, never whole in
// memory).
//
// Errors: NetworkError when the stream ends (read returns 0) before the request is satisfied, or
// when the ByteStream throws it (timeout, reset); ProtocolError when a line exceeds its bound.
// Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/net/byte_stream.hpp"

namespace hd::net {

class BufferedReader {
 public:
  explicit BufferedReader(ByteStream& stream, std::size_t buffer_size = 64 * 1024);

  // The next byte, without consuming it.
  char peek();
  // The next byte, consumed.
  char get();

  // Reads up to and including LF; returns the line without its CRLF (a bare LF is accepted as
  // well). Throws ProtocolError when the line, without its end, is longer than `max_length`.
  std::string readLine(std::size_t max_length);

  // Appends exactly `count` bytes to `out`.
  void readExact(std::size_t count, std::string& out);

  // Consumes exactly `count` bytes, passing them to `consume` in order, in pieces of at most the
  // buffer's size (each valid only during its call).
  void readPieces(std::uint64_t count, const std::function<void(std::string_view)>& consume);

  // Consumes and discards exactly `count` bytes.
  void skip(std::size_t count);

  // Bytes already received but not consumed. After a STARTTLS/STLS reply this must be 0: bytes
  // sent before the TLS handshake must never be read as if they came over TLS.
  std::size_t buffered() const { return end_ - begin_; }

 private:
  void fill();  // at least one more byte, or NetworkError

  ByteStream& stream_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace hd::net
