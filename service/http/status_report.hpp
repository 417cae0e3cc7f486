#pragma once
// The /status document: built from the in-memory StatusBoard plus row counts from the database.
// Never waits for a mailbox pass.

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "db/ticket_store.hpp"
#include "service/status_board.hpp"

namespace hd::service::http {

// Reads ingested/quarantined counts per mailbox; throws when the database is unreachable.
using CountsReader = std::function<std::map<std::string, db::MailboxCounts>()>;

class StatusReport {
 public:
  StatusReport(const StatusBoard& board, CountsReader counts, std::chrono::steady_clock::time_point started);
  nlohmann::json build() const;

 private:
  const StatusBoard& board_;
  CountsReader counts_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace hd::service::http
