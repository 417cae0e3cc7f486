#include "service/http/handlers.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "connectors/net/redact.hpp"

namespace hd::service::http {

void sendJson(Poco::Net::HTTPServerResponse& response, int status, const nlohmann::json& body) {
  std::string text = body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  // setStatus() keeps the reason phrase ("401 OK"): set both.
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.setContentType("application/json");
  response.set("Cache-Control", "no-store");
  response.setContentLength(static_cast<std::streamsize>(text.size()));
  response.send() << text;
}

void sendError(Poco::Net::HTTPServerResponse& response, int status, const std::string& message) {
  sendJson(response, status, {{"error", net::redactSecrets(message)}});
}

void HealthHandler::handleRequest(Poco::Net::HTTPServerRequest&,
                                  Poco::Net::HTTPServerResponse& response) {
  sendJson(response, 200, {{"status", "ok"}});
}

void StatusHandler::handleRequest(Poco::Net::HTTPServerRequest&,
                                  Poco::Net::HTTPServerResponse& response) {
  sendJson(response, 200, report_.build());
}

}  // namespace hd::service::http
