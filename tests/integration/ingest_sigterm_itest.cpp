// SIGTERM during `--once`: the pass stops after the batch at hand (committed, acknowledged,
// checkpointed), the process exits 1 (an interrupted run is not a success), and the next run
// stores the rest, every message exactly once.

#include <gtest/gtest.h>

#include <csignal>
#include <regex>
#include <thread>

#include "tests/support/sample_mail.hpp"
#include "tests/support/service_process.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

constexpr int kMessages = 60;

std::string config(const ScratchDatabase& db, const TestMailbox& box) {
  const auto& env = TestEnv::get();
  return R"({"database": {"url": ")" + db.url() +
         R"("}, "log": {"level": "information"}, "limits": {"fetch_batch_messages": 5},
         "mailboxes": [{"name": "support", "host": ")" +
         env.mail_host + R"(", "port": )" + std::to_string(env.imaps_port) + R"(, "ca_file": ")" +
         env.ca_file + R"(", "username": ")" + box.user() + R"(", "password": ")" +
         env.mail_password + R"(", "after_ingest": "seen"}]})";
}

bool waitForOutput(ServiceProcess& process, const std::string& text, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (process.output().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST(IngestSigterm, OnceStopsAfterTheBatchAtHandExitsOneAndTheNextRunFinishes) {
  ScratchDatabase db;
  TestMailbox box("sigterm");
  for (int i = 0; i < kMessages; ++i) box.deliver(makeSampleMessage(i));
  TempFile file(config(db, box));

  {
    // 12 batches of 5, each followed by a 300 ms pause: the signal lands in the middle.
    ServiceProcess once({"--config", file.path(), "--once"},
                        {"HD_FAULT_PAUSE_AFTER_COMMIT_MS=300"});
    ASSERT_TRUE(waitForOutput(once, "stored as message", 60)) << once.output();
    once.signal(SIGTERM);
    const ProcessResult result = once.wait(60);
    EXPECT_EQ(result.signal, 0) << "killed by the signal instead of stopping:\n" << result.output;
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_NE(result.output.find("stopping after the batch at hand"), std::string::npos)
        << result.output;
  }
  const long stored = std::stol(db.scalar("SELECT count(*) FROM messages"));
  EXPECT_GT(stored, 0);
  EXPECT_LT(stored, kMessages);
  EXPECT_EQ(stored % 5, 0) << "a batch was cut in the middle";
  // What was committed was acknowledged before the exit; nothing else was.
  EXPECT_EQ(static_cast<long>(box.countFlagged('S')), stored);

  const ProcessResult rest = runService({"--config", file.path(), "--once"}, {}, 120);
  ASSERT_EQ(rest.exit_code, 0) << rest.output;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages"), std::to_string(kMessages));
  EXPECT_EQ(db.scalar("SELECT count(DISTINCT source_key) FROM messages"),
            std::to_string(kMessages));
  EXPECT_EQ(box.countFlagged('S'), static_cast<std::size_t>(kMessages));
}

}  // namespace
}  // namespace hd::test
