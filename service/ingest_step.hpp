#pragma once
// The one ingest step, shared by MailboxPass and POST /api/v1/quarantine/{id}/retry:
// raw bytes -> (size check, guarded parse) -> group commit with decide() inside the transaction.
//
// A message over the size limit or that cannot be parsed (a throwing parser included: parse()
// promises not to throw, but a bug must not stop a pass) becomes a quarantine entry with its
// reason; it never ends a pass.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "connectors/mime/limits.hpp"
#include "connectors/mime/parse.hpp"
#include "service/ingest/decide.hpp"
#include "service/ports/message_store.hpp"
#include "service/ports/quarantine_retry_store.hpp"

namespace hd::service {

// Messages ready for one group commit, in commit order (UID order for IMAP).
class PreparedBatch {
 public:
  PreparedBatch(std::uint64_t max_message_bytes, mime::Limits mime_limits);

  // Checks the size and parses; the message joins the batch either parsed or as a quarantine
  // entry (messages().back().parsed == nullptr, quarantine_reason says why).
  void add(std::string source_key, std::string mailbox, spill::Bytes raw);

  const std::vector<IncomingMessage>& messages() const { return messages_; }
  // A message over the size limit, decided from its size before its body was fetched (or
  // drained): a quarantine entry with its header block only, left on the server. The reason
  // names the size and the limit.
  void addLeftOnServer(std::string source_key, std::string mailbox, std::string headers,
                       std::uint64_t size);

  // Every message of the batch was left on the server earlier and is now fetched on request:
  // the commit replaces each one's left-on-server quarantine row.
  void replaceLeftOnServer() {
    for (auto& in : messages_) in.replaces_left_on_server = true;
  }

  // What RawContentStore::writeAhead() answered for messages()[first], [first + 1], ...: those
  // messages' commit names their bytes instead of writing them.
  void rawWrittenAhead(const std::vector<bool>& written, std::size_t first) {
    for (std::size_t i = 0; first + i < messages_.size() && i < written.size(); ++i) {
      messages_[first + i].raw_written_ahead = written[i];
    }
  }

  // Room for `messages` messages: until that many are added, messages() does not move, so a
  // task may read the messages added so far while more are added (room() says how many more).
  void reserve(std::size_t messages) {
    messages_.reserve(messages);
    parsed_.reserve(messages);
  }
  std::size_t room() const { return messages_.capacity() - messages_.size(); }

  std::uint64_t bytes() const { return bytes_; }
  bool empty() const { return messages_.empty(); }

  // One transaction for the whole batch; decide() runs per message, in order, inside it.
  // `before_decide` (tests only): fault injection inside the open transaction.
  std::vector<BatchEntryResult> commit(MessageStore& store, const ingest::Policy& policy,
                                       OnRefused on_refused = OnRefused::kQuarantine,
                                       const std::function<void(std::size_t)>& before_decide = {});

  // The quarantine retry of the batch's one parsed message: stored and entry `quarantine_id`
  // deleted in one transaction, decide() inside it.
  RetryResult commitRetry(QuarantineRetryStore& store, const ingest::Policy& policy,
                          std::int64_t quarantine_id);

 private:
  std::uint64_t max_message_bytes_;
  mime::Limits mime_limits_;
  std::vector<IncomingMessage> messages_;
  // What messages_[i].parsed points to (stable addresses while the vector grows).
  std::vector<std::unique_ptr<mime::ParseResult>> parsed_;
  std::uint64_t bytes_ = 0;
};

}  // namespace hd::service
