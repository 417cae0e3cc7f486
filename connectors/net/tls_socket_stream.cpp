#include "connectors/net/tls_socket_stream.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/InvalidCertificateHandler.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Timespan.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <poll.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "connectors/net/errors.hpp"

namespace hd::net {
namespace {

// The OpenSSL verification error of the last failed handshake on this thread: the handshake and
// its verify callback run on the thread that connects, so the message can be put into TlsError.
thread_local std::string t_verification_error;

// Rejects every invalid certificate and remembers why. POCO's default client handler,
// ConsoleCertificateHandler, would ask on stdin; RejectCertificateHandler would lose the reason.
class RecordingRejectHandler : public Poco::Net::InvalidCertificateHandler {
 public:
  RecordingRejectHandler() : InvalidCertificateHandler(false) {}
  void onInvalidCertificate(const void*, Poco::Net::VerificationErrorArgs& args) override {
    t_verification_error = args.errorMessage() + " (certificate '" +
                           args.certificate().subjectName() + "', depth " +
                           std::to_string(args.errorDepth()) + ")";
    args.setIgnoreError(false);
  }
};

Poco::Timespan toTimespan(std::chrono::milliseconds ms) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

// Once per process, and before any handshake: without initializeClient() POCO's verify callback
// builds a certificate handler from Application configuration (ConsoleCertificateHandler).
void initializeSslOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Net::initializeSSL();
    Poco::Net::Context::Params params;
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    params.loadDefaultCAs = true;
    Poco::Net::Context::Ptr default_context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    default_context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    Poco::Net::SSLManager::instance().initializeClient(nullptr, new RecordingRejectHandler,
                                                       default_context);
  });
}

// Makes OpenSSL check the peer's name during the handshake, because POCO 1.11's own check lets a
// wildcard SAN ("*.0.0.1") or a CN stand for an IP address. An IP address must equal an
// iPAddress SAN (X509_check_ip: never a wildcard, never the CN); a host name is checked as
// X509_check_host does, without partial wildcards ("f*.example.com"). A mismatch fails the
// verification, so the reason reaches RecordingRejectHandler. An empty host (a context shared by
// several hosts) keeps POCO's check only.
void requirePeerName(Poco::Net::Context& context, const std::string& host) {
  if (host.empty()) return;
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(context.sslContext());
  Poco::Net::IPAddress ip;
  int ok = 0;
  if (Poco::Net::IPAddress::tryParse(host, ip)) {
    ok = X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    ok = X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  }
  if (ok != 1) throw TlsError("cannot check the certificate against the name '" + host + "'");
}

Poco::Net::Context::Ptr makeContext(const Endpoint& endpoint) {
  initializeSslOnce();
  Poco::Net::Context::Params params;
  // VERIFY_STRICT, not RELAXED: POCO 1.11 skips the host name check for loopback peers unless
  // the mode is strict, so "wrong host name" would pass on 127.0.0.1.
  params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
  params.caLocation = endpoint.ca_file;
  params.loadDefaultCAs = endpoint.ca_file.empty();
  params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:@STRENGTH";
  try {
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    context->setInvalidCertificateHandler(new RecordingRejectHandler);
    requirePeerName(*context, endpoint.host);
    return context;
  } catch (const Poco::Exception& e) {
    throw TlsError("cannot set up TLS (ca_file '" + endpoint.ca_file + "'): " + e.displayText());
  }
}

std::string where(const Endpoint& endpoint) {
  return endpoint.host + ":" + std::to_string(endpoint.port);
}

std::string tlsFailure(const Endpoint& endpoint, const Poco::Exception& e) {
  std::string message = "TLS handshake with " + where(endpoint) + " failed: " + e.displayText();
  if (!t_verification_error.empty()) {
    message += "; certificate verification error: " + t_verification_error;
    t_verification_error.clear();
  }
  return message;
}

}  // namespace

Poco::Net::Context::Ptr makeClientTlsContext(const Endpoint& endpoint) {
  return makeContext(endpoint);
}

TlsSocketStream::TlsSocketStream(Endpoint endpoint, Poco::Net::StreamSocket socket, bool encrypted)
    : endpoint_(std::move(endpoint)), socket_(std::move(socket)), encrypted_(encrypted) {}

TlsSocketStream::~TlsSocketStream() {
  try {
    socket_.close();
  } catch (...) {
    // Closing a broken socket may throw; nothing to do about it in a destructor.
  }
}

std::unique_ptr<TlsSocketStream> TlsSocketStream::connect(const Endpoint& endpoint) {
  Poco::Net::SocketAddress address;
  try {
    address = Poco::Net::SocketAddress(endpoint.host, static_cast<Poco::UInt16>(endpoint.port));
  } catch (const Poco::Exception& e) {
    throw NetworkError("cannot resolve " + where(endpoint) + ": " + e.displayText());
  }

  Poco::Net::StreamSocket socket;
  try {
    socket.connect(address, toTimespan(endpoint.connect_timeout));
    socket.setNoDelay(true);
    // Every wait for the peer is ours (poll with a deadline): see the header.
    socket.setBlocking(false);
  } catch (const Poco::TimeoutException&) {
    throw NetworkError("timed out connecting to " + where(endpoint));
  } catch (const Poco::Exception& e) {
    throw NetworkError("cannot connect to " + where(endpoint) + ": " + e.displayText());
  }
  std::unique_ptr<TlsSocketStream> stream(new TlsSocketStream(endpoint, socket, false));
  if (endpoint.tls == TlsMode::kImplicit) stream->handshake();
  return stream;
}

