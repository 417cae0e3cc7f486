#pragma once
// The endpoint functions behind the router (api_server.cpp). Each answers one request completely;
// `ids` holds the numeric path parameters in order. Client errors are answered here (400/404/409/
// 422 with a JSON body); db::DatabaseError propagates (the router answers 503 without details).

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <cstdint>
#include <vector>

#include "service/http/api_context.hpp"

namespace hd::service::http {

using Request = Poco::Net::HTTPServerRequest;
using Response = Poco::Net::HTTPServerResponse;
using Ids = std::vector<std::int64_t>;

// The request target as a URI; malformed percent-encoding (/%ZZ) is a ClientError 400.
Poco::URI requestTarget(const Request& request);

void serveReady(ApiContext& ctx, Request& request, Response& response, const Ids& ids);
void serveMetrics(ApiContext& ctx, Request& request, Response& response, const Ids& ids);
void serveOpenApi(ApiContext& ctx, Request& request, Response& response, const Ids& ids);
void serveEvents(ApiContext& ctx, Request& request, Response& response, const Ids& ids);
void serveTickets(ApiContext& ctx, Request& request, Response& response, const Ids& ids);
void serveTicket(ApiContext& ctx, Request& request, Response& response, const Ids& ids);
void serveMessage(ApiContext& ctx, Request& request, Response& response, const Ids& ids);
void serveRawMessage(ApiContext& ctx, Request& request, Response& response, const Ids& ids);
void serveAttachment(ApiContext& ctx, Request& request, Response& response, const Ids& ids);
void serveQuarantine(ApiContext& ctx, Request& request, Response& response, const Ids& ids);
void serveQuarantineRetry(ApiContext& ctx, Request& request, Response& response, const Ids& ids);

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
