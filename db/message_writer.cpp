// Idempotence rests on UNIQUE(messages.source_key): a replay finds its key accounted for, and a
// concurrent commit of the same key loses on the unique index (the caller's savepoint turns that
// into kAlreadyIngested).

#include "db/message_writer.hpp"

#include <stdexcept>

#include "db/content_chunks.hpp"
#include "db/prepared_statement.hpp"
#include "db/sql_values.hpp"

namespace hd::db {
namespace {

constexpr PreparedStatement kInsertAlias{
    "hd_insert_alias",
    "INSERT INTO source_aliases (source_key, message_id, quarantine_id)"
    " VALUES ($1, NULLIF($2::bigint, 0), NULLIF($3::bigint, 0))"};

constexpr PreparedStatement kQuarantine{
    "hd_quarantine",
    "INSERT INTO quarantine (source_key, mailbox, raw, raw_sha256, error)"
    " VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT (source_key) DO UPDATE SET attempts = quarantine.attempts + 1,"
    " last_seen = now(), error = EXCLUDED.error RETURNING id, xmax = 0"};  // true: inserted

constexpr const char* kQuarantineLeftOnServer =
    "INSERT INTO quarantine (source_key, mailbox, headers, size, on_server, error)"
    " VALUES ($1, $2, $3, $4, true, $5)"
    " ON CONFLICT (source_key) DO UPDATE SET attempts = quarantine.attempts + 1,"
    " last_seen = now(), error = EXCLUDED.error, size = EXCLUDED.size,"
    " headers = EXCLUDED.headers, on_server = true, fetch_requested = false";
// After a UIDVALIDITY change the same message is listed under a new key: its left-on-server row
// (same mailbox, size and header block, under a key of another UIDVALIDITY) moves to the new key,
// rather than a second row staying behind under a key no server will list again. $3 is the new
// key's "imap:<mailbox>:" prefix, $4 its "imap:<mailbox>:<UIDVALIDITY>:" prefix.
constexpr const char* kMoveLeftOnServerToNewKey =
    "UPDATE quarantine SET source_key = $1"
    " WHERE id = (SELECT id FROM quarantine"
    "   WHERE on_server AND mailbox = $2 AND size = $5 AND headers = $6"
    "     AND left(source_key, length($3)) = $3 AND left(source_key, length($4)) <> $4"
    "   ORDER BY id LIMIT 1)"
    " AND NOT EXISTS (SELECT 1 FROM quarantine WHERE source_key = $1)";
constexpr const char* kForgetLeftOnServer =
    "DELETE FROM quarantine WHERE source_key = $1 AND on_server";

// Records `source_key` as an alias of what holds its bytes; `result` says so.
void insertAlias(pqxx::transaction_base& tx, const std::string& source_key,
                 const StoredContent& original, CommitResult& result) {
  execPrepared(tx, kInsertAlias, source_key, original.message_id, original.quarantine_id);
  result.status = CommitStatus::kDuplicateContent;
  result.message_id = original.message_id;
  result.ticket_id = original.ticket_id;
  result.ticket_reference = original.ticket_reference;
  result.quarantine_id = original.quarantine_id;
}

}  // namespace

std::int64_t writeQuarantine(pqxx::transaction_base& tx, const std::string& source_key,
                             const std::string& mailbox, const spill::Bytes& raw,
                             const std::string& sha256, const std::string& error) {
  // A row already there keeps its bytes (only the attempt is counted): chunks only for a new one.
  const auto row = storedInChunks(raw)
                       ? execPrepared(tx, kQuarantine, source_key, validUtf8(mailbox), nullptr,
                                      sha256, validUtf8(error))
                             .at(0)
                       : execPrepared(tx, kQuarantine, source_key, validUtf8(mailbox),
                                      pqxx::binarystring(raw.memory().data(), raw.memory().size()),
                                      sha256, validUtf8(error))
                             .at(0);
  const auto id = row[0].as<std::int64_t>();
  if (storedInChunks(raw) && row[1].as<bool>()) {
    writeChunks(tx, ChunkedContent::kQuarantineRaw, id, raw);
  }
  return id;
}

BatchEntryResult writeQuarantineOrAlias(pqxx::transaction_base& tx, const IncomingMessage& in,
                                        const std::string& sha256, const std::string& error,
                                        BatchKnowledge& known) {
  BatchEntryResult entry;
  if (in.left_on_server) {
    writeQuarantineLeftOnServer(tx, in);
  } else if (known.accounted(in.source_key)) {
    entry.commit.status = CommitStatus::kAlreadyIngested;  // written by an earlier commit
    return entry;
  } else if (const auto held = known.sameContentForQuarantine(in, sha256)) {
    insertAlias(tx, in.source_key, *held, entry.commit);
    known.remember(in, sha256, *held);
    return entry;
  } else {
    const std::int64_t id = writeQuarantine(tx, in.source_key, in.mailbox, in.raw, sha256, error);
    known.remember(in, sha256, StoredContent{.quarantine_id = id});
  }
  entry.kind = BatchEntryResult::Kind::kQuarantined;
  entry.error = error;
  return entry;
}

void writeQuarantineLeftOnServer(pqxx::transaction_base& tx, const IncomingMessage& in) {
  // IMAP keys only ("imap:<mailbox>:<UIDVALIDITY>:<UID>"); POP3 has no UIDVALIDITY.
  const std::string& key = in.source_key;
  const auto uid_at = key.rfind(':');
  const auto uidvalidity_at = uid_at == std::string::npos ? uid_at : key.rfind(':', uid_at - 1);
  if (key.rfind("imap:", 0) == 0 && uidvalidity_at != std::string::npos && uidvalidity_at > 4) {
    tx.exec_params0(kMoveLeftOnServerToNewKey, key, validUtf8(in.mailbox),
                    key.substr(0, uidvalidity_at + 1), key.substr(0, uid_at + 1),
                    static_cast<std::int64_t>(in.size),
                    pqxx::binarystring(in.raw.memory().data(), in.raw.memory().size()));
  }
  tx.exec_params0(kQuarantineLeftOnServer, in.source_key, validUtf8(in.mailbox),
                  pqxx::binarystring(in.raw.memory().data(), in.raw.memory().size()),
                  static_cast<std::int64_t>(in.size), validUtf8(in.quarantine_reason));
}

void forgetLeftOnServer(pqxx::transaction_base& tx, const std::string& source_key) {
  tx.exec_params0(kForgetLeftOnServer, source_key);
}

void writeMessage(pqxx::transaction_base& tx, const IncomingMessage& in, const std::string& sha256,
                  const BatchKnowledge& known, ingest::ThreadLookup& lookup, const DecideFn& decide,
                  PendingMessages& rows, CommitResult& result) {
  if (in.parsed == nullptr) throw std::invalid_argument("commit: parsed message missing");
  result = CommitResult{};
  rows.before(in, sha256);
  if (known.accounted(in.source_key)) {
    result.status = CommitStatus::kAlreadyIngested;
    return;
  }
  if (const auto original = known.sameContent(in, sha256)) {
    insertAlias(tx, in.source_key, *original, result);
    return;
  }
  PendingAwareLookup asked(lookup, rows);
  result.outcome = decide(asked);
  rows.add(in, sha256, result);
}

}  // namespace hd::db
