// Idempotence rests on UNIQUE(messages.source_key): a replay finds its row, and a concurrent commit
// of the same key loses on the unique index (the caller's savepoint turns that into
// kAlreadyIngested).

#include "db/message_writer.hpp"

#include <stdexcept>

#include "connectors/mime/sha256.hpp"
#include "db/accounted_keys.hpp"
#include "db/named_statement.hpp"
#include "db/sql_values.hpp"
#include "db/transaction_thread_lookup.hpp"

namespace hd::db {
namespace {

// Does the mailbox already hold this content (same non-empty Message-ID and SHA-256 under
// another key, e.g. after a UIDVALIDITY change)?
constexpr const char* kFindSameContent =
    "SELECT m.id, m.ticket_id, t.reference FROM messages m"
    " LEFT JOIN tickets t ON t.id = m.ticket_id"
    " WHERE $2::text <> '' AND m.mailbox = $1 AND m.internet_message_id = $2"
    "   AND m.raw_sha256 = $3"
    " ORDER BY m.id LIMIT 1";
constexpr const char* kInsertAlias =
    "INSERT INTO source_aliases (source_key, message_id) VALUES ($1, $2)";
// The reference is written by the same statement that draws the id, so it is never NULL.
constexpr const char* kInsertTicket =
    "INSERT INTO tickets (id, reference, mailbox, subject, requester_address, requester_name)"
    " SELECT n, $1::text || n, $2, $3, $4, $5"
    " FROM (SELECT nextval(pg_get_serial_sequence('tickets', 'id')) AS n) AS next"
    " RETURNING id, reference";
constexpr const char* kTouchTicket =
    "UPDATE tickets SET updated_at = now() WHERE id = $1 RETURNING reference";
// Message, raw bytes and feed events in one round trip. A new ticket's ticket.created event is
// inserted right before its message.added (ORDER BY position), so it gets the lower id.
const NamedStatement kInsertMessage(
    "hd_insert_message",
    "WITH m AS ("
    "  INSERT INTO messages (ticket_id, source_key, mailbox, internet_message_id, in_reply_to,"
    "    references_, subject, from_address, from_name, to_addresses, cc_addresses,"
    "    reply_to_addresses, sent_at, body_text, body_text_new, body_html, classification,"
    "    decision_reason, raw_size, raw_sha256, warnings)"
    "  VALUES (NULLIF(:ticket_id, '')::bigint, :source_key, :mailbox, :internet_message_id,"
    "    :in_reply_to, :references::text[], :subject, :from_address, :from_name,"
    "    :to_addresses::jsonb, :cc_addresses::jsonb, :reply_to_addresses::jsonb,"
    "    to_timestamp(NULLIF(:sent_at_epoch, '')::bigint), :body_text, :body_text_new, :body_html,"
    "    :classification, :decision_reason, :raw_size::bigint, :raw_sha256, :warnings::jsonb)"
    "  RETURNING id),"
    " raw AS (INSERT INTO raw_messages (message_id, raw) SELECT id, :raw::bytea FROM m),"
    " feed AS ("
    "  INSERT INTO events (type, ticket_id, message_id)"
    "  SELECT kind.type, NULLIF(:ticket_id, '')::bigint, m.id"
    "  FROM m CROSS JOIN (VALUES (1, 'ticket.created'), (2, 'message.added'))"
    "    AS kind (position, type)"
    "  WHERE kind.position = 2 OR :ticket_created::boolean"
    "  ORDER BY kind.position)"
    " SELECT id FROM m");
constexpr const char* kInsertAttachment =
    "INSERT INTO attachments (message_id, filename, content_type, content_id, is_inline, size,"
    " sha256, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bytea)";

constexpr const char* kQuarantine =
    "INSERT INTO quarantine (source_key, mailbox, raw, error) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (source_key) DO UPDATE SET attempts = quarantine.attempts + 1,"
    " last_seen = now(), error = EXCLUDED.error";

constexpr const char* kDefaultContentType = "application/octet-stream";

struct NewTicket {
  std::int64_t id = 0;
  std::string reference;
};

NewTicket insertTicket(pqxx::transaction_base& tx, const std::string& prefix,
                       const IncomingMessage& in, const ingest::Outcome& outcome) {
  const mime::Message& mail = *in.parsed;
  const std::optional<mime::Address>& requester = mail.from ? mail.from : mail.sender;
  const std::string& subject =
      outcome.ticket_subject.empty() ? mail.subject : outcome.ticket_subject;
  const auto row = tx.exec_params1(
      kInsertTicket, validUtf8(prefix), validUtf8(in.mailbox), validUtf8(subject),
      validUtf8(requester ? requester->address : ""), validUtf8(requester ? requester->name : ""));
  return {row[0].as<std::int64_t>(), row[1].as<std::string>()};
}

std::int64_t insertMessage(pqxx::transaction_base& tx, const IncomingMessage& in,
                           const std::string& sha256, const ingest::Outcome& outcome,
                           std::int64_t ticket_id, bool ticket_created) {
  const mime::Message& mail = *in.parsed;
  NamedArgs row(kInsertMessage);
  row.set("ticket_id", ticket_id == 0 ? std::string() : std::to_string(ticket_id))
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
      .set("raw", in.raw)  // binary: one copy, no escaping
      .set("ticket_created", ticket_created);
  const auto message_id = row.exec(tx).at(0)[0].as<std::int64_t>();
  for (const auto& a : mail.attachments) {
    tx.exec_params0(kInsertAttachment, message_id, validUtf8(a.filename),
                    validUtf8(a.content_type.empty() ? kDefaultContentType : a.content_type),
                    validUtf8(a.content_id), a.is_inline,
                    static_cast<std::int64_t>(a.content.size()),
                    a.sha256_hex.empty() ? mime::sha256Hex(a.content) : a.sha256_hex,
                    pqxx::binarystring(a.content.data(), a.content.size()));
  }
  return message_id;
}

}  // namespace

void writeQuarantine(pqxx::transaction_base& tx, const std::string& source_key,
                     const std::string& mailbox, const std::string& raw, const std::string& error) {
  tx.exec_params0(kQuarantine, source_key, validUtf8(mailbox),
                  pqxx::binarystring(raw.data(), raw.size()), validUtf8(error));
}

CommitResult writeMessage(pqxx::transaction_base& tx, const std::string& ticket_prefix,
                          const IncomingMessage& in, const std::string& sha256,
                          const DecideFn& decide) {
  if (in.parsed == nullptr) throw std::invalid_argument("commit: parsed message missing");
  CommitResult result;
  if (isAccounted(tx, in.source_key)) {
    result.status = CommitStatus::kAlreadyIngested;
    return result;
  }
  const auto same = tx.exec_params(kFindSameContent, validUtf8(in.mailbox),
                                   validUtf8(in.parsed->message_id), sha256);
  if (!same.empty()) {
    const auto original = same[0];
    tx.exec_params0(kInsertAlias, in.source_key, original[0].as<std::int64_t>());
    result.status = CommitStatus::kDuplicateContent;
    result.message_id = original[0].as<std::int64_t>();
    result.ticket_id = original[1].is_null() ? 0 : original[1].as<std::int64_t>();
    result.ticket_reference = original[2].is_null() ? "" : original[2].as<std::string>();
    return result;
  }

  TransactionThreadLookup lookup(tx);
  result.outcome = decide(lookup);
  using Kind = ingest::Outcome::Kind;
  if (result.outcome.kind == Kind::kNewTicket) {
    const NewTicket ticket = insertTicket(tx, ticket_prefix, in, result.outcome);
    result.ticket_id = ticket.id;
    result.ticket_reference = ticket.reference;
    result.ticket_created = true;
  } else if (result.outcome.kind == Kind::kFollowUp) {
    const auto rows = tx.exec_params(kTouchTicket, result.outcome.ticket_id);
    if (rows.empty()) {
      throw std::invalid_argument("decide() answered a follow-up to unknown ticket " +
                                  std::to_string(result.outcome.ticket_id));
    }
    result.ticket_id = result.outcome.ticket_id;
    result.ticket_reference = rows[0][0].as<std::string>();
  }
  result.message_id =
      insertMessage(tx, in, sha256, result.outcome, result.ticket_id, result.ticket_created);
  return result;
}

}  // namespace hd::db
