#include "db/batch_knowledge.hpp"

#include <pqxx/pqxx>

#include "db/accounted_keys.hpp"
#include "db/prepared_statement.hpp"
#include "db/sql_values.hpp"

namespace hd::db {
namespace {

// The first stored message of each wanted (mailbox, SHA-256), with its ticket, whether or not the
// mail has a Message-ID: the same bytes are the same mail (messages_mailbox_raw_sha256_idx).
constexpr PreparedStatement kFindStoredContents{
    "hd_find_stored_contents",
    "SELECT DISTINCT ON (wanted.mailbox, wanted.sha256) wanted.mailbox, wanted.sha256,"
    " m.id, m.ticket_id, t.reference"
    " FROM unnest($1::text[], $2::text[]) AS wanted (mailbox, sha256)"
    " JOIN messages m ON m.mailbox = wanted.mailbox AND m.raw_sha256 = wanted.sha256"
    " LEFT JOIN tickets t ON t.id = m.ticket_id"
    " ORDER BY wanted.mailbox, wanted.sha256, m.id"};

}  // namespace

BatchKnowledge::BatchKnowledge(pqxx::transaction_base& tx, std::span<const IncomingMessage> batch,
                               const std::vector<std::string>& hashes) {
  std::vector<std::string> keys, mailboxes, wanted_hashes;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    keys.push_back(batch[i].source_key);
    if (batch[i].parsed == nullptr) continue;
    mailboxes.push_back(validUtf8(batch[i].mailbox));
    wanted_hashes.push_back(hashes[i]);
  }
  for (auto& key : accountedKeys(tx, keys)) accounted_.insert(std::move(key));
  if (mailboxes.empty()) return;
  for (const auto& row : execPrepared(tx, kFindStoredContents, textArrayLiteral(mailboxes),
                                      textArrayLiteral(wanted_hashes))) {
    StoredContent stored{row[2].as<std::int64_t>(),
                         row[3].is_null() ? 0 : row[3].as<std::int64_t>(),
                         row[4].is_null() ? "" : row[4].as<std::string>()};
    contents_.emplace(ContentKey{row[0].as<std::string>(), row[1].as<std::string>()},
                      std::move(stored));
  }
}

BatchKnowledge::ContentKey BatchKnowledge::contentKey(const IncomingMessage& in,
                                                      const std::string& sha256) {
  // Compared as stored: the mailbox name is sanitised like every text column.
  return {validUtf8(in.mailbox), sha256};
}

std::optional<StoredContent> BatchKnowledge::sameContent(const IncomingMessage& in,
                                                         const std::string& sha256) const {
  if (in.parsed == nullptr) return std::nullopt;
  const auto found = contents_.find(contentKey(in, sha256));
  if (found == contents_.end()) return std::nullopt;
  return found->second;
}

void BatchKnowledge::remember(const IncomingMessage& in, const std::string& sha256,
                              const StoredContent& stored) {
  accounted_.insert(in.source_key);
  if (in.parsed == nullptr) return;
  contents_.emplace(contentKey(in, sha256), stored);
}

}  // namespace hd::db
