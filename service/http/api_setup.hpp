#pragma once
// What the ApiServer is built from (by the composition root, service/runtime): every route's
// endpoint, each constructed with only what it needs; who may call what; the limits of the edge.

#include <chrono>
#include <memory>

#include "service/http/api_endpoints.hpp"
#include "service/http/bearer_auth.hpp"

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

// One endpoint per route (see api_server.cpp); none may be null.
struct ApiEndpoints {
  std::unique_ptr<Endpoint> health, ready, status, metrics, openapi, events, tickets, ticket,
      message, raw_message, attachment, quarantine, quarantine_retry;
};

// /api/* always needs a token; /status and /metrics when configured.
struct ApiAccess {
  BearerAuth auth;
  bool protect_status = false;
  bool protect_metrics = false;
};

}  // namespace hd::service::http
