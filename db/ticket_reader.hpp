#pragma once
// Read queries behind /api/v1/tickets, /api/v1/messages and /api/v1/attachments. Objects come back
// as JSON built by PostgreSQL (db/api_json_sql.hpp); an unknown id is an empty optional.
// Errors: DatabaseError / StatementError (db/errors.hpp). Not thread-safe (one connection).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

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
  std::string content;  // exact bytes
};

class TicketReader {
 public:
  explicit TicketReader(ReadConnection& connection) : connection_(connection) {}

  // The ticket with every message (oldest first), classifications and attachment metadata.
  std::optional<nlohmann::json> ticket(std::int64_t id);
  // Ticket summaries ordered by id, after `after_id`.
  nlohmann::json tickets(const TicketFilter& filter);
  std::optional<nlohmann::json> message(std::int64_t id);
  std::optional<std::string> rawMessage(std::int64_t id);  // the exact bytes as fetched
  std::optional<AttachmentContent> attachment(std::int64_t id);

 private:
  std::optional<nlohmann::json> oneJson(const char* operation, const std::string& sql,
                                        std::int64_t id);

  ReadConnection& connection_;
};

}  // namespace hd::db
