#pragma once
// hd::source::MailSource over POP3. One session per open()/close(): the server locks the
// maildrop while it is open, so one worker owns one source (not thread-safe).
//
// listPending() lists every message on the server (POP3 has no checkpoint; the database
// deduplicates by source key "pop3:<mailbox_name>:<UIDL>"). acknowledge() marks messages with
// DELE (after_ingest kDelete) or does nothing (kKeep); the server applies deletions only when
// close() gets +OK to QUIT. If it does not, the next session finds the messages again and the
// UIDL dedup makes that harmless.
//
// Errors as in MailSource: net::NetworkError, net::TlsError (including "STLS not offered" when
// the endpoint asks for STARTTLS), net::ProtocolError (no UIDL, malformed response),
// net::AuthError, net::CommandError.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "connectors/net/byte_stream.hpp"
#include "connectors/net/credentials.hpp"
#include "connectors/net/tls_options.hpp"
#include "connectors/pop3/client.hpp"
#include "connectors/pop3/limits.hpp"
#include "connectors/source/after_ingest.hpp"
#include "connectors/source/mail_source.hpp"
#include "connectors/spill/bytes.hpp"

namespace hd::pop3 {

// Opens a connection to `endpoint`: TLS already established for TlsMode::kImplicit, plain for
// kStartTls and kNone. Throws net::NetworkError / net::TlsError.
using StreamFactory = std::function<std::unique_ptr<net::ByteStream>(const net::Endpoint&)>;

struct Pop3SourceOptions {
  std::string mailbox_name;  // the configured name, part of every source key
  net::Endpoint endpoint;
  net::Credentials credentials;
  // kDelete or kKeep. kSeen and kMove do not exist in POP3; the config layer refuses them.
  source::AfterIngest after_ingest{source::AfterIngest::Action::kDelete, {}};
  Pop3Limits limits;
  // Where a fetched message over the threshold goes instead of memory (a spill file).
  spill::SpillPolicy spill;
};

class Pop3Source final : public source::MailSource {
 public:
  // Throws std::invalid_argument when after_ingest is kSeen or kMove.
  Pop3Source(Pop3SourceOptions options, StreamFactory stream_factory);
  ~Pop3Source() override;

  // Connects, reads the greeting and CAPA, upgrades with STLS when the endpoint says kStartTls
  // (net::TlsError when the server does not offer it: never continues in clear text), and signs
  // in: password credentials use AUTH PLAIN when SASL PLAIN is advertised, else USER/PASS;
  // XOAUTH2 credentials use two-step AUTH XOAUTH2. Closes an already open session first.
  void open() override;

  // UIDL + LIST: every message on the server, in server order; uidvalidity is 0 and the
  // checkpoint is ignored.
  source::Listing listPending(const source::Checkpoint& checkpoint) override;

  // RETR for each ref (pipelined when the server allows). Refs are matched by UIDL, not by
  // message number, so a ref from an earlier session never fetches another message. A message
  // that is gone or refused is missing from the result. A message larger than
  // limits.max_message_size is read to its end and dropped (over_limit_size).
  std::vector<source::FetchedMessage> fetch(std::span<const source::MessageRef> refs) override;
  // TOP n 0 for each ref, matched by UIDL like fetch().
  std::vector<source::FetchedMessage> fetchHeaders(std::span<const source::MessageRef> refs,
                                                   std::uint64_t max_bytes) override;

  // Keys "pop3:<mailbox_name>:<UIDL>" still on the server, with their LIST sizes.
  std::vector<source::MessageRef> lookUp(std::span<const std::string> source_keys) override;

  // kDelete: DELE for each ref still on the server (matched by UIDL); an -ERR is logged and the
  // message stays for the next session. kKeep: nothing.
  void acknowledge(std::span<const source::MessageRef> refs) override;
  // POP3 has no IDLE: deletions happen at QUIT, so the session must end after each pass.
  bool canWaitForNewMail() const override { return false; }
  source::WaitOutcome waitForNewMail(std::chrono::milliseconds,
                                     const std::function<bool()>&) override {
    return source::WaitOutcome::kUnsupported;
  }

  // QUIT (the server applies the deletions now) and disconnect. Never throws.
  void close() noexcept override;

 private:
  Pop3Client& client();
  void signIn();
  // UIDL, remembering the message number of each id; returns the entries in server order.
  std::vector<UidlEntry> loadUidls();
  // RETR (or TOP n 0) of the refs still on the server, keeping at most `max_bytes` of each.
  std::vector<source::FetchedMessage> readMessages(std::span<const source::MessageRef> refs,
                                                   bool headers_only, std::uint64_t max_bytes);
  // The message number of `ref` in this session, found by its UIDL; nothing when it is gone.
  std::optional<std::uint32_t> numberOf(const source::MessageRef& ref);

  Pop3SourceOptions options_;
  StreamFactory stream_factory_;
  std::unique_ptr<net::ByteStream> stream_;
  std::unique_ptr<Pop3Client> client_;
  bool uidls_loaded_ = false;
  std::unordered_map<std::string, std::uint32_t> numbers_by_uidl_;
};

}  // namespace hd::pop3
