// The certificate name check of TlsSocketStream against in-process TLS servers on 127.0.0.1 whose
// certificates come from the environment's CA (so only the name can be wrong): an IP address
// matches an iPAddress SAN exactly, never a wildcard DNS SAN or the CN (POCO 1.11 accepted both).
// Leaf certificates are made here with deploy/lib/certs.sh's make_leaf.

#include <gtest/gtest.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "connectors/net/errors.hpp"
#include "connectors/net/tls_socket_stream.hpp"
#include "connectors/oauth2/http_transport.hpp"
#include "tests/support/random_name.hpp"
#include "tests/support/test_env.hpp"

namespace hd::net {
namespace {

namespace fs = std::filesystem;
using test::TestEnv;

struct CertificatePair {
  std::string cert_file, key_file;
};

// A server certificate for `cn` with subjectAltName `san` ("" = no SAN), signed by the
// environment's CA, in a fresh directory under the system temp dir.
CertificatePair makeLeaf(const std::string& cn, const std::string& san) {
  const fs::path ca = TestEnv::get().ca_file;
  const fs::path dir = fs::temp_directory_path() / ("hd-tls-" + test::randomName(10));
  fs::create_directories(dir);
  fs::copy_file(ca, dir / "ca.pem");
  fs::copy_file(ca.parent_path() / "ca.key", dir / "ca.key");
  const fs::path certs_sh = fs::path(HD_TEST_DATA_DIR) / ".." / "deploy" / "lib" / "certs.sh";
  const std::string command = "bash -c 'source \"$0\" && make_leaf \"$1\" leaf \"$2\" \"$3\"' '" +
                              certs_sh.string() + "' '" + dir.string() + "' '" + cn + "' '" + san +
                              "'";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("make_leaf failed: " + command);
  fs::remove(dir / "ca.key");
  return {(dir / "leaf.pem").string(), (dir / "leaf.key").string()};
}

// A TLS server on 127.0.0.1 with `pair` that serves one connection with `serve` (a client that
// aborts the handshake is expected in the refusal cases); closed and joined on destruction.
class OneConnectionTlsServer {
 public:
  OneConnectionTlsServer(const CertificatePair& pair,
                         std::function<void(Poco::Net::StreamSocket&)> serve)
      : context_(new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, pair.key_file,
                                        pair.cert_file, "", Poco::Net::Context::VERIFY_NONE)),
        server_(Poco::Net::SocketAddress("127.0.0.1", 0), 4, context_),
        acceptor_([this, serve = std::move(serve)] {
          try {
            Poco::Net::StreamSocket peer = server_.acceptConnection();
            peer.setReceiveTimeout(Poco::Timespan(5, 0));
            serve(peer);
          } catch (...) {
          }
        }) {}
  ~OneConnectionTlsServer() {
    server_.close();
    acceptor_.join();
  }
  int port() const { return server_.address().port(); }

