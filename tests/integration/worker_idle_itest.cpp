// MailboxWorker between passes, on a real PostgreSQL, with a source whose waiting the test
// scripts: new mail starts a pass at once, a failed IDLE falls back to sleeping the interval, and
// a stop ends the wait. (IDLE against the real Dovecot is in ingest_imap_itest.)

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "connectors/net/errors.hpp"
#include "db/ticket_store.hpp"
#include "service/mailbox_worker.hpp"
#include "tests/support/test_env.hpp"

namespace hd::service {
namespace {

using namespace std::chrono_literals;

using WaitScript =
    std::function<source::WaitOutcome(int call, const std::function<bool()>& interrupted)>;

struct SourceLog {
  std::atomic<int> opens{0}, waits{0}, closes{0};
};

// An empty IMAP-like folder that can wait for news as the test's script says.
class ScriptedWaitSource : public source::MailSource {
 public:
  ScriptedWaitSource(SourceLog& log, WaitScript script) : log_(log), script_(std::move(script)) {}
  void open() override { ++log_.opens; }
  source::Listing listPending(const source::Checkpoint&) override { return {7, {}}; }
  std::vector<source::FetchedMessage> fetch(std::span<const source::MessageRef>) override {
    return {};
  }
  std::vector<source::FetchedMessage> fetchHeaders(std::span<const source::MessageRef>,
                                                   std::uint64_t) override {
    return {};
  }
  std::vector<source::MessageRef> lookUp(std::span<const std::string>) override { return {}; }
  void acknowledge(std::span<const source::MessageRef>) override {}
  bool canWaitForNewMail() const override { return true; }
  source::WaitOutcome waitForNewMail(std::chrono::milliseconds,
                                     const std::function<bool()>& interrupted) override {
    return script_(++log_.waits, interrupted);
  }
  void close() noexcept override { ++log_.closes; }

 private:
  SourceLog& log_;
  WaitScript script_;
};

source::WaitOutcome waitUntilInterrupted(const std::function<bool()>& interrupted) {
  while (!interrupted()) std::this_thread::sleep_for(5ms);
  return source::WaitOutcome::kInterrupted;
}

bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 1000 && !condition(); ++i) std::this_thread::sleep_for(10ms);
  return condition();
}

class WorkerIdle : public ::testing::Test {
 protected:
  void SetUp() override {
    db::TicketStore(db_.url()).migrate();
    board_.add("support", "imap");
  }

  // Runs the worker on its own thread until stop(); `interval` is the poll interval.
  void start(std::chrono::milliseconds interval, WaitScript script) {
    WorkerSettings settings;
    settings.mailbox = "support";
    settings.poll_interval = interval;
    worker_ = std::make_unique<MailboxWorker>(
        settings, [this, script] { return std::make_unique<ScriptedWaitSource>(log_, script); },
        std::make_unique<db::TicketStore>(db_.url()), board_);
    thread_ = std::thread([this] { worker_->runUntil(stop_); });
  }

  void stop() {
    stop_.requestStop();
    if (thread_.joinable()) thread_.join();
  }

  void TearDown() override { stop(); }

  test::ScratchDatabase db_;
  StatusBoard board_;
  SourceLog log_;
  StopSignal stop_;
  std::unique_ptr<MailboxWorker> worker_;
  std::thread thread_;
};

TEST_F(WorkerIdle, NewMailStartsAPassAtOnceAndAStopEndsTheWait) {
  start(std::chrono::hours(1), [](int call, const std::function<bool()>& interrupted) {
    if (call == 1) return source::WaitOutcome::kNewMail;
    return waitUntilInterrupted(interrupted);
  });
  ASSERT_TRUE(eventually([&] { return log_.waits == 2; }))
      << "the announcement should start the second pass within the hour-long interval";
  EXPECT_EQ(log_.opens, 2);
  EXPECT_TRUE(eventually([&] { return board_.get("support").idle; }));
  EXPECT_EQ(board_.get("support").state, MailboxState::kOk);

  const auto asked = std::chrono::steady_clock::now();
  stop();
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 30s) << "the stop ends the IDLE wait";
  EXPECT_FALSE(board_.get("support").idle);
  EXPECT_EQ(log_.closes.load(), log_.opens.load()) << "every session is closed";
}

TEST_F(WorkerIdle, FailingIdleFallsBackToPollingAtTheInterval) {
  const auto started = std::chrono::steady_clock::now();
  start(300ms, [](int, const std::function<bool()>&) -> source::WaitOutcome {
    throw net::NetworkError("IDLE dropped by the server");
  });
  ASSERT_TRUE(eventually([&] { return log_.opens >= 3; }));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  stop();
  EXPECT_GE(elapsed, 550ms) << "after each failed IDLE the rest of the interval is slept";
  const MailboxStatus status = board_.get("support");
  EXPECT_EQ(status.state, MailboxState::kOk) << "a failed IDLE is not a failed pass";
  EXPECT_EQ(status.consecutive_failures, 0);
  EXPECT_FALSE(status.idle);
  EXPECT_EQ(log_.closes.load(), log_.opens.load());
}

TEST_F(WorkerIdle, QuietIntervalEndsInAnotherPass) {
  start(50ms, [](int, const std::function<bool()>&) { return source::WaitOutcome::kTimeout; });
  EXPECT_TRUE(eventually([&] { return log_.opens >= 3; }))
      << "after an IDLE that saw nothing for the whole interval, the next pass runs";
}

}  // namespace
}  // namespace hd::service
