#pragma once
// The production ByteStream: a TCP connection through POCO sockets, TLS by OpenSSL (POCO NetSSL).
//
// Certificates are always verified, host name included, against `Endpoint::ca_file` (or the
// system trust store when it is empty); TLS 1.2 is the minimum. A failed verification throws
// TlsError naming the OpenSSL verification error.
//
// Time limits: the TCP connect waits at most `Endpoint::connect_timeout`; every other wait for
// the peer at most `Endpoint::read_timeout`: each read() (until some bytes arrive), each write(),
// and the whole TLS handshake (implicit or STARTTLS). The socket is non-blocking and the waits are
// our own polls against one deadline, because POCO 1.11's blocking TLS calls wait for the socket
// timeout and then poll for it once more (twice the timeout for one read, and a handshake cut
// short by the timeout returned as if it had completed). On expiry: NetworkError "no data from
// <host:port> within <n> ms" (read, handshake) or "writing to ... within ...".
//
// A stream that failed (timeout, reset, closed mid-handshake) stays failed: every later call
// throws the same error at once instead of waiting on a dead connection again.
//
// Thread-safety: one instance per connection, used by one thread at a time. Creating instances
// from several threads at once is safe (the process-wide POCO SSL setup happens once).

#include <chrono>
#include <memory>
#include <optional>
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
  using Clock = std::chrono::steady_clock;
  using Deadline = Clock::time_point;

  TlsSocketStream(Endpoint endpoint, Poco::Net::StreamSocket socket, bool encrypted);

  // The TLS handshake on the connected socket, within read_timeout; verifies the certificate.
  void handshake();
  // Polls the socket for `events` (POLLIN/POLLOUT) until `deadline`; NetworkError
  // "<doing> <host:port> within <read_timeout> ms" when it passes.
  void waitFor(short events, Deadline deadline, const char* doing);
  void throwIfBroken() const;
  // Remembers the failure (see above) and throws it: TlsError when `tls`, else NetworkError.
  [[noreturn]] void fail(std::string reason, bool tls = false);

  Endpoint endpoint_;
  Poco::Net::StreamSocket socket_;  // a SecureStreamSocket's impl once encrypted
  bool encrypted_;
  std::optional<std::string> broken_;  // why the stream failed, once it did
  bool broken_tls_ = false;
};

}  // namespace hd::net
