#pragma once
// The /status document: built from the in-memory StatusBoard plus row counts from the database.
// Never waits for a mailbox pass.

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "db/mailbox_stats.hpp"
#include "service/status_board.hpp"

namespace hd::service::http {

struct DatabaseSnapshot {
  std::map<std::string, db::MailboxStats> stats;  // every configured mailbox
  db::SchemaState schema;
};

// Reads the counts of every mailbox and the schema state; throws db::DatabaseError when the
// database cannot be read.
using SnapshotReader = std::function<DatabaseSnapshot()>;

class StatusReport {
 public:
  StatusReport(const StatusBoard& board, SnapshotReader read,
               std::chrono::steady_clock::time_point started);
  nlohmann::json build() const;

 private:
  const StatusBoard& board_;
  SnapshotReader read_;
  std::chrono::steady_clock::time_point started_;
};

// What a client may see of a database failure: no SQL, no connection string.
std::string publicDatabaseError(const std::exception& error);

}  // namespace hd::service::http
