#pragma once
// The HTTP endpoint (POCO HTTPServer): routes, limits, start and stop.

#include <Poco/Net/HTTPServer.h>

#include <memory>
#include <string>

#include "service/http/status_report.hpp"

namespace hd::service::http {

class ApiServer {
 public:
  // Binds host:port at once (port 0 picks a free port; see port()). Throws on a bind failure.
  ApiServer(const std::string& host, int port, const StatusReport& report);
  ~ApiServer();

  void start();
  void stop();  // stops accepting and waits briefly for running requests
  int port() const;

 private:
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace hd::service::http
