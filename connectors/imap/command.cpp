#include "connectors/imap/command.hpp"

#include "connectors/imap/mailbox_name.hpp"
#include "connectors/net/redact.hpp"

namespace hd::imap {
namespace {

// ASTRING-CHAR minus list-wildcards and '\': those are legal in some positions only.
bool isSafeAtomChar(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case '(':
    case ')':
    case '{':
    case '"':
    case '\\':
    case '%':
    case '*':
      return false;
    default:
      return true;
  }
}

bool isQuotable(unsigned char c) {
  return c >= 0x01 && c <= 0x7f && c != '\r' && c != '\n';
}

}  // namespace

Command& Command::text(std::string_view text) {
  if (parts_.empty() || parts_.back().literal) parts_.push_back({"", false});
  parts_.back().data += text;
  return *this;
}

Command& Command::astring(std::string_view value) {
  text(" ");
  bool atom = !value.empty();
  bool quotable = true;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    atom = atom && isSafeAtomChar(u);
    quotable = quotable && isQuotable(u);
  }
  if (atom) return text(value);
  if (quotable) {
    std::string quoted = "\"";
    for (char c : value) {
      if (c == '"' || c == '\\') quoted.push_back('\\');
      quoted.push_back(c);
    }
    quoted.push_back('"');
    return text(quoted);
  }
  parts_.push_back({std::string(value), true});
  return *this;
}

Command& Command::mailbox(std::string_view utf8_name) {
  return astring(encodeMailboxName(utf8_name));
}

std::string Command::name() const {
  if (parts_.empty()) return "";
  const std::string& first = parts_.front().data;
  std::size_t end = first.find(' ');
  // "UID FETCH" rather than "UID": the second word is what failed.
  if (first.compare(0, end, "UID") == 0 && end != std::string::npos) end = first.find(' ', end + 1);
  return first.substr(0, end);
}

std::string Command::trace() const {
  std::string line;
  for (const Part& part : parts_) {
    line += part.literal ? "{" + std::to_string(part.data.size()) + "}" : part.data;
  }
  return net::redactProtocolLine(line);
}

}  // namespace hd::imap
