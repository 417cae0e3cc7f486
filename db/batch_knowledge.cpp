#include "db/batch_knowledge.hpp"

#include <pqxx/pqxx>

#include "db/accounted_keys.hpp"
#include "db/prepared_statement.hpp"
#include "db/sql_values.hpp"

namespace hd::db {
namespace {

// Where each wanted (mailbox, SHA-256) is held, whether or not the mail has a Message-ID (the same
// bytes are the same mail): the first stored message with its ticket, and the first quarantine row
// (rows left on the server have no SHA-256). messages_mailbox_raw_sha256_idx and
// quarantine_mailbox_raw_sha256_idx serve it.
constexpr PreparedStatement kFindHeldContents{
    "hd_find_held_contents",
    "SELECT DISTINCT ON (held.mailbox, held.sha256, held.quarantined) held.*"
    " FROM (SELECT wanted.mailbox, wanted.sha256, false AS quarantined, m.id, m.ticket_id,"
    "         t.reference"
    "       FROM unnest($1::text[], $2::text[]) AS wanted (mailbox, sha256)"
    "       JOIN messages m ON m.mailbox = wanted.mailbox AND m.raw_sha256 = wanted.sha256"
    "       LEFT JOIN tickets t ON t.id = m.ticket_id"
    "      UNION ALL"
    "      SELECT wanted.mailbox, wanted.sha256, true, q.id, NULL::bigint, NULL::text"
    "       FROM unnest($1::text[], $2::text[]) AS wanted (mailbox, sha256)"
    "       JOIN quarantine q ON q.mailbox = wanted.mailbox AND q.raw_sha256 = wanted.sha256)"
    "      AS held"
    " ORDER BY held.mailbox, held.sha256, held.quarantined, held.id"};

}  // namespace

BatchKnowledge::BatchKnowledge(pqxx::transaction_base& tx, std::span<const IncomingMessage> batch,
                               const std::vector<std::string>& hashes) {
  std::vector<std::string> keys, mailboxes, wanted_hashes;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    keys.push_back(batch[i].source_key);
    if (hashes[i].empty()) continue;
    mailboxes.push_back(validUtf8(batch[i].mailbox));
    wanted_hashes.push_back(hashes[i]);
  }
  for (auto& key : accountedKeys(tx, keys)) accounted_.insert(std::move(key));
  if (mailboxes.empty()) return;
  for (const auto& row : execPrepared(tx, kFindHeldContents, textArrayLiteral(mailboxes),
                                      textArrayLiteral(wanted_hashes))) {
    ContentKey key{row[0].as<std::string>(), row[1].as<std::string>()};
    const auto id = row[3].as<std::int64_t>();
    if (row[2].as<bool>()) {
      quarantined_.emplace(std::move(key), StoredContent{.quarantine_id = id});
      continue;
    }
    stored_.emplace(
        std::move(key),
        StoredContent{.message_id = id,
                      .ticket_id = row[4].is_null() ? 0 : row[4].as<std::int64_t>(),
                      .ticket_reference = row[5].is_null() ? "" : row[5].as<std::string>()});
  }
}

BatchKnowledge::ContentKey BatchKnowledge::contentKey(const IncomingMessage& in,
                                                      const std::string& sha256) {
  // Compared as stored: the mailbox name is sanitised like every text column.
  return {validUtf8(in.mailbox), sha256};
}

std::optional<StoredContent> BatchKnowledge::sameContent(const IncomingMessage& in,
                                                         const std::string& sha256) const {
  if (sha256.empty()) return std::nullopt;
  const auto found = stored_.find(contentKey(in, sha256));
  if (found == stored_.end()) return std::nullopt;
  return found->second;
}

std::optional<StoredContent> BatchKnowledge::sameContentForQuarantine(
    const IncomingMessage& in, const std::string& sha256) const {
  if (auto stored = sameContent(in, sha256)) return stored;
  if (sha256.empty()) return std::nullopt;
  const auto found = quarantined_.find(contentKey(in, sha256));
  if (found == quarantined_.end()) return std::nullopt;
  return found->second;
}

void BatchKnowledge::remember(const IncomingMessage& in, const std::string& sha256,
                              const StoredContent& stored) {
  accounted_.insert(in.source_key);
  if (sha256.empty()) return;
  auto& contents = stored.message_id != 0 ? stored_ : quarantined_;
  contents.emplace(contentKey(in, sha256), stored);
}

}  // namespace hd::db
