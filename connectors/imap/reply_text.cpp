#include "connectors/imap/reply_text.hpp"

#include <cctype>

#include "connectors/imap/grammar_chars.hpp"

namespace hd::imap {

bool containsIgnoringCase(std::string_view text, std::string_view needle) {
  return upperAscii(std::string(text)).find(upperAscii(std::string(needle))) != std::string::npos;
}

std::optional<std::chrono::milliseconds> throttleBackoff(std::string_view text) {
  if (!containsIgnoringCase(text, "throttled")) return std::nullopt;
  const std::size_t pos = upperAscii(std::string(text)).find("BACKOFF TIME:");
  std::uint64_t ms = 0;
  if (pos != std::string::npos) {
    std::size_t i = pos + 13;
    while (i < text.size() && text[i] == ' ') ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0 &&
           ms < 1'000'000'000) {
      ms = ms * 10 + static_cast<std::uint64_t>(text[i++] - '0');
    }
  }
  return std::chrono::milliseconds(ms > 0 ? ms : 60'000);
}

std::string describeReply(const Response& reply) {
  std::string text = toString(reply.status);
  if (reply.code) text += " [" + reply.code->name + "]";
  if (!reply.text.empty()) text += " " + reply.text;
  return text;
}

}  // namespace hd::imap
