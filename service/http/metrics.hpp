#pragma once
// Prometheus metrics of this process, rendered in the text exposition format (version 0.0.4) by
// hand: counters and the pass-duration histogram live here (recorded by the workers and the HTTP
// router), gauges are taken at scrape time from the StatusBoard and the database.
// Thread-safe.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "db/mailbox_stats.hpp"
#include "service/pass_timings.hpp"
#include "service/status_board.hpp"

namespace hd::service::http {

class Metrics {
 public:
  // Upper bounds (seconds) of the pass duration histogram; +Inf is implied.
  static const std::vector<double>& passBuckets();

  // `method` as the client sent it; unknown methods are counted as "other".
  void recordHttp(const std::string& route, const std::string& method, int status);
  void recordPass(const std::string& mailbox, bool ok, std::chrono::milliseconds duration,
                  std::size_t stored, std::size_t quarantined);
  // Adds a finished pass's stage times (helpdesk_ingest_pass_stage_seconds_total).
  void recordPassStages(const std::string& mailbox, const PassTimings& timings);

  // `stats` is empty when the database could not be read (helpdesk_ingest_database_up 0).
  std::string render(const std::vector<MailboxStatus>& mailboxes,
                     const std::optional<std::map<std::string, db::MailboxStats>>& stats) const;

 private:
  struct PassSeries {
    std::vector<std::uint64_t> buckets;  // non-cumulative counts per bucket, +Inf last
    double sum_seconds = 0;
    std::uint64_t successes = 0, failures = 0, stored = 0, quarantined = 0;
    PassTimings stages;  // summed over the passes
  };

  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t>
      http_;  // route, method, status
  std::map<std::string, PassSeries> passes_;
  std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
};

// The label value of an HTTP method: the standard ones as they are, anything else "other".
const std::string& methodLabel(const std::string& method);

// A label value escaped for the exposition format (backslash, double quote, newline).
std::string escapeLabel(const std::string& value);

}  // namespace hd::service::http
