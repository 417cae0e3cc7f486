#include "connectors/mime/base64_decoder.hpp"

#include <array>
#include <stdexcept>

namespace hd::mime {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kNotInAlphabet = 0xFF;

constexpr std::array<std::uint8_t, 256> kSixBits = [] {
  std::array<std::uint8_t, 256> values{};
  values.fill(kNotInAlphabet);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    values[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return values;
}();

// For the fast path: a character's six bits already shifted to its place in a quantum's 24-bit
// group (kInQuantum[k] for the k-th character), or kOutside for a character not in the alphabet,
// so a quantum is four lookups ORed together and one test.
constexpr std::uint32_t kOutside = 1u << 24;
constexpr auto kInQuantum = [] {
  std::array<std::array<std::uint32_t, 256>, 4> shifted{};
  for (std::size_t k = 0; k < 4; ++k) {
    for (std::size_t c = 0; c < 256; ++c) {
      shifted[k][c] =
          kSixBits[c] == kNotInAlphabet ? kOutside : std::uint32_t{kSixBits[c]} << (18 - 6 * k);
    }
  }
  return shifted;
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
      // Between quanta: whole quanta of four alphabet characters, and any character that is
      // neither in the alphabet nor '=' (a line break), are taken here without the state machine.
      while (end - in >= 4) {
        const std::uint32_t group = kInQuantum[0][in[0]] | kInQuantum[1][in[1]] |
                                    kInQuantum[2][in[2]] | kInQuantum[3][in[3]];
        if ((group & kOutside) == 0) {
          written = put(written, group, 3);
          in += 4;
        } else if (kSixBits[in[0]] == kNotInAlphabet && in[0] != '=') {
          ++in;
        } else {
          break;
        }
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
