#include "connectors/net/sasl.hpp"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>

#include <cctype>
#include <sstream>

#include "connectors/net/errors.hpp"

namespace hd::net {

SaslCredentials saslPlain(const std::string& user, const std::string& password) {
  // RFC 4616 section 2: message = [authzid] UTF8NUL authcid UTF8NUL passwd; we never act as
  // another identity, so authzid stays empty.
  std::string response;
  response.reserve(user.size() + password.size() + 2);
  response.push_back('\0');
  response += user;
  response.push_back('\0');
  response += password;
  return {"PLAIN", std::move(response)};
}

SaslCredentials saslXoauth2(const std::string& user, const std::string& access_token) {
  // Microsoft "Authenticate an IMAP, POP or SMTP connection using OAuth" / Google XOAUTH2 spec.
  return {"XOAUTH2", "user=" + user + "\x01" + "auth=Bearer " + access_token + "\x01\x01"};
}

std::string base64Encode(const std::string& bytes) {
  std::ostringstream out;
  // Line length 0: IMAP AUTHENTICATE and POP3 AUTH take the response as one line (RFC 4959).
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder << bytes;
  encoder.close();
  return out.str();
}

std::string base64Decode(const std::string& text) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0) compact.push_back(c);
  }
  for (char c : compact) {
    const bool valid =
        std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/' || c == '=';
    if (!valid) throw ProtocolError("invalid base64 character in server data");
  }
  std::istringstream in(compact);
  Poco::Base64Decoder decoder(in);
  std::string result;
  try {
    char buffer[1024];
    while (decoder.read(buffer, sizeof(buffer)) || decoder.gcount() > 0) {
      result.append(buffer, static_cast<std::size_t>(decoder.gcount()));
    }
  } catch (const Poco::Exception& e) {
    throw ProtocolError("invalid base64 in server data: " + e.message());
  }
  return result;
}

}  // namespace hd::net
