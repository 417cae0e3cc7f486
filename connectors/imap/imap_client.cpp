#include "connectors/imap/imap_client.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <optional>

#include "connectors/imap/errors.hpp"
#include "connectors/net/errors.hpp"
#include "connectors/net/exchange_sign_in.hpp"
#include "connectors/net/redact.hpp"

namespace hd::imap {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("hd.imap");
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

bool contains(std::string_view text, std::string_view needle) {
  return upper(std::string(text)).find(upper(std::string(needle))) != std::string::npos;
}

// Exchange Online: "BAD Request is throttled. Suggested Backoff Time: 299961 milliseconds",
// then it disconnects (outlook.md).
std::optional<std::chrono::milliseconds> throttleBackoff(std::string_view text) {
  if (!contains(text, "throttled")) return std::nullopt;
  const std::size_t pos = upper(std::string(text)).find("BACKOFF TIME:");
  std::uint64_t ms = 0;
  if (pos != std::string::npos) {
    std::size_t i = pos + 13;
    while (i < text.size() && text[i] == ' ') ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0 &&
           ms < 1'000'000'000) {
      ms = ms * 10 + static_cast<std::uint64_t>(text[i++] - '0');
    }
  }
  return std::chrono::milliseconds(ms > 0 ? ms : 60'000);
}

std::string describeReply(const Response& reply) {
  std::string text = toString(reply.status);
  if (reply.code) text += " [" + reply.code->name + "]";
  if (!reply.text.empty()) text += " " + reply.text;
  return text;
}

std::string traceOf(const Response& r) {
  switch (r.type) {
    case Response::Type::kContinuation:
      return "+ " + r.text;
    case Response::Type::kStatus: {
      std::string line = r.kind == Response::Kind::kTagged ? r.tag : "*";
      line += std::string(" ") + toString(r.status);
      if (r.code) {
        line +=
            " [" + r.code->name + (r.code->arguments.empty() ? "" : " " + r.code->arguments) + "]";
      }
      return line + " " + r.text;
    }
    case Response::Type::kFetch: {
      std::string line = "* " + std::to_string(r.number) + " FETCH (";
      if (r.fetch.uid) line += "UID " + std::to_string(*r.fetch.uid) + " ";
      if (r.fetch.rfc822_size) line += "RFC822.SIZE " + std::to_string(*r.fetch.rfc822_size) + " ";
      if (r.fetch.flags) line += "FLAGS (" + std::to_string(r.fetch.flags->size()) + ") ";
      if (r.fetch.body) line += "BODY[] {" + std::to_string(r.fetch.body->size()) + "}";
      return line + ")";
    }
    case Response::Type::kSearch:
      return "* SEARCH (" + std::to_string(r.numbers.size()) + " results)";
    case Response::Type::kCapability: {
      std::string line = "* CAPABILITY";
      for (const std::string& atom : r.atoms) line += " " + atom;
      return line;
    }
    case Response::Type::kExists:
      return "* " + std::to_string(r.number) + " EXISTS";
    case Response::Type::kRecent:
      return "* " + std::to_string(r.number) + " RECENT";
    case Response::Type::kExpunge:
      return "* " + std::to_string(r.number) + " EXPUNGE";
    case Response::Type::kFlags:
      return "* FLAGS (...)";
    case Response::Type::kList:
      return "* LIST " + r.list.mailbox;
    case Response::Type::kOther:
      break;
  }
  return "* " + r.text + " ...";
}

}  // namespace

ImapClient::ImapClient(net::ByteStream& stream, const ImapLimits& limits)
    : stream_(stream), limits_(limits), reader_(stream), parser_(reader_, limits_) {}

bool ImapClient::hasCapability(std::string_view name) const {
  return capabilities_.count(upper(std::string(name))) > 0;
}

void ImapClient::setCapabilities(const std::vector<std::string>& names) {
  capabilities_.clear();
  for (const std::string& name : names) capabilities_.insert(upper(name));
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
  if (signed_in_ && contains(reply.text, "authenticated but not connected")) {
    throw net::mailboxAccessRefused("IMAP", user_, command + ": " + describeReply(reply));
  }
  if (reply.code && reply.code->name == "TRYCREATE") throw MissingMailboxError(message);
  throw net::CommandError(message);
}

