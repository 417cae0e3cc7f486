// Proves the environment that deploy/local.sh starts: PostgreSQL answers, Maildir files written
// by TestMailbox are what Dovecot serves, and the TLS listeners present a certificate that the
// test CA (and only it) verifies.

#include <Poco/Net/Context.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/sample_mail.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

std::string runCommand(const std::string& command) {
  std::string output;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen((command + " 2>&1").c_str(), "r"), ::pclose);
  if (!pipe) return "popen failed";
  std::array<char, 512> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr) output += buffer.data();
  return output;
}

// One value of `doveadm mailbox status`, e.g. "messages=3" -> "3".
std::string mailboxStatus(const TestMailbox& mailbox, const std::string& field) {
  const std::string output =
      runCommand("doveadm -c '" + TestEnv::get().dovecot_conf + "' mailbox status -u '" +
                 mailbox.user() + "' " + field + " INBOX");
  const auto pos = output.find(field + "=");
  if (pos == std::string::npos) return "doveadm said: " + output;
  const auto start = pos + field.size() + 1;
  return output.substr(start, output.find_first_of(" \n", start) - start);
}

bool isNumber(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

std::string readGreeting(Poco::Net::StreamSocket& socket) {
  std::array<char, 512> buffer{};
  const int n = socket.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
  return n > 0 ? std::string(buffer.data(), static_cast<std::size_t>(n)) : std::string();
}

Poco::Net::Context::Ptr clientContext(const std::string& ca_file) {
  // VERIFY_STRICT: POCO 1.11 skips the host-name check for loopback peers in relaxed mode.
  return new Poco::Net::Context(Poco::Net::Context::CLIENT_USE, "", "", ca_file,
                                Poco::Net::Context::VERIFY_STRICT, 9, false);
}

class EnvSmoke : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The default handler would ask on stdin whether to accept a bad certificate.
    Poco::SharedPtr<Poco::Net::InvalidCertificateHandler> reject =
        new Poco::Net::RejectCertificateHandler(false);
    Poco::Net::SSLManager::instance().initializeClient(nullptr, reject,
                                                       clientContext(TestEnv::get().ca_file));
  }
};

TEST_F(EnvSmoke, ScratchDatabaseAnswers) {
  ScratchDatabase db;
  EXPECT_EQ(db.scalar("SELECT 40 + 2"), "42");
  EXPECT_EQ(db.scalar("SELECT current_database()"), db.name());
  EXPECT_EQ(db.scalar("SELECT 1 WHERE false"), "");
}

TEST_F(EnvSmoke, DeliveredMessagesAreVisibleToDovecot) {
  TestMailbox mailbox("smoke");
  mailbox.deliver(makeSampleMessage(1));
  mailbox.deliver(makeSampleMessage(2));
  mailbox.deliver(makeSampleMessage(3), "Archive/2024");
  EXPECT_EQ(mailbox.count(), 2u);
  EXPECT_EQ(mailbox.count("Archive/2024"), 1u);
  EXPECT_EQ(mailboxStatus(mailbox, "messages"), "2");
  EXPECT_EQ(mailbox.countFlagged('S'), 0u);
}

TEST_F(EnvSmoke, ResetUidValidityMakesDovecotAssignANewOne) {
  TestMailbox mailbox("uidv");
  mailbox.deliver(makeSampleMessage(1));
  const std::string before = mailboxStatus(mailbox, "uidvalidity");
  ASSERT_TRUE(isNumber(before)) << before;
  mailbox.resetUidValidity();
  const std::string after = mailboxStatus(mailbox, "uidvalidity");
  EXPECT_TRUE(isNumber(after)) << after;
  EXPECT_NE(before, after);
  EXPECT_EQ(mailboxStatus(mailbox, "messages"), "1");
}

TEST_F(EnvSmoke, TlsListenersVerifyWithTheTestCa) {
  const TestEnv& env = TestEnv::get();
  for (const auto& [port, greeting] :
       {std::pair{env.imaps_port, "* OK"}, {env.pop3s_port, "+OK"}}) {
    Poco::Net::SecureStreamSocket socket(Poco::Net::SocketAddress(env.mail_host, port),
                                         clientContext(env.ca_file));
    EXPECT_EQ(readGreeting(socket).rfind(greeting, 0), 0u) << "port " << port;
  }
}

TEST_F(EnvSmoke, TlsHandshakeFailsWithAnUnrelatedCa) {
  const TestEnv& env = TestEnv::get();
  EXPECT_ANY_THROW({
    Poco::Net::SecureStreamSocket socket(Poco::Net::SocketAddress(env.mail_host, env.imaps_port),
                                         clientContext(env.other_ca_file));
    socket.completeHandshake();
    readGreeting(socket);
  });
}

TEST_F(EnvSmoke, PlainPortsOfferStartTls) {
  const TestEnv& env = TestEnv::get();
  Poco::Net::StreamSocket imap(Poco::Net::SocketAddress(env.mail_host, env.imap_port));
  EXPECT_NE(readGreeting(imap).find("STARTTLS"), std::string::npos);
  Poco::Net::StreamSocket pop3(Poco::Net::SocketAddress(env.mail_host, env.pop3_port));
  EXPECT_EQ(readGreeting(pop3).rfind("+OK", 0), 0u);
}

// Ports that are bound only later (the fake identity server Dovecot introspects; the fault servers,
// stopped and started again) must lie outside the kernel's ephemeral range: inside it, any client
// socket or bind(0) in between can take the port (CI once failed every XOAUTH2 test that way).
TEST(EnvPorts, PortsBoundLaterLieOutsideTheEphemeralRange) {
  std::ifstream range_file("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0, high = 0;
  ASSERT_TRUE(range_file >> low >> high);
  const TestEnv& env = TestEnv::get();
  std::smatch match;
  ASSERT_TRUE(std::regex_search(env.fault_pg_admin_url, match, std::regex(R"(:(\d+)/)")))
      << env.fault_pg_admin_url;
  const std::vector<std::pair<std::string, int>> ports = {
      {"HD_TEST_OAUTH_PORT", env.oauth_port},
      {"HD_TEST_FAULT_IMAPS_PORT", env.fault_imaps_port},
      {"HD_TEST_FAULT_POP3S_PORT", env.fault_pop3s_port},
      {"HD_TEST_FAULT_PG_URL", std::stoi(match[1].str())}};
  for (const auto& [name, port] : ports) {
    EXPECT_TRUE(port < low || port > high)
        << name << " = " << port << " lies in the ephemeral range " << low << "-" << high;
  }
}

}  // namespace
}  // namespace hd::test
