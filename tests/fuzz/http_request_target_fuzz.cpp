// libFuzzer target: an HTTP request head as the API server parses it on main: POCO's request
// parser, then the request target's path and query parameters (Poco::URI, as the router and the
// endpoints use them) and the bearer token check. Expected refusals are POCO's own exceptions
// (the router must map them to 4xx); any other exception, a crash or a leak is a finding.

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/URI.h>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "service/http/bearer_auth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const hd::service::http::BearerAuth auth("full-token", "read-token");
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  Poco::Net::HTTPRequest request;
  try {
    request.read(in);
    const Poco::URI uri(request.getURI());
    (void)uri.getPath();
    (void)uri.getQueryParameters();
    (void)auth.grantFor(request.get("Authorization", ""));
  } catch (const Poco::Exception&) {
  }
  return 0;
}
