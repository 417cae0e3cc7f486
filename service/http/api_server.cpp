#include "service/http/api_server.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <limits>
#include <regex>

#include "db/errors.hpp"
#include "service/http/api_endpoints.hpp"
#include "service/http/handlers.hpp"
#include "service/http/request_gate.hpp"
#include "service/http/worker_pool.hpp"

namespace hd::service::http {
namespace {

// kApiWrite: changes something, so a read-only token (http.api_read_token) gets 403.
enum class Access { kOpen, kApi, kApiWrite, kStatus, kMetrics };

using Routing = ApiServer::Routing;

struct Route {
  const char* method;
  std::regex path;   // capture groups are numeric ids
  const char* name;  // metrics label
  Access access;
  std::unique_ptr<Endpoint> ApiEndpoints::*endpoint;
};

const std::vector<Route>& routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", std::regex("/healthz"), "/healthz", Access::kOpen, &ApiEndpoints::health},
      {"GET", std::regex("/readyz"), "/readyz", Access::kOpen, &ApiEndpoints::ready},
      {"GET", std::regex("/status"), "/status", Access::kStatus, &ApiEndpoints::status},
      {"GET", std::regex("/metrics"), "/metrics", Access::kMetrics, &ApiEndpoints::metrics},
      {"GET", std::regex("/api/v1/openapi\\.json"), "/api/v1/openapi.json", Access::kApi,
       &ApiEndpoints::openapi},
      {"GET", std::regex("/api/v1/events"), "/api/v1/events", Access::kApi, &ApiEndpoints::events},
      {"GET", std::regex("/api/v1/tickets"), "/api/v1/tickets", Access::kApi,
       &ApiEndpoints::tickets},
      {"GET", std::regex("/api/v1/tickets/([^/]+)"), "/api/v1/tickets/{id}", Access::kApi,
       &ApiEndpoints::ticket},
      {"GET", std::regex("/api/v1/messages/([^/]+)"), "/api/v1/messages/{id}", Access::kApi,
       &ApiEndpoints::message},
      {"GET", std::regex("/api/v1/messages/([^/]+)/raw"), "/api/v1/messages/{id}/raw", Access::kApi,
       &ApiEndpoints::raw_message},
      {"GET", std::regex("/api/v1/attachments/([^/]+)"), "/api/v1/attachments/{id}", Access::kApi,
       &ApiEndpoints::attachment},
      {"GET", std::regex("/api/v1/quarantine"), "/api/v1/quarantine", Access::kApi,
       &ApiEndpoints::quarantine},
      {"POST", std::regex("/api/v1/quarantine/([^/]+)/retry"), "/api/v1/quarantine/{id}/retry",
       Access::kApiWrite, &ApiEndpoints::quarantine_retry},
  };
  return kRoutes;
}

