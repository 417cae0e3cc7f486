// kill -9 at random moments, 20 rounds, while the service ingests 1,000 messages in the modes
// where an acknowledgement destroys the server's copy: IMAP delete, IMAP move, POP3 delete. Then
// one clean pass: every message is stored exactly once and the source folder is empty.
// The moments are random but reproducible: the seed is printed, and HD_TEST_KILL_SEED replays it.
// Each kill lands after a random amount of progress plus a random delay, so it falls inside a
// fetch, a group commit, an acknowledgement or an expunge/QUIT.

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <random>
#include <thread>

#include "tests/integration/fault_test_support.hpp"
#include "tests/support/sample_mail.hpp"

namespace hd::test {
namespace {

using Clock = std::chrono::steady_clock;
using fault::storedMessages;

constexpr int kMessages = 1000;
constexpr int kRounds = 20;

struct Mode {
  std::string protocol;      // imap | pop3
  std::string after_ingest;  // delete | move:<folder>
};

std::string config(const ScratchDatabase& db, const TestMailbox& box, const Mode& mode) {
  const auto& env = TestEnv::get();
  const int port = mode.protocol == "pop3" ? env.pop3s_port : env.imaps_port;
  return R"({"database": {"url": ")" + db.url() +
         R"("}, "log": {"level": "information"}, "limits": {"fetch_batch_messages": 25},
         "mailboxes": [{"name": "support", "protocol": ")" +
         mode.protocol + R"(", "host": ")" + env.mail_host + R"(", "port": )" +
         std::to_string(port) + R"(, "tls": "implicit", "ca_file": ")" + env.ca_file +
         R"(", "username": ")" + box.user() + R"(", "password": ")" + env.mail_password +
         R"(", "after_ingest": ")" + mode.after_ingest + R"("}]})";
}

unsigned seed() {
  if (const char* fixed = std::getenv("HD_TEST_KILL_SEED")) return std::stoul(fixed);
  return std::random_device{}();
}

void killRoundsThenFinish(const Mode& mode, const std::string& source_folder,
                          const std::string& destination_folder) {
  ScratchDatabase db;
  TestMailbox box("kill9");
  for (int i = 0; i < kMessages; ++i) box.deliver(makeSampleMessage(i));
  TempFile file(config(db, box, mode));

  const unsigned round_seed = seed();
  std::cout << "kill rounds seed " << round_seed << " (HD_TEST_KILL_SEED replays it)\n";
  std::mt19937 random(round_seed);
  std::uniform_int_distribution<long> progress(0, 40);
  std::uniform_int_distribution<int> extra_ms(0, 150);
  int kills_while_running = 0;

  for (int round = 0; round < kRounds; ++round) {
    const long before = std::max(0L, storedMessages(db));
    const long target = std::min<long>(before + progress(random), kMessages);
    // 40 ms after each batch's commit (before its acknowledgement): a pass takes at least 1.6 s
    // however fast the machine, so the rounds spread over the whole ingest.
    ServiceProcess service({"--config", file.path(), "--once"},
                           {"HD_FAULT_PAUSE_AFTER_COMMIT_MS=40"});
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (service.running() && storedMessages(db) < target && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(extra_ms(random)));
    const bool killed_while_running = service.running();
    if (killed_while_running) ++kills_while_running;
    service.signal(SIGKILL);
    const ProcessResult result = service.wait(30);
    std::cout << "round " << round << ": " << (killed_while_running ? "killed" : "finished")
              << " with " << storedMessages(db) << " stored, " << box.count(source_folder)
              << " left in " << source_folder << "\n";
    // Either killed, or it finished first (the last rounds find little or nothing left).
    EXPECT_TRUE(result.signal == SIGKILL || result.exit_code == 0)
        << "round " << round << ": " << result.output;
  }

  // The rounds must have hit a running ingest, not a finished one.
  EXPECT_GE(kills_while_running, kRounds / 2) << "seed " << round_seed;

  const ProcessResult last = runService({"--config", file.path(), "--once"}, {}, 300);
  ASSERT_EQ(last.exit_code, 0) << last.output;
  EXPECT_EQ(storedMessages(db), kMessages) << "seed " << round_seed;
  EXPECT_EQ(db.scalar("SELECT count(DISTINCT internet_message_id) FROM messages"),
            std::to_string(kMessages))
      << "seed " << round_seed;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM quarantine"), "0") << "seed " << round_seed;
  // Raw bytes written ahead of a commit that a kill cut off are found again, not stored twice,
  // and every stored message names bytes that hash to its own SHA-256.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages m JOIN raw_messages r ON r.message_id = m.id"
                      " JOIN raw_contents c ON c.sha256 = r.content_sha256"
                      " WHERE encode(sha256(c.raw), 'hex') = m.raw_sha256"),
            std::to_string(kMessages))
      << "seed " << round_seed;
  EXPECT_EQ(box.count(source_folder), 0u) << "seed " << round_seed;
  if (!destination_folder.empty()) {
    EXPECT_EQ(box.count(destination_folder), static_cast<std::size_t>(kMessages))
        << "seed " << round_seed;
  }
}

TEST(FaultKillRounds, ImapDeleteModeStoresEveryMessageOnce) {
  killRoundsThenFinish({"imap", "delete"}, "INBOX", "");
}

TEST(FaultKillRounds, ImapMoveModeStoresEveryMessageOnce) {
  killRoundsThenFinish({"imap", "move:Archive"}, "INBOX", "Archive");
}

TEST(FaultKillRounds, Pop3DeleteModeStoresEveryMessageOnce) {
  killRoundsThenFinish({"pop3", "delete"}, "INBOX", "");
}

}  // namespace
}  // namespace hd::test
