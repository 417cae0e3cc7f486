// IMAP IDLE against the real Dovecot: with a poll interval of ten minutes, a message delivered
// while the service idles is committed within seconds, /status shows the wait, and SIGTERM ends
// it at once.

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <regex>
#include <thread>

#include "tests/integration/api_test_support.hpp"
#include "tests/support/sample_mail.hpp"
#include "tests/support/service_process.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

constexpr int kPollSeconds = 600;

bool eventually(const std::function<bool()>& condition, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

TEST(IngestImapIdle, MailDeliveredWhileIdlingIsCommittedWithoutWaitingForThePollInterval) {
  ScratchDatabase db;
  TestMailbox box("idle");
  box.deliver(makeSampleMessage(0));
  TempFile config(apiConfigJson(db.url(), box.user(), "", "", kPollSeconds));
  ServiceProcess service({"--config", config.path()});
  const int port = waitForPort(service);
  ASSERT_NE(port, 0);

  auto messages = [&] { return storedMessages(db); };
  ASSERT_TRUE(eventually([&] { return messages() == 1 && idleOnStatus(port); }, 60))
      << "the first pass stores the message, then the worker idles\n"
      << service.output();
  EXPECT_NE(service.output().find("waiting in IMAP IDLE"), std::string::npos) << service.output();

  const auto delivered = std::chrono::steady_clock::now();
  box.deliver(makeSampleMessage(1));
  ASSERT_TRUE(eventually([&] { return messages() == 2; }, kPollSeconds / 4))
      << "committed only at the next poll: IDLE did not wake the worker\n"
      << service.output();
  const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - delivered);
  std::cout << "IDLE: delivered-to-committed " << latency.count() << " ms\n";
  EXPECT_TRUE(eventually([&] { return box.countFlagged('S') == 2; }, 30)) << "acknowledged";
  EXPECT_TRUE(eventually([&] { return idleOnStatus(port); }, 60)) << "idling again after the pass";

  const auto asked = std::chrono::steady_clock::now();
  service.signal(SIGTERM);
  auto result = service.wait(40);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(20))
      << "SIGTERM ends the IDLE wait";
}

TEST(IngestImapIdle, IdleFalseKeepsPolling) {
  ScratchDatabase db;
  TestMailbox box("noidle");
  std::string json = apiConfigJson(db.url(), box.user(), "", "", 1);
  json = std::regex_replace(json, std::regex(R"("poll_interval_seconds": 1)"),
                            R"("poll_interval_seconds": 1, "idle": false)");
  TempFile config(json);
  ServiceProcess service({"--config", config.path()});
  const int port = waitForPort(service);
  ASSERT_NE(port, 0);
  box.deliver(makeSampleMessage(2));
  ASSERT_TRUE(eventually([&] { return storedMessages(db) == 1; }, 60)) << service.output();
  EXPECT_FALSE(idleOnStatus(port));
  EXPECT_EQ(service.output().find("IMAP IDLE"), std::string::npos) << service.output();
  service.signal(SIGTERM);
  EXPECT_EQ(service.wait(40).exit_code, 0);
}

}  // namespace
}  // namespace hd::test
