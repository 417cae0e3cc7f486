#include "db/message_rows.hpp"

#include <memory>
#include <stdexcept>
#include <vector>

#include "db/attachment_writer.hpp"
#include "db/content_chunks.hpp"
#include "db/named_statement.hpp"
#include "db/sized_statements.hpp"
#include "db/sql_values.hpp"

namespace hd::db {
namespace {

// One message's part of the statement; every `@` becomes the message's suffix ("_3"), in names of
// parameters and of CTEs alike (forPosition). A new ticket's reference is written by the statement
// that draws its id, so it is never NULL; nextval() runs only when :new_ticket is true (no gaps in
// the references). A new ticket's ticket.created event is inserted right before its message.added
// (ORDER BY position), so it gets the lower id. A follow-up to a ticket that does not exist yields
// no ticket row.
constexpr std::string_view kMessageCtes =
    "new_ticket@ AS ("
    "  INSERT INTO tickets (id, reference, mailbox, subject, requester_address, requester_name)"
    "  SELECT n, :ticket_prefix@ || n, :mailbox@, :ticket_subject@, :requester_address@,"
    "    :requester_name@"
    "  FROM (SELECT nextval(pg_get_serial_sequence('tickets', 'id')) AS n"
    "        WHERE :new_ticket@::boolean) AS next"
    "  RETURNING id, reference),"
    " followed@ AS ("
    "  UPDATE tickets SET updated_at = now() WHERE id = NULLIF(:follow_up_ticket_id@, '')::bigint"
    "  RETURNING id, reference),"
    " ticket@ AS (SELECT id, reference FROM new_ticket@ UNION ALL"
    "  SELECT id, reference FROM followed@),"
    " m@ AS ("
    "  INSERT INTO messages (ticket_id, source_key, mailbox, internet_message_id, in_reply_to,"
    "    references_, subject, from_address, from_name, to_addresses, cc_addresses,"
    "    reply_to_addresses, sent_at, body_text, body_text_new, body_html, classification,"
    "    decision_reason, raw_size, raw_sha256, warnings)"
    "  VALUES ((SELECT id FROM ticket@), :source_key@, :mailbox@, :internet_message_id@,"
    "    :in_reply_to@, :references@::text[], :subject@, :from_address@, :from_name@,"
    "    :to_addresses@::jsonb, :cc_addresses@::jsonb, :reply_to_addresses@::jsonb,"
    "    to_timestamp(NULLIF(:sent_at_epoch@, '')::bigint), :body_text@, :body_text_new@,"
    "    :body_html@, :classification@, :decision_reason@, :raw_size@::bigint, :raw_sha256@,"
    "    :warnings@::jsonb)"
    "  RETURNING id, ticket_id),"
    // The bytes themselves, or the name of those written ahead (db/raw_contents.hpp), or
    // neither: a spilled raw follows in chunks.
    " raw@ AS (INSERT INTO raw_messages (message_id, raw, content_sha256)"
    "  SELECT id, CASE WHEN :raw_inline@::boolean THEN :raw@::bytea END,"
    "    NULLIF(:raw_content_sha256@, '') FROM m@"
    "  RETURNING 1),"
    " feed@ AS ("
    "  INSERT INTO events (type, ticket_id, message_id)"
    "  SELECT kind.type, m@.ticket_id, m@.id"
    "  FROM m@ CROSS JOIN (VALUES (1, 'ticket.created'), (2, 'message.added'))"
    "    AS kind (position, type)"
    "  WHERE kind.position = 2 OR :new_ticket@::boolean"
    "  ORDER BY kind.position"
    "  RETURNING 1),"
    // Attachments that are all spans of the raw message (db/attachment_writer.hpp), in order.
    " att@ AS ("
    "  INSERT INTO attachments (message_id, filename, content_type, content_id, is_inline, size,"
    "    sha256, base64_offset, base64_length)"
    "  SELECT m@.id, a.filename, a.content_type, a.content_id, a.is_inline, a.size, a.sha256,"
    "    a.base64_offset, a.base64_length"
    "  FROM m@, unnest(:att_filenames@::text[], :att_content_types@::text[],"
    "    :att_content_ids@::text[], :att_inline_flags@::boolean[], :att_sizes@::bigint[],"
    "    :att_sha256s@::text[], :att_offsets@::bigint[], :att_lengths@::bigint[])"
    "    WITH ORDINALITY AS a (filename, content_type, content_id, is_inline, size, sha256,"
    "      base64_offset, base64_length, position)"
    "  ORDER BY a.position"
    "  RETURNING 1)";

// One output row per message, in the given order, `#` its position. Each row reads its message's
// raw, feed and attachment CTEs: PostgreSQL runs a data-modifying CTE when it is first read (one
// nobody reads runs at the end, the last declared first), so every message's rows get their ids
// before the next message's, as with a statement per message.
constexpr std::string_view kMessageResult =
    "SELECT #, m@.id, m@.ticket_id, (SELECT reference FROM ticket@),"
    " (SELECT count(*) FROM raw@), (SELECT count(*) FROM feed@), (SELECT count(*) FROM att@)"
    " FROM m@";

// `text` with every `@` replaced by "_<position>" and every `#` by the position itself.
std::string forPosition(std::string_view text, std::size_t position) {
  const std::string number = std::to_string(position);
  std::string out;
  for (const char c : text) {
    if (c == '@') {
      out += "_" + number;
    } else if (c == '#') {
      out += number;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::unique_ptr<NamedStatement> insertStatement(std::size_t messages) {
  std::string sql = "WITH ";
  for (std::size_t k = 0; k < messages; ++k) {
    if (k > 0) sql += ", ";
    sql += forPosition(kMessageCtes, k);
  }
  for (std::size_t k = 0; k < messages; ++k) {
    sql += k > 0 ? " UNION ALL " : " ";
    sql += forPosition(kMessageResult, k);
  }
  return std::make_unique<NamedStatement>("hd_insert_messages_" + std::to_string(messages), sql);
}

const NamedStatement& statementFor(std::size_t messages) {
  static SizedStatements<kMessagesPerStatement> statements(insertStatement);
  return statements.forSize(messages);
}

// Returns whether the message's attachments go with the statement (all spans, or none).
bool setRow(NamedArgs& args, std::size_t position, const std::string& ticket_prefix,
            const MessageRow& row) {
  const IncomingMessage& in = *row.in;
  const mime::Message& mail = *in.parsed;
  const ingest::Outcome& outcome = row.result->outcome;
  using Kind = ingest::Outcome::Kind;
  const bool new_ticket = outcome.kind == Kind::kNewTicket;
  const bool follow_up = outcome.kind == Kind::kFollowUp;
  const std::optional<mime::Address>& requester = mail.from ? mail.from : mail.sender;
  const bool inline_raw = !in.raw_written_ahead && !storedInChunks(in.raw);
  const std::string suffix = "_" + std::to_string(position);
  std::string name;
  const auto field = [&](const char* column) -> std::string_view {
    name = column + suffix;
    return name;
  };
  args.set(field("new_ticket"), new_ticket)
      .set(field("ticket_prefix"), validUtf8(ticket_prefix))
      .set(field("ticket_subject"),
           validUtf8(outcome.ticket_subject.empty() ? mail.subject : outcome.ticket_subject))
      .set(field("requester_address"), validUtf8(requester ? requester->address : ""))
      .set(field("requester_name"), validUtf8(requester ? requester->name : ""))
      .set(field("follow_up_ticket_id"),
           follow_up ? std::to_string(outcome.ticket_id) : std::string())
      .set(field("source_key"), in.source_key)
      .set(field("mailbox"), validUtf8(in.mailbox))
      .set(field("internet_message_id"), validUtf8(mail.message_id))
      .set(field("in_reply_to"), validUtf8(mail.in_reply_to))
      .set(field("references"), textArrayLiteral(mail.references))
      .set(field("subject"), validUtf8(mail.subject))
      .set(field("from_address"), validUtf8(mail.from ? mail.from->address : ""))
      .set(field("from_name"), validUtf8(mail.from ? mail.from->name : ""))
      .set(field("to_addresses"), addressesJson(mail.to))
      .set(field("cc_addresses"), addressesJson(mail.cc))
      .set(field("reply_to_addresses"), addressesJson(mail.reply_to))
      .set(field("sent_at_epoch"), epochSecondsOrEmpty(mail.date))
      .set(field("body_text"), validUtf8(mail.text_body))
      .set(field("body_text_new"), validUtf8(mail.text_body_new))
      .set(field("body_html"), validUtf8(mail.html_body))
      .set(field("classification"), ingest::toString(outcome.classification))
      .set(field("decision_reason"), validUtf8(outcome.reason))
      .set(field("raw_size"), static_cast<std::int64_t>(in.raw.size()))
      .set(field("raw_sha256"), *row.sha256)
      .set(field("warnings"), warningsJson(in.warnings))
      .set(field("raw_inline"), inline_raw)
      // binary: one copy, no escaping
      .set(field("raw"), inline_raw ? std::string_view(in.raw.memory()) : std::string_view())
      .set(field("raw_content_sha256"), in.raw_written_ahead ? *row.sha256 : std::string());
  const auto spans = spanAttachmentColumns(in.raw.size(), mail.attachments);
  const SpanAttachmentColumns none{"{}", "{}", "{}", "{}", "{}", "{}", "{}", "{}"};
  const SpanAttachmentColumns& columns = spans ? *spans : none;
  args.set(field("att_filenames"), columns.filenames)
      .set(field("att_content_types"), columns.content_types)
      .set(field("att_content_ids"), columns.content_ids)
      .set(field("att_inline_flags"), columns.inline_flags)
      .set(field("att_sizes"), columns.sizes)
      .set(field("att_sha256s"), columns.sha256s)
      .set(field("att_offsets"), columns.offsets)
      .set(field("att_lengths"), columns.lengths);
  return spans.has_value();
}

}  // namespace

void insertMessageRows(pqxx::transaction_base& tx, const std::string& ticket_prefix,
                       std::span<const MessageRow> rows) {
  if (rows.empty() || rows.size() > kMessagesPerStatement) {
    throw std::invalid_argument("insertMessageRows: 1.." + std::to_string(kMessagesPerStatement) +
                                " messages per statement");
  }
  NamedArgs args(statementFor(rows.size()));
  std::vector<bool> attachments_written(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) {
    attachments_written[k] = setRow(args, k, ticket_prefix, rows[k]);
  }
  const pqxx::result stored = args.exec(tx);
  if (stored.size() != rows.size()) {
    throw std::logic_error("insertMessageRows: " + std::to_string(stored.size()) + " rows for " +
                           std::to_string(rows.size()) + " messages");
  }
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const pqxx::row out = stored[static_cast<pqxx::result::size_type>(k)];
    const MessageRow& row = rows[out[0].as<std::size_t>()];
    CommitResult& result = *row.result;
    const bool follow_up = result.outcome.kind == ingest::Outcome::Kind::kFollowUp;
    if (follow_up && out[2].is_null()) {
      // A decide() bug, not bad mail: the exception rolls the whole batch back.
      throw std::invalid_argument("decide() answered a follow-up to unknown ticket " +
                                  std::to_string(result.outcome.ticket_id));
    }
    result.message_id = out[1].as<std::int64_t>();
    result.ticket_id = out[2].is_null() ? 0 : out[2].as<std::int64_t>();
    result.ticket_reference = out[3].is_null() ? "" : out[3].as<std::string>();
    result.ticket_created = result.outcome.kind == ingest::Outcome::Kind::kNewTicket;
  }
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const IncomingMessage& in = *rows[k].in;
    if (!in.raw_written_ahead && storedInChunks(in.raw)) {
      writeChunks(tx, ChunkedContent::kRawMessage, rows[k].result->message_id, in.raw);
    }
    if (!attachments_written[k]) {
      writeAttachments(tx, rows[k].result->message_id, in.raw.size(), in.parsed->attachments);
    }
  }
}

}  // namespace hd::db
