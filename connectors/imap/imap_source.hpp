#pragma once
// hd::source::MailSource for one IMAP folder: sign in, list UIDs above the checkpoint, fetch the
// messages it is given (the caller forms the batches), and apply the after-ingest action (DESIGN
// "the loop").
//
// Source keys are "imap:<mailbox_name>:<UIDVALIDITY>:<UID>". Errors as documented on
// source::MailSource and ImapClient; acknowledge() and fetch() throw CommandError when given refs
// of another UIDVALIDITY than the selected folder's (acting on them would touch other messages).
// Not thread-safe: one worker owns one source.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "connectors/imap/imap_client.hpp"
#include "connectors/imap/limits.hpp"
#include "connectors/net/byte_stream.hpp"
#include "connectors/net/credentials.hpp"
#include "connectors/net/stream_factory.hpp"
#include "connectors/net/tls_options.hpp"
#include "connectors/source/after_ingest.hpp"
#include "connectors/source/mail_source.hpp"
#include "connectors/spill/bytes.hpp"

namespace hd::imap {

struct ImapSourceOptions {
  std::string mailbox_name;  // the configured mailbox name, part of every source_key
  net::Endpoint endpoint;
  net::Credentials credentials;
  std::string folder = "INBOX";
  source::AfterIngest after_ingest;
  ImapLimits limits;
  // Where a fetched message over the threshold goes instead of memory (a spill file).
  spill::SpillPolicy spill;
  // waitForNewMail() uses IDLE when the server offers it; each IDLE command lasts at most
  // `idle_renewal` (RFC 2177 asks clients to re-issue it within 29 minutes; Exchange drops idle
  // sessions sooner and silently, so we stay under ten).
  bool idle = true;
  std::chrono::milliseconds idle_renewal{std::chrono::minutes(9)};
};

// Opens the connection; an empty factory connects a net::TlsSocketStream.
using StreamFactory = net::StreamFactory;

class ImapSource : public source::MailSource {
 public:
  explicit ImapSource(ImapSourceOptions options, StreamFactory stream_factory = {});
  ~ImapSource() override;

  void open() override;
  source::Listing listPending(const source::Checkpoint& checkpoint) override;
  // UID FETCH BODY.PEEK[]; a body over limits.max_message_size is drained (over_limit_size).
  std::vector<source::FetchedMessage> fetch(std::span<const source::MessageRef> refs) override;
  // UID FETCH BODY.PEEK[HEADER]<0.max_bytes>: no flag changes.
  std::vector<source::FetchedMessage> fetchHeaders(std::span<const source::MessageRef> refs,
                                                   std::uint64_t max_bytes) override;
  // Keys "imap:<mailbox_name>:<UIDVALIDITY of the selected folder>:<uid>"; UID FETCH RFC822.SIZE.
  std::vector<source::MessageRef> lookUp(std::span<const std::string> source_keys) override;
  void acknowledge(std::span<const source::MessageRef> refs) override;
  // IDLE on the folder the last listPending() selected; kUnsupported when "idle" is off, the
  // server lacks IDLE, or no folder is selected.
  bool canWaitForNewMail() const override;
  source::WaitOutcome waitForNewMail(std::chrono::milliseconds max_wait,
                                     const std::function<bool()>& interrupted) override;
  void close() noexcept override;

  // "imap:<mailbox_name>:<uidvalidity>:<uid>".
  std::string sourceKey(std::uint64_t uidvalidity, std::uint64_t uid) const;

 private:
  ImapClient& client();
  void requireSelected();
  void checkUidValidity(std::span<const source::MessageRef> refs) const;
  // UID MOVE (or UID COPY without MOVE) of `uid_set` to the after_ingest folder, creating the
  // folder when the server answers [TRYCREATE].
  void moveOrCopy(const std::string& uid_set);
  void flagAndExpunge(const std::vector<std::uint64_t>& uids);
  // The answers (by UID) in the order of `refs`, with their refs; a missing one is logged.
  std::vector<source::FetchedMessage> inRefOrder(
      std::span<const source::MessageRef> refs,
      std::map<std::uint64_t, source::FetchedMessage>& answers, const char* what) const;

  ImapSourceOptions options_;
  StreamFactory stream_factory_;
  std::unique_ptr<net::ByteStream> stream_;
  std::unique_ptr<ImapClient> client_;
  std::optional<SelectResult> selected_;
  std::uint64_t exists_notices_at_listing_ = 0;
};

std::unique_ptr<source::MailSource> makeImapSource(ImapSourceOptions options,
                                                   StreamFactory stream_factory = {});

}  // namespace hd::imap
