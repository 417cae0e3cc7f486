#pragma once
// The one HTTP call OAuth needs: POST a form, read status and body.

#include <Poco/Net/Context.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace hd::oauth2 {

struct HttpResponse {
  int status = 0;
  std::string body;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // POSTs `form_body` as application/x-www-form-urlencoded to `url` and returns any HTTP answer
  // (4xx/5xx included). Throws net::NetworkError (net::TlsError for certificate failures) when
  // no answer arrives.
  virtual HttpResponse postForm(const std::string& url, const std::string& form_body) = 0;
};

struct HttpTransportOptions {
  std::string ca_file;  // empty: the system trust store
  std::chrono::milliseconds timeout{30'000};
  std::size_t max_body_bytes = 256 * 1024;  // token responses are a few KiB
};

// POCO HTTPS with strict certificate and host name verification. Plain http is accepted only
// for loopback hosts (tests and local fakes); anything else throws std::invalid_argument.
// Thread-safe: every call opens its own session; a TLS context is built once per host, on first
// use, so that OpenSSL checks the certificate against that host's name (see net::TlsSocketStream).
class PocoHttpTransport final : public HttpTransport {
 public:
  explicit PocoHttpTransport(HttpTransportOptions options = {});
  HttpResponse postForm(const std::string& url, const std::string& form_body) override;

 private:
  Poco::Net::Context::Ptr tlsContext(const std::string& host);

  HttpTransportOptions options_;
  std::mutex mutex_;
  std::map<std::string, Poco::Net::Context::Ptr> contexts_;  // by host: one or two in practice
};

// True for https URLs, and for http URLs whose host is 127.0.0.1, ::1 or localhost.
bool isAcceptableAuthority(const std::string& url);

}  // namespace hd::oauth2
