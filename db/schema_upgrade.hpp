#pragma once
// The schema brought up to date from a database URL, for the start of the service and of
// `auth login`: every embedded migration (db/migrations.hpp) under the migration lock, on a
// connection of its own. Errors: db/errors.hpp.

#include <string>

namespace hd::db {

// Returns how many migrations it applied (0 when the schema was up to date).
int migrateDatabase(const std::string& database_url);

// The schema version this binary's migrations reach.
int latestSchemaVersion();

}  // namespace hd::db
