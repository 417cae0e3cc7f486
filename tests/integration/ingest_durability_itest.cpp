// The session that commits before acknowledging runs with synchronous_commit on, whatever the
// server or database default: otherwise a commit could return before its WAL is flushed, and an
// EXPUNGE or DELE followed by a database crash would lose the mail. The test database defaults to
// synchronous_commit = off (as the test server does); a trigger records the setting the ingest
// session actually had when it inserted the message.

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "tests/support/sample_mail.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

std::string config(const ScratchDatabase& db, const TestMailbox& box) {
  const auto& env = TestEnv::get();
  return R"({"database": {"url": ")" + db.url() +
         R"("}, "mailboxes": [{"name": "support", "host": ")" + env.mail_host + R"(", "port": )" +
         std::to_string(env.imaps_port) + R"(, "tls": "implicit", "ca_file": ")" + env.ca_file +
         R"(", "username": ")" + box.user() + R"(", "password": ")" + env.mail_password +
         R"(", "after_ingest": "delete"}]})";
}

void execute(const std::string& url, const std::string& sql) {
  pqxx::connection connection(url);
  pqxx::nontransaction tx(connection);
  tx.exec0(sql);
}

TEST(IngestDurability, TheIngestSessionCommitsWithSynchronousCommitOnWhateverTheDefault) {
  ScratchDatabase db;
  TestMailbox box("durable");
  TempFile file(config(db, box));
  // First run on an empty mailbox: creates the schema.
  ProcessResult first = runService({"--config", file.path(), "--once"}, {}, 120);
  ASSERT_EQ(first.exit_code, 0) << first.output;

  execute(db.url(), "ALTER DATABASE " + db.name() + " SET synchronous_commit = off");
  execute(db.url(), "CREATE TABLE seen_setting (value text NOT NULL)");
  execute(db.url(),
          "CREATE FUNCTION record_setting() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
          " INSERT INTO seen_setting VALUES (current_setting('synchronous_commit'));"
          " RETURN NEW; END $$");
  execute(db.url(),
          "CREATE TRIGGER record_setting AFTER INSERT ON messages"
          " FOR EACH ROW EXECUTE FUNCTION record_setting()");
  // A new session of ours sees the database default.
  EXPECT_EQ(db.scalar("SHOW synchronous_commit"), "off");

  box.deliver(makeSampleMessage(1));
  ProcessResult second = runService({"--config", file.path(), "--once"}, {}, 120);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages"), "1");
  EXPECT_EQ(db.scalar("SELECT string_agg(value, ',') FROM seen_setting"), "on");
  EXPECT_EQ(box.count(), 0u);
}

}  // namespace
}  // namespace hd::test
