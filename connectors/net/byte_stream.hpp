#pragma once
// The seam between protocol code and sockets. Protocol clients (IMAP, POP3) speak only to a
// ByteStream, so the same client runs on a TLS socket in production and on a recorded transcript
// in tests.

#include <chrono>
#include <cstddef>
#include <string_view>

namespace hd::net {

class ByteStream {
 public:
  virtual ~ByteStream() = default;

  // Reads up to `size` bytes into `buffer`. Returns the number read; 0 means the peer closed the
  // stream. Throws NetworkError on a timeout or a broken connection.
  virtual std::size_t read(char* buffer, std::size_t size) = 0;

  // Waits up to `timeout` for something to read (data, or the peer closing). Returns false when
  // nothing arrived in time. The default answers true at once, for streams that always have their
  // bytes ready; a true answer only means that read() will not wait for the peer.
  virtual bool waitReadable(std::chrono::milliseconds timeout) {
    (void)timeout;
    return true;
  }

  // Writes all of `data`. Throws NetworkError on failure.
  virtual void write(std::string_view data) = 0;

  // Upgrades the connection to TLS in place (IMAP STARTTLS, POP3 STLS). Throws TlsError when the
  // handshake or the certificate check fails.
  virtual void startTls() = 0;

  // True once the stream is encrypted (implicit TLS or after startTls()).
  virtual bool isEncrypted() const = 0;
};

}  // namespace hd::net
