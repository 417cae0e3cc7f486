#include "db/feed_cursor.hpp"

#include <charconv>

namespace hd::db {
namespace {

// 'd': generation, xid, id. 'c' (xid, id) is still read: cursors saved by clients before
// generations existed.
constexpr char kVersion = 'd';
constexpr char kVersionWithoutGeneration = 'c';
constexpr std::size_t kHexDigits = 16;
constexpr const char* kHex = "0123456789abcdef";

void appendHex(std::string& out, std::uint64_t value) {
  for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xf];
}

std::optional<std::uint64_t> parseHex(std::string_view text) {
  std::uint64_t value = 0;
  for (char c : text) {
    // Lowercase only, so that one position has exactly one spelling.
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string encodeCursor(const FeedCursor& cursor) {
  if (cursor.isStart()) return "0";
  std::string out(1, kVersion);
  appendHex(out, cursor.generation);
  appendHex(out, cursor.xid);
  appendHex(out, static_cast<std::uint64_t>(cursor.id));
  return out;
}

std::optional<FeedCursor> decodeCursor(std::string_view text) {
  if (text.empty() || text == "0") return FeedCursor{};
  std::optional<std::uint64_t> generation = 0;
  if (text.size() == 1 + 3 * kHexDigits && text[0] == kVersion) {
    generation = parseHex(text.substr(1, kHexDigits));
    if (generation == 0u) return std::nullopt;  // never handed out
    text.remove_prefix(kHexDigits);
  } else if (text.size() != 1 + 2 * kHexDigits || text[0] != kVersionWithoutGeneration) {
    return std::nullopt;
  }
  auto xid = parseHex(text.substr(1, kHexDigits));
  auto id = parseHex(text.substr(1 + kHexDigits));
  if (!generation || !xid || !id || *id > static_cast<std::uint64_t>(INT64_MAX)) {
    return std::nullopt;
  }
  return FeedCursor{*xid, static_cast<std::int64_t>(*id), *generation};
}

}  // namespace hd::db
