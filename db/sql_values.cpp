#include "db/sql_values.hpp"

#include <nlohmann/json.hpp>

namespace hd::db {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

struct LeadByte {
  std::size_t length = 0;  // 0: not a lead byte of any well-formed sequence
  unsigned char second_lo = 0x80, second_hi = 0xBF;
};

// RFC 3629 section 4: the sequence length a byte announces and the range allowed for the second
// byte, which is what excludes overlong forms, UTF-16 surrogates and code points above U+10FFFF.
LeadByte leadByte(unsigned char b) {
  if (b < 0x80) return {1};
  if (b >= 0xC2 && b <= 0xDF) return {2};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b >= 0xE1 && b <= 0xEF) return {3};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b >= 0xF1 && b <= 0xF3) return {4};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {};
}

// Length of the well-formed prefix of the sequence starting `s`: the whole sequence when valid,
// else the maximal subpart that Unicode (section 3.9, "substitution of maximal subparts") replaces
// with one U+FFFD, so "\xE2\x82" followed by ASCII yields one replacement character, not two.
std::size_t wellFormedPrefix(std::string_view s, const LeadByte& lead) {
  const auto in = [&](std::size_t i, unsigned char lo, unsigned char hi) {
    if (i >= s.size()) return false;
    const auto b = static_cast<unsigned char>(s[i]);
    return b >= lo && b <= hi;
  };
  if (lead.length <= 1) return 1;
  if (!in(1, lead.second_lo, lead.second_hi)) return 1;
  std::size_t n = 2;
  while (n < lead.length && in(n, 0x80, 0xBF)) ++n;
  return n;
}

}  // namespace

std::string validUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const LeadByte lead = leadByte(static_cast<unsigned char>(text[i]));
    const std::size_t n = wellFormedPrefix(text.substr(i), lead);
    if (text[i] == '\0') {
      // dropped: PostgreSQL text cannot hold NUL
    } else if (n == lead.length) {
      out.append(text.substr(i, n));
    } else {
      out.append(kReplacement);
    }
    i += n;
  }
  return out;
}

std::string textArrayLiteral(const std::vector<std::string>& elements) {
  std::string out = "{";
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (i != 0) out.push_back(',');
    // Quoted element: only '"' and '\' need a backslash inside double quotes.
    out.push_back('"');
    for (char c : validUtf8(elements[i])) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

std::string addressesJson(const std::vector<mime::Address>& addresses) {
  auto array = nlohmann::json::array();
  for (const auto& a : addresses) {
    array.push_back({{"name", validUtf8(a.name)}, {"address", validUtf8(a.address)}});
  }
  return array.dump();
}

std::string warningsJson(const std::vector<mime::Warning>& warnings) {
  auto array = nlohmann::json::array();
  for (const auto& w : warnings) array.push_back(validUtf8(mime::render(w)));
  return array.dump();
}

std::string epochSecondsOrEmpty(const std::optional<std::chrono::system_clock::time_point>& time) {
  if (!time) return {};
  const long long seconds =
      std::chrono::duration_cast<std::chrono::seconds>(time->time_since_epoch()).count();
  return std::to_string(seconds);
}

}  // namespace hd::db
