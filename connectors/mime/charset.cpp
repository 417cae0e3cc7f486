#include "connectors/mime/charset.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>

#include "connectors/mime/ascii.hpp"
#include "connectors/mime/gmime_support.hpp"

namespace hd::mime {
namespace {

void appendCodePoint(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence starting at `i`, or 0 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF).
std::size_t utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

std::string normalizeLabel(std::string_view charset) {
  std::string label;
  for (char c : charset) {
    if (c == '"' || c == '\'' || std::isspace(static_cast<unsigned char>(c))) continue;
    label.push_back(asciiLower(c));
  }
  return label;
}

bool isLatin1Label(const std::string& label) {
  static constexpr std::array<std::string_view, 9> kLabels = {
      "iso-8859-1",   "iso8859-1", "iso_8859-1", "latin1",         "l1",
      "windows-1252", "cp1252",    "x-cp1252",   "iso-8859-1:1987"};
  return std::find(kLabels.begin(), kLabels.end(), label) != kLabels.end();
}

bool isAsciiLabel(const std::string& label) {
  return label == "us-ascii" || label == "ascii" || label == "ansi_x3.4-1968" ||
         label == "iso646-us";
}

// `kind` says why the bytes are read as windows-1252; `label` is the unknown charset, if any.
std::string undeclared(std::string_view bytes, std::vector<Warning>& warnings,
                       std::string_view where, WarningKind kind, std::string label = {}) {
  if (isValidUtf8(bytes)) return std::string(bytes);
  warnings.push_back({.kind = kind, .where = std::string(where), .detail = std::move(label)});
  return windows1252ToUtf8(bytes);
}

// UTF-8 labelled text that is not valid UTF-8. Mislabelled windows-1252 (no valid multibyte
// sequence at all) is common from older Outlook/Exchange gateways; otherwise keep what is valid.
std::string repairUtf8(std::string_view bytes, std::vector<Warning>& warnings,
                       std::string_view where) {
  std::string out;
  out.reserve(bytes.size());
  bool any_multibyte = false;
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = utf8SequenceLength(bytes, i);
    if (n == 0) {
      out.append(kReplacement);
      ++i;
      continue;
    }
    any_multibyte = any_multibyte || n > 1;
    out.append(bytes.substr(i, n));
    i += n;
  }
  if (!any_multibyte) {
    warnings.push_back({.kind = WarningKind::kMislabelledUtf8, .where = std::string(where)});
    return windows1252ToUtf8(bytes);
  }
  warnings.push_back({.kind = WarningKind::kInvalidUtf8Replaced, .where = std::string(where)});
  return out;
}

// iconv with U+FFFD for each byte that cannot be decoded, so one bad byte does not lose the text.
std::string convertLenient(GIConv cd, std::string_view bytes, std::size_t& bad) {
  std::string out;
  std::string buffer(bytes.size() * 2 + 64, '\0');
  gchar* in = const_cast<gchar*>(bytes.data());
  gsize in_left = bytes.size();
  bool flushing = false;
  for (;;) {
    gchar* out_ptr = buffer.data();
    gsize out_left = buffer.size();
    const gsize rc = flushing ? g_iconv(cd, nullptr, nullptr, &out_ptr, &out_left)
                              : g_iconv(cd, &in, &in_left, &out_ptr, &out_left);
    const int error = errno;
    out.append(buffer.data(), static_cast<std::size_t>(out_ptr - buffer.data()));
    if (rc != static_cast<gsize>(-1)) {
      if (flushing) break;
      flushing = true;  // stateful charsets (ISO-2022-JP) emit their final reset here
      continue;
    }
    if (error == E2BIG) continue;
    if (error == EILSEQ || error == EINVAL) {
      ++bad;
      out.append(kReplacement);
      if (in_left == 0) break;
      ++in;
      --in_left;
      continue;
    }
    break;
  }
  return out;
}

}  // namespace

bool isAscii(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool isValidUtf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = utf8SequenceLength(bytes, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string windows1252ToUtf8(std::string_view bytes) {
  static constexpr std::array<char16_t, 32> kHigh = {
      0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x80 && b < 0xA0) {
      appendCodePoint(out, kHigh[b - 0x80]);
    } else {
      appendCodePoint(out, b);
    }
  }
  return out;
}

std::string toUtf8(std::string_view bytes, std::string_view charset, std::vector<Warning>& warnings,
                   std::string_view where) {
  const std::string label = normalizeLabel(charset);
  if (label.empty()) return undeclared(bytes, warnings, where, WarningKind::kUndeclared8Bit);
  if (isAsciiLabel(label)) {
    if (isAscii(bytes)) return std::string(bytes);
    return undeclared(bytes, warnings, where, WarningKind::kMislabelledAscii);
  }
  if (isLatin1Label(label)) return windows1252ToUtf8(bytes);
  if (label == "utf-8" || label == "utf8") {
    if (isValidUtf8(bytes)) return std::string(bytes);
    return repairUtf8(bytes, warnings, where);
  }
  ensureGMimeInitialised();  // the charset alias table lives in GMime's global state
  const char* iconv_name = g_mime_charset_iconv_name(label.c_str());
  GIConv cd = g_iconv_open("UTF-8", iconv_name != nullptr ? iconv_name : label.c_str());
  if (cd == reinterpret_cast<GIConv>(-1)) {
    return undeclared(bytes, warnings, where, WarningKind::kUnknownCharset, label);
  }
  std::size_t bad = 0;
  std::string out = convertLenient(cd, bytes, bad);
  g_iconv_close(cd);
  if (bad > 0) {
    warnings.push_back({.kind = WarningKind::kUndecodableBytes,
                        .where = std::string(where),
                        .detail = label,
                        .count = bad});
  }
  return out;
}

}  // namespace hd::mime
