#pragma once
// SASL mechanisms as data, so IMAP AUTHENTICATE and POP3 AUTH share them. A mechanism produces
// the initial client response; the protocol client decides whether to send it inline (SASL-IR)
// or after the server's "+" continuation.

#include <string>

namespace hd::net {

struct SaslCredentials {
  std::string mechanism;         // "PLAIN" or "XOAUTH2"
  std::string initial_response;  // raw bytes, NOT base64 encoded yet
};

// RFC 4616: "\0user\0password".
SaslCredentials saslPlain(const std::string& user, const std::string& password);

// Google/Microsoft XOAUTH2: "user=<user>\x01auth=Bearer <token>\x01\x01".
SaslCredentials saslXoauth2(const std::string& user, const std::string& access_token);

std::string base64Encode(const std::string& bytes);
std::string base64Decode(const std::string& text);  // lenient about whitespace; throws on junk

}  // namespace hd::net
