// The acceptance runs of the IMAP and POP3 issues: a mailbox of 2,000 mixed messages (attachments
// up to 2 MB) is ingested by one --once with every message stored exactly once, and a second
// --once stores nothing. Timings are printed, never asserted (see tests/bench for figures).

#include <gtest/gtest.h>

#include <chrono>

#include "tests/support/sample_mail.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

constexpr int kMessages = 2000;

// Mostly small mail, every 100th with a 2 MB attachment, every 10th with 100 KB.
void seed(TestMailbox& box) {
  for (int i = 0; i < kMessages; ++i) {
    std::size_t attachment = i % 100 == 0 ? 2 * 1024 * 1024 : (i % 10 == 0 ? 100 * 1024 : 0);
    box.deliver(makeSampleMessage(i, attachment));
  }
}

std::string configJson(const ScratchDatabase& db, const TestMailbox& box,
                       const std::string& protocol, const std::string& after_ingest) {
  const auto& env = TestEnv::get();
  int port = protocol == "imap" ? env.imaps_port : env.pop3s_port;
  return R"({"database": {"url": ")" + db.url() + R"("}, "log": {"level": "warning"},
    "mailboxes": [{"name": "load", "protocol": ")" +
         protocol + R"(", "host": ")" + env.mail_host + R"(", "port": )" + std::to_string(port) +
         R"(, "ca_file": ")" + env.ca_file + R"(", "username": ")" + box.user() +
         R"(", "password": ")" + env.mail_password + R"(", "after_ingest": ")" + after_ingest +
         R"("}]})";
}

long long count(const ScratchDatabase& db, const std::string& sql) {
  return std::stoll(db.scalar(sql));
}

void expectEveryMessageExactlyOnce(const ScratchDatabase& db) {
  EXPECT_EQ(count(db, "SELECT count(*) FROM messages"), kMessages);
  EXPECT_EQ(count(db, "SELECT count(DISTINCT internet_message_id) FROM messages"), kMessages);
  EXPECT_EQ(count(db, "SELECT count(*) FROM quarantine"), 0);
  EXPECT_EQ(count(db, "SELECT count(*) FROM attachments WHERE size = 2097152"), kMessages / 100);
  // Every message's raw bytes were written ahead of its commit (db/raw_contents.hpp), and what
  // its row names is exactly what the server sent.
  EXPECT_EQ(count(db,
                  "SELECT count(*) FROM messages m JOIN raw_messages r ON r.message_id = m.id"
                  " JOIN raw_contents c ON c.sha256 = r.content_sha256 WHERE r.raw IS NULL"
                  " AND encode(sha256(c.raw), 'hex') = m.raw_sha256"
                  " AND octet_length(c.raw) = m.raw_size"),
            kMessages);
}

ProcessResult timedOnce(const std::string& json, const char* what) {
  TempFile config(json);
  auto start = std::chrono::steady_clock::now();
  auto result = runService({"--config", config.path(), "--once"}, {}, 1200);
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ figures  ] " << what << ": " << seconds << " s\n";
  return result;
}

TEST(IngestLoad, ImapsTwoThousandMessagesOnceEach) {
  ScratchDatabase db;
  TestMailbox box("load_imap");
  seed(box);
  auto json = configJson(db, box, "imap", "seen");
  auto first = timedOnce(json, "IMAPS --once over 2,000 messages");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  expectEveryMessageExactlyOnce(db);
  EXPECT_EQ(box.countFlagged('S'), static_cast<std::size_t>(kMessages));
  auto second = timedOnce(json, "IMAPS second --once");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  expectEveryMessageExactlyOnce(db);
}

TEST(IngestLoad, Pop3sDrainsTwoThousandMessagesAndKeepModeStoresNothingTwice) {
  ScratchDatabase db;
  TestMailbox box("load_pop");
  seed(box);
  auto keep = configJson(db, box, "pop3", "keep");
  auto first = timedOnce(keep, "POP3S keep --once over 2,000 messages");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  expectEveryMessageExactlyOnce(db);
  EXPECT_EQ(box.count(), static_cast<std::size_t>(kMessages));
  auto again = timedOnce(keep, "POP3S keep second --once");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  expectEveryMessageExactlyOnce(db);

  auto drain =
      timedOnce(configJson(db, box, "pop3", "delete"), "POP3S delete --once (all already stored)");
  ASSERT_EQ(drain.exit_code, 0) << drain.output;
  expectEveryMessageExactlyOnce(db);
  EXPECT_EQ(box.count(), 0u);

  ScratchDatabase fresh;
  TestMailbox box2("load_pop_del");
  seed(box2);
  auto deleted = timedOnce(configJson(fresh, box2, "pop3", "delete"),
                           "POP3S delete --once over 2,000 messages");
  ASSERT_EQ(deleted.exit_code, 0) << deleted.output;
  expectEveryMessageExactlyOnce(fresh);
  EXPECT_EQ(box2.count(), 0u);
}

}  // namespace
}  // namespace hd::test
