// Idempotence rests on UNIQUE(messages.source_key): a replay finds its key accounted for, and a
// concurrent commit of the same key loses on the unique index (the caller's savepoint turns that
// into kAlreadyIngested).

#include "db/message_writer.hpp"

#include <stdexcept>

#include "db/attachment_writer.hpp"
#include "db/content_chunks.hpp"
#include "db/named_statement.hpp"
#include "db/prepared_statement.hpp"
#include "db/sql_values.hpp"

namespace hd::db {
namespace {

constexpr PreparedStatement kInsertAlias{
    "hd_insert_alias",
    "INSERT INTO source_aliases (source_key, message_id, quarantine_id)"
    " VALUES ($1, NULLIF($2::bigint, 0), NULLIF($3::bigint, 0))"};

// The ticket (new, or the follow-up's touched), the message, its raw bytes and its feed events in
// one round trip (a spilled raw's chunks follow, db/content_chunks.hpp). A new ticket's reference
// is written by the statement that draws its id, so it is never NULL; nextval() runs only when
// :new_ticket is true (no gaps in the references). A new ticket's ticket.created event is inserted
// right before its message.added (ORDER BY position), so it gets the lower id. A follow-up to a
// ticket that does not exist yields no ticket row.
const NamedStatement kInsertMessage(
    "hd_insert_message",
    "WITH new_ticket AS ("
    "  INSERT INTO tickets (id, reference, mailbox, subject, requester_address, requester_name)"
    "  SELECT n, :ticket_prefix || n, :mailbox, :ticket_subject, :requester_address,"
    "    :requester_name"
    "  FROM (SELECT nextval(pg_get_serial_sequence('tickets', 'id')) AS n"
    "        WHERE :new_ticket::boolean) AS next"
    "  RETURNING id, reference),"
    " followed AS ("
    "  UPDATE tickets SET updated_at = now() WHERE id = NULLIF(:follow_up_ticket_id, '')::bigint"
    "  RETURNING id, reference),"
    " ticket AS (SELECT id, reference FROM new_ticket UNION ALL SELECT id, reference FROM "
    "followed),"
    " m AS ("
    "  INSERT INTO messages (ticket_id, source_key, mailbox, internet_message_id, in_reply_to,"
    "    references_, subject, from_address, from_name, to_addresses, cc_addresses,"
    "    reply_to_addresses, sent_at, body_text, body_text_new, body_html, classification,"
    "    decision_reason, raw_size, raw_sha256, warnings)"
    "  VALUES ((SELECT id FROM ticket), :source_key, :mailbox, :internet_message_id,"
    "    :in_reply_to, :references::text[], :subject, :from_address, :from_name,"
    "    :to_addresses::jsonb, :cc_addresses::jsonb, :reply_to_addresses::jsonb,"
    "    to_timestamp(NULLIF(:sent_at_epoch, '')::bigint), :body_text, :body_text_new, :body_html,"
    "    :classification, :decision_reason, :raw_size::bigint, :raw_sha256, :warnings::jsonb)"
    "  RETURNING id, ticket_id),"
    " raw AS (INSERT INTO raw_messages (message_id, raw)"
    "  SELECT id, CASE WHEN :raw_in_chunks::boolean THEN NULL ELSE :raw::bytea END FROM m),"
    " feed AS ("
    "  INSERT INTO events (type, ticket_id, message_id)"
    "  SELECT kind.type, m.ticket_id, m.id"
    "  FROM m CROSS JOIN (VALUES (1, 'ticket.created'), (2, 'message.added'))"
    "    AS kind (position, type)"
    "  WHERE kind.position = 2 OR :new_ticket::boolean"
    "  ORDER BY kind.position)"
    " SELECT m.id, m.ticket_id, (SELECT reference FROM ticket) FROM m");

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

// Writes the rows of a decided message; fills the ticket and message fields of `result`.
void insertMessage(pqxx::transaction_base& tx, const std::string& ticket_prefix,
                   const IncomingMessage& in, const std::string& sha256, CommitResult& result) {
  const mime::Message& mail = *in.parsed;
  const ingest::Outcome& outcome = result.outcome;
  using Kind = ingest::Outcome::Kind;
  const bool new_ticket = outcome.kind == Kind::kNewTicket;
  const bool follow_up = outcome.kind == Kind::kFollowUp;
  const std::optional<mime::Address>& requester = mail.from ? mail.from : mail.sender;
  NamedArgs row(kInsertMessage);
  row.set("new_ticket", new_ticket)
      .set("ticket_prefix", validUtf8(ticket_prefix))
      .set("ticket_subject",
           validUtf8(outcome.ticket_subject.empty() ? mail.subject : outcome.ticket_subject))
      .set("requester_address", validUtf8(requester ? requester->address : ""))
      .set("requester_name", validUtf8(requester ? requester->name : ""))
      .set("follow_up_ticket_id", follow_up ? std::to_string(outcome.ticket_id) : std::string())
      .set("source_key", in.source_key)
      .set("mailbox", validUtf8(in.mailbox))
      .set("internet_message_id", validUtf8(mail.message_id))
      .set("in_reply_to", validUtf8(mail.in_reply_to))
      .set("references", textArrayLiteral(mail.references))
      .set("subject", validUtf8(mail.subject))
      .set("from_address", validUtf8(mail.from ? mail.from->address : ""))
      .set("from_name", validUtf8(mail.from ? mail.from->name : ""))
      .set("to_addresses", addressesJson(mail.to))
      .set("cc_addresses", addressesJson(mail.cc))
      .set("reply_to_addresses", addressesJson(mail.reply_to))
      .set("sent_at_epoch", epochSecondsOrEmpty(mail.date))
      .set("body_text", validUtf8(mail.text_body))
      .set("body_text_new", validUtf8(mail.text_body_new))
      .set("body_html", validUtf8(mail.html_body))
      .set("classification", ingest::toString(outcome.classification))
      .set("decision_reason", validUtf8(outcome.reason))
      .set("raw_size", static_cast<std::int64_t>(in.raw.size()))
      .set("raw_sha256", sha256)
      .set("warnings", warningsJson(in.warnings))
      .set("raw_in_chunks", storedInChunks(in.raw))
      // binary: one copy, no escaping; a spilled raw follows in chunks
      .set("raw", storedInChunks(in.raw) ? std::string_view() : std::string_view(in.raw.memory()));
  const auto stored = row.exec(tx).at(0);
  if (follow_up && stored[1].is_null()) {
    // A decide() bug, not bad mail: the exception rolls the whole batch back.
    throw std::invalid_argument("decide() answered a follow-up to unknown ticket " +
                                std::to_string(outcome.ticket_id));
  }
  result.message_id = stored[0].as<std::int64_t>();
  result.ticket_id = stored[1].is_null() ? 0 : stored[1].as<std::int64_t>();
  result.ticket_reference = stored[2].is_null() ? "" : stored[2].as<std::string>();
  result.ticket_created = new_ticket;
  if (storedInChunks(in.raw))
    writeChunks(tx, ChunkedContent::kRawMessage, result.message_id, in.raw);
  writeAttachments(tx, result.message_id, in.raw.size(), mail.attachments);
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

CommitResult writeMessage(pqxx::transaction_base& tx, const std::string& ticket_prefix,
                          const IncomingMessage& in, const std::string& sha256,
                          const BatchKnowledge& known, ingest::ThreadLookup& lookup,
                          const DecideFn& decide) {
  if (in.parsed == nullptr) throw std::invalid_argument("commit: parsed message missing");
  CommitResult result;
  if (known.accounted(in.source_key)) {
    result.status = CommitStatus::kAlreadyIngested;
    return result;
  }
  if (const auto original = known.sameContent(in, sha256)) {
    insertAlias(tx, in.source_key, *original, result);
    return result;
  }

  result.outcome = decide(lookup);
  insertMessage(tx, ticket_prefix, in, sha256, result);
  return result;
}

}  // namespace hd::db
