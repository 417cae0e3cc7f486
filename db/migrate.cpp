#include <Poco/Logger.h>

#include <pqxx/pqxx>
#include <set>
#include <string>

#include "db/migrations.hpp"

namespace hd::db {
namespace {

// Fixed key of the session-level advisory lock that serialises migrations ("hdmigrat" in ASCII).
// The single-bigint form lives in a different lock space from the two-int4 form, so other
// advisory locks of the service cannot collide with it.
constexpr long long kMigrationLockKey = 0x68646d6967726174LL;

constexpr const char* kLock = "SELECT pg_advisory_lock($1)";
constexpr const char* kUnlock = "SELECT pg_advisory_unlock($1)";
constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";
constexpr const char* kAppliedVersions = "SELECT version FROM schema_migrations";
constexpr const char* kRecordMigration =
    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)";
constexpr const char* kMigrationsTableExists =
    "SELECT to_regclass('schema_migrations') IS NOT NULL";
constexpr const char* kHighestVersion = "SELECT COALESCE(max(version), 0) FROM schema_migrations";

Poco::Logger& logger() {
  return Poco::Logger::get("hd.db");
}

int applyMissing(pqxx::connection_base& connection, const std::vector<Migration>& migrations) {
  {
    pqxx::nontransaction create(connection);
    create.exec0(kCreateMigrationsTable);
  }
  std::set<int> applied;
  {
    pqxx::nontransaction read(connection);
    for (const auto& row : read.exec(kAppliedVersions)) applied.insert(row[0].as<int>());
  }
  int count = 0;
  for (const auto& migration : migrations) {
    if (applied.count(migration.version) != 0) continue;
    pqxx::work work(connection);
    work.exec(std::string(migration.sql));
    work.exec_params0(kRecordMigration, migration.version, std::string(migration.name));
    work.commit();
    ++count;
    logger().information("applied migration %d (%s)", migration.version,
                         std::string(migration.name));
  }
  if (!applied.empty() && !migrations.empty() && *applied.rbegin() > migrations.back().version) {
    logger().warning("database schema is at version %d, newer than this binary knows (%d)",
                     *applied.rbegin(), migrations.back().version);
  }
  return count;
}

}  // namespace

int applyMigrations(pqxx::connection_base& connection, const std::vector<Migration>& migrations) {
  {
    pqxx::nontransaction lock(connection);
    lock.exec_params(kLock, kMigrationLockKey);
  }
  int count = 0;
  try {
    count = applyMissing(connection, migrations);
  } catch (...) {
    // A lost session releases the lock by itself; otherwise release it before reporting.
    try {
      pqxx::nontransaction unlock(connection);
      unlock.exec_params(kUnlock, kMigrationLockKey);
    } catch (const std::exception&) {
    }
    throw;
  }
  pqxx::nontransaction unlock(connection);
  unlock.exec_params(kUnlock, kMigrationLockKey);
  return count;
}

int appliedSchemaVersion(pqxx::connection_base& connection) {
  pqxx::nontransaction read(connection);
  if (!read.exec1(kMigrationsTableExists)[0].as<bool>()) return 0;
  return read.exec1(kHighestVersion)[0].as<int>();
}

}  // namespace hd::db
