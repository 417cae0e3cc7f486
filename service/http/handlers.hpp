#pragma once
// HTTP request handlers. Each gets its dependencies in the constructor; none reaches for
// Application::instance().

#include <Poco/Net/HTTPRequestHandler.h>

#include <nlohmann/json.hpp>

#include "service/http/status_report.hpp"

namespace hd::service::http {

void sendJson(Poco::Net::HTTPServerResponse& response, int status, const nlohmann::json& body);
void sendError(Poco::Net::HTTPServerResponse& response, int status, const std::string& message);

// GET /healthz: 200 while the process serves.
class HealthHandler : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override;
};

// GET /status: see StatusReport.
class StatusHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit StatusHandler(const StatusReport& report) : report_(report) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override;

 private:
  const StatusReport& report_;
};

}  // namespace hd::service::http
