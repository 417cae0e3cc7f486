#pragma once
// The schema is migrated once per process, at start, before any mailbox worker starts: workers
// and the API then always meet the schema this binary was built for, and the log says what was
// done ("database schema at version 7 (2 migrations applied)").

#include <functional>
#include <string>

#include "service/config.hpp"
#include "service/stop_signal.hpp"

namespace hd::service {

// Migrates the database at `database_url`. When that fails: with `retry_until_stopped` (serve)
// it logs a warning and tries again after `backoff` (doubling from initial up to max) until it
// succeeds or `stop` is requested; without (--once) it logs an error and gives up. Returns true
// once the schema is up to date. `on_failure`, when given, hears every failed attempt's error
// text (the runtime shows it on every mailbox of /status while workers wait).
bool migrateSchemaAtStart(const std::string& database_url, const BackoffConfig& backoff,
                          const StopSignal& stop, bool retry_until_stopped,
                          const std::function<void(const std::string&)>& on_failure = {});

}  // namespace hd::service
