// Two replicas on one database: only the holder of a mailbox's advisory-lock lease polls it; when
// the holder is killed with SIGKILL, its session (and lease) is gone at once and the other replica
// takes over. No message is lost or stored twice.

#include <csignal>
#include <sstream>

#include "tests/integration/api_test_support.hpp"
#include "tests/support/sample_mail.hpp"

namespace hd::test {
namespace {

bool waitForCount(const ScratchDatabase& db, const std::string& sql, const std::string& expected,
                  int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (db.scalar(sql) == expected) return true;
    } catch (const std::exception&) {
      // The schema is not there yet: the service migrates it right after it starts.
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(ApiLease, OneReplicaPollsAMailboxAndTheOtherTakesOverAfterKill9) {
  ScratchDatabase db;
  TestMailbox box{"lease"};
  // JSON log lines (with debug, so that the store's per-message lines appear too).
  std::string config_json = apiConfigJson(db.url(), box.user());
  const std::string text_log = R"("log": {"level": "information"})";
  config_json.replace(config_json.find(text_log), text_log.size(),
                      R"("log": {"level": "debug", "format": "json"})");
  TempFile config(config_json);
  const std::string acquired = "mailbox support: lease acquired";
  const std::string standing_by = "mailbox support: another replica holds the lease; standing by";

  ServiceProcess first({"--config", config.path()});
  int first_port = waitForPort(first);
  waitForLog(first, acquired);
  ServiceProcess second({"--config", config.path()});
  int second_port = waitForPort(second);
  waitForLog(second, standing_by);

  for (int i = 0; i < 5; ++i) box.deliver(makeSampleMessage(i));
  ASSERT_TRUE(waitForCount(db, "SELECT count(*) FROM messages", "5", 60)) << first.output();
  // Several more poll intervals: the standby replica never polled.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(second.output().find(acquired), std::string::npos) << second.output();
  EXPECT_EQ(second.output().find("pass done"), std::string::npos) << second.output();
  auto standby_status = httpGet(second_port, "/status", "").json();
  EXPECT_EQ(standby_status["mailboxes"][0]["state"], "ok");  // standing by is not a failure
  EXPECT_EQ(standby_status["mailboxes"][0]["consecutive_failures"], 0);
  EXPECT_EQ(standby_status["mailboxes"][0]["lease"], "standby");
  EXPECT_EQ(httpGet(first_port, "/status", "").json()["mailboxes"][0]["lease"], "held");

  const auto killed = std::chrono::steady_clock::now();
  first.signal(SIGKILL);
  first.wait(10);
  waitForLog(second, acquired, 20);
  EXPECT_LT(std::chrono::steady_clock::now() - killed, std::chrono::seconds(10));
  EXPECT_EQ(httpGet(second_port, "/status", "").json()["mailboxes"][0]["lease"], "held");

  for (int i = 5; i < 8; ++i) box.deliver(makeSampleMessage(i));
  ASSERT_TRUE(waitForCount(db, "SELECT count(*) FROM messages", "8", 60)) << second.output();
  EXPECT_EQ(db.scalar("SELECT count(DISTINCT source_key) FROM messages"), "8");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM quarantine"), "0");
  EXPECT_EQ(box.countFlagged('S'), 8u);

  // Exactly one session holds the mailbox's lock. pg_locks spans the whole cluster, where other
  // tests run services too: count only this test's database.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                      " WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = "
                      "'helpdesk-ingest lease' AND a.datname = current_database()"),
            "1");
  second.signal(SIGTERM);
  auto result = second.wait(40);
  EXPECT_EQ(result.exit_code, 0);

  // Every log line is one JSON object; the ids named in a line are fields of it.
  bool stored_line = false;
  std::istringstream lines(first.output() + result.output);
  for (std::string line; std::getline(lines, line);) {
    auto object = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(object.is_object()) << line;
    if (object["message"].get<std::string>().find("stored as message") == std::string::npos)
      continue;
    stored_line = true;
    EXPECT_EQ(object["mailbox"], "support") << line;
    EXPECT_TRUE(object["uid"].is_number_unsigned()) << line;
    EXPECT_EQ(object["ticket"].get<std::string>().rfind("HD-", 0), 0u) << line;
  }
  EXPECT_TRUE(stored_line);
}

}  // namespace
}  // namespace hd::test
