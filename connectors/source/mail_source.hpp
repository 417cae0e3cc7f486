#pragma once
// What the ingestion loop needs from a mailbox, whatever the protocol. See shared DESIGN "the
// loop". Implementations: hd::imap::ImapSource, hd::pop3::Pop3Source.
//
// Not thread-safe: one worker owns one source. Channel failures throw (hd::net::NetworkError,
// ProtocolError, CommandError, AuthError); the worker ends the pass and backs off.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "connectors/spill/bytes.hpp"

namespace hd::source {

// One message on the server, as listed before it is fetched.
struct MessageRef {
  std::string source_key;    // "imap:<mailbox>:<UIDVALIDITY>:<UID>" or "pop3:<mailbox>:<UIDL>"
  std::uint64_t uid = 0;     // IMAP UID (ascending order of listing); 0 for POP3
  std::string uidl;          // POP3 unique id; empty for IMAP
  std::uint32_t number = 0;  // POP3 message number in this session; 0 for IMAP
  std::uint64_t size = 0;    // as announced by the server (RFC822.SIZE / LIST)
};

struct FetchedMessage {
  MessageRef ref;
  spill::Bytes raw;  // the exact bytes the server sent, never altered (a spill file when large)
  // Not 0 when the server sent more bytes than the source's message limit although the listed
  // size was below it (servers' sizes are approximate): `raw` is empty, the bytes were read and
  // dropped, and this is how many there were.
  std::uint64_t over_limit_size = 0;
};

// Where an IMAP folder's sync stood after the last pass. POP3 has no checkpoint (uidvalidity 0).
struct Checkpoint {
  std::uint64_t uidvalidity = 0;
  std::uint64_t last_uid = 0;  // every UID <= last_uid is stored and acknowledged
};

struct Listing {
  std::uint64_t uidvalidity = 0;    // IMAP: as SELECT reported it; POP3: 0
  std::vector<MessageRef> pending;  // ascending UID for IMAP, server order for POP3
};

// Why waitForNewMail() returned.
enum class WaitOutcome {
  kUnsupported,  // this source cannot wait for news (POP3, IMAP without IDLE): sleep instead
  kNewMail,      // the server announced new messages: run a pass now
  kTimeout,      // `max_wait` passed without news
  kInterrupted,  // `interrupted()` returned true (shutdown)
};

class MailSource {
 public:
  virtual ~MailSource() = default;

  // Connects, authenticates and opens the folder.
  virtual void open() = 0;

  // Messages not yet covered by `checkpoint`. When the server's UIDVALIDITY differs from the
  // checkpoint's, lists every message in the folder (the caller deduplicates).
  virtual Listing listPending(const Checkpoint& checkpoint) = 0;

  // Fetches the given messages (one round trip where the protocol allows). A message the server
  // no longer returns (expunged meanwhile) is simply missing from the result.
  virtual std::vector<FetchedMessage> fetch(std::span<const MessageRef> refs) = 0;

  // The header block of each message (IMAP BODY.PEEK[HEADER], POP3 TOP n 0), at most
  // `max_bytes` of it, without touching the message (no \Seen). For a message too large to
  // fetch: its quarantine entry keeps this. Missing messages are missing from the result.
  virtual std::vector<FetchedMessage> fetchHeaders(std::span<const MessageRef> refs,
                                                   std::uint64_t max_bytes) = 0;

  // The refs of messages named by their source keys, as the server lists them now (size
  // included): for a message left on the server as too large and released by a retry after the
  // limit was raised, which listPending() no longer lists (IMAP: below the checkpoint). Keys of
  // another mailbox or UIDVALIDITY, and messages gone from the server, are missing.
  virtual std::vector<MessageRef> lookUp(std::span<const std::string> source_keys) = 0;

  // Applies the after-ingest action (flag, move, delete, keep) to messages whose rows are
  // committed. Only ever called after the commit.
  virtual void acknowledge(std::span<const MessageRef> refs) = 0;

  // Whether waitForNewMail() can wait on this open session (IMAP with IDLE offered and enabled).
  // (Pure virtual so that no decorator silently loses the waiting of the source it wraps.)
  virtual bool canWaitForNewMail() const = 0;

  // After a pass, on the still-open session: waits until the server announces new mail (IMAP
  // IDLE, RFC 2177), `max_wait` passes, or `interrupted()` (polled about once a second) returns
  // true. Channel failures throw as elsewhere; the caller then falls back to sleeping.
  virtual WaitOutcome waitForNewMail(std::chrono::milliseconds max_wait,
                                     const std::function<bool()>& interrupted) = 0;

  // Ends the session politely (IMAP LOGOUT, POP3 QUIT: this is when POP3 deletions happen).
  // Never throws.
  virtual void close() noexcept = 0;
};

}  // namespace hd::source
