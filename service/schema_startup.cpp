#include "service/schema_startup.hpp"

#include <Poco/Logger.h>

#include <algorithm>

#include "db/schema_upgrade.hpp"

namespace hd::service {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("hd.service");
}

}  // namespace

bool migrateSchemaAtStart(const std::string& database_url, const BackoffConfig& backoff,
                          const StopSignal& stop, bool retry_until_stopped,
                          const std::function<void(const std::string&)>& on_failure) {
  std::chrono::seconds delay = backoff.initial;
  for (;;) {
    try {
      const int applied = db::migrateDatabase(database_url);
      logger().information("database schema at version %d (%d migration(s) applied)",
                           db::latestSchemaVersion(), applied);
      return true;
    } catch (const std::exception& e) {
      if (on_failure) on_failure(e.what());
      if (!retry_until_stopped) {
        logger().error("database schema migration failed: %s", std::string(e.what()));
        return false;
      }
      logger().warning(
          "database schema migration failed; mailbox workers wait for it, next try in %s s: %s",
          std::to_string(delay.count()), std::string(e.what()));
    }
    if (stop.waitFor(delay)) return false;
    delay = std::min(delay * 2, backoff.max);
  }
}

}  // namespace hd::service
