// The session engine: tags, reading responses, running one command to its tagged reply,
// turning a refusal into the right error. The commands live in imap_client_*.cpp.
#include "connectors/imap/imap_client.hpp"

#include <cstdio>

#include "connectors/imap/errors.hpp"
#include "connectors/imap/imap_log.hpp"
#include "connectors/imap/reply_text.hpp"
#include "connectors/imap/response_trace.hpp"
#include "connectors/net/errors.hpp"
#include "connectors/net/exchange_sign_in.hpp"

namespace hd::imap {

ImapClient::ImapClient(net::ByteStream& stream, const ImapLimits& limits,
                       const spill::SpillPolicy& spill)
    : stream_(stream), limits_(limits), reader_(stream), parser_(reader_, limits_, spill) {}

bool ImapClient::hasCapability(std::string_view name) const {
  return capabilities_.count(upperAscii(std::string(name))) > 0;
}

void ImapClient::setCapabilities(const std::vector<std::string>& names) {
  capabilities_.clear();
  for (const std::string& name : names) capabilities_.insert(upperAscii(name));
  capabilities_updated_ = true;
}

std::string ImapClient::nextTag() {
  char tag[24];
  std::snprintf(tag, sizeof(tag), "A%04llu", static_cast<unsigned long long>(++tag_counter_));
  return tag;
}

Response ImapClient::readResponse() {
  Response response;
  try {
    response = parser_.next();
  } catch (const net::ProtocolError&) {
    throw;
  } catch (const net::NetworkError& e) {
    if (bye_text_.empty()) throw;
    throw net::NetworkError(std::string(e.what()) + " (after BYE: " + bye_text_ + ")");
  }
  if (logger().debug()) logger().debug("S: " + traceOf(response));

  if (response.type == Response::Type::kExists) ++exists_notices_;
  if (response.type == Response::Type::kCapability) setCapabilities(response.atoms);
  if (response.code && response.code->name == "CAPABILITY") setCapabilities(response.code->atoms);
  if (response.status == Status::kBye) {
    bye_text_ = response.text;
    logger().information("server says BYE: " + response.text);
  }
  if (response.code && response.code->name == "ALERT") {
    // RFC 3501 section 7.1: the text of an ALERT must reach a person.
    logger().warning("server alert: " + response.text);
  }
  return response;
}

void ImapClient::handleUntagged(Response& response, const UntaggedHandler& handler) {
  if (handler) handler(response);
}

Response ImapClient::waitForContinuation(const std::string& tag, const UntaggedHandler& handler) {
  for (;;) {
    Response response = readResponse();
    if (response.kind == Response::Kind::kContinuation) return response;
    if (response.kind == Response::Kind::kTagged) {
      if (response.tag != tag)
        throw net::ProtocolError("IMAP: reply for unknown tag " + response.tag);
      return response;  // the command was refused before its literal was sent
    }
    handleUntagged(response, handler);
  }
}

Response ImapClient::run(const Command& command, const UntaggedHandler& handler) {
  const std::string tag = nextTag();
  if (logger().debug()) logger().debug("C: " + tag + " " + command.trace());

  // LITERAL+ (RFC 7888): every literal may be non-synchronizing; LITERAL- only up to 4096 bytes.
  std::string pending = tag + " ";
  for (const Command::Part& part : command.parts()) {
    if (!part.literal) {
      pending += part.data;
      continue;
    }
    const bool plus =
        hasCapability("LITERAL+") || (hasCapability("LITERAL-") && part.data.size() <= 4096);
    pending += "{" + std::to_string(part.data.size()) + (plus ? "+" : "") + "}\r\n";
    stream_.write(pending);
    pending.clear();
    if (!plus) {
      Response response = waitForContinuation(tag, handler);
      if (response.kind == Response::Kind::kTagged) return response;
    }
    stream_.write(part.data);
  }
  pending += "\r\n";
  stream_.write(pending);

  for (;;) {
    Response response = readResponse();
    if (response.kind == Response::Kind::kTagged) {
      if (response.tag != tag) {
        throw net::ProtocolError("IMAP: reply for unknown tag " + response.tag +
                                 " while waiting for " + tag);
      }
      return response;
    }
    if (response.kind == Response::Kind::kContinuation) {
      throw net::ProtocolError("IMAP: unexpected continuation request during " + command.name());
    }
    handleUntagged(response, handler);
  }
}

Response ImapClient::runOk(const Command& command, const UntaggedHandler& handler) {
  Response reply = run(command, handler);
  if (reply.status == Status::kOk) return reply;
  throwRefusal(command.name(), reply);
}

void ImapClient::throwRefusal(const std::string& command, const Response& reply) {
  const std::string message = "IMAP " + command + " failed: " + describeReply(reply);
  if (auto backoff = throttleBackoff(reply.text)) throw net::ThrottledError(message, *backoff);
  // Exchange Online signs the session in, then refuses the next command (SELECT, NAMESPACE,
  // LIST) with "BAD User is authenticated but not connected.": no access to this mailbox.
  if (signed_in_ && containsIgnoringCase(reply.text, "authenticated but not connected")) {
    throw net::mailboxAccessRefused("IMAP", user_, command + ": " + describeReply(reply));
  }
  if (reply.code && reply.code->name == "TRYCREATE") throw MissingMailboxError(message);
  throw net::CommandError(message);
}

void ImapClient::logout() noexcept {
  try {
    const std::string line = nextTag() + " LOGOUT";
    if (logger().debug()) logger().debug("C: " + line);
    stream_.write(line + "\r\n");
  } catch (...) {
    // Best effort: the connection is closed right after anyway.
  }
}

}  // namespace hd::imap
