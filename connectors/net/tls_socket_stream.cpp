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

[[noreturn]] void rethrowTls(const Endpoint& endpoint, const Poco::Exception& e) {
  std::string message = "TLS handshake with " + where(endpoint) + " failed: " + e.displayText();
  if (!t_verification_error.empty()) {
    message += "; certificate verification error: " + t_verification_error;
    t_verification_error.clear();
  }
  throw TlsError(message);
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

  const bool implicit_tls = endpoint.tls == TlsMode::kImplicit;
  Poco::Net::StreamSocket socket;
  t_verification_error.clear();
  try {
    if (implicit_tls) {
      Poco::Net::SecureStreamSocket secure(makeContext(endpoint));
      secure.setPeerHostName(endpoint.host);
      // Connects and completes the handshake (incl. the host name check) within the timeout.
      secure.connect(address, toTimespan(endpoint.connect_timeout));
      socket = secure;
    } else {
      socket.connect(address, toTimespan(endpoint.connect_timeout));
    }
    socket.setReceiveTimeout(toTimespan(endpoint.read_timeout));
    socket.setSendTimeout(toTimespan(endpoint.read_timeout));
    socket.setNoDelay(true);
  } catch (const TlsError&) {
    throw;
  } catch (const Poco::Net::SSLException& e) {
    rethrowTls(endpoint, e);
  } catch (const Poco::TimeoutException& e) {
    throw NetworkError("timed out connecting to " + where(endpoint));
  } catch (const Poco::Exception& e) {
    if (!t_verification_error.empty()) rethrowTls(endpoint, e);
    throw NetworkError("cannot connect to " + where(endpoint) + ": " + e.displayText());
  }
  return std::unique_ptr<TlsSocketStream>(new TlsSocketStream(endpoint, socket, implicit_tls));
}

std::size_t TlsSocketStream::read(char* buffer, std::size_t size) {
  const int chunk = static_cast<int>(std::min<std::size_t>(size, 1 << 30));
  try {
    const int n = socket_.receiveBytes(buffer, chunk);
    return n > 0 ? static_cast<std::size_t>(n) : 0;
  } catch (const Poco::TimeoutException&) {
    throw NetworkError("no data from " + where(endpoint_) + " within " +
                       std::to_string(endpoint_.read_timeout.count()) + " ms");
  } catch (const Poco::Exception& e) {
    throw NetworkError("reading from " + where(endpoint_) + " failed: " + e.displayText());
  }
}

bool TlsSocketStream::waitReadable(std::chrono::milliseconds timeout) {
  try {
    // Bytes OpenSSL already decrypted (SSL_pending) never wake poll() on the socket.
    if (socket_.available() > 0) return true;
    return socket_.poll(toTimespan(timeout),
                        Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR);
  } catch (const Poco::Exception& e) {
    throw NetworkError("waiting for " + where(endpoint_) + " failed: " + e.displayText());
  }
}

void TlsSocketStream::write(std::string_view data) {
  try {
    while (!data.empty()) {
      const int chunk = static_cast<int>(std::min<std::size_t>(data.size(), 1 << 30));
      const int n = socket_.sendBytes(data.data(), chunk);
      if (n <= 0) throw NetworkError("writing to " + where(endpoint_) + " failed");
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  } catch (const Poco::TimeoutException&) {
    throw NetworkError("writing to " + where(endpoint_) + " timed out");
  } catch (const Poco::Exception& e) {
    throw NetworkError("writing to " + where(endpoint_) + " failed: " + e.displayText());
  }
}

void TlsSocketStream::startTls() {
  if (encrypted_) throw TlsError("TLS is already active on " + where(endpoint_));
  t_verification_error.clear();
  try {
    // The handshake runs inside attach() and is bounded by the socket's receive timeout.
    Poco::Net::SecureStreamSocket secure =
        Poco::Net::SecureStreamSocket::attach(socket_, endpoint_.host, makeContext(endpoint_));
    socket_ = secure;
    encrypted_ = true;
  } catch (const TlsError&) {
    throw;
  } catch (const Poco::Exception& e) {
    rethrowTls(endpoint_, e);
  }
}

}  // namespace hd::net
