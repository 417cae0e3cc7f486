#include "connectors/pop3/pop3_source.hpp"

#include <Poco/Logger.h>

#include <stdexcept>

#include "connectors/net/errors.hpp"
#include "connectors/net/sasl.hpp"
#include "connectors/pop3/client.hpp"

namespace hd::pop3 {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("hd.pop3");
}

const char* tlsModeName(net::TlsMode mode) {
  switch (mode) {
    case net::TlsMode::kImplicit:
      return "implicit TLS";
    case net::TlsMode::kStartTls:
      return "STLS";
    case net::TlsMode::kNone:
      return "no TLS";
  }
  return "?";
}

}  // namespace

Pop3Source::Pop3Source(Pop3SourceOptions options, StreamFactory stream_factory)
    : options_(std::move(options)), stream_factory_(std::move(stream_factory)) {
  const auto action = options_.after_ingest.action;
  if (action != source::AfterIngest::Action::kDelete &&
      action != source::AfterIngest::Action::kKeep) {
    throw std::invalid_argument("POP3 mailbox " + options_.mailbox_name +
                                ": after_ingest must be delete or keep");
  }
}

Pop3Source::~Pop3Source() {
  close();
}

Pop3Client& Pop3Source::client() {
  if (!client_) throw std::logic_error("Pop3Source used before open()");
  return *client_;
}

void Pop3Source::open() {
  close();
  const auto& endpoint = options_.endpoint;
  auto stream = stream_factory_(endpoint);
  if (endpoint.tls == net::TlsMode::kImplicit && !stream->isEncrypted()) {
    throw net::TlsError("POP3 connection to " + endpoint.host + " is not encrypted");
  }
  stream_ = std::move(stream);
  client_ = std::make_unique<Pop3Client>(*stream_, options_.limits, options_.spill);
  client_->readGreeting();
  client_->capa();
  if (endpoint.tls == net::TlsMode::kStartTls) {
    // RFC 2595 §4: STLS is advertised in CAPA. A server without CAPA may still know STLS, so we
    // only skip asking when CAPA positively left it out. Either way: no clear-text sign-in.
    if (client_->capabilities().known && !client_->capabilities().stls) {
      throw net::TlsError("POP3 server " + endpoint.host +
                          " does not offer STLS; refusing to continue in clear text");
    }
    client_->stls();
    client_->capa();
  }
  logger().information("mailbox %s: connected to %s:%d (%s)", options_.mailbox_name, endpoint.host,
                       endpoint.port, std::string(tlsModeName(endpoint.tls)));
  net::signInReportingRefusal(options_.credentials, [this] { signIn(); });
}

void Pop3Source::signIn() {
  const auto& credentials = options_.credentials;
  const auto& caps = client_->capabilities();
  std::string method;
  if (credentials.method == net::Credentials::Method::kXoauth2) {
    if (caps.known && !caps.hasSasl("XOAUTH2")) {
      throw net::AuthError("POP3 server does not offer SASL XOAUTH2", false);
    }
    client_->authenticate(net::saslXoauth2(credentials.username, credentials.secret()),
                          credentials.username);
    method = "AUTH XOAUTH2";
  } else if (caps.hasSasl("PLAIN")) {
    client_->authenticate(net::saslPlain(credentials.username, credentials.secret()),
                          credentials.username);
    method = "AUTH PLAIN";
  } else {
    client_->login(credentials.username, credentials.secret());
    method = "USER/PASS";
  }
  logger().information("mailbox %s: signed in as %s with %s", options_.mailbox_name,
                       credentials.username, method);
}

std::vector<UidlEntry> Pop3Source::loadUidls() {
  auto entries = client().uidl();
  numbers_by_uidl_.clear();
  for (const auto& entry : entries) {
    if (!numbers_by_uidl_.emplace(entry.uidl, entry.number).second) {
      // RFC 1939 §7 promises unique ids. With duplicates, deleting one message after storing
      // the other would lose mail, so the pass stops here.
      throw net::ProtocolError("POP3: server listed UIDL " + entry.uidl + " twice");
    }
  }
  uidls_loaded_ = true;
  return entries;
}

std::optional<std::uint32_t> Pop3Source::numberOf(const source::MessageRef& ref) {
  if (!uidls_loaded_) loadUidls();
  const auto found = numbers_by_uidl_.find(ref.uidl);
  if (found == numbers_by_uidl_.end()) return std::nullopt;
  return found->second;
}

source::Listing Pop3Source::listPending(const source::Checkpoint& /*checkpoint*/) {
  auto uidls = loadUidls();
  std::unordered_map<std::uint32_t, std::uint64_t> size_by_number;
  for (const auto& entry : client().list()) size_by_number[entry.number] = entry.size;

  source::Listing listing;
  listing.pending.reserve(uidls.size());
  for (auto& entry : uidls) {
    source::MessageRef ref;
    ref.source_key = "pop3:" + options_.mailbox_name + ":" + entry.uidl;
    ref.number = entry.number;
    const auto size = size_by_number.find(entry.number);
    ref.size = size == size_by_number.end() ? 0 : size->second;
    ref.uidl = std::move(entry.uidl);
    listing.pending.push_back(std::move(ref));
  }
  logger().information("mailbox %s: %z messages on the server", options_.mailbox_name,
                       listing.pending.size());
  return listing;
}

