#pragma once
// The HTTP endpoint: routes, authentication, limits, metrics, start and stop.
//
// Routes: GET /healthz, /readyz, /status, /metrics; /api/v1/... (see openapi_document.cpp).
// /api/* needs the bearer token (401 otherwise); /status and /metrics too when configured.
// Every error answer is JSON ({"error": ...}): 400 bad parameter, malformed request or too many
// header fields, 401, 404, 405 (with Allow), 408 request not complete in time, 413 body too large,
// 431 head too large, 501 Transfer-Encoding, 503 database unavailable or server busy (never SQL
// or a trace), 505 HTTP version.
//
// The edge, built so that health, readiness and metrics answer whatever other clients do:
// - RequestGate (one thread, poll()) holds every new connection until its complete request has
//   arrived; slow and idle clients wait there without a thread, under a deadline.
// - Complete requests go to one of two POCO worker pools (TCPServerDispatcher +
//   HTTPServerConnectionFactory): bodiless GETs of /healthz, /readyz, /metrics and /status to a
//   small probe pool of their own, everything else to the API pool (ApiLimits::threads).
// - No keep-alive: every connection carries one request, so an idle keep-alive never holds a
//   thread and bytes after a request are never read as a next one (they are discarded).
// - Long polls (/api/v1/events?wait=) beyond ApiLimits::max_long_polls answer at once.

#include <functional>
#include <memory>
#include <string>

#include "service/http/api_setup.hpp"
#include "service/http/metrics.hpp"

namespace hd::service::http {

class RequestGate;
class WorkerPool;

class ApiServer {
 public:
  // Binds host:port at once (port 0 picks a free port; see port()). Throws on a bind failure.
  // `metrics` (HTTP requests are counted there) must outlive the server.
  ApiServer(const std::string& host, int port, ApiEndpoints endpoints, ApiAccess access,
            ApiLimits limits, Metrics& metrics);
  ~ApiServer();

  void start();
  void stop();  // stops accepting, aborts running requests and joins every thread
  int port() const;

  // What the router needs for every request (api_server.cpp).
  struct Routing {
    ApiEndpoints endpoints;
    ApiAccess access;
    ApiLimits limits;
    Metrics& metrics;
  };

 private:
  Routing routing_;
  int port_ = 0;
  std::unique_ptr<WorkerPool> api_, probes_;
  std::unique_ptr<RequestGate> gate_;
  std::function<void()> abort_requests_;
  bool stopped_ = false;
};

}  // namespace hd::service::http
