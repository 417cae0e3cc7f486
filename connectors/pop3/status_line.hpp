#pragma once
// The first line of every POP3 response: "+OK", "-ERR" (RFC 1939 §3) or the SASL continuation
// "+ " (RFC 5034 §4).

#include <string>
#include <string_view>

namespace hd::pop3 {

struct StatusLine {
  enum class Kind { kOk, kErr, kContinuation };
  Kind kind = Kind::kOk;
  std::string text;  // what follows the indicator and one space; base64 for a continuation
  std::string code;  // RFC 2449 §8 extended response code ("IN-USE", "SYS/TEMP", "AUTH"), or ""

  bool ok() const { return kind == Kind::kOk; }
};

// Parses one line received without its line ending. Throws net::ProtocolError when the line
// starts with none of the three indicators.
StatusLine parseStatusLine(std::string_view line);

}  // namespace hd::pop3
