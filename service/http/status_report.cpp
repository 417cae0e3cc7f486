#include "service/http/status_report.hpp"

#include "connectors/net/redact.hpp"
#include "db/errors.hpp"
#include "service/time_format.hpp"

namespace hd::service::http {
namespace {

nlohmann::json timeOrNull(const std::optional<std::chrono::system_clock::time_point>& time) {
  if (!time) return nullptr;
  return formatRfc3339(*time);
}

}  // namespace

std::string publicDatabaseError(const std::exception& error) {
  if (dynamic_cast<const db::StatementError*>(&error)) return "a database query failed";
  if (dynamic_cast<const db::DatabaseError*>(&error)) return "database unavailable";
  return "internal error";
}

StatusReport::StatusReport(const StatusBoard& board, SnapshotReader read,
                           std::chrono::steady_clock::time_point started)
    : board_(board), read_(std::move(read)), started_(started) {}

nlohmann::json StatusReport::build() const {
  using nlohmann::json;
  json doc;
  doc["version"] = HD_VERSION;
  doc["uptime_seconds"] =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_)
          .count();

  std::optional<DatabaseSnapshot> snapshot;
  json database = {{"ok", false},
                   {"error", nullptr},
                   {"schema_version", nullptr},
                   {"schema_expected", nullptr},
                   {"schema_current", false}};
  try {
    snapshot = read_();
    database["ok"] = true;
    database["schema_version"] = snapshot->schema.applied_version;
    database["schema_expected"] = snapshot->schema.expected_version;
    database["schema_current"] = snapshot->schema.current();
  } catch (const std::exception& e) {
    database["error"] = publicDatabaseError(e);
  }
  doc["database"] = database;

  doc["mailboxes"] = json::array();
  for (const auto& box : board_.all()) {
    json entry = {
        {"name", box.name},
        {"protocol", box.protocol},
        {"state", toString(box.state)},
        {"idle", box.idle},
        {"last_poll", timeOrNull(box.last_poll)},
        {"last_success", timeOrNull(box.last_success)},
        {"last_error", box.last_error ? json(net::redactSecrets(*box.last_error)) : json(nullptr)},
        {"last_error_at", timeOrNull(box.last_error_at)},
        {"consecutive_failures", box.consecutive_failures},
        {"checkpoint", {{"uidvalidity", box.uidvalidity}, {"last_uid", box.last_uid}}},
        {"lease", toString(box.lease)},
        {"token_expires_at", timeOrNull(box.token_expires_at)},
    };
    const db::MailboxStats* stats = nullptr;
    if (snapshot) {
      auto found = snapshot->stats.find(box.name);
      if (found != snapshot->stats.end()) stats = &found->second;
    }
    if (stats) {
      entry["ingested"] = stats->ingested;
      entry["quarantined"] = stats->quarantined;
      entry["tickets"] = stats->tickets;
      entry["follow_ups"] = stats->follow_ups;
      entry["recorded"] = stats->recorded_by_classification;
      entry["ticketed"] = stats->ticketed_by_classification;
    } else {
      for (const char* key :
           {"ingested", "quarantined", "tickets", "follow_ups", "recorded", "ticketed"}) {
        entry[key] = nullptr;
      }
    }
    doc["mailboxes"].push_back(std::move(entry));
  }
  return doc;
}

}  // namespace hd::service::http
