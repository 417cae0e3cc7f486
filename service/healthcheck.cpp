#include "service/healthcheck.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include "connectors/net/redact.hpp"
#include "service/config.hpp"

namespace hd::service {

std::string healthzUrl(const std::string& listen_host, int port) {
  std::string host = listen_host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port) + "/healthz";
}

std::string healthcheckUrl(const std::string& url, const std::string& config_path) {
  if (!url.empty()) return url;
  const Config config = loadConfig(config_path);
  if (config.http_port == 0) {
    throw ConfigError("http.listen",
                      "port 0 (a free port chosen at start) cannot be checked: give "
                      "--healthcheck the URL");
  }
  return healthzUrl(config.http_host, config.http_port);
}

int probeHealth(const std::string& url, std::ostream& err) {
  try {
    Poco::URI uri(url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(5, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    session.receiveResponse(response);
    if (response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK) return 0;
    err << "healthcheck: " << net::redactSecrets(url) << " answered "
        << static_cast<int>(response.getStatus()) << "\n";
    return 1;
  } catch (const Poco::Exception& e) {
    err << "healthcheck: " << net::redactSecrets(url) << ": " << net::redactSecrets(e.displayText())
        << "\n";
    return 1;
  }
}

}  // namespace hd::service
