#include "service/http/api_server.hpp"

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>

#include "service/http/handlers.hpp"

namespace hd::service::http {
namespace {

class Router : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Router(const StatusReport& report) : report_(report) {}

  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override {
    std::string path = Poco::URI(request.getURI()).getPath();
    bool get = request.getMethod() == "GET" || request.getMethod() == "HEAD";
    if (path == "/healthz" || path == "/status") {
      if (!get) return new ErrorHandler(405, "method not allowed");
      if (path == "/healthz") return new HealthHandler;
      return new StatusHandler(report_);
    }
    return new ErrorHandler(404, "not found");
  }

 private:
  const StatusReport& report_;
};

}  // namespace

ApiServer::ApiServer(const std::string& host, int port, const StatusReport& report) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), 64);
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(8);
  params->setMaxQueued(64);
  params->setTimeout(Poco::Timespan(10, 0));
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(100);
  params->setKeepAliveTimeout(Poco::Timespan(5, 0));
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Router(report), socket, params);
}

ApiServer::~ApiServer() { stop(); }

void ApiServer::start() { server_->start(); }

void ApiServer::stop() {
  if (server_) server_->stopAll(true);
}

int ApiServer::port() const { return server_->port(); }

}  // namespace hd::service::http
