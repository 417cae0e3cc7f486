// Network faults between the service and the real Dovecot (IMAPS, POP3S), made by a loopback
// proxy (tests/support/fault_proxy.hpp) at a fixed byte of the dialogue: a server that stalls
// (stops sending, or stops hearing, without closing) fails the pass on the read timeout and
// `--once` exits 1 by itself; a connection cut mid-literal, mid-command or during the TLS
// handshake fails the pass. Nothing is acknowledged on the server without its commit, and the
// next pass, straight to Dovecot, stores every message exactly once and quarantines nothing.
//
// Uses the test environment's own Dovecot and PostgreSQL, never stopped: no resource lock.

#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/integration/fault_test_support.hpp"
#include "tests/support/fault_proxy.hpp"
#include "tests/support/sample_mail.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

constexpr int kMessages = 40;
// The mailbox's read timeout: what a stalled pass must end on.
constexpr int kReadTimeoutSeconds = 6;
// Bounds a broken pass (runService kills it and the test fails): a generous margin over one read
// timeout for starting up and talking until the fault, yet short of two, so that a stall waited
// on twice (POCO 1.11's TLS read and handshake did) or once more on the dead session fails.
constexpr int kPassLimitSeconds = 2 * kReadTimeoutSeconds - 1;

std::string configJson(const ScratchDatabase& db, const TestMailbox& box,
                       const std::string& protocol, int port) {
  const auto& env = TestEnv::get();
  return R"({
    "database": {"url": ")" +
         db.url() + R"("},
    "limits": {"fetch_batch_messages": 10},
    "mailboxes": [{
      "name": "net", "protocol": ")" +
         protocol + R"(", "host": "127.0.0.1", "port": )" + std::to_string(port) +
         R"(, "ca_file": ")" + env.ca_file + R"(", "username": ")" + box.user() +
         R"(", "password": ")" + env.mail_password +
         R"(", "after_ingest": "delete", "read_timeout_seconds": )" +
         std::to_string(kReadTimeoutSeconds) + R"(
    }]
  })";
}

// The sample numbers (makeSampleMessage) whose Message-ID <sample-N@load.hd.test> is in `text`.
std::set<int> sampleNumbersIn(const std::string& text) {
  static const std::regex kSampleId("sample-([0-9]+)@load\\.hd\\.test");
  std::set<int> numbers;
  for (std::sregex_iterator it(text.begin(), text.end(), kSampleId), end; it != end; ++it) {
    numbers.insert(std::stoi((*it)[1]));
  }
  return numbers;
}

// Samples still in the folder (the Maildir files Dovecot has not expunged).
std::set<int> samplesOnTheServer(const TestMailbox& box) {
  std::string all;
  for (const char* sub : {"new", "cur"}) {
    for (const auto& file : std::filesystem::directory_iterator(box.maildir() / sub)) {
      std::ifstream in(file.path());
      std::ostringstream bytes;
      bytes << in.rdbuf();
      all += bytes.str();
    }
  }
  return sampleNumbersIn(all);
}

std::set<int> samplesStored(const ScratchDatabase& db) {
  return sampleNumbersIn(db.scalar("SELECT string_agg(internet_message_id, ' ') FROM messages"));
}

struct Case {
  std::string name;
  std::string protocol;
  FaultProxy::Plan plan;
};

void PrintTo(const Case& c, std::ostream* out) {
  *out << c.name;
}

class FaultNetwork : public ::testing::TestWithParam<Case> {
 protected:
  int serverPort() const {
    const auto& env = TestEnv::get();
    return GetParam().protocol == "imap" ? env.imaps_port : env.pop3s_port;
  }
  ProcessResult runOnce(int port) {
    TempFile config(configJson(db_, box_, GetParam().protocol, port));
    return runService({"--config", config.path(), "--once"}, {}, kPassLimitSeconds);
  }

  ScratchDatabase db_;
  TestMailbox box_{"net"};
};

