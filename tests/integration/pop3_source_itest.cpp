// Pop3Source against the real Dovecot that deploy/local.sh starts: POP3S (implicit TLS) and
// POP3 + STLS on 127.0.0.1, certificates from the test CA. Each test uses a fresh mailbox.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "connectors/net/errors.hpp"
#include "connectors/net/tls_socket_stream.hpp"
#include "connectors/pop3/pop3_source.hpp"
#include "tests/support/sample_mail.hpp"
#include "tests/support/test_env.hpp"

namespace hd::pop3 {
namespace {

using source::AfterIngest;
using test::TestEnv;
using test::TestMailbox;

// Maildir files have LF line endings; Dovecot serves them with CRLF.
std::string withCrlf(const std::string& lf) {
  std::string out;
  for (const char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

Pop3SourceOptions optionsFor(const TestMailbox& mailbox, net::TlsMode tls,
                             AfterIngest::Action action = AfterIngest::Action::kDelete) {
  const TestEnv& env = TestEnv::get();
  Pop3SourceOptions options;
  options.mailbox_name = "itest";
  options.endpoint.host = env.mail_host;
  options.endpoint.port = tls == net::TlsMode::kImplicit ? env.pop3s_port : env.pop3_port;
  options.endpoint.tls = tls;
  options.endpoint.ca_file = env.ca_file;
  options.endpoint.read_timeout = std::chrono::seconds(20);
  options.credentials.method = net::Credentials::Method::kPassword;
  options.credentials.username = mailbox.user();
  options.credentials.secret = [password = env.mail_password] { return password; };
  options.after_ingest.action = action;
  return options;
}

// A TLS stream the test can cut, as if the network failed: reads and writes then throw.
class CuttableStream : public net::ByteStream {
 public:
  explicit CuttableStream(std::unique_ptr<net::ByteStream> inner) : inner_(std::move(inner)) {}
  void cut() { cut_ = true; }
  std::size_t read(char* buffer, std::size_t size) override {
    if (cut_) throw net::NetworkError("cut by the test");
    return inner_->read(buffer, size);
  }
  void write(std::string_view data) override {
    if (cut_) throw net::NetworkError("cut by the test");
    inner_->write(data);
  }
  void startTls() override { inner_->startTls(); }
  bool isEncrypted() const override { return inner_->isEncrypted(); }

 private:
  std::unique_ptr<net::ByteStream> inner_;
  bool cut_ = false;
};

std::unique_ptr<Pop3Source> makeSource(Pop3SourceOptions options) {
  return std::make_unique<Pop3Source>(std::move(options), [](const net::Endpoint& endpoint) {
    return net::TlsSocketStream::connect(endpoint);
  });
}

TEST(Pop3SourceItest, Pop3sListFetchDeleteAndQuitEmptiesTheMaildir) {
  TestMailbox mailbox("pop3");
  std::vector<std::string> delivered;
  for (int i = 0; i < 3; ++i) {
    delivered.push_back(test::makeSampleMessage(i));
    mailbox.deliver(delivered.back());
  }
  auto source = makeSource(optionsFor(mailbox, net::TlsMode::kImplicit));
  source->open();
  const auto listing = source->listPending({});
  ASSERT_EQ(listing.pending.size(), 3u);
  for (const auto& ref : listing.pending) {
    EXPECT_EQ(ref.source_key, "pop3:itest:" + ref.uidl);
    EXPECT_GT(ref.size, 0u);
  }
  const auto fetched = source->fetch(listing.pending);
  ASSERT_EQ(fetched.size(), 3u);
  for (std::size_t i = 0; i < fetched.size(); ++i) {
    // Dovecot lists messages in delivery order here; the bytes are the Maildir file with CRLF.
    EXPECT_EQ(fetched[i].raw, withCrlf(delivered[i])) << "message " << i;
    EXPECT_EQ(fetched[i].ref.size, fetched[i].raw.size());
  }
  source->acknowledge(listing.pending);
  EXPECT_EQ(mailbox.count(), 3u) << "DELE takes effect at QUIT only";
  source->close();
  EXPECT_EQ(mailbox.count(), 0u);

  source->open();
  EXPECT_TRUE(source->listPending({}).pending.empty());
  source->close();
}

TEST(Pop3SourceItest, StlsKeepLeavesTheMessagesWithStableUidls) {
  TestMailbox mailbox("pop3stls");
  mailbox.deliver(test::makeSampleMessage(1));
  mailbox.deliver("From: a@example.com\nSubject: dots\n\n.\n..\n.x\nend\n");
  auto source =
      makeSource(optionsFor(mailbox, net::TlsMode::kStartTls, AfterIngest::Action::kKeep));
  source->open();
  const auto first = source->listPending({});
  ASSERT_EQ(first.pending.size(), 2u);
  const auto fetched = source->fetch(first.pending);
  ASSERT_EQ(fetched.size(), 2u);
  // Dot-stuffing survives the round trip through a real server byte for byte.
  EXPECT_EQ(fetched[1].raw, "From: a@example.com\r\nSubject: dots\r\n\r\n.\r\n..\r\n.x\r\nend\r\n");
  source->acknowledge(first.pending);
  source->close();
  EXPECT_EQ(mailbox.count(), 2u);

  source->open();
  const auto second = source->listPending({});
  source->close();
  ASSERT_EQ(second.pending.size(), 2u);
  EXPECT_EQ(second.pending[0].source_key, first.pending[0].source_key);
  EXPECT_EQ(second.pending[1].source_key, first.pending[1].source_key);
}

TEST(Pop3SourceItest, ConnectionLostBeforeQuitAppliesNoDeletion) {
  TestMailbox mailbox("pop3noquit");
  mailbox.deliver(test::makeSampleMessage(2));
  CuttableStream* stream = nullptr;
  Pop3Source source(
      optionsFor(mailbox, net::TlsMode::kImplicit), [&stream](const net::Endpoint& endpoint) {
        auto cuttable = std::make_unique<CuttableStream>(net::TlsSocketStream::connect(endpoint));
        stream = cuttable.get();
        return cuttable;
      });
  source.open();
  const auto listing = source.listPending({});
  ASSERT_EQ(listing.pending.size(), 1u);
  source.acknowledge(listing.pending);  // DELE answered +OK
  stream->cut();
  EXPECT_THROW(source.listPending({}), net::NetworkError);
  source.close();  // the session is unusable: no QUIT, the socket just closes
  EXPECT_EQ(mailbox.count(), 1u);

  // Dovecot releases the maildrop lock once it notices the disconnect.
  std::vector<source::MessageRef> again;
  for (int attempt = 0; attempt < 50; ++attempt) {
    try {
      source.open();
      again = source.listPending({}).pending;
      break;
    } catch (const net::AuthError& error) {
      ASSERT_TRUE(error.retryable()) << error.what();  // [IN-USE] while the old session lingers
      source.close();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  source.close();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].source_key, listing.pending[0].source_key);
}

TEST(Pop3SourceItest, WrongPasswordIsANonRetryableAuthError) {
  TestMailbox mailbox("pop3badpw");
  auto options = optionsFor(mailbox, net::TlsMode::kImplicit);
  options.credentials.secret = [] { return std::string("not-the-password"); };
  auto source = makeSource(options);
  try {
    source->open();
    FAIL() << "signed in with a wrong password";
  } catch (const net::AuthError& error) {
    EXPECT_FALSE(error.retryable()) << error.what();
  }
  source->close();
}

TEST(Pop3SourceItest, CertificateFromAnotherCaIsRefused) {
  TestMailbox mailbox("pop3ca");
  for (const auto tls : {net::TlsMode::kImplicit, net::TlsMode::kStartTls}) {
    auto options = optionsFor(mailbox, tls);
    options.endpoint.ca_file = TestEnv::get().other_ca_file;
    bool asked_for_password = false;
    options.credentials.secret = [&asked_for_password] {
      asked_for_password = true;
      return std::string("irrelevant");
    };
    auto source = makeSource(options);
    EXPECT_THROW(source->open(), net::TlsError)
        << (tls == net::TlsMode::kImplicit ? "POP3S" : "STLS");
    EXPECT_FALSE(asked_for_password);
    source->close();
  }
}

}  // namespace
}  // namespace hd::pop3
