// Big mail fetched from the private Dovecot of deploy/local.sh lands in a spill file (issue 11):
// a ~3 MB message with a 1 MiB threshold comes out of IMAPS and POP3S as a spill file with the
// exact bytes Dovecot holds, and a small one stays in memory.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connectors/crypto/sha256.hpp"
#include "connectors/imap/imap_source.hpp"
#include "connectors/net/tls_socket_stream.hpp"
#include "connectors/pop3/pop3_source.hpp"
#include "connectors/spill/bytes.hpp"
#include "tests/support/test_env.hpp"

namespace hd {
namespace {

using source::AfterIngest;
using test::TestEnv;
using test::TestMailbox;

constexpr std::uint64_t kThreshold = 1024 * 1024;

spill::SpillPolicy policy() {
  return {::testing::TempDir(), kThreshold};
}

// CRLF throughout (Dovecot then serves the file as it is), with lines that start with '.' so that
// POP3 dot-stuffing is exercised all along.
std::string message(int n, std::size_t body_bytes) {
  std::string raw = "From: customer" + std::to_string(n) +
                    "@example.com\r\nTo: support@example.com\r\nSubject: big " + std::to_string(n) +
                    "\r\nMessage-ID: <big" + std::to_string(n) + "@example.com>\r\n\r\n";
  const std::size_t end = raw.size() + body_bytes;
  for (int line = 0; raw.size() < end; ++line) {
    raw += line % 3 == 0 ? "." : "";
    raw += line % 7 == 0 ? ".\r\n" : "line " + std::to_string(line) + " of the body\r\n";
  }
  return raw;
}

// Seeds a 3 MB and a 2 KB message; returns them in delivery order.
std::vector<std::string> seed(TestMailbox& mailbox) {
  std::vector<std::string> raws = {message(1, 3'000'000), message(2, 2'000)};
  for (const std::string& raw : raws) mailbox.deliver(raw);
  return raws;
}

// The delivered message of the same size as `fetched` (sizes differ by far).
const std::string& sentFor(const std::vector<std::string>& raws, const spill::Bytes& fetched) {
  return fetched.size() > kThreshold ? raws[0] : raws[1];
}

void expectSpilledOnlyWhenBig(const std::vector<source::FetchedMessage>& fetched,
                              const std::vector<std::string>& raws) {
  ASSERT_EQ(fetched.size(), 2u);
  int spilled = 0;
  for (const source::FetchedMessage& m : fetched) {
    const std::string& sent = sentFor(raws, m.raw);
    EXPECT_EQ(m.raw.size(), sent.size());
    EXPECT_EQ(spill::sha256Hex(m.raw), crypto::sha256Hex(sent)) << "byte-identical";
    EXPECT_EQ(m.raw.inMemory(), sent.size() <= kThreshold) << m.raw.size();
    spilled += m.raw.inMemory() ? 0 : 1;
  }
  EXPECT_EQ(spilled, 1);
}

TEST(FetchSpillIntegration, ImapsBigMessageIsSpilledByteIdentical) {
  TestMailbox mailbox("spillimap");
  const std::vector<std::string> raws = seed(mailbox);
  const TestEnv& env = TestEnv::get();
  imap::ImapSourceOptions o;
  o.mailbox_name = mailbox.user();
  o.endpoint = {env.mail_host, env.imaps_port, net::TlsMode::kImplicit};
  o.endpoint.ca_file = env.ca_file;
  o.endpoint.read_timeout = std::chrono::seconds(30);
  o.credentials = {net::Credentials::Method::kPassword, mailbox.user(),
                   [password = env.mail_password] { return password; }};
  o.after_ingest = {AfterIngest::Action::kKeep, ""};
  o.spill = policy();
  imap::ImapSource source(std::move(o));
  source.open();
  const source::Listing listing = source.listPending({});
  expectSpilledOnlyWhenBig(source.fetch(listing.pending), raws);
  source.close();
}

TEST(FetchSpillIntegration, Pop3sBigMessageIsSpilledByteIdentical) {
  TestMailbox mailbox("spillpop3");
  const std::vector<std::string> raws = seed(mailbox);
  const TestEnv& env = TestEnv::get();
  pop3::Pop3SourceOptions o;
  o.mailbox_name = mailbox.user();
  o.endpoint = {env.mail_host, env.pop3s_port, net::TlsMode::kImplicit};
  o.endpoint.ca_file = env.ca_file;
  o.endpoint.read_timeout = std::chrono::seconds(30);
  o.credentials.method = net::Credentials::Method::kPassword;
  o.credentials.username = mailbox.user();
  o.credentials.secret = [password = env.mail_password] { return password; };
  o.after_ingest.action = AfterIngest::Action::kKeep;
  o.spill = policy();
  pop3::Pop3Source source(std::move(o), [](const net::Endpoint& endpoint) {
    return net::TlsSocketStream::connect(endpoint);
  });
  source.open();
  const source::Listing listing = source.listPending({});
  expectSpilledOnlyWhenBig(source.fetch(listing.pending), raws);
  source.close();
}

}  // namespace
}  // namespace hd
