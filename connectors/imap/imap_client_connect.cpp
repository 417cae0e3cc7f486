// Opening a session: the greeting and STARTTLS.
#include "connectors/imap/imap_client.hpp"

#include "connectors/imap/imap_log.hpp"
#include "connectors/imap/reply_text.hpp"
#include "connectors/imap/response_trace.hpp"
#include "connectors/net/errors.hpp"

namespace hd::imap {

bool ImapClient::readGreeting() {
  Response greeting = readResponse();
  if (greeting.kind != Response::Kind::kUntagged || greeting.type != Response::Type::kStatus) {
    throw net::ProtocolError("IMAP: expected a greeting, got " + traceOf(greeting));
  }
  // Detected once: Exchange needs a hint in sign-in errors (IMAP is off by default on
  // Outlook.com accounts, outlook.md [S1]).
  exchange_ = containsIgnoringCase(greeting.text, "Microsoft Exchange");
  switch (greeting.status) {
    case Status::kOk:
      logger().information("connected: " + greeting.text);
      return false;
    case Status::kPreauth:
      logger().information("connected, pre-authenticated: " + greeting.text);
      return true;
    case Status::kBye:
      throw net::NetworkError("IMAP server refused the connection: " + greeting.text);
    default:
      throw net::ProtocolError("IMAP: unexpected greeting " + traceOf(greeting));
  }
}

void ImapClient::startTls() {
  if (!hasCapability("STARTTLS")) {
    throw net::TlsError("IMAP server does not offer STARTTLS; refusing to continue without TLS");
  }
  const Response reply = run(Command("STARTTLS"));
  if (reply.status != Status::kOk) {
    throw net::TlsError("IMAP server refused STARTTLS: " + describeReply(reply));
  }
  if (reader_.buffered() != 0) {
    // Bytes that arrived before the handshake were not protected by it (response injection,
    // CVE-2011-0411 class): never read them as if they came over TLS.
    throw net::ProtocolError("IMAP: server sent data after the STARTTLS reply before TLS started");
  }
  stream_.startTls();
  logger().information("TLS started");
  // RFC 3501 section 6.2.1: capabilities learnt before STARTTLS are void.
  capabilities_.clear();
  refreshCapabilities();
}

}  // namespace hd::imap
