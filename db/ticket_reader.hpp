#pragma once
// Read queries behind /api/v1/tickets, /api/v1/messages and /api/v1/attachments. Objects come back
// as JSON built by PostgreSQL (db/api_json_sql.hpp); an unknown id is an empty optional.
// Errors: DatabaseError / StatementError (db/errors.hpp). Not thread-safe (one connection).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "db/content_chunks.hpp"
#include "db/read_connection.hpp"

namespace hd::db {

struct TicketFilter {
  std::string status;   // "" = any
  std::string mailbox;  // "" = any
  std::int64_t after_id = 0;
  std::int64_t limit = 50;
};

struct AttachmentContent {
  std::string filename;
  std::string content_type;
  StoredBytes content;  // exact bytes, inline or in chunks, or a base64 span of the raw message
};

class TicketReader {
 public:
  explicit TicketReader(ReadConnection& connection) : connection_(connection) {}

  // The ticket with every message (oldest first), classifications and attachment metadata.
  std::optional<nlohmann::json> ticket(std::int64_t id);
  // Ticket summaries ordered by id, after `after_id`.
  nlohmann::json tickets(const TicketFilter& filter);
  std::optional<nlohmann::json> message(std::int64_t id);
  // The exact bytes as fetched: inline, or where the chunks of a big one are (read them with
  // chunk(), one at a time, each in its own round trip).
  std::optional<StoredBytes> rawMessage(std::int64_t id);
  std::optional<AttachmentContent> attachment(std::int64_t id);
  // Chunk `seq` of a chunked content; empty when it is gone (deleted meanwhile).
  std::optional<std::string> chunk(const StoredBytes& stored, std::int32_t seq);
  // Bytes [offset, offset + length) of the raw message `span` is in; empty when it is gone.
  std::optional<std::string> rawSpan(const Base64Span& span, std::uint64_t offset,
                                     std::uint64_t length);

 private:
  std::optional<nlohmann::json> oneJson(const char* operation, const std::string& sql,
                                        std::int64_t id);

  ReadConnection& connection_;
};

}  // namespace hd::db