// Answers one request: limits, route, authentication, the endpoint, errors, metrics.
class Dispatcher : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Dispatcher(const Routing& routing) : routing_(routing) {}

  void handleRequest(Request& request, Response& response) override {
    std::string route = "unmatched";
    bool cut_short = false;  // failed after its head was sent: the body is incomplete
    try {
      discardUnreadBytes(request);
      dispatch(request, response, route);
    } catch (const ClientError& e) {
      if (!response.sent()) sendError(response, e.status(), e.what());
    } catch (const db::DatabaseError& e) {
      Poco::Logger::get("hd.http").warning("%s %s: %s", request.getMethod(), route,
                                           std::string(e.what()));
      cut_short = response.sent();
      if (!cut_short) sendError(response, 503, publicDatabaseError(e));
    } catch (const std::exception& e) {
      Poco::Logger::get("hd.http").error("%s %s: %s", request.getMethod(), route,
                                         std::string(e.what()));
      cut_short = response.sent();
      if (!cut_short) sendError(response, 500, "internal error");
    }
    // A download cut short counts as status 0, not as the 200 its head said.
    routing_.metrics.recordHttp(route, request.getMethod(),
                                cut_short ? 0 : static_cast<int>(response.getStatus()));
  }

 private:
  // The gate handed this connection on with its complete request: read the body (at most
  // max_body_bytes; endpoints take none) and whatever the client sent after it, so that neither
  // is ever parsed as a next request, and closing after the answer sends no reset.
  void discardUnreadBytes(Request& request) {
    if (request.hasContentLength() && request.getContentLength64() > 0 &&
        request.getContentLength64() <= static_cast<Poco::Int64>(routing_.limits.max_body_bytes)) {
      request.stream().ignore(std::numeric_limits<std::streamsize>::max());
    }
    auto& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket();
    char scrap[4096];
    for (std::size_t discarded = 0; discarded < 1024 * 1024 && socket.available() > 0;) {
      const int n = socket.receiveBytes(scrap, sizeof scrap);
      if (n <= 0) break;
      discarded += static_cast<std::size_t>(n);
    }
  }

  void dispatch(Request& request, Response& response, std::string& route_name) {
    if (request.size() > routing_.limits.max_header_fields)
      throw ClientError(400, "too many header fields");
    if (request.getChunkedTransferEncoding() ||
        (request.hasContentLength() &&
         request.getContentLength64() > static_cast<Poco::Int64>(routing_.limits.max_body_bytes))) {
      response.setKeepAlive(false);  // the unread body must not be parsed as the next request
      throw ClientError(413, "request body too large");
    }
    const std::string path = requestTarget(request).getPath();
    const bool api = path.rfind("/api/", 0) == 0;
    // /api is authenticated before anything else, so that its routes cannot be probed without a
    // token.
    BearerAuth::Grant grant = BearerAuth::Grant::kNone;
    if (api) grant = authenticate(request, response);

    std::string method = request.getMethod() == "HEAD" ? "GET" : request.getMethod();
    std::string allowed;
    for (const auto& route : routes()) {
      std::smatch match;
      if (!std::regex_match(path, match, route.path)) continue;
      if (method != route.method) {
        allowed += (allowed.empty() ? "" : ", ") + std::string(route.method);
        continue;
      }
      route_name = route.name;
      if ((route.access == Access::kStatus && routing_.access.protect_status) ||
          (route.access == Access::kMetrics && routing_.access.protect_metrics)) {
        authenticate(request, response);
      }
      if (route.access == Access::kApiWrite && grant != BearerAuth::Grant::kFull)
        throw ClientError(403, "this token may only read; changes need http.api_token");
      Ids ids;
      static const std::regex kId("[1-9][0-9]{0,17}");
      for (std::size_t i = 1; i < match.size(); ++i) {
        if (!std::regex_match(match[i].str(), kId))
          throw ClientError(400, "id must be a positive integer");
        ids.push_back(std::stoll(match[i].str()));
      }
      (routing_.endpoints.*route.endpoint)->serve(request, response, ids);
      return;
    }
    if (!allowed.empty()) {
      response.set("Allow", allowed);
      throw ClientError(405, "method not allowed");
    }
    throw ClientError(404, "not found");
  }

  BearerAuth::Grant authenticate(Request& request, Response& response) {
    const auto grant = routing_.access.auth.grantFor(request.get("Authorization", ""));
    if (grant != BearerAuth::Grant::kNone) return grant;
    // RFC 6750 section 3.
    response.set("WWW-Authenticate", "Bearer realm=\"helpdesk-ingest\"");
    throw ClientError(401, routing_.access.auth.configured()
                               ? "missing or wrong bearer token"
                               : "no API token is configured (http.api_token)");
  }

  const Routing& routing_;
};

class Router : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Router(const Routing& routing) : routing_(routing) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Dispatcher(routing_);
  }
  // Shuts the sockets of running requests (what HTTPServer::stopAll(true) does).
  void abortRunning() { serverStopped(this, true); }

 private:
  const Routing& routing_;
};

Poco::Net::HTTPServerParams::Ptr workerParams(int threads) {
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(threads);
  params->setMaxQueued(64);
  params->setTimeout(Poco::Timespan(10, 0));  // per read/write of the request and response
  // One request per connection: see api_server.hpp.
  params->setKeepAlive(false);
  return params;
}

// Health, readiness, metrics and status: short, bodiless, never waiting on a client.
constexpr int kProbeThreads = 4;

}  // namespace

ApiServer::ApiServer(const std::string& host, int port, ApiEndpoints endpoints, ApiAccess access,
                     ApiLimits limits, Metrics& metrics)
    : routing_{std::move(endpoints), std::move(access), limits, metrics} {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)),
                                 256);
  // Accepted sockets inherit it: the gate waits for head and body in the receive buffer.
  socket.setReceiveBufferSize(
      static_cast<int>(4 * (routing_.limits.max_head_bytes + routing_.limits.max_body_bytes)));
  port_ = socket.address().port();
  auto router = Poco::SharedPtr<Router>(new Router(routing_));
  abort_requests_ = [router]() mutable { router->abortRunning(); };
  api_ = std::make_unique<WorkerPool>("http-api", workerParams(routing_.limits.threads), router);
  probes_ = std::make_unique<WorkerPool>("http-probe", workerParams(kProbeThreads), router);
  RequestGate::Options options;
  options.head = {routing_.limits.max_head_bytes, routing_.limits.max_header_fields,
                  routing_.limits.max_body_bytes};
  options.request_timeout = routing_.limits.request_timeout;
  options.max_pending = routing_.limits.max_pending_connections;
  gate_ = std::make_unique<RequestGate>(
      socket, options, [this](const Poco::Net::StreamSocket& connection, bool probe) {
        return (probe ? probes_ : api_)->offer(connection);
      });
}

ApiServer::~ApiServer() {
  stop();
}

void ApiServer::start() {
  gate_->start();
}

void ApiServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  gate_->stop();
  routing_.endpoints.events->stop();
  api_->stop();
  probes_->stop();
  abort_requests_();
  api_->join();
  probes_->join();
}

int ApiServer::port() const {
  return port_;
}

}  // namespace hd::service::http
