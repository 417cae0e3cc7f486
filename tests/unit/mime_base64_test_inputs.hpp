#pragma once
// Test inputs for base64 in hd::mime: an encoder, seeded random bodies (valid, dirty, padded
// anywhere, noise), and what GMime itself decodes for a message's first leaf part, the expected
// value of the differential tests of our decoder.

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "connectors/mime/gmime_support.hpp"

namespace hd::mime::test {

inline constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Plain base64 of `bytes` with padding, no line breaks.
inline std::string encode(std::string_view bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      group = group << 8 | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    }
    for (std::size_t k = 0; k < 4; ++k) {
      out.push_back(k <= n ? kAlphabet[(group >> (18 - 6 * k)) & 63] : '=');
    }
  }
  return out;
}

class Inputs {
 public:
  explicit Inputs(std::uint64_t seed) : random_(seed) {}

  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_);
  }
  char anyByte() { return static_cast<char>(below(256)); }

  std::string bytes(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(anyByte());
    return out;
  }

  // Valid base64 of random bytes, broken into lines of a random length with CRLF or LF.
  std::string validBase64() {
    const std::string flat = encode(bytes(below(600)));
    const std::size_t line = 1 + below(100);
    const char* eol = below(2) == 0 ? "\r\n" : "\n";
    std::string out;
    for (std::size_t at = 0; at < flat.size(); at += line) out += flat.substr(at, line) + eol;
    return out;
  }

  // One of the characters an attacker (or a broken encoder) puts in a base64 body.
  char junk() {
    // Sized by the array, not by hand: the NUL inside stops strlen, and a miscount (39 for
    // these 37) once read past the literal, which only a sanitizer build showed.
    static constexpr char kJunkCharacters[] = " \t\r\n\v\f\0-_.*!:;<>\"'\\~`@#$%^&()[]{}|?,=";
    static constexpr std::string_view kJunk{kJunkCharacters, sizeof kJunkCharacters - 1};
    static_assert(kJunk.back() == '=');
    return below(4) == 0 ? static_cast<char>(0x80 + below(128)) : kJunk[below(kJunk.size())];
  }

  std::string withJunk(std::string text, std::size_t per_thousand) {
    std::string out;
    for (char c : text) {
      while (below(1000) < per_thousand) out.push_back(junk());
      out.push_back(c);
    }
    return out;
  }

  std::string withEqualsSigns(std::string text) {
    for (std::size_t n = below(4); n > 0 && !text.empty(); --n)
      text.insert(below(text.size()), "=");
    return text;
  }

  // Only alphabet characters and '=', densely: every padding position gets exercised.
  std::string alphabetAndEquals() {
    std::string out;
    for (std::size_t n = below(40); n > 0; --n) {
      out.push_back(below(6) == 0 ? '=' : kAlphabet[below(kAlphabet.size())]);
    }
    return out;
  }

  std::string any() {
    switch (below(6)) {
      case 0:
        return validBase64();
      case 1:
        return withJunk(validBase64(), 50);
      case 2:
        return withEqualsSigns(validBase64());
      case 3:
        return withEqualsSigns(withJunk(validBase64(), 200));
      case 4:
        return alphabetAndEquals();
      default:
        return bytes(below(400));
    }
  }

  std::vector<std::size_t> cuts(std::size_t size) {
    std::vector<std::size_t> out;
    if (size == 0) return out;
    for (std::size_t n = below(6); n > 0; --n) out.push_back(below(size + 1));
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::mt19937_64 random_;
};

// What GMime itself writes for the content of the first leaf part of `raw`.
inline std::string gmimeContentOfFirstLeaf(const std::string& raw) {
  ensureGMimeInitialised();
  const GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  const GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  const GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  GMimeObject* part = g_mime_message_get_mime_part(message.get());
  while (GMIME_IS_MULTIPART(part)) part = g_mime_multipart_get_part(GMIME_MULTIPART(part), 0);
  const GPtr<GMimeStream> out(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(GMIME_PART(part)), out.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

}  // namespace hd::mime::test
