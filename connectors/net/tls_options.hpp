#pragma once

#include <chrono>
#include <string>

namespace hd::net {

enum class TlsMode { kImplicit, kStartTls, kNone };

// How to reach a mail server. Certificates are always verified (host name included) unless
// tls == kNone, which the configuration only allows with "allow_insecure": true.
struct Endpoint {
  std::string host;
  int port = 0;
  TlsMode tls = TlsMode::kImplicit;
  std::string ca_file;  // empty: the system trust store
  std::chrono::milliseconds connect_timeout{30'000};
  std::chrono::milliseconds read_timeout{120'000};
};

}  // namespace hd::net
