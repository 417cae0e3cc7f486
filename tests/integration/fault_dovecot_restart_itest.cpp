// Dovecot restarted in the middle of a pass of the running service (stopped on progress, not on a
// timer, started again seconds later), in the delete modes of IMAP and POP3 where a wrong
// acknowledgement destroys mail: the service shows `failing` meanwhile, carries on by itself, and
// in the end every message is stored exactly once, none is quarantined and the folder is empty.
// Uses the second Dovecot of the test environment (HD_TEST_FAULT_*), which only fault tests stop;
// the ctest resource lock keeps them one at a time.

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

#include "tests/integration/fault_test_support.hpp"
#include "tests/support/sample_mail.hpp"

namespace hd::test {
namespace {

using fault::eventually;
using fault::mailboxState;
using fault::storedMessages;

constexpr int kMessages = 1000;

std::string config(const ScratchDatabase& db, const TestMailbox& box, const std::string& protocol) {
  const auto& env = TestEnv::get();
  const int port = protocol == "pop3" ? env.fault_pop3s_port : env.fault_imaps_port;
  return R"({"database": {"url": ")" + db.url() +
         R"("}, "http": {"listen": "127.0.0.1:0"}, "log": {"level": "information"},
         "backoff": {"initial_seconds": 1, "max_seconds": 2},
         "limits": {"fetch_batch_messages": 20},
         "mailboxes": [{"name": "support", "protocol": ")" +
         protocol + R"(", "host": ")" + env.mail_host + R"(", "port": )" + std::to_string(port) +
         R"(, "tls": "implicit", "ca_file": ")" + env.ca_file + R"(", "username": ")" + box.user() +
         R"(", "password": ")" + env.mail_password +
         R"(", "after_ingest": "delete", "poll_interval_seconds": 1}]})";
}

void restartMidPass(const std::string& protocol) {
  ScratchDatabase db;
  TestMailbox box("dvrestart");
  for (int i = 0; i < kMessages; ++i) box.deliver(makeSampleMessage(i));
  TempFile file(config(db, box, protocol));

  // At least 15 s per pass (50 batches, 300 ms after each commit): the stop, which takes a
  // few seconds on a loaded machine, lands in the middle however fast the pass (pipelined, the
  // fetch of the next batch no longer adds to the pause).
  ServiceProcess service({"--config", file.path()}, {"HD_FAULT_PAUSE_AFTER_COMMIT_MS=300"});
  const int port = waitForPort(service);
  ASSERT_NE(port, 0);
  ASSERT_TRUE(eventually(120, [&] { return storedMessages(db) >= 60; })) << service.output();

  fault::StoppedServer dovecot(TestEnv::get().fault_dovecot_ctl);
  const long stored_at_stop = storedMessages(db);
  EXPECT_TRUE(eventually(60, [&] { return mailboxState(port) == "failing"; }))
      << "state: " << mailboxState(port) << "\n"
      << service.output();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  dovecot.start();
  EXPECT_LT(stored_at_stop, kMessages) << "the pass was over before the restart";

  ASSERT_TRUE(eventually(300, [&] { return storedMessages(db) == kMessages; }))
      << "stored " << storedMessages(db) << " of " << kMessages << "\n"
      << service.output();
  EXPECT_TRUE(eventually(60, [&] { return box.count() == 0; }))
      << box.count() << " messages still in INBOX";
  EXPECT_TRUE(eventually(30, [&] { return mailboxState(port) == "ok"; }))
      << "state: " << mailboxState(port);

  service.signal(SIGTERM);
  EXPECT_EQ(service.wait(60).exit_code, 0) << service.output();
  EXPECT_EQ(storedMessages(db), kMessages);
  EXPECT_EQ(db.scalar("SELECT count(DISTINCT internet_message_id) FROM messages"),
            std::to_string(kMessages));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM quarantine"), "0") << "a restart is not bad mail";
}

TEST(FaultDovecotRestart, ImapDeleteModeMidPassStoresEveryMessageOnce) {
  restartMidPass("imap");
}

TEST(FaultDovecotRestart, Pop3DeleteModeMidPassStoresEveryMessageOnce) {
  restartMidPass("pop3");
}

}  // namespace
}  // namespace hd::test