bool ImapClient::readGreeting() {
  Response greeting = readResponse();
  if (greeting.kind != Response::Kind::kUntagged || greeting.type != Response::Type::kStatus) {
    throw net::ProtocolError("IMAP: expected a greeting, got " + traceOf(greeting));
  }
  // Detected once: Exchange needs a hint in sign-in errors (IMAP is off by default on
  // Outlook.com accounts, outlook.md [S1]).
  exchange_ = contains(greeting.text, "Microsoft Exchange");
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

void ImapClient::refreshCapabilities() {
  runOk(Command("CAPABILITY"));
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

void ImapClient::throwAuthFailure(const Response& reply, const std::string& detail) {
  std::string message = "IMAP sign-in refused: " + describeReply(reply);
  if (!detail.empty()) message += "; server detail: " + detail;
  if (auto backoff = throttleBackoff(reply.text)) throw net::ThrottledError(message, *backoff);
  // Exchange Online may say "User is authenticated but not connected." to AUTHENTICATE itself
  // too: the same mailbox permission problem as after a successful one (outlook.md).
  if (contains(reply.text, "authenticated but not connected")) {
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

SelectResult ImapClient::select(std::string_view mailbox) {
  SelectResult result;
  auto collect = [&result](const Response& r) {
    if (r.type == Response::Type::kExists) result.exists = r.number;
    if (r.type == Response::Type::kStatus && r.code) {
      if (r.code->name == "UIDVALIDITY") result.uidvalidity = r.code->number;
      if (r.code->name == "UIDNEXT") result.uidnext = r.code->number;
    }
  };
  runOk(Command("SELECT").mailbox(mailbox), collect);
  if (result.uidvalidity == 0) {
    throw net::ProtocolError("IMAP: SELECT " + std::string(mailbox) + " reported no UIDVALIDITY");
  }
  logger().information("selected " + std::string(mailbox) + ": uidvalidity " +
                       std::to_string(result.uidvalidity) + ", uidnext " +
                       std::to_string(result.uidnext) + ", " + std::to_string(result.exists) +
                       " messages");
  return result;
}

std::vector<std::uint64_t> ImapClient::uidSearch(std::string_view criteria) {
  std::vector<std::uint64_t> uids;
  runOk(Command("UID SEARCH ").text(criteria), [&uids](Response& r) {
    if (r.type == Response::Type::kSearch) {
      uids.insert(uids.end(), r.numbers.begin(), r.numbers.end());
    }
  });
  return uids;
}

void ImapClient::uidFetch(std::string_view uid_set, std::string_view items,
                          const std::function<void(FetchData&&)>& on_message) {
  Command command("UID FETCH ");
  command.text(uid_set).text(" ").text(items);
  runOk(command, [&on_message](Response& r) {
    if (r.type == Response::Type::kFetch && r.fetch.uid) on_message(std::move(r.fetch));
  });
}

void ImapClient::uidStore(std::string_view uid_set, std::string_view action) {
  Command command("UID STORE ");
  runOk(command.text(uid_set).text(" ").text(action));
}

void ImapClient::uidMove(std::string_view uid_set, std::string_view mailbox) {
  Command command("UID MOVE ");
  runOk(command.text(uid_set).mailbox(mailbox));
}

void ImapClient::uidCopy(std::string_view uid_set, std::string_view mailbox) {
  Command command("UID COPY ");
  runOk(command.text(uid_set).mailbox(mailbox));
}

void ImapClient::create(std::string_view mailbox) {
  runOk(Command("CREATE").mailbox(mailbox));
}

void ImapClient::uidExpunge(std::string_view uid_set) {
  Command command("UID EXPUNGE ");
  runOk(command.text(uid_set));
}

void ImapClient::expunge() {
  runOk(Command("EXPUNGE"));
}

ImapClient::IdleOutcome ImapClient::idle(std::chrono::milliseconds max_wait,
                                         const std::function<bool()>& interrupted,
                                         std::chrono::milliseconds check_every) {
  using Clock = std::chrono::steady_clock;
  if (!hasCapability("IDLE")) throw net::CommandError("IMAP server does not offer IDLE");
  const std::string tag = nextTag();
  if (logger().debug()) logger().debug("C: " + tag + " IDLE");
  const std::uint64_t notices_before = exists_notices_;
  stream_.write(tag + " IDLE\r\n");
  Response started = waitForContinuation(tag, {});
  if (started.kind == Response::Kind::kTagged) {
    if (started.status != Status::kOk) throwRefusal("IDLE", started);
    // OK without a continuation ends the command at once (not seen in practice); no harm done.
    return exists_notices_ > notices_before ? IdleOutcome::kNewMail : IdleOutcome::kTimeout;
  }

  const auto deadline = Clock::now() + max_wait;
  IdleOutcome outcome = IdleOutcome::kTimeout;
  while (exists_notices_ == notices_before) {
    if (interrupted && interrupted()) {
      outcome = IdleOutcome::kInterrupted;
      break;
    }
    const auto now = Clock::now();
    if (now >= deadline) break;
    const auto slice = std::min<std::chrono::milliseconds>(
        check_every, std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
    if (reader_.buffered() == 0 && !stream_.waitReadable(slice)) continue;
    // Whatever comes is a whole response soon: the normal read timeout applies from here on.
    Response response = readResponse();
    if (response.kind == Response::Kind::kTagged) {
      if (response.tag != tag)
        throw net::ProtocolError("IMAP: reply for unknown tag " + response.tag + " during IDLE");
      // The server ended IDLE on its own (RFC 2177 allows it to refuse lengthy sessions).
      if (response.status != Status::kOk) throwRefusal("IDLE", response);
      return exists_notices_ > notices_before ? IdleOutcome::kNewMail : IdleOutcome::kTimeout;
    }
    if (response.kind == Response::Kind::kContinuation)
      throw net::ProtocolError("IMAP: unexpected continuation request during IDLE");
  }
  if (exists_notices_ > notices_before) outcome = IdleOutcome::kNewMail;

  if (logger().debug()) logger().debug("C: DONE");
  stream_.write("DONE\r\n");
  for (;;) {
    Response response = readResponse();
    if (response.kind == Response::Kind::kContinuation)
      throw net::ProtocolError("IMAP: unexpected continuation request after DONE");
    if (response.kind != Response::Kind::kTagged) continue;
    if (response.tag != tag)
      throw net::ProtocolError("IMAP: reply for unknown tag " + response.tag + " after DONE");
    if (response.status != Status::kOk) throwRefusal("IDLE", response);
    break;
  }
  // EXISTS that crossed our DONE still means new mail.
  if (outcome == IdleOutcome::kTimeout && exists_notices_ > notices_before)
    outcome = IdleOutcome::kNewMail;
  return outcome;
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
