#include "connectors/pop3/client.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <charconv>
#include <utility>

#include "connectors/net/errors.hpp"
#include "connectors/net/exchange_sign_in.hpp"
#include "connectors/net/redact.hpp"

namespace hd::pop3 {
namespace {

// RFC 2449 §6.6 lets a client send a group of commands at once; we cap the group so that our
// writes stay far below any TCP window while the server streams the replies back.
constexpr std::size_t kPipelineWindow = 32;

Poco::Logger& logger() {
  return Poco::Logger::get("hd.pop3");
}

// RFC 2449 §8.1.2 [IN-USE], §8.1.1 [LOGIN-DELAY] and RFC 3206 [SYS/TEMP] say "try again later";
// any other refusal ([AUTH], [SYS/PERM], no code) needs a person.
bool retryableAuthFailure(const StatusLine& status) {
  return status.code == "IN-USE" || status.code == "LOGIN-DELAY" || status.code == "SYS/TEMP";
}

// "<number> <word>[ more]" (RFC 1939 §5 scan listing, §7 unique-id listing).
std::pair<std::uint32_t, std::string> parseNumberedLine(const std::string& line, const char* what) {
  std::uint32_t number = 0;
  const char* begin = line.data();
  const char* end = begin + line.size();
  const auto [after_number, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc() || number == 0 || after_number == end || *after_number != ' ') {
    throw net::ProtocolError(std::string("POP3: malformed ") + what + " line");
  }
  const char* word = after_number + 1;
  const char* word_end = std::find(word, end, ' ');
  if (word == word_end) throw net::ProtocolError(std::string("POP3: malformed ") + what + " line");
  return {number, std::string(word, word_end)};
}

// RFC 1939 §7: a unique-id is 1 to 70 characters in the range 0x21 to 0x7E. We do not enforce
// the length; the character range keeps source keys printable.
bool validUidl(const std::string& uidl) {
  return std::all_of(uidl.begin(), uidl.end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
}

}  // namespace

Pop3Client::Pop3Client(net::ByteStream& stream, const Pop3Limits& limits,
                       const spill::SpillPolicy& spill)
    : stream_(stream), limits_(limits), spill_(spill), reader_(stream, limits_) {}

template <typename F>
decltype(auto) Pop3Client::guarded(F&& body) {
  if (!usable_) throw net::ProtocolError("POP3: session is unusable after an earlier failure");
  try {
    return body();
  } catch (const net::CommandError&) {
    throw;  // an -ERR line, read whole: the session goes on
  } catch (const net::AuthError&) {
    throw;  // likewise
  } catch (...) {
    // Anything else may have stopped in the middle of a response (the network, the protocol, a
    // spill file that could not be written): the next reply read would be stale bytes.
    usable_ = false;
    throw;
  }
}

void Pop3Client::send(const std::string& command) {
  if (logger().debug()) logger().debug("C: " + net::redactProtocolLine(command));
  stream_.write(command + "\r\n");
}

void Pop3Client::sendSecret(const std::string& line) {
  if (logger().debug()) logger().debug("C: " + std::string(net::kRedacted));
  stream_.write(line + "\r\n");
}

StatusLine Pop3Client::status() {
  const std::string line = reader_.readLine();
  StatusLine parsed = parseStatusLine(line);
  if (logger().debug()) logger().debug("S: " + line);
  // Exchange Online accepts AUTH, then refuses the first command ("-ERR Server Unavailable. 21",
  // "-ERR User is authenticated but not connected."): no access to this mailbox.
  const bool first_after_sign_in = std::exchange(first_reply_after_sign_in_, false);
  if (first_after_sign_in && parsed.kind == StatusLine::Kind::kErr &&
      net::isMailboxAccessRefusal(parsed.text)) {
    throw net::mailboxAccessRefused("POP", user_, "-ERR " + parsed.text);
  }
  return parsed;
}

net::AuthError Pop3Client::authError(const std::string& step, const StatusLine& status) const {
  std::string message = "POP3 " + step + " refused: " + status.text;
  const bool retryable = retryableAuthFailure(status);
  if (exchange_ && !retryable) message += net::outlookSignInHint("POP");
  return net::AuthError(message, retryable);
}

void Pop3Client::signedIn(const std::string& user) {
  user_ = user;
  first_reply_after_sign_in_ = true;
}

void Pop3Client::simpleCommand(const std::string& command) {
  send(command);
  const StatusLine reply = status();
  if (!reply.ok()) throw net::CommandError("POP3 " + command + " failed: " + reply.text);
}

void Pop3Client::readGreeting() {
  guarded([&] {
    const StatusLine greeting = status();
    if (!greeting.ok()) {
      throw net::NetworkError("POP3 server refused the session: " + greeting.text);
    }
    // Exchange needs a hint in sign-in errors (POP is off by default on Outlook.com).
    exchange_ = greeting.text.find("Microsoft Exchange") != std::string::npos;
  });
}

const Capabilities& Pop3Client::capa() {
  return guarded([&]() -> const Capabilities& {
    send("CAPA");
    const StatusLine reply = status();
    if (reply.ok()) {
      capabilities_ = Capabilities::parse(reader_.readListing());
    } else {
      // Pre-RFC 2449 servers know no CAPA: assume no extension at all.
      capabilities_ = Capabilities{};
    }
    return capabilities_;
  });
}

void Pop3Client::stls() {
  guarded([&] {
    send("STLS");
    const StatusLine reply = status();
    if (!reply.ok()) throw net::TlsError("POP3 server refused STLS: " + reply.text);
    // Anything already buffered was sent before the handshake, in clear text, by a server or a
    // man in the middle: accepting it would let an attacker inject responses (STARTTLS
    // response injection; CVE-2011-0411 is the server-side twin).
    if (reader_.hasBufferedInput()) {
      throw net::ProtocolError("POP3: server sent data after +OK to STLS before the handshake");
    }
    stream_.startTls();
    capabilities_ = Capabilities{};
  });
}

void Pop3Client::authenticate(const net::SaslCredentials& credentials, const std::string& user) {
  guarded([&] {
    const std::string step = "AUTH " + credentials.mechanism;
    send(step);
    StatusLine reply = status();
    if (reply.kind == StatusLine::Kind::kErr) throw authError(step, reply);
    if (reply.kind != StatusLine::Kind::kContinuation) {
      throw net::ProtocolError("POP3: expected \"+\" continuation after " + step);
    }
    sendSecret(net::base64Encode(credentials.initial_response));
    reply = status();
    if (reply.kind == StatusLine::Kind::kContinuation) {
      // XOAUTH2 failure (Google, Outlook.com): the server sends a base64 JSON error as a
      // challenge; the client must answer with an empty line, then the -ERR follows.
      send("");
      reply = status();
      if (reply.kind == StatusLine::Kind::kOk) {
        throw net::ProtocolError("POP3: +OK after an XOAUTH2 error challenge");
      }
    }
    if (reply.kind == StatusLine::Kind::kContinuation) {
      throw net::ProtocolError("POP3: unexpected second SASL challenge after " + step);
    }
    if (!reply.ok()) throw authError(step, reply);
    signedIn(user);
  });
}

void Pop3Client::login(const std::string& user, const std::string& password) {
  guarded([&] {
    send("USER " + user);
    StatusLine reply = status();
    if (!reply.ok()) throw authError("USER", reply);
    send("PASS " + password);
    reply = status();
    if (!reply.ok()) throw authError("PASS", reply);
    signedIn(user);
  });
}

std::vector<UidlEntry> Pop3Client::uidl() {
  return guarded([&] {
    send("UIDL");
    const StatusLine reply = status();
    if (!reply.ok()) {
      throw net::ProtocolError("POP3 server does not support UIDL; safe deletion is impossible (" +
                               reply.text + ")");
    }
    std::vector<UidlEntry> entries;
    for (const auto& line : reader_.readListing()) {
      auto [number, uidl] = parseNumberedLine(line, "UIDL");
      if (!validUidl(uidl)) throw net::ProtocolError("POP3: UIDL with invalid characters");
      entries.push_back({number, std::move(uidl)});
    }
    return entries;
  });
}

std::vector<ListEntry> Pop3Client::list() {
  return guarded([&] {
    send("LIST");
    const StatusLine reply = status();
    if (!reply.ok()) throw net::CommandError("POP3 LIST failed: " + reply.text);
    std::vector<ListEntry> entries;
    for (const auto& line : reader_.readListing()) {
      const auto [number, size_text] = parseNumberedLine(line, "LIST");
      std::uint64_t size = 0;
      const auto [end, ec] =
          std::from_chars(size_text.data(), size_text.data() + size_text.size(), size);
      if (ec != std::errc() || end != size_text.data() + size_text.size()) {
        throw net::ProtocolError("POP3: malformed LIST line");
      }
      entries.push_back({number, size});
    }
    return entries;
  });
}

template <typename OnReply>
void Pop3Client::pipeline(const char* verb, std::span<const std::uint32_t> numbers,
                          const std::string& suffix, OnReply on_reply) {
  const std::size_t window = capabilities_.pipelining ? kPipelineWindow : 1;
  for (std::size_t first = 0; first < numbers.size(); first += window) {
    const std::size_t last = std::min(numbers.size(), first + window);
    std::string batch;
    for (std::size_t i = first; i < last; ++i) {
      const std::string command = std::string(verb) + " " + std::to_string(numbers[i]) + suffix;
      if (logger().debug()) logger().debug("C: " + command);
      batch += command + "\r\n";
    }
    stream_.write(batch);
    for (std::size_t i = first; i < last; ++i) on_reply(i, status());
  }
}

std::vector<Retrieved> Pop3Client::retrieve(std::span<const std::uint32_t> numbers,
                                            std::uint64_t max_size) {
  return readBodies("RETR", numbers, max_size);
}

std::vector<Retrieved> Pop3Client::headers(std::span<const std::uint32_t> numbers,
                                           std::uint64_t max_size) {
  return readBodies("TOP", numbers, max_size);
}

std::vector<Retrieved> Pop3Client::readBodies(const char* verb,
                                              std::span<const std::uint32_t> numbers,
                                              std::uint64_t max_size) {
  return guarded([&] {
    std::vector<Retrieved> answers(numbers.size());
    // TOP takes the count of body lines after the number: 0, the header block only.
    const std::string suffix = std::string(verb) == "TOP" ? " 0" : "";
    pipeline(verb, numbers, suffix, [&](std::size_t i, const StatusLine& reply) {
      if (!reply.ok()) return;
      auto body = reader_.readBodyCapped(max_size, spill_);
      answers[i].found = true;
      answers[i].bytes = std::move(body.bytes);
      answers[i].size = body.size;
      if (logger().debug()) logger().debug("S: <" + std::to_string(body.size) + " bytes>");
    });
    return answers;
  });
}

std::vector<bool> Pop3Client::remove(std::span<const std::uint32_t> numbers) {
  return guarded([&] {
    std::vector<bool> removed(numbers.size());
    pipeline("DELE", numbers, "",
             [&](std::size_t i, const StatusLine& reply) { removed[i] = reply.ok(); });
    return removed;
  });
}

void Pop3Client::rset() {
  guarded([&] { simpleCommand("RSET"); });
}

void Pop3Client::noop() {
  guarded([&] { simpleCommand("NOOP"); });
}

bool Pop3Client::quit() {
  return guarded([&] {
    send("QUIT");
    return status().ok();
  });
}

}  // namespace hd::pop3
