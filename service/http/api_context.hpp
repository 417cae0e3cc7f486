#pragma once
// Everything the HTTP handlers depend on, built once by the composition root (service/runtime)
// and passed to the router by reference. Must outlive the ApiServer.

#include <atomic>
#include <chrono>

#include "connectors/mime/limits.hpp"
#include "db/event_listener.hpp"
#include "service/http/bearer_auth.hpp"
#include "service/http/metrics.hpp"
#include "service/http/reader_pool.hpp"
#include "service/http/status_report.hpp"
#include "service/ingest/decide.hpp"  // ingest::Policy
#include "service/status_board.hpp"

namespace hd::service::http {

struct ApiLimits {
  std::size_t max_body_bytes = 64 * 1024;  // larger requests: 413
  std::size_t max_header_fields = 64;      // more: 400 (POCO itself refuses more than 100)
  std::size_t max_head_bytes = 16 * 1024;  // request line + header fields; larger: 431
  std::chrono::seconds max_wait{60};       // bound of GET /api/v1/events?wait=
  std::int64_t max_page = 1000;            // bound of every ?limit=
  // The edge (see api_server.hpp): worker threads for /api, long polls that may wait at once
  // (more answer at once), the time a client has to send its complete request, and how many
  // connections may be waiting for theirs.
  int threads = 16;
  int max_long_polls = 8;
  std::chrono::seconds request_timeout{10};
  std::size_t max_pending_connections = 256;
};

struct ApiContext {
  const StatusBoard& board;
  const StatusReport& report;
  SnapshotReader snapshot;  // for /metrics and /readyz
  ReaderPool& pool;
  const db::EventListener* events = nullptr;  // long-poll wake-ups; null: poll every second
  Metrics& metrics;
  BearerAuth auth;
  bool protect_status = false;
  bool protect_metrics = false;
  mime::Limits mime_limits;  // for quarantine retries: the same limits as the workers
  ingest::Policy policy;
  ApiLimits limits;
  std::atomic<int> long_polls{0};     // GET /api/v1/events with wait= running now
  std::atomic<bool> stopping{false};  // set by ApiServer::stop(): long polls answer at once
};

}  // namespace hd::service::http
