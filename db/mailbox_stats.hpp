#pragma once
// Per-mailbox row counts for /status and /metrics, read from the database (so they survive
// restarts), plus the schema state for /readyz. Errors: DatabaseError / StatementError.
// Not thread-safe (one connection).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "db/read_connection.hpp"

namespace hd::db {

struct MailboxStats {
  std::int64_t ingested = 0;     // rows in messages (every classification)
  std::int64_t quarantined = 0;  // rows in quarantine
  std::int64_t tickets = 0;      // tickets opened by this mailbox's mail
  std::int64_t follow_ups = 0;   // messages added to an existing ticket
  std::map<std::string, std::int64_t> ticketed_by_classification;  // messages on a ticket
  std::map<std::string, std::int64_t> recorded_by_classification;  // messages without a ticket
};

struct SchemaState {
  int applied_version = 0;   // highest version in schema_migrations (0: none)
  int expected_version = 0;  // highest embedded migration
  bool current() const { return applied_version >= expected_version; }
};

class MailboxStatsReader {
 public:
  explicit MailboxStatsReader(ReadConnection& connection) : connection_(connection) {}

  // Every requested name is present in the result (zeros for a mailbox without rows).
  std::map<std::string, MailboxStats> read(const std::vector<std::string>& mailboxes);

  SchemaState schema();

 private:
  ReadConnection& connection_;
};

}  // namespace hd::db
