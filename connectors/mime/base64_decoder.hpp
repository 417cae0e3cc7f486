#pragma once
// A streaming base64 decoder (RFC 2045 section 6.8) that gives, for every input, exactly the bytes
// GMime 3.2's g_mime_encoding_base64_decode_step gives, so replacing GMime's decoding filter
// changes no stored attachment and no SHA-256:
// - characters outside the alphabet (CR, LF, spaces, NUL, 8-bit bytes, punctuation) are skipped;
// - the first '=' ends the stream: a quantum of 2 or 3 characters before it gives 1 or 2 bytes,
//   one of 0 or 1 character gives nothing, and everything after it is ignored;
// - a trailing partial quantum without '=' gives nothing.
// Whole quanta of four alphabet characters (the lines of well-formed mail) are decoded four
// characters at a time; only what is left goes through the character-wise state machine.
// Internal to connectors/mime. Not thread-safe (one decoder per stream).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace hd::mime {

class Base64Decoder {
 public:
  // The most bytes one decode() of `encoded_size` characters can write (whatever came before).
  static constexpr std::size_t maxDecodedSize(std::size_t encoded_size) {
    return (encoded_size / 4 + 1) * 3 + 2;
  }

  // Decodes the next piece of the stream (split anywhere: the state carries over) into `out`,
  // and returns how many bytes it wrote. Throws std::invalid_argument when `out` is smaller than
  // maxDecodedSize(encoded.size()).
  std::size_t decode(std::string_view encoded, std::span<char> out);

  // True once a '=' has ended the stream: decode() writes nothing more.
  bool ended() const { return count_ < 0; }

 private:
  std::uint32_t bits_ = 0;  // the 6-bit values of the current quantum's characters so far
  int count_ = 0;           // how many (0-3), or -1 once the stream has ended
};

}  // namespace hd::mime
