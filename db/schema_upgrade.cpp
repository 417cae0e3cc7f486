#include "db/schema_upgrade.hpp"

#include "db/migrations.hpp"
#include "db/own_connection.hpp"

namespace hd::db {

int migrateDatabase(const std::string& database_url) {
  int applied = 0;
  withOwnConnection(database_url, "migrate", [&](pqxx::connection_base& connection) {
    applied = applyMigrations(connection, embeddedMigrations());
  });
  return applied;
}

int latestSchemaVersion() {
  const auto& migrations = embeddedMigrations();
  return migrations.empty() ? 0 : migrations.back().version;
}

}  // namespace hd::db
