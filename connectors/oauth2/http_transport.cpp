#include "connectors/oauth2/http_transport.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/URI.h>

#include <memory>
#include <stdexcept>

#include "connectors/net/errors.hpp"
#include "connectors/net/tls_socket_stream.hpp"

namespace hd::oauth2 {
namespace {

bool isLoopbackHost(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "[::1]" || host == "localhost";
}

}  // namespace

bool isAcceptableAuthority(const std::string& url) {
  try {
    Poco::URI uri(url);
    if (uri.getHost().empty()) return false;
    if (uri.getScheme() == "https") return true;
    return uri.getScheme() == "http" && isLoopbackHost(uri.getHost());
  } catch (const Poco::SyntaxException&) {
    return false;
  }
}

PocoHttpTransport::PocoHttpTransport(HttpTransportOptions options) : options_(std::move(options)) {}

Poco::Net::Context::Ptr PocoHttpTransport::tlsContext(const std::string& host) {
  std::lock_guard lock(mutex_);
  Poco::Net::Context::Ptr& context = contexts_[host];
  if (!context) {
    net::Endpoint endpoint;
    endpoint.host = host;  // the strict name check (IP SAN / X509_check_host), not POCO's own
    endpoint.ca_file = options_.ca_file;
    context = net::makeClientTlsContext(endpoint);
  }
  return context;
}

HttpResponse PocoHttpTransport::postForm(const std::string& url, const std::string& form_body) {
  if (!isAcceptableAuthority(url)) {
    throw std::invalid_argument("refusing to send OAuth2 secrets to '" + url +
                                "': https required (plain http only for loopback)");
  }
  Poco::URI uri(url);
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (uri.getScheme() == "https") {
    session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(),
                                                              tlsContext(uri.getHost()));
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  }
  session->setTimeout(Poco::Timespan(static_cast<long>(options_.timeout.count() / 1000),
                                     static_cast<long>(options_.timeout.count() % 1000) * 1000));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery(),
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentType("application/x-www-form-urlencoded");
  request.setContentLength(static_cast<std::streamsize>(form_body.size()));
  request.set("Accept", "application/json");
  const std::string where = uri.getScheme() + "://" + uri.getAuthority() + uri.getPath();
  try {
    session->sendRequest(request) << form_body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    HttpResponse result;
    result.status = static_cast<int>(response.getStatus());
    char buffer[4096];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      result.body.append(buffer, static_cast<std::size_t>(in.gcount()));
      if (result.body.size() > options_.max_body_bytes) {
        throw net::ProtocolError("OAuth2 response from " + where + " exceeds " +
                                 std::to_string(options_.max_body_bytes) + " bytes");
      }
    }
    return result;
  } catch (const Poco::Net::SSLException& e) {
    throw net::TlsError("TLS failure talking to " + where + ": " + e.displayText());
  } catch (const Poco::Exception& e) {
    throw net::NetworkError("cannot reach " + where + ": " + e.displayText());
  }
}

}  // namespace hd::oauth2
