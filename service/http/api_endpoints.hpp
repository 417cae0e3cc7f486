#pragma once
// The endpoint functions behind the router (api_server.cpp). Each answers one request completely;
// `ids` holds the numeric path parameters in order. Client errors are answered here (400/404/409/
// 422 with a JSON body); db::DatabaseError propagates (the router answers 503 without details).

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <cstdint>
#include <vector>

#include <atomic>
#include <chrono>

#include "connectors/mime/limits.hpp"
#include "db/event_listener.hpp"
#include "service/http/metrics.hpp"
#include "service/http/reader_pool.hpp"
#include "service/http/status_report.hpp"
#include "service/ingest/decide.hpp"
#include "service/status_board.hpp"

namespace hd::service::http {

using Request = Poco::Net::HTTPServerRequest;
using Response = Poco::Net::HTTPServerResponse;
using Ids = std::vector<std::int64_t>;

// The request target as a URI; malformed percent-encoding (/%ZZ) is a ClientError 400.
Poco::URI requestTarget(const Request& request);

// One route's answer. Each endpoint gets what it needs in its constructor.
class Endpoint {
 public:
  virtual ~Endpoint() = default;
  virtual void serve(Request& request, Response& response, const Ids& ids) = 0;
  virtual void stop() {}  // the server stops: requests that wait answer at once
};

// GET /healthz: 200 while the process serves.
class HealthEndpoint : public Endpoint {
 public:
  void serve(Request& request, Response& response, const Ids& ids) override;
};

// GET /status: see StatusReport.
class StatusEndpoint : public Endpoint {
 public:
  explicit StatusEndpoint(const StatusReport& report) : report_(report) {}
  void serve(Request& request, Response& response, const Ids& ids) override;

 private:
  const StatusReport& report_;
};

// GET /readyz: 200 when the database is reachable and migrated, else 503.
class ReadyEndpoint : public Endpoint {
 public:
  explicit ReadyEndpoint(SnapshotReader snapshot) : snapshot_(std::move(snapshot)) {}
  void serve(Request& request, Response& response, const Ids& ids) override;

 private:
  SnapshotReader snapshot_;
};

// GET /metrics.
class MetricsEndpoint : public Endpoint {
 public:
  MetricsEndpoint(const Metrics& metrics, const StatusBoard& board, SnapshotReader snapshot)
      : metrics_(metrics), board_(board), snapshot_(std::move(snapshot)) {}
  void serve(Request& request, Response& response, const Ids& ids) override;

 private:
  const Metrics& metrics_;
  const StatusBoard& board_;
  SnapshotReader snapshot_;
};

// GET /api/v1/openapi.json.
class OpenApiEndpoint : public Endpoint {
 public:
  void serve(Request& request, Response& response, const Ids& ids) override;
};

// GET /api/v1/events?after=&limit=&wait=: the feed, long-polled; at most `max_long_polls` wait
// at once (more answer at once). `events` (may be null: poll every second) wakes waiting polls.
class EventsEndpoint : public Endpoint {
 public:
  EventsEndpoint(ReaderPool& pool, const db::EventListener* events, std::int64_t max_page,
                 std::chrono::seconds max_wait, int max_long_polls)
      : pool_(pool),
        events_(events),
        max_page_(max_page),
        max_wait_(max_wait),
        max_long_polls_(max_long_polls) {}
  void serve(Request& request, Response& response, const Ids& ids) override;
  void stop() override { stopping_ = true; }

 private:
  ReaderPool& pool_;
  const db::EventListener* events_;
  std::int64_t max_page_;
  std::chrono::seconds max_wait_;
  int max_long_polls_;
  std::atomic<int> long_polls_{0};  // waiting now
  std::atomic<bool> stopping_{false};
};

// The endpoints that only read the database: `serve` with the pool, and `max_page` bounding the
// listings' ?limit=.
class ReadEndpoint : public Endpoint {
 public:
  using Serve = void (*)(ReaderPool& pool, std::int64_t max_page, Request& request,
                         Response& response, const Ids& ids);
  ReadEndpoint(Serve serve, ReaderPool& pool, std::int64_t max_page = 0)
      : serve_(serve), pool_(pool), max_page_(max_page) {}
  void serve(Request& request, Response& response, const Ids& ids) override {
    serve_(pool_, max_page_, request, response, ids);
  }

 private:
  Serve serve_;
  ReaderPool& pool_;
  std::int64_t max_page_;
};

// GET /api/v1/tickets?status=&mailbox=&after=&limit=, /api/v1/tickets/{id},
// /api/v1/messages/{id}, /api/v1/messages/{id}/raw, /api/v1/attachments/{id},
// /api/v1/quarantine?mailbox=&after=&limit=.
void serveTickets(ReaderPool& pool, std::int64_t max_page, Request& request, Response& response,
                  const Ids& ids);
void serveTicket(ReaderPool& pool, std::int64_t max_page, Request& request, Response& response,
                 const Ids& ids);
void serveMessage(ReaderPool& pool, std::int64_t max_page, Request& request, Response& response,
                  const Ids& ids);
void serveRawMessage(ReaderPool& pool, std::int64_t max_page, Request& request, Response& response,
                     const Ids& ids);
void serveAttachment(ReaderPool& pool, std::int64_t max_page, Request& request, Response& response,
                     const Ids& ids);
void serveQuarantine(ReaderPool& pool, std::int64_t max_page, Request& request, Response& response,
                     const Ids& ids);

// POST /api/v1/quarantine/{id}/retry: parsed and decided with the workers' limits and policy.
class QuarantineRetryEndpoint : public Endpoint {
 public:
  // `spill`: where a big quarantined message is read back to (LimitsConfig::spill).
  QuarantineRetryEndpoint(ReaderPool& pool, mime::Limits mime_limits, ingest::Policy policy,
                          spill::SpillPolicy spill)
      : pool_(pool),
        mime_limits_(mime_limits),
        policy_(std::move(policy)),
        spill_(std::move(spill)) {}
  void serve(Request& request, Response& response, const Ids& ids) override;

 private:
  ReaderPool& pool_;
  mime::Limits mime_limits_;
  ingest::Policy policy_;
  spill::SpillPolicy spill_;
};

// A client error answered as {"error": message} with `status`.
class ClientError : public std::runtime_error {
 public:
  ClientError(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

}  // namespace hd::service::http
