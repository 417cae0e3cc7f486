#include "db/mailbox_stats.hpp"

#include <pqxx/pqxx>

#include "db/migrations.hpp"
#include "db/sql_values.hpp"

namespace hd::db {
namespace {

// Index-only scans on messages_mailbox_classification_idx, tickets_mailbox_status_idx and
// quarantine_mailbox_idx (migrations 0001 and 0003).
constexpr const char* kMessageCounts =
    "SELECT mailbox, classification, ticket_id IS NOT NULL, count(*) FROM messages"
    " WHERE mailbox = ANY($1::text[]) GROUP BY 1, 2, 3";
constexpr const char* kTicketCounts =
    "SELECT mailbox, count(*) FROM tickets WHERE mailbox = ANY($1::text[]) GROUP BY 1";
constexpr const char* kQuarantineCounts =
    "SELECT mailbox, count(*) FROM quarantine WHERE mailbox = ANY($1::text[]) GROUP BY 1";

}  // namespace

std::map<std::string, MailboxStats> MailboxStatsReader::read(
    const std::vector<std::string>& mailboxes) {
  std::map<std::string, MailboxStats> stats;
  for (const auto& name : mailboxes) stats[name] = {};
  if (mailboxes.empty()) return stats;
  const std::string names = textArrayLiteral(mailboxes);
  connection_.run("mailbox stats", [&](pqxx::connection_base& c) {
    pqxx::work tx(c);  // one snapshot for all three counts
    for (const auto& row : tx.exec_params(kMessageCounts, names)) {
      auto& s = stats[row[0].as<std::string>()];
      const auto n = row[3].as<std::int64_t>();
      s.ingested += n;
      (row[2].as<bool>() ? s.ticketed_by_classification
                         : s.recorded_by_classification)[row[1].as<std::string>()] += n;
    }
    for (const auto& row : tx.exec_params(kTicketCounts, names))
      stats[row[0].as<std::string>()].tickets = row[1].as<std::int64_t>();
    for (const auto& row : tx.exec_params(kQuarantineCounts, names)) {
      stats[row[0].as<std::string>()].quarantined = row[1].as<std::int64_t>();
    }
    tx.commit();
  });
  for (auto& [name, s] : stats) {
    std::int64_t ticketed = 0;
    for (const auto& [classification, n] : s.ticketed_by_classification) ticketed += n;
    // A ticket's first message is the one that opened it; every other ticketed message followed up.
    s.follow_ups = ticketed > s.tickets ? ticketed - s.tickets : 0;
  }
  return stats;
}

SchemaState MailboxStatsReader::schema() {
  SchemaState state;
  const auto& migrations = embeddedMigrations();
  state.expected_version = migrations.empty() ? 0 : migrations.back().version;
  connection_.run("schema state", [&](pqxx::connection_base& c) {
    state.applied_version = appliedSchemaVersion(c);
  });
  return state;
}

}  // namespace hd::db
