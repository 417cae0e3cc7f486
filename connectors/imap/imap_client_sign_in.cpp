// Signing in: LOGIN, SASL AUTHENTICATE (PLAIN, XOAUTH2) and how a refusal is reported.
#include "connectors/imap/imap_client.hpp"

#include "connectors/imap/imap_log.hpp"
#include "connectors/imap/reply_text.hpp"
#include "connectors/net/errors.hpp"
#include "connectors/net/exchange_sign_in.hpp"
#include "connectors/net/redact.hpp"

namespace hd::imap {

void ImapClient::throwAuthFailure(const Response& reply, const std::string& detail) {
  std::string message = "IMAP sign-in refused: " + describeReply(reply);
  if (!detail.empty()) message += "; server detail: " + detail;
  if (auto backoff = throttleBackoff(reply.text)) throw net::ThrottledError(message, *backoff);
  // Exchange Online may say "User is authenticated but not connected." to AUTHENTICATE itself
  // too: the same mailbox permission problem as after a successful one (outlook.md).
  if (containsIgnoringCase(reply.text, "authenticated but not connected")) {
    throw net::mailboxAccessRefused("IMAP", user_, describeReply(reply));
  }
  // RFC 5530: UNAVAILABLE is a temporary failure of the authentication backend.
  if (reply.code && reply.code->name == "UNAVAILABLE") throw net::AuthError(message, true);
  if (exchange_) message += net::outlookSignInHint("IMAP");
  throw net::AuthError(message, false);
}

void ImapClient::afterSignIn(const Response& reply) {
  (void)reply;
  signed_in_ = true;
  // Capabilities may change after sign-in (Exchange only then announces MOVE). Dovecot sends
  // them in the tagged OK; ask only when nothing arrived.
  if (!capabilities_updated_) refreshCapabilities();
}

void ImapClient::login(const std::string& user, const std::string& password) {
  if (hasCapability("LOGINDISABLED")) {
    throw net::AuthError("IMAP server disables LOGIN on this connection (LOGINDISABLED)", false);
  }
  capabilities_updated_ = false;
  user_ = user;
  const Response reply = run(Command("LOGIN").astring(user).astring(password));
  if (reply.status != Status::kOk) throwAuthFailure(reply, "");
  logger().information("signed in as " + user + " with LOGIN");
  afterSignIn(reply);
}

void ImapClient::authenticate(const net::SaslCredentials& sasl) {
  const std::string encoded = net::base64Encode(sasl.initial_response);
  const bool initial_response = hasCapability("SASL-IR");
  capabilities_updated_ = false;

  const std::string tag = nextTag();
  std::string line = tag + " AUTHENTICATE " + sasl.mechanism;
  // RFC 4959: "=" stands for an empty initial response.
  if (initial_response) line += " " + (encoded.empty() ? std::string("=") : encoded);
  if (logger().debug()) logger().debug("C: " + net::redactProtocolLine(line));
  stream_.write(line + "\r\n");

  bool response_sent = initial_response;
  std::string challenge;
  for (;;) {
    Response response = readResponse();
    if (response.kind == Response::Kind::kContinuation) {
      if (!response_sent) {
        if (logger().debug()) logger().debug("C: " + std::string(net::kRedacted));
        stream_.write(encoded + "\r\n");
        response_sent = true;
        continue;
      }
      // A challenge after our only response is an error report (XOAUTH2: base64 JSON from
      // Exchange and Gmail). The mechanism requires an empty reply, then the tagged NO follows.
      try {
        challenge = net::base64Decode(response.text);
      } catch (const net::ProtocolError&) {
        challenge = response.text;
      }
      if (logger().debug()) logger().debug("C: (empty line)");
      stream_.write("\r\n");
      continue;
    }
    if (response.kind == Response::Kind::kTagged) {
      if (response.tag != tag)
        throw net::ProtocolError("IMAP: reply for unknown tag " + response.tag);
      if (response.status != Status::kOk) throwAuthFailure(response, challenge);
      afterSignIn(response);
      return;
    }
    handleUntagged(response, {});
  }
}

void ImapClient::signIn(const net::Credentials& credentials) {
  const std::string secret = credentials.secret ? credentials.secret() : std::string();
  user_ = credentials.username;
  if (credentials.method == net::Credentials::Method::kXoauth2) {
    if (!hasCapability("AUTH=XOAUTH2")) {
      throw net::AuthError("IMAP server does not offer AUTH=XOAUTH2", false);
    }
    authenticate(net::saslXoauth2(credentials.username, secret));
    logger().information("signed in as " + credentials.username + " with XOAUTH2");
  } else if (hasCapability("AUTH=PLAIN")) {
    authenticate(net::saslPlain(credentials.username, secret));
    logger().information("signed in as " + credentials.username + " with PLAIN");
  } else {
    login(credentials.username, secret);
  }
}

}  // namespace hd::imap
