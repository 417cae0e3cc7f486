#pragma once
// Schema migrations: the numbered files db/migrations/NNNN_name.sql, embedded into the binary at
// build time by db/embed_migrations.cmake.

#include <string_view>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace hd::db {

struct Migration {
  int version = 0;
  std::string_view name;
  std::string_view sql;  // may hold several statements
};

// Every embedded migration, ascending by version. Valid for the life of the process.
const std::vector<Migration>& embeddedMigrations();

// Applies the migrations whose version is not yet recorded in schema_migrations (created when
// missing), each in its own transaction together with its schema_migrations row, all under a
// session-level advisory lock on `connection`, so that concurrent processes take turns and none
// applies a migration twice. Returns how many it applied (0 when the schema was up to date).
// Throws what libpqxx throws; the lock is released on every path (or with the lost session).
int applyMigrations(pqxx::connection_base& connection, const std::vector<Migration>& migrations);

// The highest version recorded in schema_migrations, 0 when the table does not exist.
int appliedSchemaVersion(pqxx::connection_base& connection);

}  // namespace hd::db
