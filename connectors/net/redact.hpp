#pragma once
// Masks secrets in a protocol line before it reaches a log. Used for the debug-level protocol
// traces of IMAP and POP3 clients.
//
// Masked: IMAP `LOGIN user <password>`, IMAP `AUTHENTICATE <mech> <initial-response>`, POP3
// `AUTH <mech> <initial-response>`, POP3 `PASS <password>`, POP3 `APOP user <digest>`. The
// command may carry an IMAP tag. Everything else (including the user name) is returned as is,
// minus a trailing CRLF. Pure function, thread-safe.

#include <string>
#include <string_view>

namespace hd::net {

inline constexpr std::string_view kRedacted = "<redacted>";

std::string redactProtocolLine(std::string_view line);

}  // namespace hd::net
