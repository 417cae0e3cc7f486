#pragma once
// Decodes the body of an RFC 1939 §3 multi-line response: the bytes after the status line up to
// the terminating "." line. Push-style (bytes in, bytes out, no I/O) so the same code runs on a
// socket buffer, a transcript and a fuzzer, for any split of the input into reads.
//
// Byte-exact: the output is the input minus the terminator and minus the first "." of every line
// that starts with one (dot-unstuffing). Line endings are kept as the server sent them.
// A line starts after every LF. The terminator is "." CRLF at the start of a line.
//
// Not thread-safe; one decoder per response.

#include <cstdint>
#include <string>
#include <string_view>

namespace hd::pop3 {

class DotDecoder {
 public:
  // What happens to decoded bytes past `max_size`: a protocol error (listings, where more is
  // hostile), or they are counted and dropped (a message over the size limit, a header block:
  // the response is still consumed to its end, so the session stays usable).
  enum class Overflow { kThrow, kDiscard };

  explicit DotDecoder(std::uint64_t max_size, Overflow overflow = Overflow::kThrow)
      : max_size_(max_size), overflow_(overflow) {}

  // Appends the decoded part of `input` to `out` and returns how many bytes of `input` it used.
  // That is all of them until the terminator is seen; then the count ends just after it and the
  // rest belongs to the next response. Throws net::ProtocolError when the decoded size would
  // exceed `max_size`.
  std::size_t feed(std::string_view input, std::string& out);

  // True once the terminating line has been consumed.
  bool done() const { return state_ == State::kDone; }

  // Decoded bytes so far (with Overflow::kDiscard, the dropped ones included).
  std::uint64_t size() const { return size_; }
  // True when bytes past max_size were dropped (Overflow::kDiscard).
  bool truncated() const { return size_ > max_size_; }

 private:
  enum class State {
    kLineStart,  // the next byte starts a line
    kInLine,     // inside a line
    kDot,        // a line started with "."; the dot is held back
    kDotCr,      // ".\r" at a line start: the terminator if LF follows
    kDone,
  };

  void append(std::string& out, std::string_view bytes);

  std::uint64_t max_size_;
  Overflow overflow_;
  std::uint64_t size_ = 0;
  State state_ = State::kLineStart;
};

}  // namespace hd::pop3
