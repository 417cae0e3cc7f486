#pragma once
// Masks secrets in a protocol line before it reaches a log. Used for the debug-level protocol
// traces of IMAP and POP3 clients.
//
// Masked: IMAP `LOGIN user <password>`, IMAP `AUTHENTICATE <mech> <initial-response>`, POP3
// `AUTH <mech> <initial-response>`, POP3 `PASS <password>`, POP3 `APOP user <digest>`. The
// command may carry an IMAP tag. Everything else (including the user name) is returned as is,
// minus a trailing CRLF. Pure function, thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

namespace hd::net {

inline constexpr std::string_view kRedacted = "<redacted>";

std::string redactProtocolLine(std::string_view line);

// Masks credentials in any error or log text before it leaves the process (log lines, /status,
// HTTP error bodies, stderr). Two layers, because libpq and others quote whatever they could not
// parse:
// - by shape: the password of a URI's userinfo (`scheme://user:<redacted>@host`, also when the
//   rest of the URI is malformed) and a conninfo `password=...` value;
// - by value: every secret given to rememberSecret() (the configuration registers each password,
//   token, client secret and key it reads), wherever it appears. Values shorter than
//   kMinRememberedSecret are not masked by value (masking "ab" everywhere would garble every log).
// Thread-safe.
inline constexpr std::size_t kMinRememberedSecret = 4;
void rememberSecret(std::string_view secret);
std::string redactSecrets(std::string_view text);

// The password part of a URI's userinfo ("postgresql://u:PASS@host/db" -> "PASS"), as written
// (not percent-decoded); empty when there is none. Tolerates malformed URIs.
std::string uriPassword(std::string_view uri);

}  // namespace hd::net
