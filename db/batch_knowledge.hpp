#pragma once
// What a group commit needs to know about its messages before writing any of them, looked up
// once per batch (two statements) instead of once per message: which source keys are already
// accounted for (db/accounted_keys.hpp), and which contents the mailbox already holds under
// another key (same mailbox and SHA-256 of the raw bytes, e.g. after a UIDVALIDITY change): as a
// stored message, or as a quarantine row.
// The batch's own messages join as they are written (remember()), so a later message of the
// same batch sees an earlier one exactly as if it had been committed before.
// Lives inside the caller's transaction; libpqxx exceptions pass through.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "db/ticket_store.hpp"

namespace pqxx {
class transaction_base;
}

namespace hd::db {

// Where the mailbox holds a content: a stored message (with its ticket), or a quarantine row.
struct StoredContent {
  std::int64_t message_id = 0;  // 0: held in quarantine (quarantine_id)
  std::int64_t ticket_id = 0;   // 0: recorded without a ticket
  std::string ticket_reference;
  std::int64_t quarantine_id = 0;
};

class BatchKnowledge {
 public:
  // `hashes[i]`: SHA-256 (hex) of batch[i].raw; empty for mail never compared (left on the
  // server: only its header block is at hand).
  BatchKnowledge(pqxx::transaction_base& tx, std::span<const IncomingMessage> batch,
                 const std::vector<std::string>& hashes);

  bool accounted(const std::string& source_key) const { return accounted_.count(source_key) > 0; }

  // The stored message with these bytes in `in`'s mailbox.
  std::optional<StoredContent> sameContent(const IncomingMessage& in,
                                           const std::string& sha256) const;
  // For mail bound for quarantine: the stored message with these bytes, else the quarantine row.
  std::optional<StoredContent> sameContentForQuarantine(const IncomingMessage& in,
                                                        const std::string& sha256) const;

  // `in` is now accounted for: stored, quarantined or aliased, with this content.
  void remember(const IncomingMessage& in, const std::string& sha256, const StoredContent& stored);

 private:
  using ContentKey = std::pair<std::string, std::string>;  // mailbox, SHA-256
  static ContentKey contentKey(const IncomingMessage& in, const std::string& sha256);

  std::unordered_set<std::string> accounted_;
  std::map<ContentKey, StoredContent> stored_;       // in messages
  std::map<ContentKey, StoredContent> quarantined_;  // in quarantine
};

}  // namespace hd::db
