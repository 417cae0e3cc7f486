#include "connectors/mime/base64_decoder.hpp"

#include <array>
#include <stdexcept>

namespace hd::mime {
namespace {

constexpr std::uint8_t kNotInAlphabet = 0xFF;  // the only value with bit 7 set

constexpr std::array<std::uint8_t, 256> kSixBits = [] {
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::array<std::uint8_t, 256> values{};
  values.fill(kNotInAlphabet);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    values[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return values;
}();

// Writes the top `count` bytes of a 24-bit group.
char* put(char* out, std::uint32_t group, int count) {
  out[0] = static_cast<char>(group >> 16);
  if (count > 1) out[1] = static_cast<char>(group >> 8);
  if (count > 2) out[2] = static_cast<char>(group);
  return out + count;
}

}  // namespace

std::size_t Base64Decoder::decode(std::string_view encoded, std::span<char> out) {
  if (out.size() < maxDecodedSize(encoded.size())) {
    throw std::invalid_argument("Base64Decoder::decode: output buffer too small");
  }
  if (ended()) return 0;
  const auto* in = reinterpret_cast<const unsigned char*>(encoded.data());
  const auto* const end = in + encoded.size();
  char* written = out.data();
  std::uint32_t bits = bits_;
  int count = count_;
  while (in < end) {
    if (count == 0) {
      // Between quanta: decode whole ones while the next four characters are all in the alphabet.
      while (end - in >= 4) {
        const std::uint32_t a = kSixBits[in[0]], b = kSixBits[in[1]], c = kSixBits[in[2]],
                            d = kSixBits[in[3]];
        if (((a | b | c | d) & 0x80) != 0) break;
        written = put(written, a << 18 | b << 12 | c << 6 | d, 3);
        in += 4;
      }
      if (in == end) break;
    }
    const unsigned char character = *in++;
    const std::uint8_t value = kSixBits[character];
    if (value != kNotInAlphabet) {
      bits = bits << 6 | value;
      if (++count == 4) {
        written = put(written, bits, 3);
        bits = 0;
        count = 0;
      }
    } else if (character == '=') {
      // Padding ends the stream, as in GMime: "QQ=" is one byte, "QUI=" two, and a lone
      // character before '=' (a broken encoder) is dropped.
      if (count >= 2) written = put(written, bits << (6 * (4 - count)), count - 1);
      count = -1;
      break;
    }
    // Any other character (line breaks, spaces, junk) is skipped.
  }
  bits_ = bits;
  count_ = count;
  return static_cast<std::size_t>(written - out.data());
}

}  // namespace hd::mime