std::vector<source::FetchedMessage> Pop3Source::fetch(std::span<const source::MessageRef> refs) {
  return readMessages(refs, false, options_.limits.max_message_size);
}

std::vector<source::FetchedMessage> Pop3Source::fetchHeaders(
    std::span<const source::MessageRef> refs, std::uint64_t max_bytes) {
  return readMessages(refs, true, max_bytes);
}

std::vector<source::FetchedMessage> Pop3Source::readMessages(
    std::span<const source::MessageRef> refs, bool headers_only, std::uint64_t max_bytes) {
  std::vector<const source::MessageRef*> wanted;
  std::vector<std::uint32_t> numbers;
  for (const auto& ref : refs) {
    const auto number = numberOf(ref);
    if (!number) {
      logger().warning("mailbox %s: message %s is no longer on the server", options_.mailbox_name,
                       ref.uidl);
      continue;
    }
    wanted.push_back(&ref);
    numbers.push_back(*number);
  }
  auto answers =
      headers_only ? client().headers(numbers, max_bytes) : client().retrieve(numbers, max_bytes);
  std::vector<source::FetchedMessage> fetched;
  fetched.reserve(answers.size());
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (!answers[i].found) {
      logger().warning("mailbox %s: server refused %s of message %s", options_.mailbox_name,
                       std::string(headers_only ? "TOP" : "RETR"), wanted[i]->uidl);
      continue;
    }
    source::FetchedMessage message;
    message.ref = *wanted[i];
    message.ref.number = numbers[i];
    if (!headers_only && answers[i].truncated()) {
      // LIST understated the size: the bytes were read and dropped, never kept.
      message.over_limit_size = answers[i].size;
    } else {
      message.raw = std::move(answers[i].bytes);
    }
    fetched.push_back(std::move(message));
  }
  return fetched;
}

std::vector<source::MessageRef> Pop3Source::lookUp(std::span<const std::string> source_keys) {
  const std::string head = "pop3:" + options_.mailbox_name + ":";
  std::vector<source::MessageRef> wanted;
  for (const std::string& key : source_keys) {
    if (key.size() <= head.size() || key.compare(0, head.size(), head) != 0) continue;
    source::MessageRef ref;
    ref.source_key = key;
    ref.uidl = key.substr(head.size());
    if (const auto number = numberOf(ref)) {
      ref.number = *number;
      wanted.push_back(std::move(ref));
    }
  }
  if (wanted.empty()) return wanted;
  std::unordered_map<std::uint32_t, std::uint64_t> size_by_number;
  for (const auto& entry : client().list()) size_by_number[entry.number] = entry.size;
  for (auto& ref : wanted) ref.size = size_by_number[ref.number];
  return wanted;
}

void Pop3Source::acknowledge(std::span<const source::MessageRef> refs) {
  if (options_.after_ingest.action == source::AfterIngest::Action::kKeep) return;
  std::vector<const source::MessageRef*> marked;
  std::vector<std::uint32_t> numbers;
  for (const auto& ref : refs) {
    if (const auto number = numberOf(ref)) {
      marked.push_back(&ref);
      numbers.push_back(*number);
    }
  }
  if (numbers.empty()) return;
  const auto removed = client().remove(numbers);
  std::size_t count = 0;
  for (std::size_t i = 0; i < removed.size(); ++i) {
    if (removed[i]) {
      numbers_by_uidl_.erase(marked[i]->uidl);
      ++count;
    } else {
      // Harmless: the message stays on the server and the next session deletes it again.
      logger().warning("mailbox %s: server refused DELE of message %s", options_.mailbox_name,
                       marked[i]->uidl);
    }
  }
  logger().information("mailbox %s: marked %z messages for deletion at QUIT", options_.mailbox_name,
                       count);
}

void Pop3Source::close() noexcept {
  if (!client_) return;
  try {
    if (!client_->usable()) {
      // The stream is in an unknown state: a QUIT could read stale bytes as its reply. Without
      // QUIT the server applies no deletion; the next session redoes them.
      logger().warning("mailbox %s: session dropped without QUIT after an error",
                       options_.mailbox_name);
    } else if (client_->quit()) {
      logger().information("mailbox %s: session closed", options_.mailbox_name);
    } else {
      logger().warning("mailbox %s: QUIT refused; deletions were not applied",
                       options_.mailbox_name);
    }
  } catch (const std::exception& error) {
    logger().warning("mailbox %s: QUIT not confirmed (%s); deletions may not have been applied",
                     options_.mailbox_name, std::string(error.what()));
  } catch (...) {
    logger().warning("mailbox %s: QUIT not confirmed", options_.mailbox_name);
  }
  client_.reset();
  stream_.reset();
  numbers_by_uidl_.clear();
  uidls_loaded_ = false;
}

}  // namespace hd::pop3
