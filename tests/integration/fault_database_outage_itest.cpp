// PostgreSQL dies in the middle of a pass (pg_ctl stop -m immediate, triggered on progress, not on
// a timer) and comes back seconds later. The running service shows `failing` meanwhile, resumes by
// itself once the database is back, acknowledges nothing that was not committed, stores every
// message exactly once and quarantines nothing: an outage is not bad mail.
// Uses the second PostgreSQL of the test environment (HD_TEST_FAULT_PG_*), which only fault tests
// stop; the ctest resource lock keeps them one at a time.

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

#include "tests/integration/fault_test_support.hpp"
#include "tests/support/sample_mail.hpp"

namespace hd::test {
namespace {

using Clock = std::chrono::steady_clock;
using fault::eventually;
using fault::mailboxState;
using fault::storedMessages;

constexpr int kMessages = 1000;

TEST(FaultDatabaseOutage, ImmediateStopMidPassThenRestartStoresEverythingOnceQuarantinesNothing) {
  const auto& env = TestEnv::get();
  ScratchDatabase db(env.fault_pg_admin_url);
  TestMailbox box("pgoutage");
  for (int i = 0; i < kMessages; ++i) box.deliver(makeSampleMessage(i));
  TempFile config(
      apiConfigJson(db.url(), box.user(), "", R"("limits": {"fetch_batch_messages": 20},)"));

  // At least 5 s per pass (50 batches, 100 ms after each commit): the stop lands in the middle
  // however fast the machine.
  ServiceProcess service({"--config", config.path()}, {"HD_FAULT_PAUSE_AFTER_COMMIT_MS=100"});
  const int port = waitForPort(service);
  ASSERT_NE(port, 0);

  // Progress, not a timer: the pass is under way, and far from over.
  ASSERT_TRUE(eventually(120, [&] { return storedMessages(db) >= 60; })) << service.output();
  fault::StoppedServer database(env.fault_pg_ctl);

  EXPECT_TRUE(eventually(60, [&] { return mailboxState(port) == "failing"; }))
      << "state: " << mailboxState(port) << "\n"
      << service.output();
  // Whatever the server marked seen by now was committed before the crash.
  const auto acknowledged_during_outage = static_cast<long>(box.countFlagged('S'));
  EXPECT_LT(acknowledged_during_outage, kMessages);
  std::this_thread::sleep_for(std::chrono::seconds(3));

  database.start();
  const auto back_at = Clock::now();
  EXPECT_GE(storedMessages(db), acknowledged_during_outage)
      << "a message was acknowledged on the server without its commit";

  // The worker's backoff is at most 2 s here: it resumes by itself, well within a minute.
  const long stored_at_return = storedMessages(db);
  ASSERT_TRUE(eventually(60, [&] { return storedMessages(db) > stored_at_return; }))
      << "no progress after the database came back\n"
      << service.output();
  const auto resumed_after =
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - back_at).count();
  std::cout << "resumed " << resumed_after << " s after the database came back\n";

  ASSERT_TRUE(eventually(300, [&] { return storedMessages(db) == kMessages; }))
      << "stored " << storedMessages(db) << " of " << kMessages << "\n"
      << service.output();
  EXPECT_TRUE(eventually(30, [&] { return box.countFlagged('S') == kMessages; }))
      << box.countFlagged('S') << " of " << kMessages << " marked seen";
  EXPECT_TRUE(eventually(30, [&] { return mailboxState(port) == "ok"; }))
      << "state: " << mailboxState(port);

  service.signal(SIGTERM);
  EXPECT_EQ(service.wait(60).exit_code, 0) << service.output();
  EXPECT_EQ(db.scalar("SELECT count(DISTINCT source_key) FROM messages"),
            std::to_string(kMessages));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM quarantine"), "0") << "an outage is not bad mail";
}

}  // namespace
}  // namespace hd::test
