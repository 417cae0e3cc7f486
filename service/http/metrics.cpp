#include "service/http/metrics.hpp"

#include <cstdio>
#include <set>
#include <sstream>

namespace hd::service::http {
namespace {

std::string number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.15g", value);
  return buffer;
}

double epochSeconds(std::chrono::system_clock::time_point time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

void header(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

}  // namespace

std::string escapeLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

const std::vector<double>& Metrics::passBuckets() {
  static const std::vector<double> kBuckets = {0.1, 0.25, 0.5, 1,   2.5, 5,
                                               10,  30,   60,  120, 300, 600};
  return kBuckets;
}

// The method label: a client chooses the method, so any name outside RFC 9110's (and PATCH) is
// one value, "other"; otherwise every made-up method would add a series.
const std::string& methodLabel(const std::string& method) {
  static const std::set<std::string> kKnown = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                               "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  static const std::string kOther = "other";
  const auto known = kKnown.find(method);
  return known == kKnown.end() ? kOther : *known;
}

void Metrics::recordHttp(const std::string& route, const std::string& method, int status) {
  std::lock_guard lock(mutex_);
  ++http_[{route, methodLabel(method), status}];
}

void Metrics::recordPass(const std::string& mailbox, bool ok, std::chrono::milliseconds duration,
                         std::size_t stored, std::size_t quarantined) {
  const double seconds = std::chrono::duration<double>(duration).count();
  const auto& bounds = passBuckets();
  std::lock_guard lock(mutex_);
  auto& series = passes_[mailbox];
  series.buckets.resize(bounds.size() + 1);
  std::size_t bucket = 0;
  while (bucket < bounds.size() && seconds > bounds[bucket]) ++bucket;
  ++series.buckets[bucket];
  series.sum_seconds += seconds;
  (ok ? series.successes : series.failures)++;
  series.stored += stored;
  series.quarantined += quarantined;
}

void Metrics::recordPassStages(const std::string& mailbox, const PassTimings& timings) {
  std::lock_guard lock(mutex_);
  auto& series = passes_[mailbox];
  series.buckets.resize(passBuckets().size() + 1);  // a series the histogram can render
  for (const PassStage& stage : kPassStages) series.stages.*stage.time += timings.*stage.time;
}

std::string Metrics::render(
    const std::vector<MailboxStatus>& mailboxes,
    const std::optional<std::map<std::string, db::MailboxStats>>& stats) const {
  std::ostringstream out;
  header(out, "helpdesk_ingest_build_info", "gauge", "Build information; the value is always 1.");
  out << "helpdesk_ingest_build_info{version=\"" << escapeLabel(HD_VERSION) << "\"} 1\n";
  header(out, "helpdesk_ingest_start_time_seconds", "gauge",
         "Start time of the process since the Unix epoch.");
  out << "helpdesk_ingest_start_time_seconds " << number(epochSeconds(started_)) << '\n';
  header(out, "helpdesk_ingest_database_up", "gauge",
         "1 when the last scrape could read the database.");
  out << "helpdesk_ingest_database_up " << (stats ? 1 : 0) << '\n';

  header(out, "helpdesk_ingest_mailbox_state", "gauge",
         "1 for the mailbox's current state, 0 for the others.");
  for (const auto& box : mailboxes) {
    for (auto state : {MailboxState::kOk, MailboxState::kFailing, MailboxState::kAuthRequired}) {
      out << "helpdesk_ingest_mailbox_state{mailbox=\"" << escapeLabel(box.name) << "\",state=\""
          << toString(state) << "\"} " << (box.state == state ? 1 : 0) << '\n';
    }
  }
  header(out, "helpdesk_ingest_mailbox_idle", "gauge", "1 while the mailbox waits in IMAP IDLE.");
  for (const auto& box : mailboxes) {
    out << "helpdesk_ingest_mailbox_idle{mailbox=\"" << escapeLabel(box.name) << "\"} "
        << (box.idle ? 1 : 0) << '\n';
  }
  header(out, "helpdesk_ingest_mailbox_consecutive_failures", "gauge", "Failed passes in a row.");
  for (const auto& box : mailboxes) {
    out << "helpdesk_ingest_mailbox_consecutive_failures{mailbox=\"" << escapeLabel(box.name)
        << "\"} " << box.consecutive_failures << '\n';
  }
  header(out, "helpdesk_ingest_mailbox_last_success_timestamp_seconds", "gauge",
         "End of the last successful pass since the Unix epoch (0: none since start).");
  for (const auto& box : mailboxes) {
    out << "helpdesk_ingest_mailbox_last_success_timestamp_seconds{mailbox=\""
        << escapeLabel(box.name) << "\"} "
        << number(box.last_success ? epochSeconds(*box.last_success) : 0) << '\n';
  }
  header(out, "helpdesk_ingest_mailbox_last_poll_timestamp_seconds", "gauge",
         "Start of the last pass attempt since the Unix epoch (0: none since start).");
  for (const auto& box : mailboxes) {
    out << "helpdesk_ingest_mailbox_last_poll_timestamp_seconds{mailbox=\"" << escapeLabel(box.name)
        << "\"} " << number(box.last_poll ? epochSeconds(*box.last_poll) : 0) << '\n';
  }

  header(out, "helpdesk_ingest_mailbox_token_expiry_timestamp_seconds", "gauge",
         "Expiry of the OAuth2 access token in use since the Unix epoch (OAuth2 mailboxes that "
         "have signed in since start).");
  for (const auto& box : mailboxes) {
    if (!box.token_expires_at) continue;
    out << "helpdesk_ingest_mailbox_token_expiry_timestamp_seconds{mailbox=\""
        << escapeLabel(box.name) << "\"} " << number(epochSeconds(*box.token_expires_at)) << '\n';
  }

  if (stats) {
    header(
        out, "helpdesk_ingest_mailbox_messages", "gauge",
        "Stored messages by classification and whether they are on a ticket (from the database).");
    for (const auto& [name, s] : *stats) {
      for (const auto& [classification, n] : s.ticketed_by_classification) {
        out << "helpdesk_ingest_mailbox_messages{mailbox=\"" << escapeLabel(name)
            << "\",classification=\"" << escapeLabel(classification) << "\",ticketed=\"true\"} "
            << n << '\n';
      }
      for (const auto& [classification, n] : s.recorded_by_classification) {
        out << "helpdesk_ingest_mailbox_messages{mailbox=\"" << escapeLabel(name)
            << "\",classification=\"" << escapeLabel(classification) << "\",ticketed=\"false\"} "
            << n << '\n';
      }
    }
    header(out, "helpdesk_ingest_mailbox_quarantined_messages", "gauge",
           "Messages in quarantine (from the database).");
    for (const auto& [name, s] : *stats) {
      out << "helpdesk_ingest_mailbox_quarantined_messages{mailbox=\"" << escapeLabel(name)
          << "\"} " << s.quarantined << '\n';
    }
    header(out, "helpdesk_ingest_mailbox_tickets", "gauge",
           "Tickets opened by the mailbox's mail (from the database).");
    for (const auto& [name, s] : *stats) {
      out << "helpdesk_ingest_mailbox_tickets{mailbox=\"" << escapeLabel(name) << "\"} "
          << s.tickets << '\n';
    }
  }

  std::lock_guard lock(mutex_);
  header(out, "helpdesk_ingest_passes_total", "counter",
         "Mailbox passes run by this process, by result.");
  for (const auto& [name, series] : passes_) {
    out << "helpdesk_ingest_passes_total{mailbox=\"" << escapeLabel(name)
        << "\",result=\"success\"} " << series.successes << '\n';
    out << "helpdesk_ingest_passes_total{mailbox=\"" << escapeLabel(name)
        << "\",result=\"failure\"} " << series.failures << '\n';
  }
  header(out, "helpdesk_ingest_messages_stored_total", "counter",
         "Messages stored by this process.");
  for (const auto& [name, series] : passes_) {
    out << "helpdesk_ingest_messages_stored_total{mailbox=\"" << escapeLabel(name) << "\"} "
        << series.stored << '\n';
  }
  header(out, "helpdesk_ingest_messages_quarantined_total", "counter",
         "Messages quarantined by this process.");
  for (const auto& [name, series] : passes_) {
    out << "helpdesk_ingest_messages_quarantined_total{mailbox=\"" << escapeLabel(name) << "\"} "
        << series.quarantined << '\n';
  }
  header(out, "helpdesk_ingest_pass_duration_seconds", "histogram", "Duration of mailbox passes.");
  const auto& bounds = passBuckets();
  for (const auto& [name, series] : passes_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
      cumulative += series.buckets[i];
      out << "helpdesk_ingest_pass_duration_seconds_bucket{mailbox=\"" << escapeLabel(name)
          << "\",le=\"" << (i < bounds.size() ? number(bounds[i]) : "+Inf") << "\"} " << cumulative
          << '\n';
    }
    out << "helpdesk_ingest_pass_duration_seconds_sum{mailbox=\"" << escapeLabel(name) << "\"} "
        << number(series.sum_seconds) << '\n';
    out << "helpdesk_ingest_pass_duration_seconds_count{mailbox=\"" << escapeLabel(name) << "\"} "
        << cumulative << '\n';
  }
  header(out, "helpdesk_ingest_pass_stage_seconds_total", "counter",
         "Time passes spent per stage: fetching and parsing (the fetch stage) beside committing "
         "and waiting for mail (the commit stage) and acknowledging (with checkpoint saves).");
  for (const auto& [name, series] : passes_) {
    for (const PassStage& stage : kPassStages) {
      out << "helpdesk_ingest_pass_stage_seconds_total{mailbox=\"" << escapeLabel(name)
          << "\",stage=\"" << stage.name << "\"} "
          << number(std::chrono::duration<double>(series.stages.*stage.time).count()) << '\n';
    }
  }
  header(out, "helpdesk_ingest_http_requests_total", "counter",
         "HTTP requests served, by route and status (0: an answer cut short after its head, its "
         "body incomplete).");
  for (const auto& [key, n] : http_) {
    out << "helpdesk_ingest_http_requests_total{route=\"" << escapeLabel(std::get<0>(key))
        << "\",method=\"" << escapeLabel(std::get<1>(key)) << "\",status=\"" << std::get<2>(key)
        << "\"} " << n << '\n';
  }
  return out.str();
}

}  // namespace hd::service::http
