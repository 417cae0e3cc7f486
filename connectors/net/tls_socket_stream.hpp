#pragma once
// The production ByteStream: a TCP connection through POCO sockets, TLS by OpenSSL (POCO NetSSL).
//
// Certificates are always verified, host name included, against `Endpoint::ca_file` (or the
// system trust store when it is empty); TLS 1.2 is the minimum. A failed verification throws
// TlsError naming the OpenSSL verification error. Every read waits at most
// `Endpoint::read_timeout` and throws NetworkError on expiry.
//
// Thread-safety: one instance per connection, used by one thread at a time. Creating instances
// from several threads at once is safe (the process-wide POCO SSL setup happens once).

#include <memory>
#include <string>

#include <Poco/Net/Context.h>
#include <Poco/Net/StreamSocket.h>

#include "connectors/net/byte_stream.hpp"
#include "connectors/net/tls_options.hpp"

namespace hd::net {

// The client TLS context every connection uses (strict verification, host name included, TLS 1.2
// minimum, invalid certificates rejected, never asked on the console), for other POCO clients
// such as HTTPSClientSession. Set `endpoint.host` to the one host the context will talk to:
// OpenSSL then checks the certificate against it (an empty host leaves only POCO 1.11's weaker
// check). Throws TlsError when `endpoint.ca_file` cannot be loaded.
Poco::Net::Context::Ptr makeClientTlsContext(const Endpoint& endpoint);

class TlsSocketStream : public ByteStream {
 public:
  // Connects to `endpoint` (and performs the TLS handshake for TlsMode::kImplicit).
  // Throws NetworkError (refused, unreachable, timeout) or TlsError.
  static std::unique_ptr<TlsSocketStream> connect(const Endpoint& endpoint);

  ~TlsSocketStream() override;

  std::size_t read(char* buffer, std::size_t size) override;
  bool waitReadable(std::chrono::milliseconds timeout) override;
  void write(std::string_view data) override;
  void startTls() override;
  bool isEncrypted() const override { return encrypted_; }

 private:
  TlsSocketStream(Endpoint endpoint, Poco::Net::StreamSocket socket, bool encrypted);

  Endpoint endpoint_;
  Poco::Net::StreamSocket socket_;  // a SecureStreamSocket's impl once encrypted
  bool encrypted_;
};

}  // namespace hd::net
