#include "connectors/pop3/status_line.hpp"

#include <cctype>

#include "connectors/net/errors.hpp"

namespace hd::pop3 {
namespace {

// True when `line` starts with `indicator` (ASCII case-insensitive) followed by a space or the
// end of the line, so "+OKAY" is not "+OK". RFC 1939 §3 asks for upper case; being lenient about
// case costs nothing.
bool startsWithIndicator(std::string_view line, std::string_view indicator) {
  if (line.size() < indicator.size()) return false;
  for (std::size_t i = 0; i < indicator.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(line[i])) != indicator[i]) return false;
  }
  return line.size() == indicator.size() || line[indicator.size()] == ' ';
}

// A short printable excerpt of untrusted text for an error message.
std::string excerpt(std::string_view line) {
  std::string out;
  for (const char c : line.substr(0, 60))
    out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  return out;
}

std::string_view rest(std::string_view line, std::size_t indicator_size) {
  return line.size() > indicator_size ? line.substr(indicator_size + 1) : std::string_view{};
}

// RFC 2449 §8: "-ERR [IN-USE] ...". The code is only recognised at the very start of the text.
std::string responseCode(std::string_view text) {
  if (text.empty() || text.front() != '[') return {};
  const auto end = text.find(']');
  if (end == std::string_view::npos) return {};
  return std::string(text.substr(1, end - 1));
}

}  // namespace

StatusLine parseStatusLine(std::string_view line) {
  StatusLine status;
  std::size_t indicator_size = 0;
  if (startsWithIndicator(line, "+OK")) {
    status.kind = StatusLine::Kind::kOk;
    indicator_size = 3;
  } else if (startsWithIndicator(line, "-ERR")) {
    status.kind = StatusLine::Kind::kErr;
    indicator_size = 4;
  } else if (startsWithIndicator(line, "+")) {
    // RFC 5034 §4 requires "+ " but some servers send a bare "+" for an empty challenge.
    status.kind = StatusLine::Kind::kContinuation;
    indicator_size = 1;
  } else {
    throw net::ProtocolError("POP3: response line has no +OK/-ERR/+ indicator: \"" + excerpt(line) +
                             "\"");
  }
  status.text = std::string(rest(line, indicator_size));
  if (status.kind != StatusLine::Kind::kContinuation) status.code = responseCode(status.text);
  return status;
}

}  // namespace hd::pop3
