#pragma once
// The HTTP endpoint (POCO HTTPServer): routes, authentication, limits, metrics, start and stop.
//
// Routes: GET /healthz, /readyz, /status, /metrics; /api/v1/... (see openapi_document.cpp).
// /api/* needs the bearer token (401 otherwise); /status and /metrics too when configured.
// Every error answer is JSON ({"error": ...}): 400 bad parameter or too many header fields, 401,
// 404, 405 (with Allow), 413 body too large, 503 database unavailable (never SQL or a trace).

#include <Poco/Net/HTTPServer.h>

#include <memory>
#include <string>

#include "service/http/api_context.hpp"

namespace hd::service::http {

class ApiServer {
 public:
  // Binds host:port at once (port 0 picks a free port; see port()). Throws on a bind failure.
  // `context` must outlive the server.
  ApiServer(const std::string& host, int port, ApiContext& context);
  ~ApiServer();

  void start();
  void stop();  // stops accepting and waits briefly for running requests
  int port() const;

 private:
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace hd::service::http