std::size_t TlsSocketStream::read(char* buffer, std::size_t size) {
  throwIfBroken();
  const int chunk = static_cast<int>(std::min<std::size_t>(size, 1 << 30));
  const Deadline deadline = Clock::now() + endpoint_.read_timeout;
  try {
    for (;;) {
      // A non-blocking socket: -1 (EAGAIN, or OpenSSL's WANT_READ: half a TLS record) means wait.
      const int n = socket_.receiveBytes(buffer, chunk);
      if (n >= 0) return static_cast<std::size_t>(n);
      waitFor(n == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE ? POLLOUT : POLLIN, deadline,
              "no data from");
    }
  } catch (const NetworkError& e) {
    fail(e.what());
  } catch (const Poco::Exception& e) {
    fail("reading from " + where(endpoint_) + " failed: " + e.displayText());
  }
}

bool TlsSocketStream::waitReadable(std::chrono::milliseconds timeout) {
  throwIfBroken();
  try {
    // Bytes OpenSSL already decrypted (SSL_pending) never wake poll() on the socket.
    if (socket_.available() > 0) return true;
    return socket_.poll(toTimespan(timeout),
                        Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR);
  } catch (const Poco::Exception& e) {
    fail("waiting for " + where(endpoint_) + " failed: " + e.displayText());
  }
}

void TlsSocketStream::write(std::string_view data) {
  throwIfBroken();
  const Deadline deadline = Clock::now() + endpoint_.read_timeout;
  try {
    while (!data.empty()) {
      // OpenSSL wants the same buffer again after WANT_WRITE: `data` only moves on success.
      const int chunk = static_cast<int>(std::min<std::size_t>(data.size(), 1 << 30));
      // POCO throws on EAGAIN for a plain socket: wait for room first (before STARTTLS).
      if (!encrypted_) waitFor(POLLOUT, deadline, "writing to");
      const int n = socket_.sendBytes(data.data(), chunk);
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
      } else if (n == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_READ) {
        waitFor(POLLIN, deadline, "writing to");
      } else {
        waitFor(POLLOUT, deadline, "writing to");
      }
    }
  } catch (const NetworkError& e) {
    fail(e.what());
  } catch (const Poco::Exception& e) {
    fail("writing to " + where(endpoint_) + " failed: " + e.displayText());
  }
}

void TlsSocketStream::startTls() {
  throwIfBroken();
  if (encrypted_) throw TlsError("TLS is already active on " + where(endpoint_));
  handshake();
}

void TlsSocketStream::handshake() {
  t_verification_error.clear();
  const Deadline deadline = Clock::now() + endpoint_.read_timeout;
  try {
    // On a non-blocking socket attach() only prepares the handshake (POCO's own blocking
    // handshake would wait up to twice its timeout, and on a timeout return as if it were done).
    Poco::Net::SecureStreamSocket secure =
        Poco::Net::SecureStreamSocket::attach(socket_, endpoint_.host, makeContext(endpoint_));
    for (;;) {
      const int rc = secure.completeHandshake();
      if (rc == 1) break;
      if (rc == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_READ) {
        waitFor(POLLIN, deadline, "TLS handshake: no data from");
      } else if (rc == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE) {
        waitFor(POLLOUT, deadline, "TLS handshake: writing to");
      } else {
        throw Poco::Net::SSLConnectionUnexpectedlyClosedException();
      }
    }
    // POCO's host name check, on top of OpenSSL's (requirePeerName).
    secure.verifyPeerCertificate();
    socket_ = secure;
    encrypted_ = true;
  } catch (const TlsError& e) {
    fail(e.what(), true);
  } catch (const NetworkError& e) {
    fail(e.what());
  } catch (const Poco::Exception& e) {
    fail(tlsFailure(endpoint_, e), true);
  }
}

void TlsSocketStream::waitFor(short events, Deadline deadline, const char* doing) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      throw NetworkError(std::string(doing) + " " + where(endpoint_) + " within " +
                         std::to_string(endpoint_.read_timeout.count()) + " ms");
    }
    pollfd wanted{static_cast<int>(socket_.impl()->sockfd()), events, 0};
    // Readiness includes the peer closing or an error: the next call reports it.
    const int ready =
        ::poll(&wanted, 1, static_cast<int>(std::min<long long>(left.count(), 60'000)));
    if (ready > 0) return;
    if (ready < 0 && errno != EINTR) {
      throw NetworkError("waiting for " + where(endpoint_) + " failed: " + std::strerror(errno));
    }
  }
}

void TlsSocketStream::throwIfBroken() const {
  if (!broken_) return;
  if (broken_tls_) throw TlsError(*broken_);
  throw NetworkError(*broken_);
}

void TlsSocketStream::fail(std::string reason, bool tls) {
  broken_ = std::move(reason);
  broken_tls_ = tls;
  if (tls) throw TlsError(*broken_);
  throw NetworkError(*broken_);
}

}  // namespace hd::net
