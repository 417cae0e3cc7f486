#include "service/http/status_report.hpp"

#include "service/time_format.hpp"

namespace hd::service::http {
namespace {

nlohmann::json timeOrNull(const std::optional<std::chrono::system_clock::time_point>& time) {
  if (!time) return nullptr;
  return formatRfc3339(*time);
}

}  // namespace

StatusReport::StatusReport(const StatusBoard& board, CountsReader counts, std::chrono::steady_clock::time_point started)
    : board_(board), counts_(std::move(counts)), started_(started) {}

nlohmann::json StatusReport::build() const {
  using nlohmann::json;
  json doc;
  doc["version"] = HD_VERSION;
  doc["uptime_seconds"] =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();

  std::map<std::string, db::MailboxCounts> counts;
  json database = {{"ok", true}, {"error", nullptr}};
  try {
    counts = counts_();
  } catch (const std::exception& e) {
    database = {{"ok", false}, {"error", e.what()}};
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
        {"last_error", box.last_error ? json(*box.last_error) : json(nullptr)},
        {"last_error_at", timeOrNull(box.last_error_at)},
        {"consecutive_failures", box.consecutive_failures},
        {"checkpoint", {{"uidvalidity", box.uidvalidity}, {"last_uid", box.last_uid}}},
    };
    auto found = counts.find(box.name);
    if (database["ok"] == true) {
      entry["ingested"] = found == counts.end() ? 0 : found->second.ingested;
      entry["quarantined"] = found == counts.end() ? 0 : found->second.quarantined;
    } else {
      entry["ingested"] = nullptr;
      entry["quarantined"] = nullptr;
    }
    doc["mailboxes"].push_back(std::move(entry));
  }
  return doc;
}

}  // namespace hd::service::http
