#include "service/http/content_disposition.hpp"

#include <cctype>

#include "connectors/mime/bidi_controls.hpp"

namespace hd::service::http {
namespace {

constexpr std::size_t kMaxNameBytes = 150;

bool isTokenChar(unsigned char c) {
  // RFC 2045 token: any printable ASCII except tspecials.
  static const std::string kSpecials = "()<>@,;:\\\"/[]?=";
  return c > 0x20 && c < 0x7f && kSpecials.find(static_cast<char>(c)) == std::string::npos;
}

// The name with everything that could steer a path or break the header removed.
std::string cleaned(const std::string& filename) {
  std::string out;
  // Also here for names stored before parsing removed bidi controls ("gpj.exe" spoofs).
  for (unsigned char c : mime::withoutBidiControls(filename)) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '"') continue;
    out += static_cast<char>(c);
  }
  std::size_t start = out.find_first_not_of(". ");
  out = start == std::string::npos ? std::string() : out.substr(start);
  if (out.size() > kMaxNameBytes) {
    std::size_t cut = kMaxNameBytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
      --cut;  // UTF-8 boundary
    out.resize(cut);
  }
  return out.empty() ? "attachment" : out;
}

}  // namespace

std::string contentDisposition(const std::string& filename) {
  const std::string name = cleaned(filename);
  std::string ascii, encoded;
  static const char* kHex = "0123456789ABCDEF";
  for (unsigned char c : name) {
    bool plain =
        std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ' ' || c == '(' || c == ')';
    ascii += plain ? static_cast<char>(c) : '_';
    // RFC 8187 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"
    if (std::isalnum(c) ||
        std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 0xf];
    }
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

std::string safeContentType(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  std::size_t slash = type.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == type.size())
    return "application/octet-stream";
  for (std::size_t i = 0; i < type.size(); ++i) {
    auto c = static_cast<unsigned char>(type[i]);
    if (i != slash && !isTokenChar(c)) return "application/octet-stream";
    type[i] = static_cast<char>(std::tolower(c));
  }
  return type;
}

}  // namespace hd::service::http
