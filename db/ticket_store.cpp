#include "db/ticket_store.hpp"

#include <Poco/Logger.h>

#include <pqxx/pqxx>

#include "db/accounted_keys.hpp"
#include "db/large_value_session.hpp"
#include "db/message_writer.hpp"
#include "db/migrations.hpp"
#include "db/sql_values.hpp"

namespace hd::db {
namespace {

// synchronous_commit on whatever the server's default: a commit is durable before the
// acknowledge on the mail server may follow it.
constexpr const char* kSessionSetup =
    "SET client_encoding = 'UTF8'; SET application_name = 'helpdesk-ingest';"
    " SET synchronous_commit = on";
constexpr const char* kPing = "SELECT 1";
constexpr const char* kLeftOnServer =
    "SELECT source_key FROM quarantine WHERE on_server AND source_key = ANY($1::text[])";
constexpr const char* kFetchRequested =
    "SELECT source_key FROM quarantine WHERE mailbox = $1 AND on_server AND fetch_requested"
    " ORDER BY id";
constexpr const char* kLoadCheckpoint =
    "SELECT uidvalidity, last_uid FROM mailbox_state WHERE mailbox = $1";
constexpr const char* kSaveCheckpoint =
    "INSERT INTO mailbox_state (mailbox, uidvalidity, last_uid) VALUES ($1, $2, $3)"
    " ON CONFLICT (mailbox) DO UPDATE SET uidvalidity = EXCLUDED.uidvalidity,"
    " last_uid = EXCLUDED.last_uid, updated_at = now()";
// Both counts use index-only scans (messages_mailbox_message_id_idx, quarantine_mailbox_idx).
constexpr const char* kCounts =
    "SELECT (SELECT count(*) FROM messages m WHERE m.mailbox = name),"
    " (SELECT count(*) FROM quarantine q WHERE q.mailbox = name)"
    " FROM unnest($1::text[]) WITH ORDINALITY AS requested (name, position) ORDER BY position";

Poco::Logger& logger() {
  return Poco::Logger::get("hd.db");
}

}  // namespace

TicketStore::TicketStore(std::string url, StoreOptions options)
    : options_(std::move(options)),
      connection_(std::move(url), std::string(kSessionSetup) + "; " + kLargeValueSessionSetup,
                  "database connection") {}

TicketStore::~TicketStore() = default;

int TicketStore::migrate() {
  int applied = 0;
  connection_.run("migrate", [&](pqxx::connection_base& c) {
    applied = applyMigrations(c, embeddedMigrations());
  });
  return applied;
}

bool TicketStore::schemaUpToDate() {
  const auto& migrations = embeddedMigrations();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  int version = 0;
  connection_.run("schema check",
                  [&](pqxx::connection_base& c) { version = appliedSchemaVersion(c); });
  return version >= latest;
}

std::vector<std::string> TicketStore::accountedKeys(const std::vector<std::string>& source_keys) {
  std::vector<std::string> keys;
  if (source_keys.empty()) return keys;
  connection_.run("accounted keys", [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    keys = db::accountedKeys(tx, source_keys);
  });
  return keys;
}

std::vector<std::string> TicketStore::keysLeftOnServer(
    const std::vector<std::string>& source_keys) {
  std::vector<std::string> keys;
  if (source_keys.empty()) return keys;
  connection_.run("keys left on the server", [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    for (const auto& row : tx.exec_params(kLeftOnServer, textArrayLiteral(source_keys))) {
      keys.push_back(row[0].as<std::string>());
    }
  });
  return keys;
}

std::vector<std::string> TicketStore::fetchRequested(const std::string& mailbox) {
  std::vector<std::string> keys;
  connection_.run("fetch requested", [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    for (const auto& row : tx.exec_params(kFetchRequested, validUtf8(mailbox))) {
      keys.push_back(row[0].as<std::string>());
    }
  });
  return keys;
}

void TicketStore::quarantine(const std::string& source_key, const std::string& mailbox,
                             const spill::Bytes& raw, const std::string& error) {
  connection_.run("quarantine", [&](pqxx::connection_base& c) {
    pqxx::work tx(c);  // a chunked raw is several statements: all or nothing
    writeQuarantine(tx, source_key, mailbox, raw, spill::sha256Hex(raw), error);
    tx.commit();
  });
  logger().debug("quarantined %s (%s bytes)", source_key, std::to_string(raw.size()));
}

std::optional<source::Checkpoint> TicketStore::loadCheckpoint(const std::string& mailbox) {
  std::optional<source::Checkpoint> checkpoint;
  connection_.run("load checkpoint", [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    const auto rows = tx.exec_params(kLoadCheckpoint, validUtf8(mailbox));
    if (rows.empty()) return;
    checkpoint = source::Checkpoint{rows[0][0].as<std::uint64_t>(), rows[0][1].as<std::uint64_t>()};
  });
  return checkpoint;
}

void TicketStore::saveCheckpoint(const std::string& mailbox, const source::Checkpoint& checkpoint) {
  connection_.run("save checkpoint", [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    // IMAP UIDVALIDITY and UIDs are 32-bit (RFC 9051 section 2.3.1.1), so bigint holds them.
    tx.exec_params0(kSaveCheckpoint, validUtf8(mailbox),
                    static_cast<std::int64_t>(checkpoint.uidvalidity),
                    static_cast<std::int64_t>(checkpoint.last_uid));
  });
}

MailboxCounts TicketStore::counts(const std::string& mailbox) {
  return countsByMailbox({mailbox}).at(mailbox);
}

std::map<std::string, MailboxCounts> TicketStore::countsByMailbox(
    const std::vector<std::string>& mailboxes) {
  std::map<std::string, MailboxCounts> result;
  for (const auto& name : mailboxes) result[name] = {};
  if (mailboxes.empty()) return result;
  connection_.run("counts", [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    const auto rows = tx.exec_params(kCounts, textArrayLiteral(mailboxes));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      // Row i is mailboxes[i] (ORDER BY position), even when the name had to be sanitised.
      result[mailboxes.at(i)] = {rows[i][0].as<std::int64_t>(), rows[i][1].as<std::int64_t>()};
    }
  });
  return result;
}

void TicketStore::ping() {
  connection_.run("ping", [&](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    tx.exec1(kPing);
  });
}

}  // namespace hd::db
