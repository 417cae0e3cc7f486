#include "connectors/imap/mailbox_name.hpp"

#include <cstdint>
#include <vector>

namespace hd::imap {
namespace {

// RFC 3501 5.1.3: base64 with ',' instead of '/', no padding.
constexpr char kModifiedBase64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

// Decodes one UTF-8 sequence at `pos`; returns U+FFFD (and consumes one byte) when invalid.
char32_t nextCodePoint(std::string_view text, std::size_t& pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  std::size_t length = 0;
  char32_t value = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    value = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    value = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    value = lead & 0x07;
  }
  if (length == 0 || pos + length > text.size()) {
    ++pos;
    return 0xfffd;
  }
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[pos + i]);
    if ((next & 0xc0) != 0x80) {
      ++pos;
      return 0xfffd;
    }
    value = (value << 6) | (next & 0x3f);
  }
  const bool overlong = (length == 3 && value < 0x800) || (length == 4 && value < 0x10000);
  if (overlong || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
    ++pos;
    return 0xfffd;
  }
  pos += length;
  return value;
}

void appendUtf16(std::vector<std::uint8_t>& bytes, char32_t cp) {
  auto unit = [&bytes](std::uint32_t u) {
    bytes.push_back(static_cast<std::uint8_t>(u >> 8));
    bytes.push_back(static_cast<std::uint8_t>(u & 0xff));
  };
  if (cp >= 0x10000) {
    cp -= 0x10000;
    unit(0xd800 + (cp >> 10));
    unit(0xdc00 + (cp & 0x3ff));
  } else {
    unit(cp);
  }
}

void appendModifiedBase64(std::string& out, const std::vector<std::uint8_t>& bytes) {
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kModifiedBase64[(buffer >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kModifiedBase64[(buffer << (6 - bits)) & 0x3f]);
}

}  // namespace

std::string encodeMailboxName(std::string_view utf8) {
  std::string out;
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    const auto c = static_cast<unsigned char>(utf8[pos]);
    if (c >= 0x20 && c <= 0x7e) {
      out += c == '&' ? std::string("&-") : std::string(1, static_cast<char>(c));
      ++pos;
      continue;
    }
    std::vector<std::uint8_t> utf16;
    while (pos < utf8.size()) {
      const auto d = static_cast<unsigned char>(utf8[pos]);
      if (d >= 0x20 && d <= 0x7e) break;
      appendUtf16(utf16, d < 0x80 ? static_cast<char32_t>(d) : nextCodePoint(utf8, pos));
      if (d < 0x80) ++pos;
    }
    out.push_back('&');
    appendModifiedBase64(out, utf16);
    out.push_back('-');
  }
  return out;
}

}  // namespace hd::imap
