#include "db/ticket_reader.hpp"

#include <pqxx/pqxx>

#include "db/api_json_sql.hpp"
#include "db/sql_values.hpp"

namespace hd::db {
namespace {

const std::string kTicket = "SELECT (" + sql::kTicketSummary +
                            " || jsonb_build_object('messages',"
                            " COALESCE((SELECT jsonb_agg(" +
                            sql::kMessageDetail +
                            " ORDER BY m.id)"
                            " FROM messages m WHERE m.ticket_id = t.id), '[]'::jsonb)))::text"
                            " FROM tickets t WHERE t.id = $1";
const std::string kTickets =
    "SELECT " + sql::kTicketSummary +
    "::text FROM tickets t"
    " WHERE ($1 = '' OR t.status = $1) AND ($2 = '' OR t.mailbox = $2) AND t.id > $3"
    " ORDER BY t.id LIMIT $4";
const std::string kMessage =
    "SELECT " + sql::kMessageDetail + "::text FROM messages m WHERE m.id = $1";
// The raw bytes are in the row, or written ahead and named by it (migration 0015), or in chunks
// (NULL here).
constexpr const char* kRawMessage =
    "SELECT coalesce(r.raw, c.raw) FROM raw_messages r"
    " LEFT JOIN raw_contents c ON c.sha256 = r.content_sha256 WHERE r.message_id = $1";
// `IS NULL` reads no bytes: it says whether the raw message is in chunks.
constexpr const char* kAttachment =
    "SELECT a.filename, a.content_type, a.content, a.message_id, a.base64_offset,"
    " a.base64_length, a.size, r.raw IS NULL AND r.content_sha256 IS NULL, a.sha256"
    " FROM attachments a LEFT JOIN raw_messages r ON r.message_id = a.message_id WHERE a.id = $1";

}  // namespace

std::optional<nlohmann::json> TicketReader::oneJson(const char* operation, const std::string& sql,
                                                    std::int64_t id) {
  std::optional<nlohmann::json> result;
  connection_.run(operation, [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    const auto rows = tx.exec_params(sql, id);
    if (!rows.empty()) result = nlohmann::json::parse(rows[0][0].c_str());
  });
  return result;
}

std::optional<nlohmann::json> TicketReader::ticket(std::int64_t id) {
  return oneJson("read ticket", kTicket, id);
}

std::optional<nlohmann::json> TicketReader::message(std::int64_t id) {
  return oneJson("read message", kMessage, id);
}

nlohmann::json TicketReader::tickets(const TicketFilter& filter) {
  auto list = nlohmann::json::array();
  connection_.run("list tickets", [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    for (const auto& row :
         tx.exec_params(kTickets, validUtf8(filter.status), validUtf8(filter.mailbox),
                        filter.after_id, filter.limit)) {
      list.push_back(nlohmann::json::parse(row[0].c_str()));
    }
  });
  return list;
}

std::optional<StoredBytes> TicketReader::rawMessage(std::int64_t id) {
  std::optional<StoredBytes> raw;
  connection_.run("read raw message", [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    const auto rows = tx.exec_params(kRawMessage, id);
    if (!rows.empty()) raw = storedBytes(tx, ChunkedContent::kRawMessage, id, rows[0][0]);
  });
  return raw;
}

std::optional<std::string> TicketReader::chunk(const StoredBytes& stored, std::int32_t seq) {
  std::optional<std::string> chunk;
  connection_.run("read a chunk", [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    chunk = readChunk(tx, stored.content, stored.owner_id, seq);
  });
  return chunk;
}

std::optional<AttachmentContent> TicketReader::attachment(std::int64_t id) {
  std::optional<AttachmentContent> found;
  connection_.run("read attachment", [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    const auto rows = tx.exec_params(kAttachment, id);
    if (rows.empty()) return;
    const auto row = rows[0];
    StoredBytes content;
    if (row[4].is_null()) {
      content = storedBytes(tx, ChunkedContent::kAttachment, id, row[2]);
    } else {
      content.base64_of_raw = Base64Span{row[3].as<std::int64_t>(),  row[7].as<bool>(),
                                         row[4].as<std::uint64_t>(), row[5].as<std::uint64_t>(),
                                         row[6].as<std::uint64_t>(), row[8].as<std::string>()};
    }
    found =
        AttachmentContent{row[0].as<std::string>(), row[1].as<std::string>(), std::move(content)};
  });
  return found;
}

std::optional<std::string> TicketReader::rawSpan(const Base64Span& span, std::uint64_t offset,
                                                 std::uint64_t length) {
  std::optional<std::string> bytes;
  connection_.run("read an attachment's span", [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    bytes = readRawSpan(tx, span, offset, length);
  });
  return bytes;
}

}  // namespace hd::db