 private:
  Poco::Net::Context::Ptr context_;
  Poco::Net::SecureServerSocket server_;
  std::thread acceptor_;
};

// Connects to a server with `pair` as `host`. Returns the TlsError text, or nullopt when the
// client accepted the certificate.
std::optional<std::string> connectToServerWith(const CertificatePair& pair,
                                               const std::string& host = "127.0.0.1") {
  OneConnectionTlsServer server(pair, [](Poco::Net::StreamSocket& peer) {
    peer.sendBytes("* OK hi\r\n", 9);
    char buffer[16];
    peer.receiveBytes(buffer, sizeof(buffer));
  });
  try {
    Endpoint endpoint{host,
                      server.port(),
                      TlsMode::kImplicit,
                      TestEnv::get().ca_file,
                      std::chrono::seconds(5),
                      std::chrono::seconds(5)};
    auto stream = TlsSocketStream::connect(endpoint);
    stream->write("x");
  } catch (const TlsError& e) {
    return e.what();
  }
  return std::nullopt;
}

TEST(TlsPeerName, IpSanMatchingTheAddressIsAccepted) {
  const TestEnv& env = TestEnv::get();
  EXPECT_EQ(connectToServerWith({env.server_cert_file, env.server_key_file}), std::nullopt);
  EXPECT_EQ(connectToServerWith(makeLeaf("anything", "IP:127.0.0.1")), std::nullopt);
}

TEST(TlsPeerName, WildcardDnsSanIsNoMatchForAnIpAddress) {
  auto refusal = connectToServerWith(makeLeaf("wildcard.example", "DNS:*.0.0.1"));
  ASSERT_TRUE(refusal) << "accepted a certificate for *.0.0.1 at 127.0.0.1";
  EXPECT_NE(refusal->find("127.0.0.1"), std::string::npos) << *refusal;
}

TEST(TlsPeerName, CommonNameIsNoMatchForAnIpAddress) {
  auto refusal = connectToServerWith(makeLeaf("127.0.0.1", ""));
  ASSERT_TRUE(refusal) << "accepted CN=127.0.0.1 without a SAN";
  EXPECT_NE(refusal->find("127.0.0.1"), std::string::npos) << *refusal;
}

TEST(TlsPeerName, OtherIpSanIsRefused) {
  auto refusal = connectToServerWith(makeLeaf("other", "IP:127.0.0.2,DNS:localhost"));
  ASSERT_TRUE(refusal) << "accepted a certificate for 127.0.0.2 at 127.0.0.1";
}

// A certificate from the right CA that names "wrong.example" only: refused although the peer is a
// loopback address (POCO 1.11 skips its host name check for loopback peers unless VERIFY_STRICT).
TEST(TlsPeerName, CertificateForAnotherHostIsRefusedOnLoopback) {
  const TestEnv& env = TestEnv::get();
  auto refusal = connectToServerWith({env.wrong_name_cert_file, env.wrong_name_key_file});
  ASSERT_TRUE(refusal) << "accepted a certificate for wrong.example at 127.0.0.1";
  EXPECT_NE(refusal->find("127.0.0.1"), std::string::npos) << *refusal;
}

// Host names: the DNS SAN is checked by X509_check_host ("localhost" resolves to the server).
TEST(TlsPeerName, HostNameMatchesItsDnsSan) {
  if (Poco::Net::SocketAddress("localhost", 1).host().toString() != "127.0.0.1")
    GTEST_SKIP() << "localhost does not resolve to 127.0.0.1 first here";
  auto accepted = makeLeaf("localhost", "DNS:localhost");
  EXPECT_EQ(connectToServerWith(accepted, "localhost"), std::nullopt);
  auto refusal = connectToServerWith(makeLeaf("localhost", "DNS:*.localhost"), "localhost");
  EXPECT_TRUE(refusal) << "accepted *.localhost for localhost";
}

// The OAuth2 token endpoint gets the same check: the server answers one HTTP request; returns the
// TlsError text, or nullopt when the transport accepted the certificate (and got the answer).
std::optional<std::string> postFormToServerWith(const CertificatePair& pair) {
  OneConnectionTlsServer server(pair, [](Poco::Net::StreamSocket& peer) {
    char buffer[4096];
    peer.receiveBytes(buffer, sizeof(buffer));
    const std::string answer =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
        "Connection: close\r\n\r\n{}";
    peer.sendBytes(answer.data(), static_cast<int>(answer.size()));
  });
  try {
    oauth2::PocoHttpTransport transport({TestEnv::get().ca_file, std::chrono::seconds(5)});
    const auto response =
        transport.postForm("https://127.0.0.1:" + std::to_string(server.port()) + "/token", "a=b");
    EXPECT_EQ(response.status, 200);
  } catch (const TlsError& e) {
    return e.what();
  }
  return std::nullopt;
}

TEST(TlsPeerName, TokenEndpointIsCheckedLikeTheMailServer) {
  const TestEnv& env = TestEnv::get();
  EXPECT_EQ(postFormToServerWith({env.server_cert_file, env.server_key_file}), std::nullopt);
  EXPECT_TRUE(postFormToServerWith(makeLeaf("127.0.0.1", "")))
      << "accepted CN=127.0.0.1 without a SAN for the token endpoint";
  EXPECT_TRUE(postFormToServerWith(makeLeaf("wildcard.example", "DNS:*.0.0.1")))
      << "accepted *.0.0.1 for the token endpoint at 127.0.0.1";
  EXPECT_TRUE(postFormToServerWith({env.wrong_name_cert_file, env.wrong_name_key_file}))
      << "accepted a certificate for wrong.example for the token endpoint at 127.0.0.1";
}

}  // namespace
}  // namespace hd::net
