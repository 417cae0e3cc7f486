#include "connectors/pop3/dot_decoder.hpp"

#include <algorithm>
#include <cstring>

#include "connectors/net/errors.hpp"

namespace hd::pop3 {

void DotDecoder::append(std::string& out, std::string_view bytes) {
  const std::uint64_t room = size_ < max_size_ ? max_size_ - size_ : 0;
  if (bytes.size() > room && overflow_ == Overflow::kThrow) {
    throw net::ProtocolError("POP3: multi-line response exceeds the limit of " +
                             std::to_string(max_size_) + " bytes");
  }
  out.append(
      bytes.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(room, bytes.size()))));
  size_ += bytes.size();
}

std::size_t DotDecoder::feed(std::string_view input, std::string& out) {
  std::size_t pos = 0;
  while (pos < input.size() && state_ != State::kDone) {
    const char c = input[pos];
    switch (state_) {
      case State::kLineStart:
        if (c == '.') {
          state_ = State::kDot;
          ++pos;
        } else {
          state_ = State::kInLine;
        }
        break;
      case State::kInLine: {
        // Copy up to and including the next LF in one piece: messages are mostly line bodies.
        const char* lf =
            static_cast<const char*>(std::memchr(input.data() + pos, '\n', input.size() - pos));
        const std::size_t end = lf ? static_cast<std::size_t>(lf - input.data()) + 1 : input.size();
        append(out, input.substr(pos, end - pos));
        pos = end;
        if (lf) state_ = State::kLineStart;
        break;
      }
      case State::kDot:
        // RFC 1939 §3: a line that starts with "." and is not the terminator loses that first
        // octet, whether or not the server doubled it.
        if (c == '\r') {
          state_ = State::kDotCr;
          ++pos;
        } else {
          state_ = State::kInLine;
        }
        break;
      case State::kDotCr:
        if (c == '\n') {
          state_ = State::kDone;
          ++pos;
        } else {
          // ".\r" followed by something else: an unstuffed line whose text starts with CR.
          append(out, "\r");
          state_ = State::kInLine;
        }
        break;
      case State::kDone:
        break;
    }
  }
  return pos;
}

}  // namespace hd::pop3