TEST_P(FaultNetwork, ThePassFailsAndTheNextStoresEverythingExactlyOnce) {
  for (int i = 0; i < kMessages; ++i) box_.deliver(makeSampleMessage(i, 1500));
  {
    FaultProxy proxy(serverPort(), GetParam().plan);
    const ProcessResult broken = runOnce(proxy.port());
    ASSERT_TRUE(proxy.struck()) << "the fault never happened:\n" << broken.output;
    EXPECT_EQ(broken.exit_code, 1) << broken.output;
    if (GetParam().plan.fault == FaultProxy::Fault::kStall) {
      // Ended by the read timeout itself (a network failure naming it), not by a later error on
      // the dead session.
      EXPECT_NE(broken.output.find("pass failed (network)"), std::string::npos) << broken.output;
      EXPECT_NE(broken.output.find("no data from 127.0.0.1:" + std::to_string(proxy.port()) +
                                   " within " + std::to_string(kReadTimeoutSeconds * 1000) + " ms"),
                std::string::npos)
          << broken.output;
    }
  }
  const std::set<int> stored = samplesStored(db_);
  EXPECT_LT(stored.size(), static_cast<std::size_t>(kMessages)) << "the fault came too late";
  // Nothing acknowledged without its commit: what left the server was stored.
  const std::set<int> on_server = samplesOnTheServer(box_);
  for (int i = 0; i < kMessages; ++i) {
    EXPECT_TRUE(stored.count(i) || on_server.count(i)) << "sample " << i << " is lost";
  }
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM quarantine"), "0")
      << "a network fault is not bad mail";

  const ProcessResult next = runOnce(serverPort());
  ASSERT_EQ(next.exit_code, 0) << next.output;
  EXPECT_EQ(fault::storedMessages(db_), kMessages);
  EXPECT_EQ(samplesStored(db_).size(), static_cast<std::size_t>(kMessages));
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM quarantine"), "0");
  EXPECT_EQ(box_.count(), 0u);
}

using Fault = FaultProxy::Fault;
using Direction = FaultProxy::Direction;

// Byte counts, measured on this dialogue (TLS 1.3 to Dovecot, 40 messages of about 2.8 KB,
// batches of 10). Server to client: the handshake's first flight is about 1,450 bytes (300 cuts
// it); the mail starts after about 4,700 (IMAP) or 3,500 (POP3), and byte 40,000 lies inside the
// second batch's bodies, while the first batch is committed. Client to server: the ClientHello
// is 517 bytes; IMAP's first UID STORE (the first batch's acknowledgement) spans about bytes
// 1,075 to 1,145, POP3's second batch of RETR commands about 900 to 1,010.
INSTANTIATE_TEST_SUITE_P(
    Faults, FaultNetwork,
    ::testing::Values(
        Case{"ImapStallMidLiteral", "imap", {Fault::kStall, Direction::kServerToClient, 40000}},
        Case{"Pop3StallMidRetr", "pop3", {Fault::kStall, Direction::kServerToClient, 40000}},
        Case{"ImapStallMidCommand", "imap", {Fault::kStall, Direction::kClientToServer, 1100}},
        Case{"Pop3StallMidCommand", "pop3", {Fault::kStall, Direction::kClientToServer, 950}},
        Case{"ImapStallDuringTlsHandshake",
             "imap",
             {Fault::kStall, Direction::kServerToClient, 300}},
        Case{"Pop3StallDuringTlsHandshake",
             "pop3",
             {Fault::kStall, Direction::kServerToClient, 300}},
        Case{"ImapCutMidLiteral", "imap", {Fault::kCut, Direction::kServerToClient, 40000}},
        Case{"Pop3CutMidRetr", "pop3", {Fault::kCut, Direction::kServerToClient, 40000}},
        Case{"ImapCutMidCommand", "imap", {Fault::kCut, Direction::kClientToServer, 1100}},
        Case{"Pop3CutMidCommand", "pop3", {Fault::kCut, Direction::kClientToServer, 950}},
        Case{"ImapCutDuringTlsHandshake", "imap", {Fault::kCut, Direction::kServerToClient, 300}}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace hd::test
